package v1alpha1

// Annotations the operator and users set on every kind.
const (
	// AnnotationExternalID holds the Gandi ID this object manages. The
	// operator sets it right after a create (annotations survive a backup and
	// restore, status does not); a user sets it to adopt an existing Gandi
	// object, in which case nothing is created.
	AnnotationExternalID = "hosting.gandi-operator.dev/external-id"

	// AnnotationInstanceID, on a Vhost, records the Gandi instance the
	// FQDN in AnnotationExternalID was recorded on: an FQDN names a vhost
	// on one instance only, so when the Vhost's instance changes (its
	// HostingInstance re-pointed or bought again) the record is not taken
	// for the vhost of the same name on the new instance. The operator
	// writes it with the external ID.
	AnnotationInstanceID = "hosting.gandi-operator.dev/instance-id"

	// AnnotationInstanceCredentials, on a Vhost without spec.credentialsRef,
	// records the credentials of its HostingInstance it reached the instance
	// in AnnotationInstanceID with ("secret-name/key"). A HostingInstance
	// deleted with deletionPolicy Orphan or Observe, or released as a
	// conflict's loser, leaves the instance and its vhosts at Gandi:
	// deleting the Vhost then asks Gandi with them (spec.credentialsRef
	// first, when set). The operator writes it with the instance ID.
	AnnotationInstanceCredentials = "hosting.gandi-operator.dev/instance-credentials"

	// AnnotationCreatedID records the Gandi ID this object's own create
	// made (written with AnnotationExternalID after the create, or when an
	// interrupted create's result is found), and never an adopted one:
	// what the object bought it may take as its own, and a
	// HostingInstance's spec.initialVhosts are handed to Vhosts only on
	// the instance whose ID it holds. Vhosts, whose ID is known before
	// their create, do not have it.
	AnnotationCreatedID = "hosting.gandi-operator.dev/created-id"

	// AnnotationEffectsFor, on a HostingInstance or PaaSInstance, names the
	// Gandi object its records of what it set there (the password accepted,
	// SSH keys, vhosts it created) were made on. When the external-id is
	// changed to another object, those records are dropped (event
	// ExternalIDChanged) instead of taken as true of the new one; records
	// of one-off requests (actions, a renewal) stay, so none is repeated.
	// The operator writes it with the ID.
	AnnotationEffectsFor = "hosting.gandi-operator.dev/effects-for"

	// AnnotationHeldByUID records, with the Gandi ID, the UID of the
	// object that took hold of it (created, adopted or was pointed at it).
	// An object holding an ID under another UID (a restore from a backup,
	// a delete and create again, a copy), or under none without the status
	// that observed the ID as its own or its own open create intent (a
	// restore of an earlier build's object; upgraded in place, it keeps
	// them, and records its UID once), takes hold again: the request
	// values its spec holds that no
	// record says were performed or sent are not performed (event
	// RequestNotPerformed), as on adoption, since a backup older than the
	// last requests lacks their records, and its first paid change waits a
	// grace (PaidChangeHeld), in case one sent before is still under way.
	// The operator writes it with the ID, and once when an object takes
	// hold again.
	AnnotationHeldByUID = "hosting.gandi-operator.dev/held-by-uid"

	// AnnotationAdopt, set to "true", adopts the Gandi object found by natural
	// key (instance name, vhost FQDN, template name) instead of stopping with
	// AlreadyExists.
	AnnotationAdopt = "hosting.gandi-operator.dev/adopt"

	// AnnotationPaused, set to "true", stops all reconciliation of the object:
	// nothing is sent to Gandi until it is removed.
	AnnotationPaused = "hosting.gandi-operator.dev/paused"

	// AnnotationCreatePending records, with an RFC 3339 timestamp, that a
	// create request is about to be sent. It is written before the request so
	// that a crash or a lost answer is resolved by looking the object up
	// instead of paying for a second one.
	AnnotationCreatePending = "hosting.gandi-operator.dev/create-pending"

	// AnnotationCreatePendingKey records, beside AnnotationCreatePending,
	// what the create was sent under (credentials, sharing ID and name):
	// while the create is unconfirmed the object looks for its result
	// under that key only, so a rename in between cannot buy a second one.
	AnnotationCreatePendingKey = "hosting.gandi-operator.dev/create-pending-key"

	// AnnotationCreateSentAt records, beside AnnotationCreatePending, when
	// the latest create under that intent was about to be sent: a create
	// sent again after the first one's grace passed with nothing found
	// gets a grace of its own, and its record is a real change of the
	// object, so that a second manager holding the same version loses the
	// write instead of sending the create too.
	AnnotationCreateSentAt = "hosting.gandi-operator.dev/create-sent-at"

	// AnnotationCreateLostAt records, beside AnnotationCreateSentAt, when
	// the answer to that create was lost: the end of an attempt that may
	// have reached Gandi late (a slow answer). The grace for what it made counts from it, so that the
	// time the POST took is not taken out of the grace.
	AnnotationCreateLostAt = "hosting.gandi-operator.dev/create-lost-at"

	// AnnotationCreateDigest records, beside AnnotationCreatePending, for a
	// kind Gandi gives no creation date (a Template), digests of what the
	// creates under that intent sent (name, description, payload), comma
	// separated. A same-named object found while the create is unconfirmed
	// is taken for its result only when Gandi shows it with what one of
	// them sent: one someone else made meanwhile is not. It is written in
	// the same write as the intent and taken back with it.
	AnnotationCreateDigest = "hosting.gandi-operator.dev/create-digest"

	// AnnotationRequestedAt asks for a reconcile now: any new value (kubectl
	// gandi reconcile writes an RFC 3339 time) wakes the object, and the
	// first pass after it that observes the object at Gandi copies the value
	// into status.lastHandledReconcileAt, so the asker knows when it was
	// served (as Flux's reconcile.fluxcd.io/requestedAt).
	AnnotationRequestedAt = "hosting.gandi-operator.dev/requested-at"
)

// Condition types shared by every kind.
const (
	// ConditionReady is True when the Gandi object exists and is usable.
	ConditionReady = "Ready"
	// ConditionSynced is True when the last reconcile applied the spec
	// without error.
	ConditionSynced = "Synced"
	// ConditionStalled (kstatus's) is True, with the reason and message
	// Ready and Synced report, while the last reconcile stopped on a state
	// only a person can change (AlreadyExists, CreateRefused, InvalidSpec,
	// ExternalNotFound, CredentialsChanged, OwnedByAnotherObject,
	// credentials missing or refused…); it is absent otherwise, never
	// False. kstatus, and so Flux health checks, Helm's --wait and kpt,
	// read it as Failed instead of waiting out a timeout. Not set for a
	// failure retried by itself (Gandi's 5xx, a rate limit) nor while
	// paused (hosting.gandi-operator.dev/paused: the user's choice).
	ConditionStalled = "Stalled"
)

// CredentialsKey names the Secret key that holds a Gandi credential, and so
// the authentication scheme used with it.
// +kubebuilder:validation:Enum=token;apikey
type CredentialsKey string

const (
	// CredentialsKeyToken holds a Gandi personal access token (Authorization: Bearer).
	CredentialsKeyToken CredentialsKey = "token"
	// CredentialsKeyAPIKey holds a legacy Gandi API key (Authorization: Apikey), deprecated by Gandi.
	CredentialsKeyAPIKey CredentialsKey = "apikey"
)

// CredentialsReference names the Secret, in the object's own namespace, that
// holds the Gandi credential to use.
type CredentialsReference struct {
	// Name of a Secret in the same namespace as this object. Secrets in other
	// namespaces can never be used.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Key of the Secret holding the credential: "token" for a Gandi personal
	// access token (the default), or "apikey" for a legacy Gandi API key.
	// +kubebuilder:default=token
	// +optional
	Key CredentialsKey `json:"key,omitempty"`
}

// ObservedCredentials names the credentials a pass of the operator last saw
// an object's Gandi ID under: the Secret it read them from and the version
// of it read, never anything of its contents. Gandi gives another account's
// credentials the answer it gives for a deleted object (the legacy API's
// "not found"), so a "not found" is taken for "deleted at Gandi" only under
// these very credentials.
type ObservedCredentials struct {
	// ID is the Gandi ID seen (a Vhost's: its FQDN).
	ID string `json:"id"`

	// Secret is the credentials Secret, "namespace/name".
	Secret string `json:"secret"`

	// Key of the Secret the credential was read from: token or apikey.
	Key string `json:"key"`

	// UID of the Secret: one deleted and made again under the same name is
	// another Secret.
	UID string `json:"uid"`

	// ResourceVersion of the Secret read: a key replaced in the same
	// Secret may be another account's, and nothing but its version tells
	// without keeping something of its value.
	ResourceVersion string `json:"resourceVersion"`
}

// SecretKeySelector names one key of a Secret in the object's own namespace.
type SecretKeySelector struct {
	// Name of a Secret in the same namespace as this object.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// Key within the Secret.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Key string `json:"key"`
}

// LocalObjectReference names an object in the same namespace.
//
// Every name that references an object (here, in CredentialsReference and
// in SecretKeySelector) must be a DNS-1123 subdomain, as the names of
// Secrets and of this API's kinds are: a typo such as "UPPER_case" is
// refused when the manifest is applied, instead of becoming a Secret the
// operator can never create.
type LocalObjectReference struct {
	// Name of the object, in the same namespace as this one: lower-case
	// letters, digits, '-' and '.'.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`
}

// DeletionPolicy says what deleting the Kubernetes object does at Gandi.
// +kubebuilder:validation:Enum=Delete;Orphan
type DeletionPolicy string

const (
	// DeletionPolicyDelete deletes the Gandi object and waits until it is gone.
	DeletionPolicyDelete DeletionPolicy = "Delete"
	// DeletionPolicyOrphan leaves the Gandi object as it is.
	DeletionPolicyOrphan DeletionPolicy = "Orphan"
)

// ManagementPolicy says whether the operator may write to Gandi.
// +kubebuilder:validation:Enum=Manage;Observe
type ManagementPolicy string

const (
	// ManagementPolicyManage creates, updates and deletes the Gandi object.
	ManagementPolicyManage ManagementPolicy = "Manage"
	// ManagementPolicyObserve only reads and reports: nothing is ever written
	// to Gandi (no create, update, action or delete).
	ManagementPolicyObserve ManagementPolicy = "Observe"
)

// ManagedFields are the fields every managed kind shares.
type ManagedFields struct {
	// CredentialsRef names the Secret, in this object's namespace, holding the
	// Gandi credential. When absent, the operator's default token is used if
	// the operator was installed with that allowed; otherwise the object
	// reports CredentialsNotFound. A changed credential is used at once when
	// the Secret is labelled hosting.gandi-operator.dev/watch=true, at the
	// next poll otherwise.
	// +optional
	CredentialsRef *CredentialsReference `json:"credentialsRef,omitempty"`

	// DeletionPolicy says what deleting this object does at Gandi: "Delete"
	// (the default) deletes the Gandi object and waits until it is gone;
	// "Orphan" leaves it at Gandi.
	// +kubebuilder:default=Delete
	// +optional
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`

	// ManagementPolicy is "Manage" (the default) or "Observe". "Observe" never
	// writes to Gandi, not even on delete: it reads the object, reports its
	// state and any drift from this spec. Use it to import a production object
	// safely before handing it over.
	// +kubebuilder:default=Manage
	// +optional
	ManagementPolicy ManagementPolicy `json:"managementPolicy,omitempty"`
}
