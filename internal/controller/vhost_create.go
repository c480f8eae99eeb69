package controller

import (
	"cmp"
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// vhostExternal is the Vhost's adapter to the shared lifecycle: a vhost,
// whose ID is its ASCII FQDN on the instance.
type vhostExternal struct {
	r      *VhostReconciler
	api    vhostAPI
	vh     *hostingv1alpha1.Vhost
	target instanceTarget
	req    gandi.CreateVhostRequest
}

func (e *vhostExternal) describe() string {
	return fmt.Sprintf("vhost %s on instance %s", e.vh.Status.FQDN, e.target.instanceID)
}

// uniqueKey: an FQDN is served once per instance.
func (e *vhostExternal) uniqueKey() bool { return true }

// refusesTakenKey: Gandi answers a vhost create for an FQDN it already
// serves with a 422 and makes nothing (createFirst).
func (e *vhostExternal) refusesTakenKey() {}

// handedOver: the HostingInstance created the vhost with the instance it
// bought (spec.initialVhosts; resolveInstance), so this cluster made it:
// the one Gandi dated with that instance (madeWithInstance), not one
// someone made there since under the same name.
func (e *vhostExternal) handedOver(matches []candidate) bool {
	if !contains(e.target.initialVhosts, e.vh.Status.FQDN) {
		return false
	}
	for _, c := range matches {
		if !e.target.madeWithInstance(c.createdAt) {
			return false
		}
	}
	return true
}

// rivals are the Vhosts of the cluster with the same FQDN (in any letter
// case: the index holds the ASCII form) on the same instance: a vhost's ID
// is its FQDN, so the key finds every object recording it.
func (e *vhostExternal) rivals(ctx context.Context, _ string) ([]client.Object, error) {
	var list hostingv1alpha1.VhostList
	if err := e.r.List(ctx, &list, client.MatchingFields{vhostFQDNIndex: e.vh.Status.FQDN}); err != nil {
		return nil, err
	}
	var out []client.Object
	for i := range list.Items {
		other := &list.Items[i]
		if other.UID == e.vh.UID {
			continue
		}
		id, err := VhostInstance(ctx, e.r, other)
		if err != nil {
			return nil, err
		}
		if id == e.target.instanceID {
			out = append(out, other)
		}
	}
	return out, nil
}

// VhostInstance is the instance another Vhost names (VhostInstanceOf), its
// HostingInstance read through c only when its record names none (kubectl
// gandi import asks it too, with the API server as c, see ManagerAmong).
func VhostInstance(ctx context.Context, c client.Reader, vh *hostingv1alpha1.Vhost) (string, error) {
	var hi *hostingv1alpha1.HostingInstance
	if recordedInstance(vh) == "" && vh.Spec.InstanceRef != nil {
		got := &hostingv1alpha1.HostingInstance{}
		switch err := c.Get(ctx, types.NamespacedName{Namespace: vh.Namespace, Name: vh.Spec.InstanceRef.Name}, got); {
		case err == nil:
			hi = got
		case !apierrors.IsNotFound(err):
			return "", fmt.Errorf("read HostingInstance %s/%s: %w", vh.Namespace, vh.Spec.InstanceRef.Name, err)
		}
	}
	return VhostInstanceOf(vh, hi), nil
}

// VhostInstanceOf is the one answer to "on which instance does this Vhost
// hold its FQDN", by which its rivals are found: the instance its record
// names (recordedInstance), else the one its spec gives: spec.instanceID,
// or the instance hi, its HostingInstance (nil: gone), holds. The record
// comes first because it is where deleting the Vhost deletes
// (deletionTarget) once its HostingInstance is gone or holds no instance
// (deleted with Orphan, made again, buying): answering from the
// HostingInstance then would let another Vhost adopt the recorded site,
// and both manage it. A record on another instance than the spec's is
// taken back by the Vhost's next pass (followInstance), which then names
// the spec's. "" when none is known.
func VhostInstanceOf(vh *hostingv1alpha1.Vhost, hi *hostingv1alpha1.HostingInstance) string {
	switch {
	case recordedInstance(vh) != "":
		return recordedInstance(vh)
	case vh.Spec.InstanceRef == nil:
		return vh.Spec.InstanceID
	case hi == nil:
		return ""
	}
	return instanceID(hi)
}

// recordedInstance is the instance a Vhost's record names: the one
// recorded beside its ID (instanceRecord), else the status's (a record of
// an older build, or a Vhost whose HostingInstance is gone), as knownID
// reads an ID. An instance-id annotation without the ID beside it (removed
// to create the vhost again) names nothing: the status says where the
// Vhost's passes go.
func recordedInstance(vh *hostingv1alpha1.Vhost) string {
	if externalIDAnnotation(vh) == "" {
		return vh.Status.InstanceID
	}
	return cmp.Or(instanceRecord(vh), vh.Status.InstanceID)
}

// instanceRecord is the instance recorded beside the Vhost's ID
// (AnnotationInstanceID), written with it (idRecords).
func instanceRecord(vh *hostingv1alpha1.Vhost) string {
	return vh.GetAnnotations()[hostingv1alpha1.AnnotationInstanceID]
}

func (e *vhostExternal) find(ctx context.Context) ([]candidate, error) {
	if o, ok := e.api.(observedVhosts); ok {
		if v, ok := o.obs.vhostLookup(ctx, e.target.instanceID, e.vh.Status.FQDN, lookupWindowOf(e.vh)); ok {
			if v == nil {
				return nil, nil
			}
			return []candidate{{id: v.FQDN, createdAt: v.CreatedAt.Time}}, nil
		}
	}
	v, err := observeVhost(ctx, e.api, e.target.instanceID, e.vh.Status.FQDN, true)
	if gandi.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return []candidate{{id: v.FQDN, createdAt: v.CreatedAt.Time}}, nil
}

func (e *vhostExternal) prepare(context.Context) (map[string]string, error) {
	app, err := vhostApplication(e.vh.Spec.Application)
	if err != nil {
		return nil, &specError{msg: "spec.application: " + err.Error()}
	}
	e.req = gandi.CreateVhostRequest{FQDN: e.vh.Status.FQDN, Application: app, LinkedDNSZone: linkedZone(e.vh.Spec.LinkedDNSZone)}
	return nil, nil
}

func (e *vhostExternal) create(ctx context.Context) (string, error) {
	if err := e.api.CreateVhost(ctx, e.target.instanceID, e.req); err != nil {
		return "", err
	}
	return e.vh.Status.FQDN, nil
}

// deleting: one refused to working credentials (the vhost, or its
// instance, in an organization they cannot see) is errNotVisible, which
// deleteAtGandi neither deletes nor takes for gone. A vhost that is not
// the one this object recorded (recordedVhost) is left at Gandi: someone
// made it after this object's was deleted, and deleting the Vhost deletes
// only its own.
func (e *vhostExternal) deleting(ctx context.Context, fqdn string) (bool, error) {
	v, err := observeVhost(ctx, e.api, e.target.instanceID, fqdn, true)
	if err = notVisible(ctx, err, instancesProbe(e.api)); err != nil {
		return false, err
	}
	if _, open := openIntent(e.vh); !open && !recordedVhost(e.vh, v) {
		e.r.Events.normal(e.vh, "Released", "Delete", madeAgainNote(e.vh, e.target.instanceID, v)+": it is left at Gandi")
		return false, errLeaveAtGandi
	}
	e.vh.Status.State = v.Status
	return v.Status == gandi.VhostBeingDeleted, nil
}

func (e *vhostExternal) remove(ctx context.Context, fqdn string) (bool, error) {
	return false, e.api.DeleteVhost(ctx, e.target.instanceID, fqdn)
}

// presetID: a vhost's ID is its FQDN, recorded with the create intent.
func (e *vhostExternal) presetID() string { return e.vh.Status.FQDN }

// idRecords: the FQDN names a vhost on one instance only, recorded with it.
func (e *vhostExternal) idRecords() map[string]string {
	r := map[string]string{hostingv1alpha1.AnnotationInstanceID: e.target.instanceID}
	if e.target.credentialsRecord != "" {
		r[hostingv1alpha1.AnnotationInstanceCredentials] = e.target.credentialsRecord
	}
	return r
}

// refusedAt: Gandi refuses a vhost create for an FQDN another instance
// serves, maybe one of another account: status.createRefusedAt keeps when
// (refusalKept), so that the create is not sent again at every poll.
func (e *vhostExternal) refusedAt() *metav1.Time { return e.vh.Status.CreateRefusedAt }

func (e *vhostExternal) keepRefusedAt(at *metav1.Time) { e.vh.Status.CreateRefusedAt = at }

func (e *vhostExternal) changed() bool {
	return freshWanted(e.vh, e.vh.Status.ObservedGeneration, e.vh.Status.LastHandledReconcileAt)
}

func (e *vhostExternal) creating() (reason, message string) {
	return hostingv1alpha1.ReasonCreating, "Gandi is creating the vhost"
}
