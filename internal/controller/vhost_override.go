package controller

import (
	"context"
	"fmt"
	"strings"
	"time"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The override of a Vhost's linked DNS zone.
//
// allow_alteration_override tells Gandi to replace a record already at the
// vhost's key when it writes the vhost's records ("If true we will
// override an existing record for this vhost if one exists. Has no effect
// if zone_alter is false."). It is an instruction about the zone as it is,
// not a setting Gandi shows: its vhost GET reports allow_alteration and
// last_checked_status, never the override. So it is not compared with what
// Gandi shows: it is sent when the spec asks for it (with allowAlteration)
// and Gandi reports livedns_conflict, a record standing where the vhost's
// must go, which it would replace. A spec that turns it on while the zone
// is fine sends nothing: there is nothing to replace, and Synced is
// UpToDate from what Gandi shows.
//
// Replacing someone's record is a side effect: the override is recorded
// before it is sent (effects.hosting.gandi-operator.dev/dns-override,
// "<instance>@<time>": performOnce, its acceptance in the .confirmed
// annotation), and not sent again while the conflict it was sent for
// lasts. Until Gandi checks the zone again after it Synced says Updating;
// if Gandi then still finds the conflict, Conflict (ActionUnconfirmed if
// its acceptance was never seen). The record goes once Gandi shows no
// conflict, or the spec no longer asks for the override: a later conflict,
// or the override asked again (false, then true), sends it once more. The
// instance in the record keeps a record made on another instance (the
// Vhost re-pointed) from holding back the override on this one.

// dnsConflict is the last_checked_status of a zone where a record stands
// at the vhost's key and Gandi may not replace it.
const dnsConflict = "livedns_conflict"

// dnsOverride is what a pass does about linkedDNSZone.allowAlterationOverride.
type dnsOverride struct {
	// send: the PATCH carries linked_dns_zone with the override.
	send bool
	// settled: the record holds nothing back any more; it is removed.
	settled bool
	// problem says why the override the spec asks for is not sent again.
	problem *problem
}

// decideDNSOverride decides from the spec's zone z, the zone Gandi shows,
// the instance the vhost is on, and the override's record and its
// confirmation.
func decideDNSOverride(z *hostingv1alpha1.LinkedDNSZone, shown *gandi.LinkedDNSZone, instanceID, recorded, confirmed string) dnsOverride {
	want := z != nil && z.AllowAlteration && z.AllowAlterationOverride
	conflict := shown != nil && shown.AllowAlteration && shown.LastCheckedStatus == dnsConflict
	on, sentAt := parseOverrideRecord(recorded)
	switch {
	case !want || !conflict:
		return dnsOverride{settled: recorded != ""}
	case recorded == "" || on != instanceID:
		return dnsOverride{send: true}
	case confirmed != recorded:
		p := rotationProblem("the override of the record in conflict with the vhost's (linkedDNSZone.allowAlterationOverride, recorded at "+formatOverrideTime(sentAt)+")",
			"Gandi still reports "+dnsConflict+"; "+overrideAgain)
		return dnsOverride{problem: &p}
	case shown.LastCheckedAt != nil && !shown.LastCheckedAt.Before(sentAt.Add(-clockSkew)):
		return dnsOverride{problem: &problem{hostingv1alpha1.ReasonConflict, fmt.Sprintf(
			"Gandi accepted linkedDNSZone.allowAlterationOverride sent at %s, and checking the zone %s at %s still reports %s: the record at %s was not replaced; it is not sent again while the conflict lasts: replace the record yourself (status.dns says which), or %s",
			formatOverrideTime(sentAt), shown.Domain, shown.LastCheckedAt.UTC().Format(time.RFC3339), dnsConflict, orDefault(shown.Key, "the vhost's key"), overrideAgain)}}
	}
	return dnsOverride{problem: &problem{hostingv1alpha1.ReasonUpdating, fmt.Sprintf(
		"Gandi accepted linkedDNSZone.allowAlterationOverride sent at %s and has not checked the zone since (it reports %s from before): waiting for it to (the override is not sent again)",
		formatOverrideTime(sentAt), dnsConflict)}}
}

// overrideAgain says how to have the override sent again.
const overrideAgain = "set linkedDNSZone.allowAlterationOverride to false, then back to true, to send it again"

// vhostOverride is decideDNSOverride for vh's pass over observed.
func vhostOverride(vh *hostingv1alpha1.Vhost, observed *gandi.Vhost) dnsOverride {
	return decideDNSOverride(vh.Spec.LinkedDNSZone, observed.LinkedDNSZone, vh.Status.InstanceID,
		recordedEffect(vh, effectDNSOverride), vh.GetAnnotations()[confirmedKey(effectDNSOverride)])
}

// carriesOverride says patch asks Gandi to replace a conflicting record:
// whatever else it carries, it is sent as the override is (sendOverride).
func carriesOverride(patch gandi.UpdateVhostRequest) bool {
	z := patch.LinkedDNSZone
	return z != nil && z.AllowAlteration && z.AllowAlterationOverride != nil && *z.AllowAlterationOverride
}

// overrideRecord is the record of an override sent to the vhost on
// instanceID at at.
func overrideRecord(instanceID string, at time.Time) string {
	return instanceID + "@" + at.UTC().Format(time.RFC3339)
}

// parseOverrideRecord is the instance and time of an override record; a
// time that does not parse is zero (a record edited by hand counts as sent
// before any check).
func parseOverrideRecord(record string) (string, time.Time) {
	id, at, _ := strings.Cut(record, "@")
	t, _ := time.Parse(time.RFC3339, at)
	return id, t
}

func formatOverrideTime(t time.Time) string {
	if t.IsZero() {
		return "an unknown time"
	}
	return t.UTC().Format(time.RFC3339)
}

// settleOverride removes the override's record and its confirmation.
func (r *VhostReconciler) settleOverride(ctx context.Context, vh *hostingv1alpha1.Vhost) error {
	p := annotationPatch{remove: []string{effectAnnotationPrefix + effectDNSOverride, confirmedKey(effectDNSOverride)}}
	if err := patchAnnotations(ctx, r.Client, vh, p); err != nil {
		return fmt.Errorf("drop the record of the DNS override: %w", err)
	}
	return nil
}

// sendPatch sends patch; one that carries the override goes once
// (performOnce: recorded before it is sent, confirmed once Gandi accepted
// it). accepted says Gandi took it, whatever the error.
func (r *VhostReconciler) sendPatch(ctx context.Context, api vhostAPI, vh *hostingv1alpha1.Vhost, instanceID string, patch gandi.UpdateVhostRequest) (accepted bool, err error) {
	send := func(ctx context.Context) error { return api.UpdateVhost(ctx, instanceID, vh.Status.FQDN, patch) }
	if !carriesOverride(patch) {
		err := send(ctx)
		return err == nil, err
	}
	state, _, err := performOnce(ctx, r.Client, vh, effectDNSOverride, overrideRecord(instanceID, r.clock()), send)
	return state == requestPerformed, err
}
