package controller

import (
	"context"
	"slices"
	"strconv"
	"strings"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// Paid changes of a PaaSInstance (paidchange.go has the rule).
//
// The doc warns that paas.update "is not a free operation" and answers it
// with operations (paas_vm_update, paas_disk_update, ...): the change is
// made when they finish, and a paas.info in between still shows the old
// size. Its paid members, size, quantity (the additional disk) and
// snapshot_profile (the doc counts the profile in the instance's disk,
// datadisk_total_size, which is what disk is billed on), go in a
// paas.update of their own, sent at most once per value; the free ones
// (name, console) are sent beside it, each not again while Gandi may still
// apply it (freechange.go). The XML-RPC client never resends a write on
// its own (paas.isRead).

// The paid members of a paas.update, as the record names them.
const (
	paasPaidSize     = "size"
	paasPaidQuantity = "quantity"
	// paasPaidSnapshot's values are profile IDs, "0" for none.
	paasPaidSnapshot = "snapshot_profile"
)

// paasPaidKeys are the paid members in the record's order.
var paasPaidKeys = []string{paasPaidSize, paasPaidQuantity, paasPaidSnapshot}

// splitPaaSPaid moves the paid members out of up (and their names out of
// fields) and returns them as paidFields, with what info shows.
func splitPaaSPaid(up *paas.PaasUpdateParams, fields []string, info *paas.PaasReturn) (paid []paidField, free []string) {
	size := paidField{key: paasPaidSize, want: up.Size, shown: info.Size}
	quantity := paidField{key: paasPaidQuantity, shown: strconv.Itoa(info.DataDiskAdditionalSize)}
	if up.Quantity != nil {
		quantity.want = strconv.Itoa(*up.Quantity)
	}
	snapshot := paidField{key: paasPaidSnapshot, shown: strconv.Itoa(snapshotProfileID(info))}
	if slices.Contains(fields, paasPaidSnapshot) {
		snapshot.want = "0"
		if id, ok := up.SnapshotProfile.(int); ok {
			snapshot.want = strconv.Itoa(id)
		}
	}
	up.Size, up.Quantity, up.SnapshotProfile = "", nil, nil
	for _, f := range fields {
		if !slices.Contains(paasPaidKeys, f) {
			free = append(free, f)
		}
	}
	return []paidField{size, quantity, snapshot}, free
}

// paasPaidUpdate is the paas.update of plan's sent fields.
func paasPaidUpdate(plan paidPlan, fields []paidField) paas.PaasUpdateParams {
	var up paas.PaasUpdateParams
	for _, f := range fields {
		if !slices.Contains(plan.send, f.key) {
			continue
		}
		switch f.key {
		case paasPaidSize:
			up.Size = f.want
		case paasPaidQuantity:
			n, _ := strconv.Atoi(f.want)
			up.Quantity = gandi.Ptr(n)
		case paasPaidSnapshot:
			up.SnapshotProfile = paas.UnsetSnapshotProfile()
			if n, _ := strconv.Atoi(f.want); n != 0 {
				up.SnapshotProfile = paas.SetSnapshotProfile(n)
			}
		}
	}
	return up
}

// describePaaSPaid names a paid member's wanted value for a person.
func describePaaSPaid(f paidField) string {
	switch {
	case f.key == paasPaidQuantity:
		return "additional disk " + f.want + " GB"
	case f.key == paasPaidSnapshot && f.want == "0":
		return "no snapshot profile"
	case f.key == paasPaidSnapshot:
		return "snapshot profile " + f.want
	}
	return f.key + " " + f.want
}

// sendPaid sends the paid members the spec asks for and Gandi does not
// show, at most once per value (the plan's decidePaid, sendPaid), and adds
// the problems of those on their way or unconfirmed.
func (p *paasPass) sendPaid(ctx context.Context, pp paasPlan) *result {
	pi, id := p.pi, p.info.ID
	plan, paid := pp.paidPlan, pp.paid
	up := paasPaidUpdate(plan, paid)
	accepted, err := sendPaid(ctx, p.r.Client, pi, plan, p.r.clock(), func(ctx context.Context) error {
		_, err := p.api.Update(ctx, id, up)
		return err
	})
	if err != nil && (accepted || len(plan.send) == 0) {
		return halt(retry(err)) // a Kubernetes write: Gandi took the change, or nothing was sent
	}
	what := paidSent(&plan, paid, accepted, describePaaSPaid)
	if err != nil {
		return p.r.refused(pi, "paid change ("+strings.Join(what, ", ")+") of PaaS instance "+strconv.Itoa(id), err)
	}
	if accepted {
		p.r.Events.normal(pi, "Updated", "Update", "sent the paid change ("+strings.Join(what, ", ")+") to Gandi")
		// What this pass read describes the instance from before it.
		p.paidSent = true
	}
	p.problems = append(p.problems, paidProblems(plan, describePaaSPaid)...)
	if paidChangeOnItsWay(pi) {
		p.changeWait = p.r.recheckIn(pi, hostingv1alpha1.ConditionSynced)
	}
	p.changeWait = minPositive(p.changeWait, plan.holdWait(p.r.clock()))
	return nil
}
