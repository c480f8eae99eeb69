package controller

import (
	"context"
	"strings"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// templateChanges compares the spec with what Gandi reports: the PATCH for
// what differs, and the names of those fields. The payload is compared
// semantically and, when it differs, sent whole: Gandi replaces the payload
// and never merges it. A description the spec does not set is Gandi's to
// keep (an adopted template's own): only one set, "" included, is sent.
func templateChanges(t *hostingv1alpha1.Template, observed *gandi.Template) (gandi.UpdateTemplateRequest, []string) {
	var req gandi.UpdateTemplateRequest
	var fields []string
	if name := templateName(t); name != observed.Name {
		req.Name, fields = name, append(fields, "name")
	}
	if desc := t.Spec.Description; desc != nil && *desc != observed.Description {
		req.Description, fields = gandi.Ptr(*desc), append(fields, "description")
	}
	if want := desiredPayload(t.Spec.Payload); payloadHash(want) != payloadHash(observed.Payload) {
		req.Payload, fields = &want, append(fields, "payload")
	}
	return req, fields
}

// update sends what differs, then reads the template again so that the
// status (and the payload hash TemplateApplications follow) is what Gandi
// holds, never what was sent. A steady state sends nothing.
func (r *TemplateReconciler) update(ctx context.Context, api templateAPI, t *hostingv1alpha1.Template, observed *gandi.Template) result {
	req, fields := templateChanges(t, observed)
	if err := addressProblem(t.Spec.Payload); req.Payload != nil && err != nil {
		msg := err.Error() + ": nothing is sent"
		setCondition(t, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonInvalidSpec, msg)
		setPayloadReady(t, observed, hostingv1alpha1.ReasonInvalidSpec, "the spec's payload is not sent: "+err.Error())
		return waitFor(jittered(r.Timing.Poll)).stalling(hostingv1alpha1.ReasonInvalidSpec, msg)
	}
	if !req.IsEmpty() {
		if err := api.UpdateTemplate(ctx, t.Status.ID, req); err != nil {
			r.Events.warn(t, classify(err).reason, "Update", "update "+strings.Join(fields, ", ")+": "+err.Error())
			res := failed(t, r.Timing, "update template "+t.Status.ID, err)
			setPayloadReady(t, observed, classify(err).reason, "Gandi refused the spec's payload: "+err.Error())
			return res
		}
		r.Events.normal(t, "Updated", "Update", "sent "+strings.Join(fields, ", ")+" to Gandi")
		id := t.Status.ID
		var err error
		if observed, err = api.GetTemplate(ctx, id); err != nil {
			return failed(t, r.Timing, "observe the template after updating it", err)
		}
		templateToStatus(t, id, observed)
	}
	if setPayloadReady(t, observed, hostingv1alpha1.ReasonDriftDetected, "Gandi accepted the payload but reports another one") {
		setCondition(t, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonUpToDate, "the template matches the spec")
	} else {
		// Sending it again at once would loop: wait for the poll.
		setCondition(t, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonDriftDetected,
			"Gandi accepted the payload but reports one that differs in "+orNone(payloadDifferences(desiredPayload(t.Spec.Payload), observed.Payload)))
	}
	return waitFor(jittered(r.Timing.Poll))
}
