package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// clockSkew is how much earlier than our recorded intent Gandi's clock may
// date an instance we created: the two clocks are not the same.
const clockSkew = time.Minute

// findOrCreate gives the ID of the instance this object manages when none is
// known yet: adopt what this object's own create intent explains or what the
// user handed over, stop when a same-named instance may be someone else's,
// and only then buy one. A nil result means id is ready to observe.
func (r *HostingInstanceReconciler) findOrCreate(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance) (string, *result) {
	conds, gen := &hi.Status.Conditions, hi.Generation
	name := gandiName(hi)
	matches, err := instancesNamed(ctx, api, name, hi.Spec.SharingID)
	if err != nil {
		res := failed(conds, gen, r.Timing, "look up instances named "+name, err)
		return "", &res
	}
	if since, pending := createPendingSince(hi); pending {
		mine := createdSince(matches, since.Add(-clockSkew))
		switch {
		case len(mine) == 1:
			return r.adopt(ctx, hi, mine[0].ID, "found the instance this object's interrupted create bought")
		case len(mine) > 1:
			return "", r.ambiguous(hi, name, mine)
		case r.Now().Sub(since) < r.Timing.CreateGrace:
			// Gandi may list a fresh instance late: look again before paying twice.
			setCondition(conds, gen, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonCreating,
				"a create was sent at "+since.Format(time.RFC3339)+" and its answer was not recorded; waiting for Gandi to list the instance before trying again")
			return "", &result{requeue: r.Timing.Transitional}
		}
	} else if len(matches) > 0 {
		if !adoptRequested(hi) {
			msg := fmt.Sprintf("an instance named %q already exists at Gandi (%s) and this object did not create it: to manage it, set the annotation %s to its ID or %s: \"true\"; otherwise choose another spec.name",
				name, instanceIDs(matches), hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationAdopt)
			return "", stopped(conds, gen, r.Timing, hostingv1alpha1.ReasonAlreadyExists, msg)
		}
		if len(matches) > 1 {
			return "", r.ambiguous(hi, name, matches)
		}
		return r.adopt(ctx, hi, matches[0].ID, "adopted the existing instance as the adopt annotation asks")
	}
	if hi.Spec.ManagementPolicy == hostingv1alpha1.ManagementPolicyObserve {
		msg := fmt.Sprintf("managementPolicy is Observe and no instance named %q exists at Gandi: nothing is created", name)
		setCondition(conds, gen, hostingv1alpha1.ConditionReady, false, hostingv1alpha1.ReasonExternalNotFound, msg)
		setCondition(conds, gen, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved, msg)
		return "", &result{requeue: jittered(r.Timing.Poll)}
	}
	return r.create(ctx, api, hi)
}

// instancesNamed lists the instances whose name is exactly name: Gandi's
// filter takes patterns, so the list is filtered again here.
func instancesNamed(ctx context.Context, api instanceAPI, name, sharingID string) ([]gandi.Instance, error) {
	found, err := api.ListInstances(ctx, gandi.ListInstancesOptions{Name: name, SharingID: sharingID})
	if err != nil {
		return nil, err
	}
	var exact []gandi.Instance
	for _, in := range found {
		if in.Name == name {
			exact = append(exact, in)
		}
	}
	return exact, nil
}

func createdSince(instances []gandi.Instance, t time.Time) []gandi.Instance {
	var out []gandi.Instance
	for _, in := range instances {
		if !in.CreatedAt.Before(t) {
			out = append(out, in)
		}
	}
	return out
}

func instanceIDs(instances []gandi.Instance) string {
	ids := make([]string, 0, len(instances))
	for _, in := range instances {
		ids = append(ids, in.ID)
	}
	return strings.Join(ids, ", ")
}

func (r *HostingInstanceReconciler) ambiguous(hi *hostingv1alpha1.HostingInstance, name string, matches []gandi.Instance) *result {
	msg := fmt.Sprintf("%d instances named %q could be this object's (%s): nothing is bought or adopted until a person sets the annotation %s to the right ID",
		len(matches), name, instanceIDs(matches), hostingv1alpha1.AnnotationExternalID)
	r.Events.warn(hi, hostingv1alpha1.ReasonAmbiguousExternalObject, "Create", msg)
	return stopped(&hi.Status.Conditions, hi.Generation, r.Timing, hostingv1alpha1.ReasonAmbiguousExternalObject, msg)
}

// adopt records id as the instance this object manages.
func (r *HostingInstanceReconciler) adopt(ctx context.Context, hi *hostingv1alpha1.HostingInstance, id, why string) (string, *result) {
	if err := recordExternalID(ctx, r.Client, hi, id); err != nil {
		return "", &result{err: err}
	}
	hi.Status.ID = id
	r.Events.normal(hi, "Adopted", "Adopt", why+": "+id)
	return id, nil
}

// create buys the instance: validate with Dry-Run, persist the intent, POST,
// persist the ID. A crash or a lost answer anywhere in between is resolved
// by findOrCreate's lookup on the next pass, never by a blind second POST.
func (r *HostingInstanceReconciler) create(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance) (string, *result) {
	conds, gen := &hi.Status.Conditions, hi.Generation
	req, passwordVersion, err := r.createRequest(ctx, hi)
	if err != nil {
		res := r.specProblem(hi, "build the create request", err)
		return "", &res
	}
	opts := gandi.CreateOptions{SharingID: hi.Spec.SharingID}
	if err := api.DryRunCreateInstance(ctx, req, opts); err != nil {
		var refused *gandi.ValidationError
		if errors.As(err, &refused) {
			msg := "Gandi refused the instance: " + refused.Error()
			r.Events.warn(hi, hostingv1alpha1.ReasonInvalidSpec, "Create", msg)
			return "", stopped(conds, gen, r.Timing, hostingv1alpha1.ReasonInvalidSpec, msg)
		}
		res := failed(conds, gen, r.Timing, "validate the instance with Gandi (Dry-Run)", err)
		return "", &res
	}

	intent := r.Now().UTC().Format(time.RFC3339Nano)
	if err := patchAnnotations(ctx, r.Client, hi, annotationPatch{set: map[string]string{hostingv1alpha1.AnnotationCreatePending: intent}}); err != nil {
		// Another reconciler may have recorded its own intent first: look again.
		return "", &result{err: err}
	}
	id, err := api.CreateInstance(ctx, req, opts)
	if err != nil {
		return "", r.createFailed(ctx, hi, err)
	}
	r.Events.normal(hi, "Created", "Create", "bought instance "+id+" at Gandi")
	hi.Status.ID = id
	hi.Status.PasswordSecretVersion = passwordVersion
	if err := recordExternalID(ctx, r.Client, hi, id); err != nil {
		// The intent stays: the next pass finds the instance by name and adopts it.
		return "", &result{err: err}
	}
	return id, nil
}

// createFailed decides what a failed POST means. A refusal (4xx) bought
// nothing: drop the intent. Anything else (lost answer, 5xx, timeout) may
// have bought the instance: keep the intent so the next pass looks it up.
func (r *HostingInstanceReconciler) createFailed(ctx context.Context, hi *hostingv1alpha1.HostingInstance, err error) *result {
	conds, gen := &hi.Status.Conditions, hi.Generation
	r.Events.warn(hi, classify(err).reason, "Create", "create instance: "+err.Error())
	var apiErr *gandi.APIError
	if errors.As(err, &apiErr) && apiErr.StatusCode >= 400 && apiErr.StatusCode < 500 && !gandi.IsRateLimited(err) {
		if perr := patchAnnotations(ctx, r.Client, hi, annotationPatch{remove: []string{hostingv1alpha1.AnnotationCreatePending}}); perr != nil {
			return &result{err: perr}
		}
		res := failed(conds, gen, r.Timing, "create instance", err)
		return &res
	}
	setCondition(conds, gen, hostingv1alpha1.ConditionSynced, false, classify(err).reason,
		"create instance: "+err.Error()+"; the answer was lost, so the instance is looked up by name before any new attempt")
	return &result{requeue: r.Timing.Transitional}
}

// specProblem reports an error found in the spec or what it references.
func (r *HostingInstanceReconciler) specProblem(hi *hostingv1alpha1.HostingInstance, action string, err error) result {
	var credErr *CredentialsError
	if errors.As(err, &credErr) {
		return failed(&hi.Status.Conditions, hi.Generation, r.Timing, action, err)
	}
	setCondition(&hi.Status.Conditions, hi.Generation, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonInvalidSpec, action+": "+err.Error())
	return result{requeue: jittered(r.Timing.Poll)}
}

// resolvePendingForDelete finds the instance a create with a lost answer
// may have bought, so that deleting the object does not leave it behind.
// An empty id with a nil result means nothing was bought.
func (r *HostingInstanceReconciler) resolvePendingForDelete(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance) (string, *result) {
	since, _ := createPendingSince(hi)
	name := gandiName(hi)
	matches, err := instancesNamed(ctx, api, name, hi.Spec.SharingID)
	if err != nil {
		res := failed(&hi.Status.Conditions, hi.Generation, r.Timing, "look up instances named "+name, err)
		return "", &res
	}
	mine := createdSince(matches, since.Add(-clockSkew))
	switch {
	case len(mine) == 1:
		return mine[0].ID, nil
	case len(mine) > 1:
		return "", r.ambiguous(hi, name, mine)
	case r.Now().Sub(since) < r.Timing.CreateGrace:
		return "", &result{requeue: r.Timing.Transitional}
	}
	return "", nil
}
