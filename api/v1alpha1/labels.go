package v1alpha1

// Labels the operator sets on the Secrets it writes and on the objects it
// manages, and that users set on the Secrets they hand to it.
const (
	// LabelWatch, set to "true" on a Secret, lets the operator see changes
	// to it at once: a fixed token, a new password. The operator watches
	// only Secrets so labelled (and only their metadata); a change to an
	// unlabelled Secret is picked up at the next poll of the objects that
	// use it (--poll-interval, 5 minutes by default). The operator sets it
	// on the connection Secrets it creates, and the Helm chart on the
	// default token Secret it creates.
	LabelWatch = "hosting.gandi-operator.dev/watch"
	// LabelWatchValue is the value of LabelWatch that the watch selects.
	LabelWatchValue = "true"

	// LabelConnectionSecretOf marks a connection Secret the operator created
	// for a HostingInstance; its value is that object's UID. The operator
	// writes a Secret only when it carries this label with the object's UID
	// and a controller owner reference to that same object (same UID): any
	// other Secret named by spec.writeConnectionSecretToRef is left as it is
	// and reported as ConnectionSecretConflict.
	LabelConnectionSecretOf = "hosting.gandi-operator.dev/connection-secret-of"

	// AnnotationRetired is set by the operator on a connection Secret it
	// wrote (recorded in the HostingInstance's status.connectionSecrets)
	// that no longer describes a live instance: the instance is gone
	// at Gandi, or spec.writeConnectionSecretToRef names another Secret or
	// none. Its value says which. The Secret is emptied of its connection
	// keys and no longer watched (LabelWatch removed), but keeps its marks,
	// so Kubernetes still deletes it with its HostingInstance; the operator
	// has no right to delete Secrets. Written again for a live instance,
	// it loses this annotation.
	AnnotationRetired = "hosting.gandi-operator.dev/retired"

	// LabelApplyDomain is set by the operator on a TemplateApplication, in
	// the write of each apply's record, to the Gandi ID of the
	// domain that apply goes to. Another application about to apply on
	// that domain finds it by this label with a read of the API server,
	// which the manager's cache may not have caught up with: of two
	// applications created together, at most one sends. Do not edit it.
	LabelApplyDomain = "hosting.gandi-operator.dev/apply-domain"
)
