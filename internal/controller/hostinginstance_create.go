package controller

import (
	"context"
	"errors"
	"fmt"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// instanceExternal is the HostingInstance's adapter to the shared lifecycle:
// a Web Hosting instance, found by its exact name, bought after a Dry-Run.
type instanceExternal struct {
	r   *HostingInstanceReconciler
	api instanceAPI
	hi  *hostingv1alpha1.HostingInstance
	// req is the create request prepare built.
	req gandi.CreateInstanceRequest
}

func (e *instanceExternal) describe() string { return fmt.Sprintf("instance %q", gandiName(e.hi)) }

// uniqueKey is false: Gandi lets several instances share a name.
func (e *instanceExternal) uniqueKey() bool             { return false }
func (e *instanceExternal) handedOver([]candidate) bool { return false }

// objectEffects: the password Gandi accepted is the instance's state, and
// so are the paid changes on their way to it and the boost delivered to it.
func (e *instanceExternal) objectEffects() []string {
	return []string{effectPassword, effectPaidChange, effectBooster}
}
func (e *instanceExternal) forgetObjectEffects() { e.hi.Status.PasswordSecretVersion = "" }

func (e *instanceExternal) intentKey() string { return instanceKey(e.hi) }

func (e *instanceExternal) rivals(ctx context.Context, id string) ([]client.Object, error) {
	return rivalsNaming(ctx, e.r, id, &hostingv1alpha1.HostingInstanceList{}, instanceKeyIndex, instanceKey(e.hi))
}

func (e *instanceExternal) intents(ctx context.Context) ([]client.Object, error) {
	return intentsNaming(ctx, e.r, &hostingv1alpha1.HostingInstanceList{}, instanceKey(e.hi))
}

// find lists the instances whose name is exactly the spec's: from the
// observer's list of every instance when one answers (see lookupWindowOf),
// else with Gandi's name filter, which takes patterns, so the list is
// filtered again here.
func (e *instanceExternal) find(ctx context.Context) ([]candidate, error) {
	name := gandiName(e.hi)
	if o, ok := e.api.(observedInstances); ok {
		if found, ok := o.obs.instanceLookup(ctx, name, lookupWindowOf(e.hi)); ok {
			return instanceCandidates(found, name), nil
		}
	}
	found, err := e.api.ListInstances(ctx, gandi.ListInstancesOptions{Name: name, SharingID: e.hi.Spec.SharingID})
	if err != nil {
		return nil, err
	}
	return instanceCandidates(found, name), nil
}

// instanceCandidates are the instances of found named exactly name.
func instanceCandidates(found []gandi.Instance, name string) []candidate {
	var exact []candidate
	for _, in := range found {
		if in.Name == name {
			exact = append(exact, candidate{id: in.ID, createdAt: in.CreatedAt.Time})
		}
	}
	return exact
}

// prepare builds the create request and has Gandi validate it (Dry-Run),
// so a refusal costs nothing. The first password is recorded with the
// intent: after a crash it must not be sent again as a "rotation".
func (e *instanceExternal) prepare(ctx context.Context) (map[string]string, error) {
	req, passwordVersion, err := e.r.createRequest(ctx, e.hi)
	if err != nil {
		var credErr *CredentialsError
		var bad *specError
		switch {
		case errors.As(err, &credErr):
			return nil, err
		case errors.As(err, &bad):
			// Its reason (a password refused: PasswordInvalid) is kept.
			return nil, &specError{reason: bad.reason, msg: "build the create request: " + bad.msg}
		}
		return nil, &specError{msg: "build the create request: " + err.Error()}
	}
	if err := e.api.DryRunCreateInstance(ctx, req, gandi.CreateOptions{SharingID: e.hi.Spec.SharingID}); err != nil {
		return nil, err
	}
	e.req = req
	if passwordVersion == "" {
		return nil, nil
	}
	return acceptedRecord(effectPassword, passwordVersion), nil
}

func (e *instanceExternal) create(ctx context.Context) (string, error) {
	return e.api.CreateInstance(ctx, e.req, gandi.CreateOptions{SharingID: e.hi.Spec.SharingID})
}

// deleting: one refused to working credentials is errNotVisible, which
// deleteAtGandi neither deletes nor takes for gone.
func (e *instanceExternal) deleting(ctx context.Context, id string) (bool, error) {
	inst, err := observeInstance(ctx, e.api, id, true)
	if err = notVisible(ctx, err, instancesProbe(e.api)); err != nil {
		return false, err
	}
	e.hi.Status.State = inst.Status
	return inst.Status == gandi.InstanceBeingDeleted, nil
}

func (e *instanceExternal) remove(ctx context.Context, id string) (bool, error) {
	return false, e.api.DeleteInstance(ctx, id)
}

// instanceKey is what makes two HostingInstances name the same Gandi
// instance: the same account (credentials Secret; the operator's default
// token is shared by every namespace), organization and name.
func instanceKey(hi *hostingv1alpha1.HostingInstance) string {
	return credentialScope(hi.Namespace, hi.Spec.CredentialsRef) + "|" + hi.Spec.SharingID + "|" + gandiName(hi)
}

// credentialScope names the account an object's credentials reach.
func credentialScope(namespace string, ref *hostingv1alpha1.CredentialsReference) string {
	if ref == nil {
		return "default"
	}
	return namespace + "/" + ref.Name
}

func (e *instanceExternal) creating() (reason, message string) {
	return hostingv1alpha1.ReasonCreating, "Gandi is creating the instance"
}
