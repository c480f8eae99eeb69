package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Conditioned is what every kind exposes of its status to the shared
// reconcile steps: the conditions and the generation last observed at Gandi.
// +kubebuilder:object:generate=false
type Conditioned interface {
	GetConditions() *[]metav1.Condition
	SetObservedGeneration(generation int64)
	// SetLastHandledReconcileAt records the requested-at annotation value
	// a pass that observed the object at Gandi saw.
	SetLastHandledReconcileAt(value string)
	// GetStatus returns a pointer to the whole status, which a pass
	// compares before and after to write it at most once.
	GetStatus() any
}

// GetConditions returns the status conditions, for the shared steps to set.
func (in *HostingInstance) GetConditions() *[]metav1.Condition { return &in.Status.Conditions }

// SetObservedGeneration records the generation this pass observed at Gandi.
func (in *HostingInstance) SetObservedGeneration(g int64) { in.Status.ObservedGeneration = g }

// GetConditions returns the status conditions, for the shared steps to set.
func (in *Vhost) GetConditions() *[]metav1.Condition { return &in.Status.Conditions }

// SetObservedGeneration records the generation this pass observed at Gandi.
func (in *Vhost) SetObservedGeneration(g int64) { in.Status.ObservedGeneration = g }

// GetConditions returns the status conditions, for the shared steps to set.
func (in *Template) GetConditions() *[]metav1.Condition { return &in.Status.Conditions }

// SetObservedGeneration records the generation this pass observed at Gandi.
func (in *Template) SetObservedGeneration(g int64) { in.Status.ObservedGeneration = g }

// GetConditions returns the status conditions, for the shared steps to set.
func (in *TemplateApplication) GetConditions() *[]metav1.Condition { return &in.Status.Conditions }

// SetObservedGeneration records the generation this pass observed at Gandi.
func (in *TemplateApplication) SetObservedGeneration(g int64) { in.Status.ObservedGeneration = g }

// GetStatus returns a pointer to the status.
func (in *HostingInstance) GetStatus() any { return &in.Status }

// GetStatus returns a pointer to the status.
func (in *Vhost) GetStatus() any { return &in.Status }

// GetStatus returns a pointer to the status.
func (in *Template) GetStatus() any { return &in.Status }

// GetStatus returns a pointer to the status.
func (in *TemplateApplication) GetStatus() any { return &in.Status }

// SetLastHandledReconcileAt records the requested-at value this pass served.
func (in *HostingInstance) SetLastHandledReconcileAt(v string) { in.Status.LastHandledReconcileAt = v }

// SetLastHandledReconcileAt records the requested-at value this pass served.
func (in *Vhost) SetLastHandledReconcileAt(v string) { in.Status.LastHandledReconcileAt = v }

// SetLastHandledReconcileAt records the requested-at value this pass served.
func (in *Template) SetLastHandledReconcileAt(v string) { in.Status.LastHandledReconcileAt = v }

// SetLastHandledReconcileAt records the requested-at value this pass served.
func (in *TemplateApplication) SetLastHandledReconcileAt(v string) {
	in.Status.LastHandledReconcileAt = v
}

// ObservedID is the Gandi ID the status says a pass of the operator
// observed at Gandi as this object's. Only the operator writes status (a
// subresource), so unlike the annotations, which anyone who may edit the
// object can set, it cannot be claimed by hand.
func (in *HostingInstance) ObservedID() string { return in.Status.ID }

// ObservedID is the Gandi ID the status says was observed as this object's.
func (in *Template) ObservedID() string { return in.Status.ID }

// ObservedID is the FQDN of the vhost once a pass observed it at Gandi
// (status.state is only ever set from Gandi's answer).
func (in *Vhost) ObservedID() string {
	if in.Status.State == "" {
		return ""
	}
	return in.Status.FQDN
}

// LostClaim is the Gandi ID this object recorded when the operator last
// found another cluster object managing it (status.lostClaimID).
func (in *HostingInstance) LostClaim() string { return in.Status.LostClaimID }

// SetLostClaim records, or clears with "", the ID this object lost.
func (in *HostingInstance) SetLostClaim(id string) { in.Status.LostClaimID = id }

// LostClaim is the Gandi ID this object recorded when the operator last
// found another cluster object managing it (status.lostClaimID).
func (in *Template) LostClaim() string { return in.Status.LostClaimID }

// SetLostClaim records, or clears with "", the ID this object lost.
func (in *Template) SetLostClaim(id string) { in.Status.LostClaimID = id }

// LostClaim is the FQDN this object recorded when the operator last found
// another cluster object managing it (status.lostClaimID).
func (in *Vhost) LostClaim() string { return in.Status.LostClaimID }

// SetLostClaim records, or clears with "", the ID this object lost.
func (in *Vhost) SetLostClaim(id string) { in.Status.LostClaimID = id }

// SeenWith is the record of the credentials the ID was last seen under
// at Gandi (status.observedWith), nil when none is.
func (in *HostingInstance) SeenWith() *ObservedCredentials { return in.Status.ObservedWith }

// SetSeenWith records the credentials the ID was seen under.
func (in *HostingInstance) SetSeenWith(c *ObservedCredentials) { in.Status.ObservedWith = c }

// SeenWith is the record of the credentials the ID was last seen under.
func (in *Template) SeenWith() *ObservedCredentials { return in.Status.ObservedWith }

// SetSeenWith records the credentials the ID was seen under.
func (in *Template) SetSeenWith(c *ObservedCredentials) { in.Status.ObservedWith = c }

// SeenWith is the record of the credentials the vhost was last seen under.
func (in *Vhost) SeenWith() *ObservedCredentials { return in.Status.ObservedWith }

// SetSeenWith records the credentials the vhost was seen under.
func (in *Vhost) SetSeenWith(c *ObservedCredentials) { in.Status.ObservedWith = c }
