package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ReapplyPolicy says when a template is applied again.
// +kubebuilder:validation:Enum=OnChange;Interval
type ReapplyPolicy string

const (
	// ReapplyOnChange applies again when the template's payload or this
	// object's spec changes.
	ReapplyOnChange ReapplyPolicy = "OnChange"
	// ReapplyInterval also applies again every interval, to undo drift.
	ReapplyInterval ReapplyPolicy = "Interval"
)

// TemplateApplicationSpec applies a Gandi configuration template to a domain.
// +kubebuilder:validation:XValidation:rule="has(self.templateRef) != has(self.templateID)",message="exactly one of spec.templateRef or spec.templateID must be set"
// +kubebuilder:validation:XValidation:rule="has(self.domain) != has(self.domainID)",message="exactly one of spec.domain or spec.domainID must be set"
type TemplateApplicationSpec struct {
	// CredentialsRef names the Secret, in this object's namespace, holding
	// the Gandi credential. When absent: the referenced Template's
	// credentials, else the operator's default token where the installer
	// allowed it. A changed credential is used at once when the Secret is
	// labelled hosting.gandi-operator.dev/watch=true, at the next poll
	// otherwise.
	// +optional
	CredentialsRef *CredentialsReference `json:"credentialsRef,omitempty"`

	// TemplateRef names a Template in this namespace; it is applied once it
	// is Ready. Exactly one of templateRef and templateID.
	// +optional
	TemplateRef *LocalObjectReference `json:"templateRef,omitempty"`

	// TemplateID is the Gandi ID of any template, Gandi's public ones
	// included: a lowercase UUID, e.g. 881f8c9a-fe7d-11ea-b2fe-00163e7504b8.
	// Exactly one of templateRef and templateID.
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	TemplateID string `json:"templateID,omitempty"`

	// Domain is the FQDN of a domain in the Gandi organization, e.g.
	// "example.com", in lowercase: labels of letters, digits and inner
	// hyphens, separated by dots, no trailing dot. International names may
	// be in Unicode or punycode. Exactly one of domain and domainID.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^([\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?\.)+[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?$`
	// +kubebuilder:validation:XValidation:rule="!self.matches('[.][0-9]+$')",message="domain must be a host name, not an IP address: its last label cannot be all digits"
	// +optional
	Domain string `json:"domain,omitempty"`

	// DomainID is the Gandi ID of the domain, a lowercase UUID, e.g.
	// ba1167be-2f76-11e9-9dfb-00163ec4cb00. Exactly one of domain and
	// domainID.
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	DomainID string `json:"domainID,omitempty"`

	// Reapply says when the template is applied again. Default: OnChange.
	// +optional
	Reapply *ReapplySpec `json:"reapply,omitempty"`
}

// ReapplySpec says when a template is applied again. It is never applied
// while a dispatch of this object is still running.
// +kubebuilder:validation:XValidation:rule="self.policy != 'Interval' || has(self.interval)",message="spec.reapply.interval is required when policy is Interval"
// +kubebuilder:validation:XValidation:rule="!has(self.interval) || (has(self.policy) && self.policy == 'Interval')",message="spec.reapply.interval is for policy Interval only: OnChange applies again only on a change; remove interval or set policy: Interval",fieldPath=.interval
// +kubebuilder:validation:XValidation:rule="!has(self.interval) || (size(self.interval) <= 32 && self.interval.matches('^([0-9]{1,5}([.][0-9]{1,9})?h|[0-9]{1,7}([.][0-9]{1,9})?m|[0-9]{1,9}([.][0-9]{1,9})?s|[0-9]{1,12}([.][0-9]{1,9})?ms|[0-9]{1,15}([.][0-9]{1,9})?us|[0-9]{1,18}([.][0-9]{1,9})?ns)+$'))",message="spec.reapply.interval must be a duration such as 30m, 24h or 1h30m (units h, m, s; no d: a day is 24h), from 1m to 8760h (a year)",fieldPath=.interval
// +kubebuilder:validation:XValidation:rule="!has(self.interval) || !(size(self.interval) <= 32 && self.interval.matches('^([0-9]{1,5}([.][0-9]{1,9})?h|[0-9]{1,7}([.][0-9]{1,9})?m|[0-9]{1,9}([.][0-9]{1,9})?s|[0-9]{1,12}([.][0-9]{1,9})?ms|[0-9]{1,15}([.][0-9]{1,9})?us|[0-9]{1,18}([.][0-9]{1,9})?ns)+$')) || duration(self.interval) >= duration('1m') && duration(self.interval) <= duration('8760h')",message="spec.reapply.interval must be from 1m to 8760h (a year)",fieldPath=.interval
type ReapplySpec struct {
	// Policy is OnChange (the default: apply again when the template's
	// payload or this spec changes) or Interval (also apply again every
	// interval, to undo changes made outside the cluster).
	// +kubebuilder:default=OnChange
	// +optional
	Policy ReapplyPolicy `json:"policy,omitempty"`

	// Interval between applications for policy Interval, e.g. "24h" or
	// "1h30m" (units h, m, s: a day is 24h), from 1m to 8760h (a year).
	// Only with policy Interval.
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:MaxLength=32
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`
}

// DispatchState is the state of a template dispatch.
// +kubebuilder:validation:Enum=Pending;Running;Done;Error
type DispatchState string

// Dispatch states, as Gandi's numeric states 0, 10, 20 and 30.
const (
	DispatchPending DispatchState = "Pending"
	DispatchRunning DispatchState = "Running"
	DispatchDone    DispatchState = "Done"
	DispatchError   DispatchState = "Error"
)

// TemplateApplicationStatus is the last application of the template.
type TemplateApplicationStatus struct {
	// Conditions: Ready (Gandi showed the last apply done: its dispatch is
	// done with no task in error or, when the answer naming the dispatch
	// was lost, the domain shows everything the template sets) and Synced
	// (the last reconcile ran without error).
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

	// TemplateID is the Gandi ID of the template applied.
	// +optional
	TemplateID string `json:"templateID,omitempty"`

	// DomainID is the Gandi ID of the domain.
	// +optional
	DomainID string `json:"domainID,omitempty"`

	// Namespaces are the parts of the domain's configuration the template
	// writes (the keys of its payload: dns:records, domain:mailboxes,
	// domain:nameservers, domain:webredirs), as last read. No other
	// TemplateApplication may write them on this domain while this one
	// manages them there.
	// +listType=atomic
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`

	// Dispatch is the last application, as Gandi's dispatch API reports it.
	// +optional
	Dispatch *DispatchStatus `json:"dispatch,omitempty"`

	// AppliedPayloadHash is the hash of the template payload last applied.
	// Like AppliedGeneration and AppliedAt, it describes the last apply
	// Gandi showed performed (its dispatch done with no task in error, or
	// the domain showing what the template sets), not one that was only
	// sent: while a later apply's dispatch is pending or running, and when
	// it fails, they keep the last one performed. The apply sent is in the
	// annotation effects.hosting.gandi-operator.dev/apply, and its
	// dispatch in dispatch.
	// +optional
	AppliedPayloadHash string `json:"appliedPayloadHash,omitempty"`

	// AppliedGeneration is the spec generation last applied: this object's
	// generation when its spec is the one applied (so it equals
	// metadata.generation once the current spec is applied, also after a
	// restore that started the generation again).
	// +optional
	AppliedGeneration int64 `json:"appliedGeneration,omitempty"`

	// AppliedAt is when the apply Gandi last showed performed was sent.
	// +optional
	AppliedAt *metav1.Time `json:"appliedAt,omitempty"`
}

// DispatchStatus is a template dispatch.
type DispatchStatus struct {
	// ID of the dispatch at Gandi.
	ID string `json:"id"`
	// DomainID is the domain the dispatch applies the template to, as
	// Gandi answered this object's credentials: the domain its apply was
	// accepted on, or the dispatch's target_id. Empty when only the apply
	// record names the dispatch.
	// +optional
	DomainID string `json:"domainID,omitempty"`
	// State: Pending, Running, Done or Error.
	// +optional
	State DispatchState `json:"state,omitempty"`
	// Attempt is Gandi's count of attempts at performing the tasks.
	// +optional
	Attempt int32 `json:"attempt,omitempty"`
	// Message is Gandi's state_msg, set when the whole dispatch failed.
	// +optional
	Message string `json:"message,omitempty"`
	// Tasks maps each namespace (e.g. dns:records) to its state.
	// +optional
	Tasks map[string]DispatchState `json:"tasks,omitempty"`
	// History of the tasks, oldest first.
	// +listType=atomic
	// +optional
	History []DispatchHistoryEntry `json:"history,omitempty"`
}

// DispatchHistoryEntry is one step of a dispatch task.
type DispatchHistoryEntry struct {
	// Namespace of the task.
	Namespace string `json:"namespace,omitempty"`
	// State the task reached.
	State DispatchState `json:"state,omitempty"`
	// Message Gandi gave.
	Message string `json:"message,omitempty"`
	// Date of the step, as Gandi gave it.
	Date string `json:"date,omitempty"`
}

// TemplateApplication applies a Gandi configuration template to a domain.
// Deleting it changes nothing at Gandi: a template cannot be un-applied, so
// the domain keeps the configuration last applied.
//
// A namespace of a domain (its DNS records, mailboxes, nameservers or web
// redirections) has one manager: a TemplateApplication that would apply
// the same template as another one to the same domain, or write a
// namespace the other writes there, sends nothing and reports
// OwnedByAnotherObject naming it. The first is the one whose last apply
// there covers what it writes, then one that applied there, then one
// whose apply there is recorded, then the oldest, then the first by
// namespace/name. The other applies once the first is deleted or points
// elsewhere. Templates writing different namespaces share a domain.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=gandi,shortName=gta
// +kubebuilder:printcolumn:name="Template",type=string,JSONPath=`.spec.templateRef.name`,description="the Template object applied (spec.templateRef)"
// +kubebuilder:printcolumn:name="Template ID",type=string,JSONPath=`.status.templateID`,description="the Gandi template applied (spec.templateID, or its Template's)"
// +kubebuilder:printcolumn:name="Domain",type=string,JSONPath=`.spec.domain`,description="the domain (spec.domain)"
// +kubebuilder:printcolumn:name="Domain ID",type=string,JSONPath=`.status.domainID`,description="the domain's Gandi ID, as the last pass resolved it: spec.domainID, or spec.domain's"
// +kubebuilder:printcolumn:name="Namespaces",type=string,JSONPath=`.status.namespaces`,priority=1,description="the namespaces of the domain the template writes"
// +kubebuilder:printcolumn:name="Dispatch",type=string,JSONPath=`.status.dispatch.state`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type TemplateApplication struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TemplateApplicationSpec   `json:"spec"`
	Status TemplateApplicationStatus `json:"status,omitempty"`
}

// TemplateApplicationList is a list of TemplateApplication.
// +kubebuilder:object:root=true
type TemplateApplicationList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TemplateApplication `json:"items"`
}
