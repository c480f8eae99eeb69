package controller

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Paid changes.
//
// Gandi answers an instance PATCH with a 202 (accepted, not done) and
// warns that it "can induce a payment, typically if the instance size or
// storage additional size is modified". A GET a few seconds later can
// still show the old size: sending the resize again because of it pays
// twice. So the paid fields of a PATCH (size, additional storage, booster)
// are a side effect recorded before they are sent, one value per field, in
// effects.hosting.gandi-operator.dev/paid-change ("size=l;storage=50"),
// with the fields Gandi accepted in its .confirmed annotation. A field
// whose recorded value is the one the spec asks for is not sent again:
// while Gandi's acceptance was seen, Synced says the change is on its way
// (Updating); when it was never seen (a lost answer, a crash between the
// record and the answer), it says ActionUnconfirmed, and a person who
// checked at Gandi removes the annotation to have it sent again. Once
// Gandi shows a field's recorded value, its record is dropped, so that a
// later drift (a booster that ended) is corrected by a new send. The
// client does not resend the paid PATCH on its own (gandi.WithoutResend).

// The paid fields of an instance PATCH, as the record names them.
const (
	paidSize    = "size"
	paidStorage = "storage"
	paidBooster = "booster"
)

// paidKeys are the paid fields in the record's order.
var paidKeys = []string{paidSize, paidStorage, paidBooster}

// paidField is one paid field of an instance.
type paidField struct {
	key string
	// want is the value the spec asks for when Gandi does not show it and
	// can take it (instanceChanges put it in the PATCH), "" otherwise.
	want string
	// shown is the value Gandi shows.
	shown string
}

// paidPlan is what one pass does with the paid fields.
type paidPlan struct {
	// send are the keys to send, each at its field's want.
	send []string
	// record and confirmed are the annotations as this pass leaves them
	// before the answer: fields Gandi shows dropped, fields sent recorded
	// and not (yet) confirmed.
	record, confirmed string
	// waiting were sent and accepted, and Gandi does not show them yet;
	// unconfirmed were sent, maybe, and their acceptance was never seen.
	// Neither is sent again.
	waiting, unconfirmed []paidField
}

// decidePaidChange plans the paid fields of a pass from their record, its
// confirmation and what the spec and Gandi say of each field.
func decidePaidChange(recorded, confirmed string, fields []paidField) paidPlan {
	rec, conf := parsePaid(recorded), parsePaid(confirmed)
	var plan paidPlan
	for _, f := range fields {
		v, sent := rec[f.key]
		if sent && v == f.shown {
			// Gandi shows it: settled. A later drift is a new change.
			delete(rec, f.key)
			sent = false
		}
		if !sent {
			delete(conf, f.key)
		}
		switch {
		case f.want == "":
		case sent && v == f.want && conf[f.key] == v:
			plan.waiting = append(plan.waiting, f)
		case sent && v == f.want:
			plan.unconfirmed = append(plan.unconfirmed, f)
		default:
			rec[f.key] = f.want
			delete(conf, f.key)
			plan.send = append(plan.send, f.key)
		}
	}
	plan.record, plan.confirmed = formatPaid(rec), formatPaid(conf)
	return plan
}

// withAccepted is confirmed with the sent fields of plan added: the
// confirmation once Gandi accepted the PATCH.
func (p paidPlan) withAccepted() string {
	rec, conf := parsePaid(p.record), parsePaid(p.confirmed)
	for _, k := range p.send {
		conf[k] = rec[k]
	}
	return formatPaid(conf)
}

func parsePaid(s string) map[string]string {
	out := map[string]string{}
	for part := range strings.SplitSeq(s, ";") {
		if k, v, ok := strings.Cut(part, "="); ok {
			out[k] = v
		}
	}
	return out
}

func formatPaid(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range paidKeys {
		if v, ok := m[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, ";")
}

// splitPaid moves the paid fields out of patch (and their names out of
// fields) and returns them as paidFields, with what inst shows.
func splitPaid(patch *gandi.UpdateInstanceRequest, fields []string, inst *gandi.Instance) (paid []paidField, booster *gandi.BoosterOptions, free []string) {
	size := paidField{key: paidSize, want: patch.Size, shown: inst.Size}
	storage := paidField{key: paidStorage, shown: strconv.FormatInt(additionalStorageGB(inst), 10)}
	if patch.StorageAdditionalSize != nil {
		storage.want = strconv.Itoa(*patch.StorageAdditionalSize)
	}
	boost := paidField{key: paidBooster, shown: strconv.FormatBool(boosterRunning(inst))}
	if patch.Booster != nil {
		boost.want = strconv.FormatBool(*patch.Booster)
	}
	booster = patch.BoosterOptions
	patch.Size, patch.StorageAdditionalSize, patch.Booster, patch.BoosterOptions = "", nil, nil, nil
	for _, f := range fields {
		if f != "size" && f != "storage_additional_size" && f != "booster" {
			free = append(free, f)
		}
	}
	return []paidField{size, storage, boost}, booster, free
}

// paidPatch is the PATCH of plan's sent fields.
func paidPatch(plan paidPlan, fields []paidField, booster *gandi.BoosterOptions) gandi.UpdateInstanceRequest {
	var p gandi.UpdateInstanceRequest
	for _, f := range fields {
		if !slices.Contains(plan.send, f.key) {
			continue
		}
		switch f.key {
		case paidSize:
			p.Size = f.want
		case paidStorage:
			n, _ := strconv.Atoi(f.want)
			p.StorageAdditionalSize = gandi.Ptr(n)
		case paidBooster:
			on, _ := strconv.ParseBool(f.want)
			p.Booster = gandi.Ptr(on)
			if on {
				p.BoosterOptions = booster
			}
		}
	}
	return p
}

// sendPaid sends the paid fields plan says to send, at most once per
// value (sendOnceWith: recorded with an optimistic lock before the PATCH,
// taken back only when Gandi certainly did not act), and never resent by
// the client (gandi.WithoutResend). accepted says Gandi took the PATCH; an
// error beside it is the confirmation's write.
func sendPaid(ctx context.Context, c client.Client, hi *hostingv1alpha1.HostingInstance, plan paidPlan, send func(context.Context) error) (accepted bool, err error) {
	if len(plan.send) == 0 {
		return false, settlePaid(ctx, c, hi, plan)
	}
	also := map[string]string{confirmedKey(effectPaidChange): plan.confirmed}
	outcome, err := sendOnceWith(ctx, c, hi, effectPaidChange, plan.record, also, func() error {
		return send(gandi.WithoutResend(ctx))
	})
	if outcome != effectSent {
		return false, err
	}
	return true, confirmAccepted(ctx, c, hi, effectPaidChange, plan.withAccepted())
}

// settlePaid writes a record that only lost the fields Gandi now shows.
func settlePaid(ctx context.Context, c client.Client, hi client.Object, plan paidPlan) error {
	var p annotationPatch
	for key, value := range map[string]string{effectAnnotationPrefix + effectPaidChange: plan.record, confirmedKey(effectPaidChange): plan.confirmed} {
		current, ok := hi.GetAnnotations()[key]
		switch {
		case value == "" && ok:
			p.remove = append(p.remove, key)
		case value != "" && current != value:
			if p.set == nil {
				p.set = map[string]string{}
			}
			p.set[key] = value
		}
	}
	if p.set == nil && p.remove == nil {
		return nil
	}
	return patchAnnotations(ctx, c, hi, p)
}

// paidChangeOnItsWay says Gandi accepted a paid change it does not show
// yet: the instance is then read by its GET, soon (Timing.Transitional),
// as in a transitional state. The list does not show every paid field (not
// the booster), and the operator waits for nothing else. A change whose
// acceptance was never seen is not waited for so: it may never come.
func paidChangeOnItsWay(hi client.Object) bool {
	return hi.GetAnnotations()[confirmedKey(effectPaidChange)] != ""
}

// paidProblems are the status problems of the fields plan holds back.
func paidProblems(plan paidPlan) []problem {
	out := make([]problem, 0, len(plan.unconfirmed)+len(plan.waiting))
	for _, f := range plan.unconfirmed {
		out = append(out, rotationProblem("the paid change to "+describePaid(f),
			"check at Gandi that it was not made, then remove the annotation "+effectAnnotationPrefix+effectPaidChange+" to send it again (it can induce a payment)"))
	}
	for _, f := range plan.waiting {
		out = append(out, problem{hostingv1alpha1.ReasonUpdating,
			"Gandi accepted the paid change to " + describePaid(f) + "; waiting for the instance to show it (it is not sent again)"})
	}
	return out
}

// describePaid names a paid field's wanted value for a person.
func describePaid(f paidField) string {
	switch f.key {
	case paidStorage:
		return "additional storage " + f.want + " GB"
	case paidBooster:
		if on, _ := strconv.ParseBool(f.want); on {
			return "booster on"
		}
		return "booster off"
	}
	return f.key + " " + f.want
}
