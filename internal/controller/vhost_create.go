package controller

import (
	"context"
	"fmt"

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
// bought (spec.initialVhosts; resolveInstance), so this cluster made it.
func (e *vhostExternal) handedOver() bool {
	return contains(e.target.initialVhosts, e.vh.Status.FQDN)
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

// VhostInstance is the instance ID another Vhost names, as far as c
// knows: its spec's ID, or its HostingInstance's recorded one (kubectl
// gandi import asks it too, with the API server as c, see ManagerAmong).
func VhostInstance(ctx context.Context, c client.Reader, vh *hostingv1alpha1.Vhost) (string, error) {
	if vh.Spec.InstanceRef == nil {
		return vh.Spec.InstanceID, nil
	}
	hi := &hostingv1alpha1.HostingInstance{}
	err := c.Get(ctx, types.NamespacedName{Namespace: vh.Namespace, Name: vh.Spec.InstanceRef.Name}, hi)
	if err != nil {
		return vh.Status.InstanceID, client.IgnoreNotFound(err)
	}
	return instanceID(hi), nil
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

func (e *vhostExternal) deleting(ctx context.Context, fqdn string) (bool, error) {
	v, err := observeVhost(ctx, e.api, e.target.instanceID, fqdn, true)
	if err != nil {
		return false, err
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
