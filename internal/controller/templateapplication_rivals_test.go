package controller

import (
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

const (
	nsRecords   = "dns:records"
	nsMailboxes = "domain:mailboxes"
	nsWebredirs = "domain:webredirs"
)

// TestHeldBackBy pins which of the TemplateApplications on one domain
// manages what they write, and why the others are held back.
func TestHeldBackBy(t *testing.T) {
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	type mod func(*applicationView)
	recorded := func(v *applicationView) { v.recorded = true }
	running := func(v *applicationView) { v.recorded, v.running = true, true }
	applied := func(v *applicationView) { v.recorded, v.applied = true, true }
	covers := func(v *applicationView) { v.recorded, v.applied, v.covers = true, true, true }
	// view is an application created at base+age seconds.
	view := func(name string, age int, tpl string, namespaces []string, mods ...mod) applicationView {
		v := applicationView{
			obj: &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{
				Namespace: "shop", Name: name, UID: types.UID(name),
				CreationTimestamp: metav1.NewTime(base.Add(time.Duration(age) * time.Second)),
			}},
			templateID: tpl, namespaces: namespaces,
		}
		for _, m := range mods {
			m(&v)
		}
		return v
	}
	ns := func(n ...string) []string { return n }

	for _, tc := range []struct {
		name   string
		self   applicationView
		others []applicationView
		// holder is the name of the application holding self back, ""
		// for none; msg what the message says of it.
		holder string
		msg    []string
	}{
		{name: "alone", self: view("b", 2, "tpl-1", ns(nsRecords))},
		{name: "same template, the older first", self: view("b", 2, "tpl-1", ns(nsRecords)), others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords))},
			holder: "a", msg: []string{"the same template (tpl-1, writing dns:records)", "it is older"}},
		{name: "same template, self older", self: view("a", 1, "tpl-1", ns(nsRecords)), others: []applicationView{view("b", 2, "tpl-1", ns(nsRecords))}},
		{name: "same template, no namespace known: still one configuration applied twice", self: view("b", 2, "tpl-1", nil), others: []applicationView{view("a", 1, "tpl-1", nil)},
			holder: "a", msg: []string{"the same template (tpl-1)"}},
		{name: "another template writing one namespace too", self: view("b", 2, "tpl-2", ns(nsRecords, nsMailboxes)), others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords))},
			holder: "a", msg: []string{"writes dns:records, as this one's template would"}},
		{name: "another template writing other namespaces: both apply", self: view("b", 2, "tpl-2", ns(nsMailboxes)), others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords, nsWebredirs))}},
		{name: "another template whose namespaces are not known yet", self: view("b", 2, "tpl-2", ns(nsRecords)), others: []applicationView{view("a", 1, "", nil)}},
		{name: "one that applied comes first, though younger", self: view("a", 1, "tpl-1", ns(nsRecords)), others: []applicationView{view("b", 2, "tpl-2", ns(nsRecords), applied)},
			holder: "b", msg: []string{"it has applied there"}},
		{name: "self applied, the older one did not", self: view("b", 2, "tpl-2", ns(nsRecords), applied), others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords))}},
		{name: "one whose apply covers what it writes comes before one whose template now writes more", self: view("a", 1, "tpl-1", ns(nsMailboxes, nsRecords), applied),
			others: []applicationView{view("b", 2, "tpl-2", ns(nsRecords), covers)}, holder: "b", msg: []string{"its last apply there wrote all it writes"}},
		{name: "both applied there (they fought before): the older", self: view("b", 2, "tpl-2", ns(nsRecords), covers), others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords), covers)},
			holder: "a", msg: []string{"it is older"}},
		{name: "a recorded apply, maybe in flight, comes before age", self: view("a", 1, "tpl-1", ns(nsRecords)), others: []applicationView{view("b", 2, "tpl-2", ns(nsRecords), recorded)},
			holder: "b", msg: []string{"its apply there is recorded"}},
		{name: "the same age: the name decides", self: view("b", 1, "tpl-2", ns(nsRecords)), others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords))},
			holder: "a", msg: []string{"it is as old and its name sorts first"}},
		{name: "the same age, self's name first", self: view("a", 1, "tpl-2", ns(nsRecords)), others: []applicationView{view("b", 1, "tpl-1", ns(nsRecords))}},
		{name: "an application held back holds nobody back", self: view("c", 3, "tpl-3", ns(nsMailboxes)),
			others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords)), view("b", 2, "tpl-2", ns(nsRecords, nsMailboxes))}},
		{name: "one held back whose apply there may still run holds back what it writes (two that raced, both sent)", self: view("c", 3, "tpl-3", ns(nsMailboxes)),
			others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords), recorded), view("b", 2, "tpl-2", ns(nsRecords, nsMailboxes), running)},
			holder: "b", msg: []string{"writes domain:mailboxes"}},
		{name: "once its apply is over, it holds nobody back", self: view("c", 3, "tpl-3", ns(nsMailboxes)),
			others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords), recorded), view("b", 2, "tpl-2", ns(nsRecords, nsMailboxes), recorded)}},
		{name: "held by the first manager that writes what self writes", self: view("d", 4, "tpl-4", ns(nsMailboxes, nsWebredirs)),
			others: []applicationView{view("a", 1, "tpl-1", ns(nsRecords)), view("c", 3, "tpl-3", ns(nsWebredirs)), view("b", 2, "tpl-2", ns(nsMailboxes))},
			holder: "b", msg: []string{"writes domain:mailboxes"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			holder, held := heldBackBy(tc.self, tc.others)
			if got := holder.obj; (tc.holder == "") != !held || (held && got.GetName() != tc.holder) {
				t.Fatalf("heldBackBy = %v, %v; want %q", got, held, tc.holder)
			}
			if !held {
				return
			}
			msg := heldBackMessage(tc.self, holder, domainRef{id: "dom-1", fqdn: "example.com"})
			for _, want := range append(tc.msg, "shop/"+tc.holder+" already manages this on domain example.com (dom-1)", "sends nothing") {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not say %q", msg, want)
				}
			}
		})
	}
}

// TestDomainRef pins when two TemplateApplications name one domain.
func TestDomainRef(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b domainRef
		same bool
	}{
		{name: "one ID", a: domainRef{id: "dom-1"}, b: domainRef{id: "dom-1", fqdn: "example.com"}, same: true},
		{name: "two IDs", a: domainRef{id: "dom-1", fqdn: "example.com"}, b: domainRef{id: "dom-2", fqdn: "example.com"}},
		{name: "one name, one resolved", a: domainRef{fqdn: "example.com"}, b: domainRef{id: "dom-1", fqdn: "example.com"}, same: true},
		{name: "two names", a: domainRef{fqdn: "example.com"}, b: domainRef{fqdn: "example.net"}},
		{name: "an ID and a name not resolved yet: not known to be one", a: domainRef{id: "dom-1"}, b: domainRef{fqdn: "example.com"}},
		{name: "nothing known", a: domainRef{}, b: domainRef{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.a.same(tc.b); got != tc.same || tc.b.same(tc.a) != got {
				t.Errorf("same = %v, want %v (both ways)", got, tc.same)
			}
		})
	}

	for in, want := range map[string]string{
		"example.com": "example.com", "café.example": "xn--caf-dma.example", "xn--caf-dma.example": "xn--caf-dma.example",
		"CAFÉ.Example.": "xn--caf-dma.example", "": "", "-bad-.example": "",
	} {
		if got := normalizedFQDN(in); got != want {
			t.Errorf("normalizedFQDN(%q) = %q, want %q", in, got, want)
		}
	}

	ta := func(domain, domainID, statusID string, observed int64) *hostingv1alpha1.TemplateApplication {
		return &hostingv1alpha1.TemplateApplication{
			ObjectMeta: metav1.ObjectMeta{Generation: 2},
			Spec:       hostingv1alpha1.TemplateApplicationSpec{Domain: domain, DomainID: domainID},
			Status:     hostingv1alpha1.TemplateApplicationStatus{DomainID: statusID, ObservedGeneration: observed},
		}
	}
	for _, tc := range []struct {
		name string
		ta   *hostingv1alpha1.TemplateApplication
		want domainRef
	}{
		{name: "spec.domainID", ta: ta("", "dom-1", "dom-1", 2), want: domainRef{id: "dom-1"}},
		{name: "spec.domain resolved for this spec", ta: ta("café.example", "", "dom-1", 2), want: domainRef{id: "dom-1", fqdn: "xn--caf-dma.example"}},
		{name: "spec.domain changed since it was resolved: the former domain's ID is not this one's", ta: ta("example.net", "", "dom-1", 1), want: domainRef{fqdn: "example.net"}},
		{name: "spec.domain not resolved yet", ta: ta("example.com", "", "", 0), want: domainRef{fqdn: "example.com"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := domainOf(tc.ta); got != tc.want {
				t.Errorf("domainOf = %+v, want %+v", got, tc.want)
			}
		})
	}
}

// TestApplicationView pins what of an application's own applies ranks it
// on a domain: recorded is what it sent, applied what Gandi showed
// performed, as the status shows it. Only the operator writes the status,
// so a copy carrying another object's record, or a record written by
// hand, has recorded, never applied.
func TestApplicationView(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	earlier := metav1.NewTime(at.Add(-time.Hour))
	record := func(r applyRecord) map[string]string {
		if r.At.IsZero() {
			r.At = at.Time
		}
		v, err := r.encode()
		if err != nil {
			t.Fatal(err)
		}
		return effectRecord(effectApply, v)
	}
	// shown is a status that shows an apply at when, of hash, with its
	// dispatch (nil: none) in state.
	shown := func(when *metav1.Time, hash, dispatch string, state hostingv1alpha1.DispatchState) hostingv1alpha1.TemplateApplicationStatus {
		st := hostingv1alpha1.TemplateApplicationStatus{DomainID: "dom-1", AppliedAt: when, AppliedPayloadHash: hash}
		if dispatch != "" {
			st.Dispatch = &hostingv1alpha1.DispatchStatus{ID: dispatch, State: state}
		}
		return st
	}
	done := shown(&at, "sha256:a", "d1", hostingv1alpha1.DispatchDone)
	ta := func(ann map[string]string, st hostingv1alpha1.TemplateApplicationStatus) *hostingv1alpha1.TemplateApplication {
		return &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Annotations: ann}, Status: st}
	}
	mine := applyRecord{PayloadHash: "sha256:a", Outcome: outcomeDispatched, DispatchID: "d1", TemplateID: "tpl-1", DomainID: "dom-1", Namespaces: []string{nsRecords, nsMailboxes}}
	with := func(change func(*applyRecord)) applyRecord { r := mine; change(&r); return r }
	for _, tc := range []struct {
		name                      string
		ta                        *hostingv1alpha1.TemplateApplication
		namespaces                []string
		recorded, applied, covers bool
	}{
		{name: "never applied", ta: ta(nil, hostingv1alpha1.TemplateApplicationStatus{DomainID: "dom-1"}), namespaces: []string{nsRecords}},
		{name: "applied there what it writes, its dispatch done", ta: ta(record(mine), done), namespaces: []string{nsRecords}, recorded: true, applied: true, covers: true},
		{name: "applied there, its template now writes more", ta: ta(record(mine), done), namespaces: []string{nsRecords, nsWebredirs}, recorded: true, applied: true},
		{name: "sent, Gandi shows its dispatch pending: recorded, not applied", ta: ta(record(mine), shown(nil, "", "d1", hostingv1alpha1.DispatchPending)),
			namespaces: []string{nsRecords}, recorded: true},
		{name: "sent, its dispatch failed: recorded, not applied", ta: ta(record(mine), shown(nil, "", "d1", hostingv1alpha1.DispatchError)),
			namespaces: []string{nsRecords}, recorded: true},
		{name: "sent again, the status shows the earlier apply performed: not this one", ta: ta(record(with(func(r *applyRecord) { r.PayloadHash, r.DispatchID = "sha256:b", "d2" })),
			shown(&earlier, "sha256:a", "d2", hostingv1alpha1.DispatchRunning)), namespaces: []string{nsRecords}, recorded: true},
		{name: "status of an earlier version, which wrote applied* when Gandi accepted: its dispatch failed", ta: ta(record(mine), shown(&at, "sha256:a", "d1", hostingv1alpha1.DispatchError)),
			namespaces: []string{nsRecords}, recorded: true},
		{name: "a lost apply the domain confirmed", ta: ta(record(with(func(r *applyRecord) { r.Outcome, r.DispatchID = outcomeConfirmed, "" })), shown(&at, "sha256:a", "", "")),
			namespaces: []string{nsRecords}, recorded: true, applied: true, covers: true},
		{name: "a record written by hand saying the domain confirmed it, the status showing nothing", ta: ta(record(with(func(r *applyRecord) { r.Outcome, r.DispatchID = outcomeConfirmed, "" })),
			hostingv1alpha1.TemplateApplicationStatus{DomainID: "dom-1"}), namespaces: []string{nsRecords}, recorded: true},
		{name: "a copy: the record, not the status", ta: ta(record(mine), hostingv1alpha1.TemplateApplicationStatus{}), namespaces: []string{nsRecords}, recorded: true},
		{name: "an apply in flight, none done before", ta: ta(record(with(func(r *applyRecord) { r.Outcome, r.DispatchID = outcomeUnanswered, "" })), hostingv1alpha1.TemplateApplicationStatus{DomainID: "dom-1"}),
			namespaces: []string{nsRecords}, recorded: true},
		{name: "applied on another domain", ta: ta(record(with(func(r *applyRecord) { r.DomainID = "dom-2" })), done), namespaces: []string{nsRecords}},
		{name: "written over while held back", ta: ta(record(with(func(r *applyRecord) { r.Superseded = true })), done), namespaces: []string{nsRecords}},
		{name: "a record of an earlier version: its target and namespaces are the current ones",
			ta:         ta(record(with(func(r *applyRecord) { r.TemplateID, r.DomainID, r.Namespaces = "", "", nil })), done),
			namespaces: []string{nsRecords, nsWebredirs}, recorded: true, applied: true, covers: true},
		{name: "only a status, as its annotations were removed", ta: ta(nil, done), namespaces: []string{nsRecords}, recorded: true, applied: true, covers: true},
		{name: "only a status whose dispatch is pending", ta: ta(nil, shown(nil, "", "d1", hostingv1alpha1.DispatchPending)), namespaces: []string{nsRecords}, recorded: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := newApplicationView(tc.ta, "tpl-1", tc.namespaces, "dom-1")
			if v.recorded != tc.recorded || v.applied != tc.applied || v.covers != tc.covers {
				t.Errorf("recorded, applied, covers = %v, %v, %v; want %v, %v, %v", v.recorded, v.applied, v.covers, tc.recorded, tc.applied, tc.covers)
			}
		})
	}
}

// TestWithRunning pins when a rival's recorded apply may still run at
// Gandi, so that it holds back what it writes whatever the ranking says.
func TestWithRunning(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	const grace = time.Minute
	ta := func(r applyRecord, ds *hostingv1alpha1.DispatchStatus) *hostingv1alpha1.TemplateApplication {
		v, err := r.encode()
		if err != nil {
			t.Fatal(err)
		}
		return &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Annotations: effectRecord(effectApply, v)},
			Status: hostingv1alpha1.TemplateApplicationStatus{DomainID: "dom-1", Dispatch: ds}}
	}
	dispatched := applyRecord{At: now.Add(-time.Hour), Outcome: outcomeDispatched, DispatchID: "d1", DomainID: "dom-1"}
	ds := func(id string, state hostingv1alpha1.DispatchState) *hostingv1alpha1.DispatchStatus {
		return &hostingv1alpha1.DispatchStatus{ID: id, State: state}
	}
	with := func(change func(*applyRecord)) applyRecord { r := dispatched; change(&r); return r }
	for _, tc := range []struct {
		name string
		o    *hostingv1alpha1.TemplateApplication
		want bool
	}{
		{"its dispatch pending", ta(dispatched, ds("d1", hostingv1alpha1.DispatchPending)), true},
		{"its dispatch named, not read yet", ta(dispatched, nil), true},
		{"its dispatch done", ta(dispatched, ds("d1", hostingv1alpha1.DispatchDone)), false},
		{"its dispatch failed", ta(dispatched, ds("d1", hostingv1alpha1.DispatchError)), false},
		{"recorded just now, not answered yet", ta(with(func(r *applyRecord) { r.At, r.Outcome, r.DispatchID = now, outcomeUnanswered, "" }), nil), true},
		{"its answer lost, within the grace", ta(with(func(r *applyRecord) { r.Outcome, r.DispatchID, r.LostAt = outcomeLost, "", now.Add(-grace/2) }), nil), true},
		{"its answer lost, the grace over", ta(with(func(r *applyRecord) { r.Outcome, r.DispatchID, r.LostAt = outcomeLost, "", now.Add(-2*grace) }), nil), false},
		{"confirmed on the domain", ta(with(func(r *applyRecord) { r.Outcome, r.DispatchID = outcomeConfirmed, "" }), nil), false},
		{"on another domain", ta(with(func(r *applyRecord) { r.DomainID = "dom-2" }), ds("d1", hostingv1alpha1.DispatchPending)), false},
		{"written over while held back", ta(with(func(r *applyRecord) { r.Superseded = true }), ds("d1", hostingv1alpha1.DispatchPending)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := withRunning(newApplicationView(tc.o, "tpl-1", []string{nsRecords}, "dom-1"), tc.o, now, grace)
			if v.running != tc.want {
				t.Errorf("running = %v, want %v", v.running, tc.want)
			}
		})
	}
}

// The index finds an application by the domain it names and, when its
// status does not resolve a name it gives, by the domain its apply record
// went to; a superseded record holds nothing.
func TestApplicationDomainKeys(t *testing.T) {
	withRecord := func(ta *hostingv1alpha1.TemplateApplication, rec applyRecord) *hostingv1alpha1.TemplateApplication {
		rec.At = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
		v, err := rec.encode()
		if err != nil {
			t.Fatal(err)
		}
		ta.Annotations = effectRecord(effectApply, v)
		return ta
	}
	byName := func() *hostingv1alpha1.TemplateApplication {
		return &hostingv1alpha1.TemplateApplication{
			ObjectMeta: metav1.ObjectMeta{Generation: 2},
			Spec:       hostingv1alpha1.TemplateApplicationSpec{Domain: "example.com"},
			Status:     hostingv1alpha1.TemplateApplicationStatus{ObservedGeneration: 1, DomainID: "dom-1"},
		}
	}
	for _, tc := range []struct {
		name string
		ta   *hostingv1alpha1.TemplateApplication
		want []string
	}{
		{"by name, status behind, no record", byName(), []string{"fqdn:example.com"}},
		{"by name, status behind, applied there", withRecord(byName(), applyRecord{DomainID: "dom-1"}), []string{"fqdn:example.com", "id:dom-1"}},
		{"record superseded", withRecord(byName(), applyRecord{DomainID: "dom-1", Superseded: true}), []string{"fqdn:example.com"}},
		{"by ID: the record's domain once", withRecord(&hostingv1alpha1.TemplateApplication{Spec: hostingv1alpha1.TemplateApplicationSpec{DomainID: "dom-1"}},
			applyRecord{DomainID: "dom-1"}), []string{"id:dom-1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := applicationDomainKeys(tc.ta); !slices.Equal(got, tc.want) {
				t.Errorf("keys = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestHeldBackMessageDeletingHolder pins what the held-back application is
// told of a holder being deleted: the dispatch it waits for and, when the
// holder is paused, that it waits for the annotation to go as well (a
// paused object is not finalized).
func TestHeldBackMessageDeletingHolder(t *testing.T) {
	now := metav1.NewTime(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	record, err := applyRecord{At: now.Time, PayloadHash: "sha256:a", Generation: 1, Outcome: outcomeDispatched, DispatchID: "d1", TemplateID: "tpl-1", DomainID: "dom-1"}.encode()
	if err != nil {
		t.Fatal(err)
	}
	holder := func(paused bool) applicationView {
		o := &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{
			Namespace: "shop", Name: "a", UID: "a", DeletionTimestamp: &now, Finalizers: []string{Finalizer},
			Annotations: map[string]string{effectAnnotationPrefix + effectApply: record},
		}}
		if paused {
			o.Annotations[hostingv1alpha1.AnnotationPaused] = "true"
		}
		return applicationView{obj: o, templateID: "tpl-1", namespaces: []string{nsRecords}, recorded: true}
	}
	self := applicationView{obj: &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "b", UID: "b"}},
		templateID: "tpl-1", namespaces: []string{nsRecords}}
	domain := domainRef{id: "dom-1", fqdn: "example.com"}

	msg := heldBackMessage(self, holder(false), domain)
	for _, want := range []string{"shop/a is being deleted", "dispatch d1", "sends nothing until that dispatch is over"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not say %q", msg, want)
		}
	}
	if strings.Contains(msg, "paused") {
		t.Errorf("message %q speaks of a pause the holder does not have", msg)
	}
	msg = heldBackMessage(self, holder(true), domain)
	for _, want := range []string{"dispatch d1", "It is paused (annotation " + hostingv1alpha1.AnnotationPaused + ")", "until that annotation is removed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q of a paused holder does not say %q", msg, want)
		}
	}
}
