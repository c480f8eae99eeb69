package controller

import (
	"slices"
	"strconv"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Paid changes of a HostingInstance (paidchange.go has the rule).
//
// Gandi answers an instance PATCH with a 202 (accepted, not done) and
// warns that it "can induce a payment, typically if the instance size or
// storage additional size is modified". A GET a few seconds later can
// still show the old size: sending the resize again because of it pays
// twice. So the paid fields of a PATCH (size, additional storage, booster,
// and the size of a running boost: booster_options alone)
// are a side effect recorded before they are sent, one value per field, in
// effects.hosting.gandi-operator.dev/paid-change ("size=l;storage=50"),
// with the fields Gandi accepted in its .confirmed annotation. A field
// whose recorded value is the one the spec asks for is not sent again:
// while Gandi's acceptance was seen, Synced says the change is on its way
// (Updating); when it was never seen (a lost answer, a crash between the
// record and the answer), it says ActionUnconfirmed, and a person who
// checked at Gandi removes the annotation to have it sent again. Once
// Gandi shows a field's recorded value, its record is dropped, so that a
// later drift is corrected by a new send; not a booster that ended, which
// hostinginstance_booster.go holds back (one boost per turn-on). The
// client does not resend the paid PATCH on its own (gandi.WithoutResend).

// The paid fields of an instance PATCH, as the record names them.
const (
	paidSize    = "size"
	paidStorage = "storage"
	paidBooster = "booster"
	// paidBoostSize is the size of the boost Gandi shows running
	// (booster_options sent alone); the size asked with booster:true goes
	// with that turn-on, under paidBooster.
	paidBoostSize = "booster-size"
)

// paidKeys are the paid fields in the record's order.
var paidKeys = []string{paidSize, paidStorage, paidBooster, paidBoostSize}

// decidePaidChange plans an instance's paid fields (decidePaid).
func decidePaidChange(recorded, confirmed string, hold paidHold, fields []paidField) paidPlan {
	return decidePaid(paidKeys, recorded, confirmed, hold, fields)
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
	boostSize := paidField{key: paidBoostSize, shown: runningBoostSize(inst)}
	switch {
	case patch.Booster != nil:
		boost.want = strconv.FormatBool(*patch.Booster)
		booster = patch.BoosterOptions
	case patch.BoosterOptions != nil:
		boostSize.want = patch.BoosterOptions.Size
	}
	patch.Size, patch.StorageAdditionalSize, patch.Booster, patch.BoosterOptions = "", nil, nil, nil
	for _, f := range fields {
		if f != "size" && f != "storage_additional_size" && f != "booster" && f != "booster_options" {
			free = append(free, f)
		}
	}
	return []paidField{size, storage, boost, boostSize}, booster, free
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
		case paidBoostSize:
			p.BoosterOptions = &gandi.BoosterOptions{Size: f.want}
		}
	}
	return p
}

// describePaid names a paid field's wanted value for a person.
func describePaid(f paidField) string {
	switch f.key {
	case paidStorage:
		return "additional storage " + f.want + " GB"
	case paidBoostSize:
		return "the running boost's size " + f.want
	case paidBooster:
		if on, _ := strconv.ParseBool(f.want); on {
			return "booster on"
		}
		return "booster off"
	}
	return f.key + " " + f.want
}
