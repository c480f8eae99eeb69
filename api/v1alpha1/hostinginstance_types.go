package v1alpha1

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// InstanceSize is a Gandi Web Hosting instance size. "starter", "advanced",
// "pro" and "business" are the sizes Gandi sells today; the others are legacy
// sizes that existing instances may still have.
// +kubebuilder:validation:Enum=s;s+;m;l;xl;xxl;starter;advanced;pro;business
type InstanceSize string

// HostingInstanceSpec is the Web Hosting instance the cluster owns at Gandi.
// Its create-only fields are checked on HostingInstance, which sees the
// status too.
type HostingInstanceSpec struct {
	ManagedFields `json:",inline"`

	// SharingID is the Gandi organization (sharing_id) that owns and pays for
	// the instance, a lowercase UUID such as
	// fe0b931c-18c5-11e9-b9b5-00163ec4cb00. Absent: the organization of the
	// credential's user. Create-only.
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	SharingID string `json:"sharingID,omitempty"`

	// Name of the instance at Gandi. Defaults to this object's name. It can
	// be changed later (Gandi renames the instance in place). Not blank.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self.trim().size() > 0",message="spec.name must not be blank: Gandi refuses an empty name"
	// +optional
	Name string `json:"name,omitempty"`

	// Location is the region where the instance is created: "FR" or "LU".
	// Create-only: once Gandi has the instance, it can only be set to the
	// region Gandi shows (status.datacenter.region), which sends nothing.
	// +kubebuilder:validation:Enum=FR;LU
	Location string `json:"location"`

	// Size of the instance. New instances take "starter", "advanced", "pro"
	// or "business". Gandi resizes only instances of a legacy size (s, s+, m,
	// l, xl, xxl), and only to s+, m, l or xxl, up or down (Gandi's docs
	// limit the sizes, not the direction); any other change is refused but
	// one to the size Gandi shows (status.size), which sends nothing. A
	// resize is billed by Gandi.
	Size InstanceSize `json:"size"`

	// Type is the language and database the instance runs.
	Type InstanceType `json:"type"`

	// StorageAdditionalSizeGB is storage bought on top of the size's own, in
	// GB (0 to 1004). It may only grow; each increase is billed by Gandi.
	// Unset, the operator leaves the instance's additional storage as it is
	// (none is bought at creation): an instance adopted with storage Gandi
	// already has is not reported as differing from a 0 nobody wrote. Once
	// set it cannot be unset, which would let the next edit lower it. Before
	// the instance exists, while Gandi refuses the create (Ready reason
	// CreateRefused), nothing was sold and it can be lowered or unset.
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1004
	// +optional
	StorageAdditionalSizeGB *int32 `json:"storageAdditionalSizeGB,omitempty"`

	// SnapshotEnabled turns Gandi's automatic snapshots on or off. A snapshot
	// does not replace a proper backup.
	// +optional
	SnapshotEnabled *bool `json:"snapshotEnabled,omitempty"`

	// Autorenew renews the instance automatically when it expires (make sure
	// a payment method or prepaid credit covers it). Create-only.
	// +optional
	Autorenew *bool `json:"autorenew,omitempty"`

	// DurationMonths is the first paid period: how many months Gandi bills
	// the instance for when it is bought, 1 by default (Gandi's default
	// too), at most 120. What comes after it is Gandi's renewal (see
	// autorenew), not this field. Create-only. Gandi's docs give only the
	// minimum, 1; the cap of 120 months (ten years, as a PaaSInstance's
	// first period) is the operator's: the whole period is billed at once,
	// so a slip such as 1200 for 12 is refused here rather than paid.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=120
	// +kubebuilder:default=1
	// +optional
	DurationMonths int32 `json:"durationMonths"`

	// Booster temporarily gives the instance more resources: a paid boost
	// Gandi runs for a few days (status.booster.expiresAt), after which it
	// offers the next one only after a cooldown (status.booster.available,
	// availableAt). Absent: the operator leaves the booster alone.
	// +optional
	Booster *BoosterSpec `json:"booster,omitempty"`

	// Authentication sets how to reach the instance over SFTP, git and the
	// advanced control panel. Without a password, none of them works.
	// +optional
	Authentication *AuthenticationSpec `json:"authentication,omitempty"`

	// FreeDomain registers the free domain name Gandi offers with a new
	// instance. Create-only.
	// +optional
	FreeDomain *FreeDomainSpec `json:"freeDomain,omitempty"`

	// InitialVhosts are created together with the instance; this is the only
	// way to ask Gandi for a free certificate (withFreeSSL). Create-only:
	// manage them afterwards with Vhost objects, which adopt them.
	// +kubebuilder:validation:MaxItems=20
	// +listType=map
	// +listMapKey=fqdn
	// +optional
	InitialVhosts []InitialVhost `json:"initialVhosts,omitempty"`

	// RestartRequest restarts the instance once for each new value; any value
	// works, a timestamp reads well. The value last performed is in
	// status.lastActions.restart.
	// A value already set when this object takes hold of an existing instance
	// it did not create (adopt, external-id) is not performed there: set a
	// new one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	RestartRequest string `json:"restartRequest,omitempty"`

	// ConsoleRequest enables the emergency console once for each new value.
	// The console URL is in status.console.
	// A value already set when this object takes hold of an existing instance
	// it did not create (adopt, external-id) is not performed there: set a
	// new one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	ConsoleRequest string `json:"consoleRequest,omitempty"`

	// ResetDatabasePasswordRequest resets the database administrator password
	// once for each new value.
	// A value already set when this object takes hold of an existing instance
	// it did not create (adopt, external-id) is not performed there: set a
	// new one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	ResetDatabasePasswordRequest string `json:"resetDatabasePasswordRequest,omitempty"`

	// WriteConnectionSecretToRef names a Secret, in this namespace, that the
	// operator creates and keeps filled with how to reach the instance (SFTP
	// server, user and URL, git remote, database host, port and socket, admin
	// URL). It holds no password. The operator writes only a Secret it
	// created for this object (labelled
	// hosting.gandi-operator.dev/connection-secret-of=<this object's UID> and
	// controlled by it, so deleted with it): naming an existing Secret
	// changes nothing in it and reports ConnectionSecretConflict. A Secret
	// it wrote (status.connectionSecrets records it) that no longer
	// describes a live instance (the instance is gone at Gandi, or this
	// field names another Secret or none) is retired: emptied, annotated
	// hosting.gandi-operator.dev/retired with the reason, and still
	// deleted with this object.
	// +optional
	WriteConnectionSecretToRef *LocalObjectReference `json:"writeConnectionSecretToRef,omitempty"`

	// RecreateIfDeleted buys a new instance when the managed one has been
	// deleted at Gandi outside this cluster. By default (false) the object
	// reports ExternalNotFound and buys nothing.
	// +optional
	RecreateIfDeleted bool `json:"recreateIfDeleted,omitempty"`
}

// InstanceType is the language and database of an instance.
type InstanceType struct {
	// Language the instance runs.
	Language InstanceLanguage `json:"language"`

	// Database the instance runs. Create-only: Gandi's instance PATCH
	// upgrades only the language, so a database upgrade listed in
	// status.availableUpgrades cannot be asked through this object. Once
	// Gandi has the instance, its name and version can only be set to what
	// Gandi shows (status.database), which sends nothing.
	Database InstanceDatabase `json:"database"`
}

// InstanceLanguage is the language an instance runs.
type InstanceLanguage struct {
	// Name of the language: php, python, nodejs or ruby. Create-only: once
	// Gandi has the instance, it can only be set to the language Gandi shows
	// (status.language.name), which sends nothing.
	// +kubebuilder:validation:Enum=php;python;nodejs;ruby
	Name string `json:"name"`

	// Version of the language, e.g. "8.3". Absent: Gandi's recommended
	// version. A new value is applied as a language upgrade when Gandi offers
	// it (status.availableUpgrades); otherwise the object reports
	// UpgradeUnavailable.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Version string `json:"version,omitempty"`
}

// InstanceDatabase is the database an instance runs.
type InstanceDatabase struct {
	// Name of the database: mysql or pgsql.
	// +kubebuilder:validation:Enum=mysql;pgsql
	Name string `json:"name"`

	// Version of the database. Absent: Gandi's recommended version.
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Version string `json:"version,omitempty"`
}

// BoosterSpec turns Gandi's booster on or off.
type BoosterSpec struct {
	// Enabled true buys one boost, once Gandi offers one (until then
	// Synced is False, reason BoosterUnavailable, naming the date Gandi
	// gives, and nothing is sent). When that boost ends at Gandi it is not
	// bought again (Synced stays True and says so), nor is a boost that
	// was already running when the operator first saw Enabled true; each
	// boost is paid. Enabled already true when the object takes hold of an
	// instance it did not create (adopt, external-id) or takes hold again
	// (a restore, a copy) buys nothing: event RequestNotPerformed. To buy
	// another, set Enabled to false, let the operator see it, then set it
	// back to true. False turns a running
	// boost off; Gandi's cooldown then starts.
	Enabled bool `json:"enabled"`

	// Size the booster gives the instance while it runs. Changed while a
	// boost runs, that boost is resized (a paid change, sent once, like
	// the boost itself) and Synced is UpToDate only once
	// status.booster.size shows the new size. Unset or boosted asks for
	// Gandi's default size, which Gandi shows under a size it does not
	// name: a running boost is then left as it is.
	// +kubebuilder:validation:Enum=s;s+;m;l;xl;xxl;starter;advanced;pro;business;boosted
	// +optional
	Size string `json:"size,omitempty"`
}

// AuthenticationSpec is how people and tools reach the instance. Its SSH
// keys need a password until Gandi has the instance, which only
// HostingInstance, seeing the status, can tell.
type AuthenticationSpec struct {
	// PasswordSecretRef names the Secret key holding the password for SFTP,
	// git and the advanced control panel. The operator sends only a salted
	// SHA-512 crypt hash of it, never the clear text. Changing the Secret's
	// value sets the new password at Gandi: at once when the Secret is
	// labelled hosting.gandi-operator.dev/watch=true, at the next poll
	// otherwise.
	// +optional
	PasswordSecretRef *SecretKeySelector `json:"passwordSecretRef,omitempty"`

	// SSHKeys are SSH public keys, in OpenSSH format ("ssh-ed25519 AAAA...
	// user@host": a type starting with ssh-, ecdsa- or sk-, then the
	// base64 key, then an optional comment, on one line), allowed to use
	// SFTP and git. They need passwordSecretRef to buy the instance (once
	// Gandi has it, the password can be dropped). A private key is refused:
	// the spec is readable by whoever can read the object, and Gandi would
	// install it as an authorized key. Create-only.
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=16384
	// +kubebuilder:validation:items:Pattern=`^(ssh-|ecdsa-|sk-)[^\s]+[ \t]+[A-Za-z0-9+/]+={0,3}([ \t]+[^\r\n]*)?$`
	// +kubebuilder:validation:items:XValidation:rule="!self.contains('PRIVATE KEY')",message="this is private key material: give only the public key (the .pub file, one line); a private key in a spec is readable by whoever can read the object"
	// +listType=atomic
	// +optional
	SSHKeys []string `json:"sshKeys,omitempty"`

	// SSHKeyIDs are IDs of SSH keys registered with Gandi's SSH keys API:
	// lowercase UUIDs. They need passwordSecretRef to buy the instance.
	// Create-only.
	// +kubebuilder:validation:MaxItems=50
	// +kubebuilder:validation:items:MaxLength=36
	// +kubebuilder:validation:items:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +listType=atomic
	// +optional
	SSHKeyIDs []string `json:"sshKeyIDs,omitempty"`
}

// FreeDomainSpec is the free domain registered with a new instance.
type FreeDomainSpec struct {
	// FQDN of the domain to register, e.g. "example.com". It is sent to Gandi
	// as written, so in ASCII and lowercase: labels of letters, digits and
	// inner hyphens, separated by dots, no trailing dot. Write an
	// international name in punycode ("xn--caf-dma.fr"), with lang if its
	// registry asks for one.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`
	// +kubebuilder:validation:XValidation:rule="!self.matches('[.][0-9]+$')",message="spec.freeDomain.fqdn must be a domain name, not an IP address: its last label cannot be all digits"
	FQDN string `json:"fqdn"`

	// Owner of the domain.
	Owner Contact `json:"owner"`

	// Admin contact. Absent: the owner.
	// +optional
	Admin *Contact `json:"admin,omitempty"`

	// Tech contact. Absent: the owner.
	// +optional
	Tech *Contact `json:"tech,omitempty"`

	// Bill contact. Absent: the owner.
	// +optional
	Bill *Contact `json:"bill,omitempty"`

	// Lang is the ISO-639-2 language code of the domain, required for some
	// IDN domains.
	// +kubebuilder:validation:MaxLength=8
	// +optional
	Lang string `json:"lang,omitempty"`

	// ExtraParameters some extensions require.
	// +kubebuilder:validation:MaxProperties=32
	// +optional
	ExtraParameters map[string]string `json:"extraParameters,omitempty"`
}

// Contact is a domain contact, as Gandi's domain registration takes it.
type Contact struct {
	// Type of contact: individual, company, association or publicbody.
	// +kubebuilder:validation:Enum=individual;company;association;publicbody
	Type string `json:"type"`

	// Given name (usually the first name).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Given string `json:"given"`

	// Family name (usually the last name).
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	Family string `json:"family"`

	// Email address, e.g. owner@example.com: one @, a dot in the domain,
	// no blanks.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[^@\s]+@[^@\s]+\.[^@\s]+$`
	Email string `json:"email"`

	// StreetAddr is the street address.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	StreetAddr string `json:"streetaddr"`

	// Country code, e.g. "FR".
	// +kubebuilder:validation:Pattern=`^[A-Z]{2}$`
	Country string `json:"country"`

	// City.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	City string `json:"city,omitempty"`

	// Zip code.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Zip string `json:"zip,omitempty"`

	// State code, where the country has states.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	State string `json:"state,omitempty"`

	// Phone number.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Phone string `json:"phone,omitempty"`

	// Mobile phone number.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Mobile string `json:"mobile,omitempty"`

	// Fax number.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Fax string `json:"fax,omitempty"`

	// OrgName is the legal name of the company, association or public body.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	OrgName string `json:"orgname,omitempty"`

	// Lang is the contact's language.
	// +kubebuilder:validation:Enum=en;es;fr;ja;zh-hans;zh-hant
	// +optional
	Lang string `json:"lang,omitempty"`

	// DataObfuscated hides the contact's data in WHOIS (Gandi's default: true).
	// +optional
	DataObfuscated *bool `json:"dataObfuscated,omitempty"`

	// MailObfuscated hides the contact's email in WHOIS.
	// +optional
	MailObfuscated *bool `json:"mailObfuscated,omitempty"`

	// BrandNumber, where the extension requires one.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	BrandNumber string `json:"brandNumber,omitempty"`

	// Siren number, for French companies.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	Siren string `json:"siren,omitempty"`

	// JOAnnounceNumber is the Journal Officiel announcement number (French associations).
	// +kubebuilder:validation:MaxLength=255
	// +optional
	JOAnnounceNumber string `json:"joAnnounceNumber,omitempty"`

	// JOAnnouncePage is the Journal Officiel announcement page.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	JOAnnouncePage string `json:"joAnnouncePage,omitempty"`

	// JODeclarationDate is the Journal Officiel declaration date.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	JODeclarationDate string `json:"joDeclarationDate,omitempty"`

	// JOPublicationDate is the Journal Officiel publication date.
	// +kubebuilder:validation:MaxLength=255
	// +optional
	JOPublicationDate string `json:"joPublicationDate,omitempty"`

	// ExtraParameters some extensions require.
	// +kubebuilder:validation:MaxProperties=32
	// +optional
	ExtraParameters map[string]string `json:"extraParameters,omitempty"`
}

// InitialVhost is a vhost created together with the instance.
type InitialVhost struct {
	// FQDN of the vhost, in lowercase: labels of letters, digits and inner
	// hyphens, separated by dots, no trailing dot. International names are
	// converted to punycode.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^([\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?\.)+[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?$`
	// +kubebuilder:validation:XValidation:rule="!self.matches('[.][0-9]+$')",message="fqdn must be a host name, not an IP address: its last label cannot be all digits"
	FQDN string `json:"fqdn"`

	// Application to install on the vhost. Its parameters are stored in
	// this object in clear: put no password or other secret in them.
	// +optional
	Application *VhostApplication `json:"application,omitempty"`

	// HTTPSStrategy for the vhost (Gandi's default: allow_HTTP_and_HTTPS).
	// +kubebuilder:validation:Enum=HTTP_only;allow_HTTP_and_HTTPS;redirect_HTTP_to_HTTPS
	// +optional
	HTTPSStrategy string `json:"httpsStrategy,omitempty"`

	// LinkedDNSZone says whether Gandi may alter the DNS zone. In the
	// instance create Gandi accepts allowAlteration only when the vhost's
	// domain is at Gandi LiveDNS and the account may manage its records:
	// otherwise it refuses the whole create (Synced InvalidSpec, nothing
	// bought); leave it false and publish the records in status.dns.
	// +optional
	LinkedDNSZone *LinkedDNSZone `json:"linkedDNSZone,omitempty"`

	// WithFreeSSL asks Gandi for a free certificate once the instance exists.
	// +optional
	WithFreeSSL bool `json:"withFreeSSL,omitempty"`
}

// VhostApplication is an application Gandi installs on a vhost.
type VhostApplication struct {
	// Name of the application, as listed by Gandi's applications API (e.g.
	// "wordpress").
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:XValidation:rule="self.trim().size() > 0",message="application name must not be blank: name one of Gandi's applications, e.g. wordpress"
	Name string `json:"name"`

	// Parameters of the application, passed to Gandi as they are. They are
	// stored in the object in clear, readable by anyone who may read it:
	// no password or other secret.
	// +kubebuilder:pruning:PreserveUnknownFields
	// +kubebuilder:validation:Type=object
	// +optional
	Parameters *apiextensionsv1.JSON `json:"parameters,omitempty"`
}

// LinkedDNSZone says whether Gandi may alter the vhost's DNS zone.
type LinkedDNSZone struct {
	// AllowAlteration lets Gandi add the records pointing the vhost at Web
	// Hosting when the zone is on Gandi LiveDNS; otherwise publish the
	// records in status.dns yourself.
	AllowAlteration bool `json:"allowAlteration"`

	// AllowAlterationOverride lets Gandi replace an existing record for the
	// vhost. No effect unless allowAlteration is true. Gandi does not show
	// it: on a Vhost, the operator sends it when Gandi reports the zone in
	// livedns_conflict, once per conflict (recorded beforehand), and
	// DNSConfigured says what Gandi finds then.
	// +optional
	AllowAlterationOverride bool `json:"allowAlterationOverride,omitempty"`
}

// HostingInstanceStatus is what Gandi last reported about the instance.
type HostingInstanceStatus struct {
	// Conditions: Ready (the instance is active), Synced (the last
	// reconcile applied the spec without error) and ExpiringSoon (the
	// instance ends within the operator's warning window and will not
	// renew).
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

	// ID of the instance at Gandi.
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

	// State as Gandi reports it: waiting_bill, being_created, active, paused,
	// locked or being_deleted.
	// +optional
	State string `json:"state,omitempty"`

	// Datacenter the instance runs in.
	// +optional
	Datacenter *Datacenter `json:"datacenter,omitempty"`

	// Size as Gandi reports it.
	// +optional
	Size string `json:"size,omitempty"`

	// CPU count.
	// +optional
	CPU int32 `json:"cpu,omitempty"`

	// RAM, e.g. "2GB".
	// +optional
	RAM string `json:"ram,omitempty"`

	// Storage sizes, e.g. "20GB".
	// +optional
	Storage *StorageStatus `json:"storage,omitempty"`

	// Language as Gandi reports it.
	// +optional
	Language *SoftwareStatus `json:"language,omitempty"`

	// Database as Gandi reports it.
	// +optional
	Database *SoftwareStatus `json:"database,omitempty"`

	// SnapshotEnabled as Gandi reports it.
	// +optional
	SnapshotEnabled *bool `json:"snapshotEnabled,omitempty"`

	// Access lists the endpoints to reach the instance (no secrets).
	// +optional
	Access *AccessStatus `json:"access,omitempty"`

	// ConnectionSecrets names the connection Secrets this object wrote
	// (spec.writeConnectionSecretToRef, now or earlier) and has not
	// retired yet, recorded in the status write of the pass that wrote
	// them. Only a Secret named here is retired, and only while it still
	// carries both marks of this object: a copy of it under another name,
	// marks included, is never touched.
	// +listType=atomic
	// +optional
	ConnectionSecrets []string `json:"connectionSecrets,omitempty"`

	// Console is the emergency console.
	// +optional
	Console *ConsoleStatus `json:"console,omitempty"`

	// Booster as Gandi reports it.
	// +optional
	Booster *BoosterStatus `json:"booster,omitempty"`

	// Vhosts on the instance (ASCII FQDNs).
	// +listType=atomic
	// +optional
	Vhosts []string `json:"vhosts,omitempty"`

	// AvailableUpgrades Gandi offers for the language or database. A
	// language upgrade is applied by setting spec.type.language.version to
	// its version. A database upgrade cannot be asked here: Gandi's instance
	// PATCH takes only a language, and spec.type.database is create-only.
	// +listType=atomic
	// +optional
	AvailableUpgrades []UpgradeStatus `json:"availableUpgrades,omitempty"`

	// CompatibleApplications that can be installed on a vhost of the instance.
	// +listType=atomic
	// +optional
	CompatibleApplications []string `json:"compatibleApplications,omitempty"`

	// CreatedAt is when Gandi created the instance.
	// +optional
	CreatedAt *metav1.Time `json:"createdAt,omitempty"`

	// ExpireAt is when the instance expires unless renewed.
	// +optional
	ExpireAt *metav1.Time `json:"expireAt,omitempty"`

	// Autorenew says whether Gandi renews the instance at expireAt: true
	// when autorenew is set and the subscription is not cancelled.
	// +optional
	Autorenew *bool `json:"autorenew,omitempty"`

	// PasswordUpdatedAt is when the password was last set at Gandi.
	// +optional
	PasswordUpdatedAt *metav1.Time `json:"passwordUpdatedAt,omitempty"`

	// PasswordSecretVersion identifies the password Secret revision Gandi
	// last accepted ("<uid>/<resourceVersion>"); a new revision is set once.
	// It is derived from the Secret's metadata only: nothing here reveals or
	// helps guess the password.
	// +optional
	PasswordSecretVersion string `json:"passwordSecretVersion,omitempty"`

	// Usage is the disk usage, refreshed at the operator's usage interval.
	// +optional
	Usage *UsageStatus `json:"usage,omitempty"`

	// LastActions holds the request values of the actions last performed.
	// +optional
	LastActions *LastActions `json:"lastActions,omitempty"`
}

// Datacenter is where an instance runs.
type Datacenter struct {
	// Code, e.g. FR-SD5.
	Code string `json:"code,omitempty"`
	// Name of the datacenter.
	Name string `json:"name,omitempty"`
	// Region: FR or LU.
	Region string `json:"region,omitempty"`
}

// StorageStatus is the instance's storage.
type StorageStatus struct {
	// Base storage of the size.
	Base string `json:"base,omitempty"`
	// Additional storage bought.
	Additional string `json:"additional,omitempty"`
	// Total storage.
	Total string `json:"total,omitempty"`
}

// SoftwareStatus is a language or database as Gandi reports it.
type SoftwareStatus struct {
	// Name, e.g. php or mysql.
	Name string `json:"name,omitempty"`
	// Version, e.g. 8.3.
	Version string `json:"version,omitempty"`
	// Status as Gandi reports it.
	Status string `json:"status,omitempty"`
}

// AccessStatus lists how to reach the instance. It never holds a secret.
type AccessStatus struct {
	// AdminURL of the advanced control panel.
	AdminURL string `json:"adminURL,omitempty"`
	// User for SFTP and git.
	User string `json:"user,omitempty"`
	// Database endpoint.
	// +optional
	Database *DatabaseAccess `json:"database,omitempty"`
	// Deploy lists, per vhost, the SFTP and git endpoints.
	// +listType=atomic
	// +optional
	Deploy []DeployAccess `json:"deploy,omitempty"`
}

// DatabaseAccess is how to reach the instance's database.
type DatabaseAccess struct {
	// Host of the database.
	Host string `json:"host,omitempty"`
	// Port, when the database listens on TCP.
	Port int32 `json:"port,omitempty"`
	// Socket, when the database listens on a UNIX socket.
	Socket string `json:"socket,omitempty"`
	// Admins are the database administration tools (phpMyAdmin, phpPgAdmin, Adminer).
	// +listType=atomic
	// +optional
	Admins []DatabaseAdmin `json:"admins,omitempty"`
}

// DatabaseAdmin is a database administration tool.
type DatabaseAdmin struct {
	// Type: phpMyAdmin, phpPgAdmin or Adminer.
	Type string `json:"type,omitempty"`
	// URL of the tool.
	URL string `json:"url,omitempty"`
	// Username to log in with.
	Username string `json:"username,omitempty"`
}

// DeployAccess is how to deploy to one vhost.
type DeployAccess struct {
	// VhostFQDN the endpoints serve.
	VhostFQDN string `json:"vhostFQDN,omitempty"`
	// GitRemote to push to.
	GitRemote string `json:"gitRemote,omitempty"`
	// GitURL of the repository.
	GitURL string `json:"gitURL,omitempty"`
	// GitDeploy is the deploy command.
	GitDeploy string `json:"gitDeploy,omitempty"`
	// SFTPServer host.
	SFTPServer string `json:"sftpServer,omitempty"`
	// SFTPURL to connect to.
	SFTPURL string `json:"sftpURL,omitempty"`
	// Directory of the vhost relative to the SFTP root.
	Directory string `json:"directory,omitempty"`
	// DocumentRoot of the vhost relative to the SFTP root.
	DocumentRoot string `json:"documentRoot,omitempty"`
	// CLIInit is the command line that initializes a deployment.
	CLIInit string `json:"cliInit,omitempty"`
}

// ConsoleStatus is the emergency console.
type ConsoleStatus struct {
	// Enabled is true while the console can be used.
	Enabled bool `json:"enabled,omitempty"`
	// URL to reach the console over SSH.
	URL string `json:"url,omitempty"`
}

// BoosterStatus is the booster as Gandi reports it.
type BoosterStatus struct {
	// Status of the running booster: being_created, active or being_deleted.
	Status string `json:"status,omitempty"`
	// Size the booster gives the instance.
	Size string `json:"size,omitempty"`
	// ExpiresAt is when the running booster ends.
	// +optional
	ExpiresAt *metav1.Time `json:"expiresAt,omitempty"`
	// Available is true when a booster can be started.
	Available bool `json:"available,omitempty"`
	// AvailableAt is when a booster can next be started.
	// +optional
	AvailableAt *metav1.Time `json:"availableAt,omitempty"`
}

// UpgradeStatus is an upgrade Gandi offers.
type UpgradeStatus struct {
	// Type: language or database.
	Type string `json:"type,omitempty"`
	// Name, e.g. php.
	Name string `json:"name,omitempty"`
	// Version offered.
	Version string `json:"version,omitempty"`
	// Status as Gandi reports it.
	Status string `json:"status,omitempty"`
}

// UsageStatus is the instance's disk usage.
type UsageStatus struct {
	// DiskUsedBytes is the disk space used.
	DiskUsedBytes int64 `json:"diskUsedBytes,omitempty"`
	// DiskSizeBytes is the disk space available in total.
	DiskSizeBytes int64 `json:"diskSizeBytes,omitempty"`
	// ObservedAt is when the usage was read.
	ObservedAt *metav1.Time `json:"observedAt,omitempty"`
}

// LastActions holds the request values of the instance actions last performed.
type LastActions struct {
	// Restart is the spec.restartRequest value last performed.
	Restart string `json:"restart,omitempty"`
	// Console is the spec.consoleRequest value last performed.
	Console string `json:"console,omitempty"`
	// ResetDatabasePassword is the spec.resetDatabasePasswordRequest value last performed.
	ResetDatabasePassword string `json:"resetDatabasePassword,omitempty"`
}

// Gandi takes SSH keys only in a create whose authentication has a
// password, so the keys need passwordSecretRef until status shows the
// instance's Gandi ID; after that, dropping it only stops the operator
// managing the password. An update that leaves spec.authentication as it
// was passes too: once an instance deleted at Gandi loses its ID, the
// operator's status write and a finalizer's removal must not be refused
// for a password dropped while it existed (a new create refuses it
// instead, before sending anything).
// +kubebuilder:validation:XValidation:rule="!has(self.spec.authentication) || has(self.spec.authentication.passwordSecretRef) || (!has(self.spec.authentication.sshKeys) && !has(self.spec.authentication.sshKeyIDs)) || (has(self.status) && has(self.status.id) && size(self.status.id) > 0) || (oldSelf.hasValue() && has(oldSelf.value().spec.authentication) && oldSelf.value().spec.authentication == self.spec.authentication)",optionalOldSelf=true,message="spec.authentication.passwordSecretRef is required with sshKeys or sshKeyIDs until Gandi has the instance: Gandi takes SSH keys only in a create whose authentication has a password (once the instance exists, the password can be dropped; the keys are not sent again). To create again an object for an instance Gandi already has (a restore, a copy), drop sshKeys and sshKeyIDs from its manifest too: they are create-only and never sent to an instance that exists",fieldPath=.spec.authentication

// HostingInstance is a Gandi Web Hosting instance owned by the cluster.
// Creating it buys the instance at Gandi; deleting it deletes the instance
// (spec.deletionPolicy: Delete) or leaves it (Orphan).
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=gandi,shortName=hi
// +kubebuilder:validation:XValidation:rule="self.spec.location == oldSelf.spec.location || (has(oldSelf.status) && has(oldSelf.status.id) && size(oldSelf.status.id) > 0 && has(oldSelf.status.datacenter) && has(oldSelf.status.datacenter.region) && self.spec.location == oldSelf.status.datacenter.region) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.location is create-only: Gandi cannot move an instance (another HostingInstance would buy a second one, this one running and billed until deleted); it can be set to the region Gandi shows, status.datacenter.region, which sends nothing (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.location
// +kubebuilder:validation:XValidation:rule="self.spec.size == oldSelf.spec.size || (oldSelf.spec.size in ['s', 's+', 'm', 'l', 'xl', 'xxl'] && self.spec.size in ['s+', 'm', 'l', 'xxl']) || (has(oldSelf.status) && has(oldSelf.status.id) && size(oldSelf.status.id) > 0 && has(oldSelf.status.size) && self.spec.size == oldSelf.status.size) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.size can only change from a legacy size (s, s+, m, l, xl, xxl) to s+, m, l or xxl: Gandi resizes no other instance; it can be set to the size Gandi shows, status.size, which sends nothing (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.size
// +kubebuilder:validation:XValidation:rule="(has(self.spec.sharingID) == has(oldSelf.spec.sharingID) && (!has(self.spec.sharingID) || self.spec.sharingID == oldSelf.spec.sharingID)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.sharingID is create-only: the organization billed for an instance cannot change (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.sharingID
// +kubebuilder:validation:XValidation:rule="(has(self.spec.autorenew) == has(oldSelf.spec.autorenew) && (!has(self.spec.autorenew) || self.spec.autorenew == oldSelf.spec.autorenew)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.autorenew is create-only: Gandi takes it only when the instance is bought (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.autorenew
// +kubebuilder:validation:XValidation:rule="!has(oldSelf.spec.storageAdditionalSizeGB) || (has(self.spec.storageAdditionalSizeGB) && self.spec.storageAdditionalSizeGB >= oldSelf.spec.storageAdditionalSizeGB) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.storageAdditionalSizeGB may only grow: Gandi cannot shrink storage, and once set it stays set, as unset it would let the next edit lower it (before the instance exists, it can be lowered or unset while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.storageAdditionalSizeGB
// +kubebuilder:validation:XValidation:rule="(has(self.spec.durationMonths) == has(oldSelf.spec.durationMonths) && (!has(self.spec.durationMonths) || self.spec.durationMonths == oldSelf.spec.durationMonths)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.durationMonths is create-only: Gandi takes it only when the instance is bought (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.durationMonths
// +kubebuilder:validation:XValidation:rule="(has(self.spec.freeDomain) == has(oldSelf.spec.freeDomain) && (!has(self.spec.freeDomain) || self.spec.freeDomain == oldSelf.spec.freeDomain)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.freeDomain is create-only: the free domain is registered only when the instance is bought (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.freeDomain
// +kubebuilder:validation:XValidation:rule="(has(self.spec.initialVhosts) == has(oldSelf.spec.initialVhosts) && (!has(self.spec.initialVhosts) || self.spec.initialVhosts == oldSelf.spec.initialVhosts)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.initialVhosts is create-only: manage vhosts after creation with Vhost objects (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.initialVhosts
// +kubebuilder:validation:XValidation:rule="(((has(self.spec.authentication) && has(self.spec.authentication.sshKeys)) == (has(oldSelf.spec.authentication) && has(oldSelf.spec.authentication.sshKeys)) && (!(has(self.spec.authentication) && has(self.spec.authentication.sshKeys)) || self.spec.authentication.sshKeys == oldSelf.spec.authentication.sshKeys)) && ((has(self.spec.authentication) && has(self.spec.authentication.sshKeyIDs)) == (has(oldSelf.spec.authentication) && has(oldSelf.spec.authentication.sshKeyIDs)) && (!(has(self.spec.authentication) && has(self.spec.authentication.sshKeyIDs)) || self.spec.authentication.sshKeyIDs == oldSelf.spec.authentication.sshKeyIDs))) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.authentication.sshKeys and sshKeyIDs are create-only: Gandi takes SSH keys only when the instance is bought (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.authentication
// +kubebuilder:validation:XValidation:rule="self.spec.type.database == oldSelf.spec.type.database || (has(oldSelf.status) && has(oldSelf.status.id) && size(oldSelf.status.id) > 0 && has(oldSelf.status.database) && (self.spec.type.database.name == oldSelf.spec.type.database.name || (has(oldSelf.status.database.name) && self.spec.type.database.name == oldSelf.status.database.name)) && ((has(self.spec.type.database.version) == has(oldSelf.spec.type.database.version) && (!has(self.spec.type.database.version) || self.spec.type.database.version == oldSelf.spec.type.database.version)) || (has(self.spec.type.database.version) && has(oldSelf.status.database.version) && self.spec.type.database.version == oldSelf.status.database.version))) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.type.database is create-only: Gandi cannot change an instance's database (its PATCH upgrades only the language); it can be set to the database Gandi shows, status.database (name and version), which sends nothing (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.type.database
// +kubebuilder:validation:XValidation:rule="self.spec.type.language.name == oldSelf.spec.type.language.name || (has(oldSelf.status) && has(oldSelf.status.id) && size(oldSelf.status.id) > 0 && has(oldSelf.status.language) && has(oldSelf.status.language.name) && self.spec.type.language.name == oldSelf.status.language.name) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.type.language.name is create-only: Gandi upgrades the version of a language, never the language itself; it can be set to the language Gandi shows, status.language.name, which sends nothing (before the instance exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.type.language.name
// +kubebuilder:printcolumn:name="Gandi Name",type=string,JSONPath=`.status.name`
// +kubebuilder:printcolumn:name="Size",type=string,JSONPath=`.status.size`,description="size as Gandi reports it"
// +kubebuilder:printcolumn:name="Spec Size",type=string,JSONPath=`.spec.size`,priority=1,description="size the spec asks for"
// +kubebuilder:printcolumn:name="Location",type=string,JSONPath=`.spec.location`
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type HostingInstance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   HostingInstanceSpec   `json:"spec"`
	Status HostingInstanceStatus `json:"status,omitempty"`
}

// HostingInstanceList is a list of HostingInstance.
// +kubebuilder:object:root=true
type HostingInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []HostingInstance `json:"items"`
}
