package controller

import (
	"slices"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// planCase is a HostingInstance and what Gandi shows of it, for the
// reports of passes that send nothing.
type planCase struct {
	name     string
	spec     func(*hostingv1alpha1.HostingInstance)
	observed func(*gandi.Instance)
	reason   string
	says     string // a part of the Synced message, "" for none checked
}

func planned(t *testing.T, c planCase, policy hostingv1alpha1.ManagementPolicy) (*hostingv1alpha1.HostingInstance, instancePlan) {
	t.Helper()
	hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "site", Generation: 2}, Spec: hostingv1alpha1.HostingInstanceSpec{
		ManagedFields: hostingv1alpha1.ManagedFields{ManagementPolicy: policy},
		Size:          "starter",
	}}
	inst := &gandi.Instance{ID: "i", Name: "site", Status: gandi.InstanceActive, Size: "starter",
		Storage: &gandi.Storage{Additional: &gandi.Quantity{Value: 0, Unit: "GB"}}}
	if c.spec != nil {
		c.spec(hi)
	}
	if c.observed != nil {
		c.observed(inst)
	}
	return hi, planInstance(hi, inst, freeView{}, readPaidHold(hi, planNow, time.Minute))
}

// planNow is the time of the passes planned; their paid hold's grace is
// a minute.
var planNow = time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)

// heldSince records a paid hold that began ago before planNow.
func heldSince(ago time.Duration) func(*hostingv1alpha1.HostingInstance) {
	return func(hi *hostingv1alpha1.HostingInstance) {
		annotateWith(hi, paidHoldKey, planNow.Add(-ago).Format(time.RFC3339Nano))
	}
}

func checkSynced(t *testing.T, hi *hostingv1alpha1.HostingInstance, c planCase) {
	t.Helper()
	got := meta.FindStatusCondition(hi.Status.Conditions, hostingv1alpha1.ConditionSynced)
	if got == nil || got.Reason != c.reason || !strings.Contains(got.Message, c.says) || got.ObservedGeneration != hi.Generation {
		t.Fatalf("Synced = %+v; want reason %s saying %q", got, c.reason, c.says)
	}
}

const ended = "2026-12-14T03:00:00Z"

// boostEnded shows a boost that ran and ended: no current one, and Gandi
// does not offer the next one yet.
func boostEnded(i *gandi.Instance) {
	i.Booster = &gandi.Booster{Next: &gandi.BoosterNext{Available: false}}
}

func annotateWith(hi *hostingv1alpha1.HostingInstance, kv ...string) {
	if hi.Annotations == nil {
		hi.Annotations = map[string]string{}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		hi.Annotations[kv[i]] = kv[i+1]
	}
}

// Observe reports as drift only what a Manage pass would act on.
func TestReportDrift(t *testing.T) {
	boosterOn := func(hi *hostingv1alpha1.HostingInstance) {
		hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
	}
	for _, c := range []planCase{
		{name: "in sync", reason: hostingv1alpha1.ReasonObserved},
		{name: "a boost bought for spec.booster ran and ended: delivered, not drift",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				boosterOn(hi)
				annotateWith(hi, effectAnnotationPrefix+effectBooster, boosterDelivered+":"+ended)
			},
			observed: boostEnded, reason: hostingv1alpha1.ReasonObserved, says: "ran until " + ended},
		{name: "a booster Gandi does not offer now: Manage waits, not drift",
			spec: boosterOn, observed: boostEnded, reason: hostingv1alpha1.ReasonObserved},
		{name: "a booster asked for, never bought, offered: drift",
			spec: boosterOn, reason: hostingv1alpha1.ReasonDriftDetected, says: "booster"},
		{name: "storage the spec leaves out on an instance with extra storage: not managed",
			observed: func(i *gandi.Instance) { i.Storage.Additional.Value = 20 }, reason: hostingv1alpha1.ReasonObserved},
		{name: "storage the spec sets below what the instance has: drift Gandi cannot apply",
			spec:     func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](10) },
			observed: func(i *gandi.Instance) { i.Storage.Additional.Value = 20 }, reason: hostingv1alpha1.ReasonDriftDetected, says: "cannot shrink"},
		{name: "more storage: drift",
			spec:   func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](30) },
			reason: hostingv1alpha1.ReasonDriftDetected, says: "storage_additional_size"},
		{name: "a paid change Gandi accepted and does not show yet (sent before Observe): not sent again, not drift",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](30)
				annotateWith(hi, effectAnnotationPrefix+effectPaidChange, "storage=30", confirmedKey(effectPaidChange), "storage=30")
			},
			reason: hostingv1alpha1.ReasonObserved},
		{name: "more storage held after taking hold: drift, which Manage sends once the grace is over",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](30)
				heldSince(10 * time.Second)(hi)
			},
			reason: hostingv1alpha1.ReasonDriftDetected, says: "storage_additional_size"},
	} {
		t.Run(c.name, func(t *testing.T) {
			hi, plan := planned(t, c, hostingv1alpha1.ManagementPolicyObserve)
			reportDrift(hi, plan)
			checkSynced(t, hi, c)
		})
	}
}

// A pass that finds the instance in a state Gandi takes no changes in
// still says whether the spec differs.
func TestReportInstanceHeld(t *testing.T) {
	for _, c := range []planCase{
		{name: "nothing differs: UpToDate", reason: hostingv1alpha1.ReasonUpToDate, says: "matches the spec"},
		{name: "a free field differs: waits for the state, named",
			spec:   func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.SnapshotEnabled = ptrTo(true) },
			reason: hostingv1alpha1.ReasonWaitingForState, says: "while it is locked; not sent until it leaves that state: snapshot_enabled"},
		{name: "a paid field differs: named too",
			spec:   func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](30) },
			reason: hostingv1alpha1.ReasonWaitingForState, says: "storage_additional_size"},
		{name: "a new action request waits too",
			spec:   func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.RestartRequest = "r1" },
			reason: hostingv1alpha1.ReasonWaitingForState, says: "spec.restartRequest"},
		{name: "an action request already performed is no difference",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.RestartRequest = "r1"
				hi.Status.LastActions = &hostingv1alpha1.LastActions{Restart: "r1"}
			},
			reason: hostingv1alpha1.ReasonUpToDate},
		{name: "what needs the user comes first",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.SnapshotEnabled = ptrTo(true)
				hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](10)
			},
			observed: func(i *gandi.Instance) { i.Storage.Additional.Value = 20 },
			reason:   hostingv1alpha1.ReasonUnsupportedChange, says: "cannot shrink storage; Gandi takes no changes to the instance while it is locked"},
		{name: "a paid change Gandi accepted and does not show: on its way, not waiting",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](30)
				annotateWith(hi, effectAnnotationPrefix+effectPaidChange, "storage=30", confirmedKey(effectPaidChange), "storage=30")
			},
			reason: hostingv1alpha1.ReasonUpdating, says: "Gandi accepted the paid change to additional storage 30 GB"},
		{name: "a paid change held after taking hold: waits for the state, and says until when it is held",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.StorageAdditionalSizeGB = ptrTo[int32](30)
				heldSince(10 * time.Second)(hi)
			},
			reason: hostingv1alpha1.ReasonWaitingForState,
			says:   "the paid change to additional storage 30 GB waits until 2026-12-02T10:00:50Z"},
		{name: "a boost delivered and ended is no difference",
			spec: func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
				annotateWith(hi, effectAnnotationPrefix+effectBooster, boosterDelivered)
			},
			observed: boostEnded, reason: hostingv1alpha1.ReasonUpToDate, says: "it is not bought again"},
	} {
		t.Run(c.name, func(t *testing.T) {
			orig := c.observed
			c.observed = func(i *gandi.Instance) {
				i.Status = gandi.InstanceLocked
				if orig != nil {
					orig(i)
				}
			}
			hi, plan := planned(t, c, hostingv1alpha1.ManagementPolicyManage)
			// What an earlier pass left: UpToDate for generation 1.
			hi.Status.Conditions = []metav1.Condition{{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionTrue,
				Reason: hostingv1alpha1.ReasonUpToDate, Message: "the instance matches the spec", ObservedGeneration: 1}}
			res := reportInstanceHeld(hi, gandi.InstanceLocked, plan)
			checkSynced(t, hi, c)
			if res.sent {
				t.Fatal("a held pass sends nothing")
			}
		})
	}
}

// The size of a boost Gandi shows running is a paid change of its own
// (booster_options alone): sent once per value, and settled by what Gandi
// shows, or by the boost's end, which takes the size with it.
func TestPlanBoostResize(t *testing.T) {
	paidRecord := effectAnnotationPrefix + effectPaidChange
	keys := func(fs []paidField) []string {
		out := make([]string, 0, len(fs))
		for _, f := range fs {
			out = append(out, f.key)
		}
		return out
	}
	delivered := func(hi *hostingv1alpha1.HostingInstance) {
		annotateWith(hi, effectAnnotationPrefix+effectBooster, boosterDelivered)
	}
	for _, c := range []struct {
		name     string
		records  []string
		observed func(*gandi.Instance)
		send     []string
		record   string
		waiting  []string
		unconf   []string
	}{
		{name: "the running boost is starter, the spec pro: sent alone, recorded",
			observed: boosting("starter"), send: []string{paidBoostSize}, record: "booster-size=pro"},
		{name: "accepted and not shown yet: waits, not sent again",
			records:  []string{paidRecord, "booster-size=pro", confirmedKey(effectPaidChange), "booster-size=pro"},
			observed: boosting("starter"), record: "booster-size=pro", waiting: []string{paidBoostSize}},
		{name: "its answer lost: unconfirmed, not sent again",
			records:  []string{paidRecord, "booster-size=pro"},
			observed: boosting("starter"), record: "booster-size=pro", unconf: []string{paidBoostSize}},
		{name: "Gandi shows it: settled",
			records:  []string{paidRecord, "booster-size=pro", confirmedKey(effectPaidChange), "booster-size=pro"},
			observed: boosting("pro")},
		{name: "the boost ended before showing it: the size went with it, settled, nothing bought",
			records:  []string{paidRecord, "booster-size=pro", confirmedKey(effectPaidChange), "booster-size=pro"},
			observed: boostEnded},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, plan := planned(t, planCase{spec: func(hi *hostingv1alpha1.HostingInstance) {
				boostOf("pro")(hi)
				delivered(hi)
				annotateWith(hi, c.records...)
			}, observed: c.observed}, hostingv1alpha1.ManagementPolicyManage)
			p := plan.paidPlan
			if !equalKeys(p.send, c.send) || p.record != c.record || !equalKeys(keys(p.waiting), c.waiting) || !equalKeys(keys(p.unconfirmed), c.unconf) {
				t.Fatalf("send %v record %q waiting %v unconfirmed %v", p.send, p.record, keys(p.waiting), keys(p.unconfirmed))
			}
			patch := paidPatch(p, plan.paid, plan.boosterOptions)
			if len(c.send) > 0 && (patch.Booster != nil || patch.BoosterOptions == nil || patch.BoosterOptions.Size != "pro") {
				t.Fatalf("PATCH %+v: booster_options.size pro alone", patch)
			}
			if len(c.send) == 0 && !patch.IsEmpty() {
				t.Fatalf("PATCH %+v: nothing to send", patch)
			}
			if got := plan.changes(); len(c.send) > 0 && !slices.Contains(got, "booster_options.size") {
				t.Fatalf("changes %v: the resize is named as the PATCH names it", got)
			}
		})
	}
}
