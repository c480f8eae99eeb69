package controller

import "slices"

// fieldPlan is what a Manage pass would send of an object's compared
// fields, decided from the spec, what Gandi shows and this object's
// records before anything is sent. A pass that sends nothing reports from
// it too: one in Observe (drift) and one that finds the object in a state
// Gandi takes no changes in (reportHeld). So all three say what Manage
// would do, not every difference between the spec and Gandi: a paid change
// accepted and not shown yet, or a boost delivered and ended, is neither
// drift nor a change waiting.
type fieldPlan struct {
	// freeFields are the names of the free fields to send; free decided
	// them (freechange.go): those Gandi accepted and does not show yet are
	// out of the request, and freeWaits says they are on their way.
	freeFields []string
	free       freeDecision
	freeWaits  []problem
	// paid are the paid fields (paidchange.go), paidPlan what is done
	// with them.
	paid     []paidField
	paidPlan paidPlan
	// unsupported are the differences Gandi cannot apply.
	unsupported []problem
}

// changes names the fields the plan sends, free and paid, or holds until
// its paid hold is over (a difference it will send); field names a paid
// record key as the kind's request does.
func (p fieldPlan) changes(field func(key string) string) []string {
	out := slices.Clone(p.freeFields)
	held := func(key string) bool {
		return slices.ContainsFunc(p.paidPlan.held, func(f paidField) bool { return f.key == key })
	}
	for _, f := range p.paid {
		if slices.Contains(p.paidPlan.send, f.key) || held(f.key) {
			out = append(out, field(f.key))
		}
	}
	return out
}

// waits are the problems of a pass that sends nothing: the differences
// Gandi cannot apply, the free changes on their way, and the paid ones on
// their way or unconfirmed, each named by describe.
func (p fieldPlan) waits(describe func(paidField) string) []problem {
	out := append(slices.Clone(p.unsupported), p.freeWaits...)
	return append(out, paidProblems(p.paidPlan, describe)...)
}

// decideFreeFields decides the free fields of a plan (decideFree) for a
// what (instance): want are those that differ, described for a person by
// describe.
func (p *fieldPlan) decideFreeFields(what string, want []freeField, v freeView, describe func(freeField) string) {
	p.free = decideFree(want, v)
	p.freeFields = freeKeys(p.free.send)
	p.freeWaits = p.free.problems(what, v, describe)
}
