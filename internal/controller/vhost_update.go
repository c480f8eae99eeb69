package controller

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// vhostChanges compares the spec with what Gandi reports: the PATCH for
// what differs and the user set, the names of those fields, and whether an
// HTTPS strategy waits for a certificate.
func vhostChanges(vh *hostingv1alpha1.Vhost, observed *gandi.Vhost) (gandi.UpdateVhostRequest, []string, bool) {
	var patch gandi.UpdateVhostRequest
	var fields []string
	if want, err := vhostApplication(vh.Spec.Application); err == nil && want != nil && !sameApplication(want, observed.Application) {
		patch.Application, fields = want, append(fields, "application")
	}
	waitingForCert := false
	if want := vh.Spec.HTTPSStrategy; want != "" && want != observed.HTTPSStrategy {
		// Gandi reports (and applies) https_strategy only once the vhost has
		// a certificate; sending it before would PATCH on every pass.
		if observed.HTTPSStrategy == "" || len(observed.Certificates) == 0 {
			waitingForCert = true
		} else {
			patch.HTTPSStrategy, fields = want, append(fields, "https_strategy")
		}
	}
	if z := vh.Spec.LinkedDNSZone; z != nil && (observed.LinkedDNSZone == nil || observed.LinkedDNSZone.AllowAlteration != z.AllowAlteration) {
		patch.LinkedDNSZone, fields = linkedZone(z), append(fields, "linked_dns_zone")
	} else if vhostOverride(vh, observed).send {
		// Gandi shows no override to compare with (vhost_override.go).
		patch.LinkedDNSZone, fields = linkedZone(z), append(fields, "linked_dns_zone.allow_alteration_override")
	}
	return patch, fields, waitingForCert
}

// sameApplication compares parameters as JSON values, so 1 and 1.0 agree.
func sameApplication(want *gandi.VhostApplication, have *gandi.VhostAppState) bool {
	if have == nil || have.Name != want.Name {
		return false
	}
	if len(want.Parameters) == 0 {
		return true
	}
	return reflect.DeepEqual(normalizeJSON(want.Parameters), normalizeJSON(have.Parameters))
}

func normalizeJSON(v map[string]any) any {
	data, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return v
	}
	return out
}

// update sends what differs and purges the cache when asked. Gandi
// changes only running vhosts: in another state nothing is sent, and
// Synced says what waits for it (reportHeld). What it sent is UpToDate only once a later
// pass reads it at Gandi (reportSynced).
func (r *VhostReconciler) update(ctx context.Context, api vhostAPI, vh *hostingv1alpha1.Vhost, instanceID string, observed *gandi.Vhost) result {
	patch, fields, waitingForCert := vhostChanges(vh, observed)
	override := vhostOverride(vh, observed)
	var problems []problem
	if waitingForCert {
		problems = append(problems, problem{hostingv1alpha1.ReasonWaitingForCertificate,
			"spec.httpsStrategy is " + vh.Spec.HTTPSStrategy + " but the vhost has no certificate yet: Gandi applies an HTTPS strategy only once one exists"})
	}
	if override.problem != nil {
		problems = append(problems, *override.problem)
	}
	if observed.Status != gandi.VhostRunning {
		if want := vh.Spec.CachePurgeRequest; want != "" && want != vh.Status.LastCachePurge && vh.GetAnnotations()[confirmedKey(effectCachePurge)] != want {
			if recordedEffect(vh, effectCachePurge) == want {
				problems = append(problems, unconfirmedProblem("the cache purge", want, "spec.cachePurgeRequest"))
			} else {
				fields = append(fields, "spec.cachePurgeRequest")
			}
		}
		return reportHeld(vh, "vhost", observed.Status, fields, problems, result{})
	}
	fqdn := vh.Status.FQDN
	if override.settled {
		if err := r.settleOverride(ctx, vh); err != nil {
			return retry(err)
		}
	}
	var res result
	var sent []string
	if !patch.IsEmpty() {
		accepted, err := r.sendPatch(ctx, api, vh, instanceID, patch)
		if err != nil && accepted {
			return retry(err) // Gandi took it; recording its acceptance failed
		}
		if err != nil {
			return refusedWriteEvent(ctx, vh, r.Events, r.Timing, "update "+strings.Join(fields, ", ")+" of vhost "+fqdn, err, vhostState(api, instanceID, fqdn))
		}
		r.Events.normal(vh, "Updated", "Update", "sent "+strings.Join(fields, ", ")+" to Gandi")
		res.requeue, sent = r.Timing.Transitional, fields
	}
	unconfirmed, purgeRes, ok := r.purgeCache(ctx, api, vh, instanceID)
	if !ok {
		purgeRes.sent = len(sent) > 0
		return purgeRes
	}
	if unconfirmed != nil {
		problems = append([]problem{*unconfirmed}, problems...)
	}
	return reportSynced(vh, "vhost", sent, problems, res)
}

// oneOffRequests is the cache purge the spec asks for (requestsOnObject).
func (e *vhostExternal) oneOffRequests() []oneOffRequest {
	return []oneOffRequest{{effect: effectCachePurge, field: "spec.cachePurgeRequest", value: e.vh.Spec.CachePurgeRequest,
		performed: e.vh.Status.LastCachePurge}}
}

// purgeCache purges once per new spec.cachePurgeRequest (sendOnce: the
// value is recorded, with an optimistic lock, before the purge is sent, so
// neither a stale cache nor a crash repeats it).
func (r *VhostReconciler) purgeCache(ctx context.Context, api vhostAPI, vh *hostingv1alpha1.Vhost, instanceID string) (*problem, result, bool) {
	want := vh.Spec.CachePurgeRequest
	if want == "" || want == vh.Status.LastCachePurge {
		return nil, result{}, true
	}
	if recordedEffect(vh, effectCachePurge) == "" && vh.Status.LastCachePurge != "" {
		// An object from before the durable record: status is the record.
		if err := patchAnnotations(ctx, r.Client, vh, annotationPatch{set: effectRecord(effectCachePurge, vh.Status.LastCachePurge)}); err != nil {
			return nil, retry(err), false
		}
	}
	state, sent, err := performOnce(ctx, r.Client, vh, effectCachePurge, want, func(ctx context.Context) error {
		return api.PurgeVhostCache(ctx, instanceID, vh.Status.FQDN)
	})
	if state == requestPerformed {
		vh.Status.LastCachePurge = want
	}
	if sent {
		r.Events.normal(vh, "CachePurged", "PurgeCache", "purged the cache of "+vh.Status.FQDN+" for request "+want)
	}
	if err != nil && state == requestPerformed {
		return nil, retry(err), false // Gandi purged; recording its acceptance failed
	}
	if err != nil {
		r.Events.warn(vh, classify(err).reason, "PurgeCache", "purge the cache of "+vh.Status.FQDN+": "+err.Error())
		return nil, failed(vh, r.Timing, "purge the cache", err), false
	}
	if state == requestUnconfirmed {
		pr := unconfirmedProblem("the cache purge", want, "spec.cachePurgeRequest")
		return &pr, result{}, true
	}
	return nil, result{}, true
}

// reportVhostDrift says, in Observe mode, how Gandi differs from the spec.
func reportVhostDrift(vh *hostingv1alpha1.Vhost, observed *gandi.Vhost) {
	_, fields, _ := vhostChanges(vh, observed)
	if len(fields) == 0 {
		setCondition(vh, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved,
			"managementPolicy is Observe: the vhost matches the spec; nothing is written to Gandi")
		return
	}
	setCondition(vh, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonDriftDetected,
		"managementPolicy is Observe, nothing is written to Gandi; the vhost differs from the spec in: "+strings.Join(fields, ", "))
}

// stateResult sets Ready and DNSConfigured from what Gandi reports, and
// picks the requeue.
func (r *VhostReconciler) stateResult(vh *hostingv1alpha1.Vhost, observed *gandi.Vhost, res result) result {
	ready, reason, msg, transitional := vhostReadiness(observed)
	setCondition(vh, hostingv1alpha1.ConditionReady, ready, reason, msg)
	dnsOK, dnsReason, dnsMsg := dnsReadiness(vh.Status.DNS)
	setCondition(vh, hostingv1alpha1.ConditionDNSConfigured, dnsOK, dnsReason, dnsMsg)
	return untilStateChanges(r.Timing, r.waitIf(transitional, vh, hostingv1alpha1.ConditionReady), res)
}

func vhostReadiness(v *gandi.Vhost) (ready bool, reason, message string, transitional bool) {
	txt := ""
	if z := v.LinkedDNSZone; z != nil && z.TXT != "" {
		txt = fmt.Sprintf("publish the TXT record %q at %q in the zone %s", z.TXT, z.Key, z.Domain)
	}
	switch v.Status {
	case gandi.VhostRunning:
		if v.Application != nil && v.Application.Status == "error" {
			return false, hostingv1alpha1.ReasonApplicationFailed, "the application " + v.Application.Name + " failed to install at Gandi", false
		}
		if v.Application != nil && v.Application.Status == "being_created" {
			return false, hostingv1alpha1.ReasonCreating, "Gandi is installing the application " + v.Application.Name, true
		}
		return true, hostingv1alpha1.ReasonAvailable, "the vhost is running", false
	case gandi.VhostBeingCreated:
		return false, hostingv1alpha1.ReasonCreating, "Gandi is creating the vhost", true
	case gandi.VhostWaitingOwnership:
		return false, hostingv1alpha1.ReasonWaitingForOwnership, "Gandi waits for proof that you own the domain: " + orDefault(txt, "see status.dns"), false
	case gandi.VhostOwnershipValidated:
		return false, hostingv1alpha1.ReasonOwnershipValidated, "Gandi validated the domain's ownership and is finishing the vhost", true
	case gandi.VhostValidationFailed:
		return false, hostingv1alpha1.ReasonValidationFailed, "Gandi could not validate the domain's ownership: " + orDefault(txt, "see status.dns"), false
	case gandi.VhostLocked:
		return false, hostingv1alpha1.ReasonLocked, "Gandi locked the vhost: contact Gandi support", false
	case gandi.VhostBeingDeleted:
		return false, hostingv1alpha1.ReasonDeleting, "Gandi is deleting the vhost", true
	}
	return false, hostingv1alpha1.ReasonUnknownState, "Gandi reports the unknown state " + v.Status, false
}

// dnsReadiness says whether the zone points at the vhost, and if not which
// records to publish.
func dnsReadiness(d *hostingv1alpha1.VhostDNSStatus) (bool, string, string) {
	if d == nil {
		return false, hostingv1alpha1.ReasonDNSRecordsNeeded, "Gandi reports no DNS information for the vhost yet"
	}
	if d.LastCheckedStatus == "altered" || d.LastCheckedStatus == "livedns_done" {
		return true, hostingv1alpha1.ReasonDNSConfigured, "Gandi found the vhost's records in the zone (" + d.LastCheckedStatus + ")"
	}
	var records []string
	if d.IsRoot {
		if d.IPv4 != "" {
			records = append(records, fmt.Sprintf("A %s %s", d.Key, d.IPv4))
		}
		if d.IPv6 != "" {
			records = append(records, fmt.Sprintf("AAAA %s %s", d.Key, d.IPv6))
		}
	} else if d.CNAME != "" {
		records = append(records, fmt.Sprintf("CNAME %s %s", d.Key, d.CNAME))
	}
	if d.TXT != "" {
		records = append(records, fmt.Sprintf("TXT %s %q", d.Key, d.TXT))
	}
	return false, hostingv1alpha1.ReasonDNSRecordsNeeded, fmt.Sprintf("DNS records needed in the zone %s (last check: %s): %s",
		d.Domain, orDefault(d.LastCheckedStatus, "never"), orDefault(strings.Join(records, "; "), "see status.dns"))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// vhostToStatus writes what Gandi reported into the status.
func vhostToStatus(vh *hostingv1alpha1.Vhost, v *gandi.Vhost) {
	st := &vh.Status
	st.State, st.IsTestVhost, st.HTTPSStrategy = v.Status, v.IsATestVhost, v.HTTPSStrategy
	st.CreatedAt = timeOf(&v.CreatedAt)
	st.Certificates = nil
	for _, c := range v.Certificates {
		st.Certificates = append(st.Certificates, hostingv1alpha1.CertificateStatus{ID: c.ID, Href: c.Href, Pending: c.Pending})
	}
	st.Application = nil
	if a := v.Application; a != nil {
		st.Application = &hostingv1alpha1.ApplicationStatus{Name: a.Name, Status: a.Status}
	}
	st.DNS = nil
	if z := v.LinkedDNSZone; z != nil {
		st.DNS = &hostingv1alpha1.VhostDNSStatus{
			Domain: z.Domain, Key: z.Key, IsRoot: z.IsRoot, CNAME: z.Cname, IPv4: z.IPv4, IPv6: z.IPv6, TXT: z.TXT,
			IsAlterable: z.IsAlterable, AllowAlteration: z.AllowAlteration, LastCheckedStatus: z.LastCheckedStatus,
			LastCheckedAt: timeOf(z.LastCheckedAt),
		}
	}
}
