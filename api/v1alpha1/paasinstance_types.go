package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PaaSSize is a legacy Simple Hosting (PaaS) instance size.
// +kubebuilder:validation:Enum=s;s+;m;l;xl;xxl
type PaaSSize string

// PaaSCredentialsReference names the Secret holding the legacy API key.
type PaaSCredentialsReference struct {
	// Name of a Secret in the same namespace as this object, holding the
	// legacy Gandi API key under the key "apikey". The XML-RPC API accepts
	// no personal access token: a Secret with only a "token" is refused
	// with the reason APIKeyRequired.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// The MySQL rule's pattern is paas.NotMySQLTypePattern (this package
// cannot import it), the judgement of paas.MayHaveMySQL, which the operator
// and the kubectl plugin apply; a test checks the CRD agrees. It fires only
// when the request or the type is new (optionalOldSelf: on create too), so
// that an object admitted before the rule stays editable while it keeps both.
// +kubebuilder:validation:XValidation:rule="!has(self.resetMySQLPasswordRequest) || self.resetMySQLPasswordRequest == '' || !self.type.matches('^.+(pgsql|mongodb)[0-9.]*$') || (oldSelf.hasValue() && has(oldSelf.value().resetMySQLPasswordRequest) && oldSelf.value().resetMySQLPasswordRequest == self.resetMySQLPasswordRequest && oldSelf.value().type == self.type)",optionalOldSelf=true,message="spec.resetMySQLPasswordRequest resets a MySQL root password, and spec.type embeds another database (pgsql or mongodb), which has none: remove the field",fieldPath=.resetMySQLPasswordRequest

// PaaSInstanceSpec is the legacy Simple Hosting instance the cluster owns at
// Gandi, through Gandi's XML-RPC API. Its create-only fields are checked on
// PaaSInstance, which sees the status too. A MySQL root password reset is
// refused for a type that embeds another database.
type PaaSInstanceSpec struct {
	// CredentialsRef names the Secret, in this object's namespace, holding
	// the legacy API key under "apikey". When absent, the operator's default
	// Secret is used (its "apikey" key) if the operator was installed with
	// that allowed.
	// +optional
	CredentialsRef *PaaSCredentialsReference `json:"credentialsRef,omitempty"`

	// DeletionPolicy says what deleting this object does at Gandi: "Delete"
	// (the default) deletes the instance, its vhosts and snapshots, and waits
	// until it is gone; "Orphan" leaves it at Gandi.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// ManagementPolicy is "Manage" (the default) or "Observe". "Observe"
	// never writes to Gandi, not even on delete: it reads the instance and
	// reports its state and any drift from this spec.
	// +kubebuilder:default=Manage
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`

	// RecreateIfDeleted buys a new instance when the managed one has been
	// deleted at Gandi outside this cluster, as a HostingInstance's does.
	// By default (false) the object reports ExternalNotFound and buys
	// nothing.
	// +optional
	RecreateIfDeleted bool `json:"recreateIfDeleted,omitempty"`

	// Name of the instance at Gandi. Defaults to this object's name. It can
	// be changed later (paas.update renames the instance in place). Not
	// blank.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self.trim().size() > 0",message="spec.name must not be blank: Gandi refuses an empty name"
	// +optional
	Name string `json:"name,omitempty"`

	// DatacenterID is the legacy API's ID of the datacenter the instance is
	// created in, e.g. 1 (FR-SD2), 3 (LU-BI1) or 5 (FR-SD5). Create-only:
	// once Gandi has the instance, it can only be set to the datacenter Gandi
	// shows (status.datacenter.id), which sends nothing.
	// +kubebuilder:validation:Minimum=1
	DatacenterID int32 `json:"datacenterID"`

	// Type is the language and database, a name from Gandi's type catalogue
	// (paas.type.list), e.g. php7.3mysql5.7. An unknown type is refused with
	// InvalidSpec; a deprecated one works but warns (condition
	// TypeDeprecated and an event). Create-only: once Gandi has the
	// instance, it can only be set to the type Gandi shows (status.type),
	// which sends nothing.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[a-z0-9][a-z0-9.]*$`
	Type string `json:"type"`

	// Size of the instance: s, s+, m, l, xl or xxl. A resize is sent with
	// paas.update and billed by Gandi.
	Size PaaSSize `json:"size"`

	// Duration of the first subscription period, in months: "1m", "12m"…
	// Create-only; extend it later with spec.renew.
	// +kubebuilder:validation:Pattern=`^([1-9][0-9]?|1[01][0-9]|120)m$`
	// +kubebuilder:default="1m"
	// +optional
	Duration string `json:"duration"`

	// Fixed is the annual commitment taken at creation. Create-only.
	// +kubebuilder:default=false
	// +optional
	Fixed bool `json:"fixed"`

	// PasswordSecretRef names the Secret key holding the instance's password
	// (at least 8 characters). Buying an instance needs it (paas.create
	// requires a password); an adopted or observed instance may go without,
	// and its password is then left as it is. A new revision of the Secret
	// is sent once with paas.update. The password never appears in status,
	// events or logs.
	// +optional
	PasswordSecretRef *SecretKeySelector `json:"passwordSecretRef,omitempty"`

	// SSHKeys are public keys to install, in OpenSSH format ("ssh-ed25519
	// AAAA... user@host": a type starting with ssh-, ecdsa- or sk-, then the
	// base64 key, then an optional comment, on one line). They are sent at
	// creation; a changed list is sent once with paas.update, which adds
	// the keys (Gandi does not report them back, so they cannot be
	// compared). Gandi can only append a key given so, never remove one: a
	// key dropped from the list may stay authorized, and Synced is False
	// (UnsupportedChange, naming its fingerprint) until it is removed at
	// Gandi by hand and the record annotation edited as the message says.
	// Keys to take away later are better given by ID (sshKeyIDs). A
	// private key is refused: the spec is readable by whoever can read the
	// object, and Gandi would install it as an authorized key.
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=16384
	// +kubebuilder:validation:items:Pattern=`^(ssh-|ecdsa-|sk-)[^\s]+[ \t]+[A-Za-z0-9+/]+={0,3}([ \t]+[^\r\n]*)?$`
	// +kubebuilder:validation:items:XValidation:rule="!self.contains('PRIVATE KEY')",message="this is private key material: give only the public key (the .pub file, one line); a private key in a spec is readable by whoever can read the object"
	// +listType=atomic
	// +optional
	SSHKeys []string `json:"sshKeys,omitempty"`

	// SSHKeyIDs are IDs of SSH keys already registered at Gandi. Sent at
	// creation; a changed list is sent once with paas.update, which
	// replaces the instance's list of key IDs whole (an ID dropped from a
	// list that still names one is removed).
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:Minimum=1
	// +listType=atomic
	// +optional
	SSHKeyIDs []int32 `json:"sshKeyIDs,omitempty"`

	// AdditionalDiskGB is data disk bought on top of the size's own, in GB.
	// It may only grow; each increase is billed by Gandi. Once set it cannot
	// be unset, which would let the next edit lower it. Before the instance
	// exists, while Gandi refuses the create (Ready reason CreateRefused),
	// nothing was sold and it can be lowered or unset.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1024
	// +optional
	AdditionalDiskGB *int32 `json:"additionalDiskGB,omitempty"`

	// SnapshotProfile is the ID of the snapshot profile to use; 0 removes the
	// profile. Absent: the operator leaves the profile as Gandi has it. A
	// change is paid (the profile's disk is billed with the instance's), so
	// it is sent at most once per value, like size and additionalDiskGB.
	// +kubebuilder:validation:Minimum=0
	// +optional
	SnapshotProfile *int32 `json:"snapshotProfile,omitempty"`

	// Console turns the emergency console on or off. Absent: left as it is.
	// +optional
	Console *bool `json:"console,omitempty"`

	// Vhosts are the instance's virtual hosts. Each is created with
	// paas.vhost.create (or with the instance) and reported in status with
	// the DNS entries to publish. A vhost removed from this list is deleted
	// at Gandi only if this object created it.
	// +kubebuilder:validation:MaxItems=50
	// +listType=map
	// +listMapKey=fqdn
	// +optional
	Vhosts []PaaSVhostSpec `json:"vhosts,omitempty"`

	// RestartRequest restarts the instance once for each new value; any value
	// works, a timestamp reads well. The value last performed is in
	// status.lastRequests.restart.
	// A value already set when this object takes hold of an existing instance
	// it did not create (adopt, external-id) is not performed there: set a
	// new one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	RestartRequest string `json:"restartRequest,omitempty"`

	// UpgradeRequest upgrades the instance's system image once for each new
	// value (status.needUpgrade says when Gandi has a newer one).
	// A value already set when this object takes hold of an existing instance
	// it did not create (adopt, external-id) is not performed there: set a
	// new one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	UpgradeRequest string `json:"upgradeRequest,omitempty"`

	// ResetMySQLPasswordRequest resets the MySQL root password once for each
	// new value. Only for a type with MySQL: it is refused when spec.type
	// embeds another database (pgsql, mongodb), and never sent when Gandi
	// reports such a type (Synced says InvalidSpec).
	// A value already set when this object takes hold of an existing instance
	// it did not create (adopt, external-id) is not performed there: set a
	// new one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	ResetMySQLPasswordRequest string `json:"resetMySQLPasswordRequest,omitempty"`

	// Renew extends the subscription once for each new request value. It is
	// paid: the operator records the request and the end date before sending
	// it and never renews twice for one request value; it is done (status.lastRequests.renew)
	// only when Gandi shows the end date moved. After a lost answer or a
	// crash, a renewal whose end date has not moved once the create grace
	// period is over is reported ActionUnconfirmed and not sent again (it may
	// be paid, its operations still running): a new request value asks again.
	// A value set back to one asked before (A -> B -> A) is not renewed
	// again.
	// +optional
	Renew *PaaSRenewRequest `json:"renew,omitempty"`
}

// PaaSVhostSpec is one virtual host of a PaaS instance.
// +kubebuilder:validation:XValidation:rule="!has(self.override) || !self.override || (has(self.zoneAlter) && self.zoneAlter)",message="override needs zoneAlter: Gandi can replace a DNS record only in a zone it may alter",fieldPath=.override
// +kubebuilder:validation:XValidation:rule="(has(self.zoneAlter) && self.zoneAlter) == (has(oldSelf.zoneAlter) && oldSelf.zoneAlter) && (has(self.override) && self.override) == (has(oldSelf.override) && oldSelf.override)",message="zoneAlter and override of a listed vhost cannot change: Gandi takes them only when it creates the vhost, and no call changes them on an existing one; to create it again with new values, remove the vhost from spec.vhosts, wait until status.vhosts no longer lists it (only a vhost this object created is deleted), then add it again"
type PaaSVhostSpec struct {
	// FQDN of the vhost, e.g. "www.example.org", as a Vhost's: in
	// lowercase, labels of letters, digits and inner hyphens, separated by
	// dots, no trailing dot, no scheme, path or port; an internationalized
	// name in Unicode or punycode (xn--). An IP address is no vhost name.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^([\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?\.)+[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?$`
	// +kubebuilder:validation:XValidation:rule="self == self.lowerAscii()",message="fqdn must be lower case"
	// +kubebuilder:validation:XValidation:rule="!self.matches('[.][0-9]+$')",message="fqdn must be a host name, not an IP address: its last label cannot be all digits"
	FQDN string `json:"fqdn"`

	// ZoneAlter lets Gandi add the records for the vhost to the domain's
	// zone (when the zone is at Gandi); otherwise publish status's DNS
	// entries yourself. It counts only when the operator creates the vhost
	// (paas.vhost.create, or paas.create with the instance): Gandi has no
	// call that changes it on an existing vhost, so it cannot change while
	// the vhost is listed (remove the vhost, wait until status.vhosts no
	// longer lists it, then add it again). A vhost that already exists at
	// Gandi when listed is not created, so it is not sent for it; set, it
	// is then reported (Synced reason UnsupportedChange).
	// +optional
	ZoneAlter bool `json:"zoneAlter,omitempty"`

	// Override lets Gandi replace an existing record. It needs zoneAlter,
	// and like it counts only when the operator creates the vhost.
	// +optional
	Override bool `json:"override,omitempty"`
}

// PaaSRenewRequest is one renewal of the subscription. Its request value
// renews at most once, with the duration and commitment it was first
// recorded with: under the same value a new duration or fixed would never
// be sent, so it is refused.
// +kubebuilder:validation:XValidation:rule="self.request != oldSelf.request || (self.duration == oldSelf.duration && (has(self.fixed) && self.fixed) == (has(oldSelf.fixed) && oldSelf.fixed))",message="spec.renew.duration and spec.renew.fixed cannot change under the same spec.renew.request: a request value renews at most once, with what it asked first (perhaps already sent); set a new spec.renew.request to renew with these"
type PaaSRenewRequest struct {
	// Request identifies this renewal: each new value renews once, and a
	// value asked before never again. Any value works, e.g. "2027".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Request string `json:"request"`

	// Duration to add, in months: "1m", "12m"…
	// +kubebuilder:validation:Pattern=`^([1-9][0-9]?|1[01][0-9]|120)m$`
	Duration string `json:"duration"`

	// Fixed takes an annual commitment with the renewal.
	// +optional
	Fixed bool `json:"fixed,omitempty"`
}

// PaaSInstanceStatus is what Gandi last reported about the instance.
type PaaSInstanceStatus struct {
	// Conditions: Ready (the instance is running), Synced (the last
	// reconcile applied the spec without error) and TypeDeprecated (the
	// type is deprecated in Gandi's catalogue).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// LastHandledReconcileAt is the value of the annotation
	// hosting.gandi-operator.dev/requested-at that the last pass which
	// observed the object at Gandi saw: equal to the annotation, the
	// requested reconcile has been done.
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`

	// ID of the instance at Gandi (an integer).
	// +optional
	ID string `json:"id,omitempty"`

	// LostClaimID is the Gandi ID (a Vhost's: its FQDN) this object
	// recorded when the operator last found another object of the cluster
	// managing it (Ready reason OwnedByAnotherObject); empty once this
	// object manages what it records. Only the operator writes status, so
	// an object that already lost a claim ranks below one with no status
	// for that ID: the object that bought it, restored without its status.
	// +optional
	LostClaimID string `json:"lostClaimID,omitempty"`

	// ObservedWith names the credentials the ID was last seen under at
	// Gandi. A later "not found" under other credentials (another
	// Secret, or the same one changed since) is not taken for "deleted
	// at Gandi": nothing is bought, deleted or let go on it (Ready reason
	// CredentialsChanged).
	// +optional
	ObservedWith *ObservedCredentials `json:"observedWith,omitempty"`

	// Name of the instance at Gandi.
	// +optional
	Name string `json:"name,omitempty"`

	// State as Gandi reports it: being_created, running, locked, paused,
	// being_migrated, being_deleted or deleted.
	// +optional
	State string `json:"state,omitempty"`

	// CatalogName is Gandi's catalogue name of the instance's product.
	// +optional
	CatalogName string `json:"catalogName,omitempty"`

	// Type as Gandi reports it.
	// +optional
	Type string `json:"type,omitempty"`

	// TypeVisibility is the type's visibility in the catalogue: all, beta,
	// deprecated…
	// +optional
	TypeVisibility string `json:"typeVisibility,omitempty"`

	// TypeCheckedAt is when the type was last looked up in the catalogue.
	// +optional
	TypeCheckedAt *metav1.Time `json:"typeCheckedAt,omitempty"`

	// Size as Gandi reports it.
	// +optional
	Size string `json:"size,omitempty"`

	// Datacenter the instance runs in.
	// +optional
	Datacenter *PaaSDatacenter `json:"datacenter,omitempty"`

	// DateStart is when the subscription started.
	// +optional
	DateStart *metav1.Time `json:"dateStart,omitempty"`

	// DateEnd is when the subscription ends unless renewed.
	// +optional
	DateEnd *metav1.Time `json:"dateEnd,omitempty"`

	// DateEndCommitment is when the annual commitment ends.
	// +optional
	DateEndCommitment *metav1.Time `json:"dateEndCommitment,omitempty"`

	// NeedUpgrade is true when Gandi has a newer system image (see
	// spec.upgradeRequest).
	// +optional
	NeedUpgrade bool `json:"needUpgrade,omitempty"`

	// Console is the emergency console.
	// +optional
	Console *PaaSConsoleStatus `json:"console,omitempty"`

	// SFTPServer to upload files to.
	// +optional
	SFTPServer string `json:"sftpServer,omitempty"`

	// GitServer to push to.
	// +optional
	GitServer string `json:"gitServer,omitempty"`

	// User for SFTP and git.
	// +optional
	User string `json:"user,omitempty"`

	// DataDiskTotalSizeMB is the total data disk, in MB.
	// +optional
	DataDiskTotalSizeMB string `json:"dataDiskTotalSizeMB,omitempty"`

	// AdditionalDiskGB is the additional data disk, in GB.
	// +optional
	AdditionalDiskGB int32 `json:"additionalDiskGB,omitempty"`

	// SnapshotProfile in use, if any.
	// +optional
	SnapshotProfile *PaaSSnapshotProfile `json:"snapshotProfile,omitempty"`

	// Autorenew is true when Gandi renews the subscription automatically.
	// +optional
	Autorenew bool `json:"autorenew,omitempty"`

	// Vhosts on the instance, with their state and DNS entries.
	// +listType=atomic
	// +optional
	Vhosts []PaaSVhostStatus `json:"vhosts,omitempty"`

	// VhostConflicts are the vhosts of spec.vhosts that Gandi serves
	// elsewhere (Synced reason VhostConflict). One whose create Gandi
	// refused, for a name it serves where this object's API key cannot
	// see, is not sent again at each poll: only at the manager's detail
	// interval (--detail-interval, 30 minutes by default), or sooner once
	// the spec changes or a reconcile is requested (annotation
	// hosting.gandi-operator.dev/requested-at, kubectl gandi reconcile).
	// +listType=atomic
	// +optional
	VhostConflicts []PaaSVhostConflict `json:"vhostConflicts,omitempty"`

	// Snapshots of the instance's disk.
	// +listType=atomic
	// +optional
	Snapshots []PaaSSnapshotStatus `json:"snapshots,omitempty"`

	// PasswordSecretVersion identifies the password Secret revision Gandi
	// last accepted ("<uid>/<resourceVersion>"). Nothing here reveals the
	// password.
	// +optional
	PasswordSecretVersion string `json:"passwordSecretVersion,omitempty"`

	// LastRequests holds the request values Gandi last confirmed.
	// +optional
	LastRequests *PaaSLastRequests `json:"lastRequests,omitempty"`
}

// PaaSDatacenter is where a PaaS instance runs.
type PaaSDatacenter struct {
	// ID of the datacenter.
	ID int32 `json:"id,omitempty"`
	// Name, e.g. Equinix Paris.
	Name string `json:"name,omitempty"`
	// Code, e.g. FR-SD5.
	Code string `json:"code,omitempty"`
}

// PaaSConsoleStatus is the emergency console.
type PaaSConsoleStatus struct {
	// Enabled is true while the console is open.
	Enabled bool `json:"enabled,omitempty"`
	// URL to reach it.
	URL string `json:"url,omitempty"`
	// Until is when an open console closes.
	// +optional
	Until *metav1.Time `json:"until,omitempty"`
}

// PaaSSnapshotProfile is a snapshot profile.
type PaaSSnapshotProfile struct {
	// ID of the profile.
	ID int32 `json:"id"`
	// Name of the profile.
	Name string `json:"name,omitempty"`
}

// PaaSVhostStatus is one vhost as Gandi reports it.
type PaaSVhostStatus struct {
	// FQDN in ASCII (punycode).
	FQDN string `json:"fqdn"`
	// Unicode form of the FQDN.
	// +optional
	Unicode string `json:"unicode,omitempty"`
	// State: being_created, running or being_deleted.
	// +optional
	State string `json:"state,omitempty"`
	// Managed is true when this object created the vhost or lists it.
	// +optional
	Managed bool `json:"managed,omitempty"`
	// DNSEntries are the records to publish in the domain's zone for the
	// vhost, as paas.vhost.get_dns_entries gives them.
	// +optional
	DNSEntries map[string]string `json:"dnsEntries,omitempty"`
}

// PaaSVhostConflict is a vhost of spec.vhosts that Gandi serves elsewhere.
type PaaSVhostConflict struct {
	// FQDN in ASCII (punycode).
	FQDN string `json:"fqdn"`
	// InstanceID is the PaaS instance serving it, when this object's API
	// key can see it; empty when Gandi refused the create for a name it
	// serves where the key cannot see.
	// +optional
	InstanceID string `json:"instanceID,omitempty"`
	// RefusedAt is when Gandi last refused the create of a name it serves
	// where the key cannot see (no instanceID).
	// +optional
	RefusedAt *metav1.Time `json:"refusedAt,omitempty"`
}

// PaaSSnapshotStatus is one snapshot of the instance's disk.
type PaaSSnapshotStatus struct {
	// Name of the snapshot.
	Name string `json:"name"`
	// CreatedAt is when it was taken.
	// +optional
	CreatedAt *metav1.Time `json:"createdAt,omitempty"`
	// SizeMB as Gandi reports it.
	// +optional
	SizeMB int32 `json:"sizeMB,omitempty"`
	// Type of snapshot, as Gandi reports it.
	// +optional
	Type string `json:"type,omitempty"`
}

// PaaSLastRequests holds the request values Gandi last confirmed.
type PaaSLastRequests struct {
	// Restart is the spec.restartRequest value last performed.
	Restart string `json:"restart,omitempty"`
	// Upgrade is the spec.upgradeRequest value last performed.
	Upgrade string `json:"upgrade,omitempty"`
	// ResetMySQLPassword is the spec.resetMySQLPasswordRequest value last
	// performed.
	ResetMySQLPassword string `json:"resetMySQLPassword,omitempty"`
	// Renew is the spec.renew.request value last performed: Gandi moved the
	// end date for it.
	Renew string `json:"renew,omitempty"`
}

// PaaSInstance is a legacy Gandi Simple Hosting (PaaS) instance owned by the
// cluster, managed through Gandi's XML-RPC API. Creating it buys the
// instance; deleting it deletes the instance (spec.deletionPolicy: Delete)
// or leaves it (Orphan).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=gandi,shortName=paas
// +kubebuilder:validation:XValidation:rule="self.spec.datacenterID == oldSelf.spec.datacenterID || (has(oldSelf.status) && has(oldSelf.status.id) && size(oldSelf.status.id) > 0 && has(oldSelf.status.datacenter) && has(oldSelf.status.datacenter.id) && self.spec.datacenterID == oldSelf.status.datacenter.id) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.datacenterID is create-only: Gandi cannot move an instance (another PaaSInstance would buy a second one, this one running and billed until deleted); it can be set to the datacenter Gandi shows, status.datacenter.id, which sends nothing (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.datacenterID
// +kubebuilder:validation:XValidation:rule="self.spec.type == oldSelf.spec.type || (has(oldSelf.status) && has(oldSelf.status.id) && size(oldSelf.status.id) > 0 && has(oldSelf.status.type) && self.spec.type == oldSelf.status.type) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.type is create-only: paas.update cannot change the type (another PaaSInstance would buy a second instance, this one running and billed until deleted); it can be set to the type Gandi shows, status.type, which sends nothing (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.type
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.spec.additionalDiskGB) || (has(self.spec.additionalDiskGB) && self.spec.additionalDiskGB >= oldSelf.spec.additionalDiskGB) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.additionalDiskGB may only grow: Gandi cannot shrink a data disk, and once set it stays set, as unset it would let the next edit lower it (before the instance exists, it can be lowered or unset while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.additionalDiskGB
// +kubebuilder:validation:XValidation:rule="(has(self.spec.duration) == has(oldSelf.spec.duration) && (!has(self.spec.duration) || self.spec.duration == oldSelf.spec.duration)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.duration is create-only: to extend the subscription, use spec.renew (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.duration
// +kubebuilder:validation:XValidation:rule="(has(self.spec.fixed) == has(oldSelf.spec.fixed) && (!has(self.spec.fixed) || self.spec.fixed == oldSelf.spec.fixed)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.fixed is create-only: to commit for another year, use spec.renew with fixed: true (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.fixed
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Size",type=string,JSONPath=`.status.size`,description="size as Gandi reports it"
// +kubebuilder:printcolumn:name="Spec Size",type=string,JSONPath=`.spec.size`,priority=1,description="size the spec asks for"
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
// +kubebuilder:printcolumn:name="Ends",type=string,JSONPath=`.status.dateEnd`,description="end of the subscription"
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type PaaSInstance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   PaaSInstanceSpec   `json:"spec"`
	Status PaaSInstanceStatus `json:"status,omitempty"`
}

// PaaSInstanceList is a list of PaaSInstance.
// +kubebuilder:object:root=true
type PaaSInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []PaaSInstance `json:"items"`
}

// GetConditions returns the status conditions, for the shared steps to set.
func (in *PaaSInstance) GetConditions() *[]metav1.Condition { return &in.Status.Conditions }

// SetObservedGeneration records the generation this pass observed at Gandi.
func (in *PaaSInstance) SetObservedGeneration(g int64) { in.Status.ObservedGeneration = g }

// GetStatus returns a pointer to the status.
func (in *PaaSInstance) GetStatus() any { return &in.Status }

// SetLastHandledReconcileAt records the requested-at value this pass served.
func (in *PaaSInstance) SetLastHandledReconcileAt(v string) { in.Status.LastHandledReconcileAt = v }

// ObservedID is the Gandi ID the status says was observed as this object's.
func (in *PaaSInstance) ObservedID() string { return in.Status.ID }

// LostClaim is the Gandi ID this object recorded when the operator last
// found another cluster object managing it (status.lostClaimID).
func (in *PaaSInstance) LostClaim() string { return in.Status.LostClaimID }

// SetLostClaim records, or clears with "", the ID this object lost.
func (in *PaaSInstance) SetLostClaim(id string) { in.Status.LostClaimID = id }

// SeenWith is the record of the credentials the ID was last seen under.
func (in *PaaSInstance) SeenWith() *ObservedCredentials { return in.Status.ObservedWith }

// SetSeenWith records the credentials the ID was seen under.
func (in *PaaSInstance) SetSeenWith(c *ObservedCredentials) { in.Status.ObservedWith = c }
