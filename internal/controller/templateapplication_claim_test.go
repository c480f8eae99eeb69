package controller

import (
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// racer is a TemplateApplication in TestApplyRace: what it applies, and
// what it left on its object before the race.
type racer struct {
	name       string
	age        int // seconds after the first could be created
	tpl        string
	namespaces []string
	// prior is its apply record before the race (nil: none), appliedAt
	// that its status shows an apply.
	prior     *applyRecord
	appliedAt bool
	// byName: its spec names the domain by a name its status has not
	// resolved yet; one that names it by ID sees it only by its record
	// (appliesOn). Otherwise it names the domain by ID.
	byName bool
}

// raceState is the objects at one point of an interleaving and where each
// racer is in its apply: 0 before its record, 1 recorded, 2 past the check
// before the POST (sent, or held back), 3 answered or record taken back,
// 4 status written.
type raceState struct {
	objs  []*hostingv1alpha1.TemplateApplication
	at    []int
	sent  []bool
	trace []string
}

func (s raceState) clone() raceState {
	c := raceState{at: append([]int(nil), s.at...), sent: append([]bool(nil), s.sent...), trace: append([]string(nil), s.trace...)}
	for _, o := range s.objs {
		c.objs = append(c.objs, o.DeepCopy())
	}
	return c
}

// TestApplyRace runs every interleaving of the steps of applications that
// race to apply on one domain, as apply takes them: write the record, then
// weigh the application as it stood before it (standing) against the
// others as they are (heldBackNow); if held back, take the record back,
// else send, record the answer, then write the status. No two that write
// one namespace (or apply one template) may both send, whatever the
// order; the cache is assumed to show nothing of the others (holdBack let
// every one through).
func TestApplyRace(t *testing.T) {
	const dom = "dom-1"
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	applied := &applyRecord{At: base.Add(-time.Hour), Outcome: outcomeDispatched, DispatchID: "d0", DomainID: dom}
	elsewhere := &applyRecord{At: base.Add(-time.Hour), Outcome: outcomeDispatched, DispatchID: "d0", DomainID: "dom-2", Namespaces: []string{nsRecords}}
	copied := &applyRecord{At: base.Add(-time.Hour), Outcome: outcomeDispatched, DispatchID: "d0", DomainID: dom, TemplateID: "tpl-1", Namespaces: []string{nsRecords}}
	superseded := &applyRecord{At: base.Add(-time.Hour), Outcome: outcomeDispatched, DispatchID: "d0", DomainID: dom, TemplateID: "tpl-2", Namespaces: []string{nsRecords}, Superseded: true}
	fewer := &applyRecord{At: base.Add(-time.Hour), Outcome: outcomeDispatched, DispatchID: "d0", DomainID: dom, TemplateID: "tpl-1", Namespaces: []string{nsRecords}}
	ns := func(n ...string) []string { return n }

	for _, tc := range []struct {
		name   string
		racers []racer
	}{
		{name: "two new, the same template, created the same second", racers: []racer{
			{name: "a", tpl: "tpl-1", namespaces: ns(nsRecords)}, {name: "b", tpl: "tpl-1", namespaces: ns(nsRecords)}}},
		{name: "two new, both writing the records, the later one's name first", racers: []racer{
			{name: "b", tpl: "tpl-1", namespaces: ns(nsRecords)}, {name: "a", age: 1, tpl: "tpl-2", namespaces: ns(nsRecords, nsMailboxes)}}},
		{name: "two new, the same template whose namespaces one does not know yet", racers: []racer{
			{name: "a", tpl: "tpl-1", namespaces: ns(nsRecords)}, {name: "b", age: 1, tpl: "tpl-1"}}},
		{name: "the manager applies again as a new one applies", racers: []racer{
			{name: "b", age: 1, tpl: "tpl-1", namespaces: ns(nsRecords), prior: applied, appliedAt: true}, {name: "a", tpl: "tpl-2", namespaces: ns(nsRecords)}}},
		{name: "the manager applies a template that writes more as a new one applies", racers: []racer{
			{name: "b", age: 1, tpl: "tpl-1", namespaces: ns(nsRecords, nsMailboxes), prior: fewer, appliedAt: true}, {name: "a", tpl: "tpl-2", namespaces: ns(nsMailboxes)}}},
		{name: "two that both applied there before", racers: []racer{
			{name: "a", tpl: "tpl-1", namespaces: ns(nsRecords, nsMailboxes), prior: fewer, appliedAt: true}, {name: "b", age: 1, tpl: "tpl-2", namespaces: ns(nsRecords), prior: applied, appliedAt: true}}},
		{name: "one that applied on another domain moves here as a new one applies", racers: []racer{
			{name: "b", age: 1, tpl: "tpl-1", namespaces: ns(nsRecords), prior: elsewhere, appliedAt: true}, {name: "a", tpl: "tpl-2", namespaces: ns(nsRecords)}}},
		{name: "a copy carrying an apply record, and a new one", racers: []racer{
			{name: "b", age: 1, tpl: "tpl-1", namespaces: ns(nsRecords), prior: copied}, {name: "a", tpl: "tpl-1", namespaces: ns(nsRecords)}}},
		{name: "one written over while held back, and a new one", racers: []racer{
			{name: "a", tpl: "tpl-2", namespaces: ns(nsRecords), prior: superseded, appliedAt: true}, {name: "b", age: 1, tpl: "tpl-3", namespaces: ns(nsRecords)}}},
		{name: "two new, one naming the domain by a name not resolved yet, the other by ID", racers: []racer{
			{name: "a", tpl: "tpl-1", namespaces: ns(nsRecords), byName: true}, {name: "b", tpl: "tpl-2", namespaces: ns(nsRecords)}}},
		{name: "three new, one naming the domain by a name not resolved yet", racers: []racer{
			{name: "b", tpl: "tpl-1", namespaces: ns(nsRecords), byName: true}, {name: "a", age: 1, tpl: "tpl-2", namespaces: ns(nsRecords)},
			{name: "c", tpl: "tpl-3", namespaces: ns(nsRecords, nsMailboxes)}}},
		{name: "three new whose templates chain", racers: []racer{
			{name: "a", tpl: "tpl-1", namespaces: ns(nsRecords)}, {name: "b", age: 1, tpl: "tpl-2", namespaces: ns(nsRecords, nsMailboxes)},
			{name: "c", age: 2, tpl: "tpl-3", namespaces: ns(nsMailboxes)}}},
		{name: "three new on one namespace", racers: []racer{
			{name: "c", tpl: "tpl-1", namespaces: ns(nsRecords)}, {name: "b", tpl: "tpl-2", namespaces: ns(nsRecords)},
			{name: "a", age: 1, tpl: "tpl-3", namespaces: ns(nsRecords)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := raceState{}
			for _, rc := range tc.racers {
				ta := &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{
					Namespace: "shop", Name: rc.name, UID: types.UID(rc.name), Generation: 1,
					CreationTimestamp: metav1.NewTime(base.Add(time.Duration(rc.age) * time.Second)),
				}, Spec: hostingv1alpha1.TemplateApplicationSpec{DomainID: dom}}
				if rc.byName {
					ta.Spec = hostingv1alpha1.TemplateApplicationSpec{Domain: "example.com"}
				}
				if rc.prior != nil {
					v, err := rc.prior.encode()
					if err != nil {
						t.Fatal(err)
					}
					ta.Annotations = effectRecord(effectApply, v)
				}
				if rc.appliedAt {
					at := metav1.NewTime(base.Add(-time.Hour))
					ta.Status.AppliedAt = &at
				}
				start.objs = append(start.objs, ta)
				start.at = append(start.at, 0)
				start.sent = append(start.sent, false)
			}
			standing := make([]applicationView, len(tc.racers))
			for i, rc := range tc.racers {
				standing[i] = newApplicationView(start.objs[i], rc.tpl, rc.namespaces, dom)
			}
			runs := 0
			var explore func(s raceState)
			explore = func(s raceState) {
				moved := false
				for i := range tc.racers {
					if next, ok := raceStep(s, i, tc.racers, standing, start.objs[i], dom, base); ok {
						moved = true
						explore(next)
					}
				}
				if moved {
					return
				}
				runs++
				for i := range tc.racers {
					for j := i + 1; j < len(tc.racers); j++ {
						if s.sent[i] && s.sent[j] && conflicts(raceView(tc.racers[i], s.objs[i], dom, base), raceView(tc.racers[j], s.objs[j], dom, base)) {
							t.Fatalf("%s and %s both sent: %s", tc.racers[i].name, tc.racers[j].name, strings.Join(s.trace, ", "))
						}
					}
				}
			}
			explore(start)
			if runs == 0 {
				t.Fatal("no interleaving ran")
			}
		})
	}
}

// raceView is rivalView for a racer, its template known, at the time of
// the race.
func raceView(rc racer, o *hostingv1alpha1.TemplateApplication, dom string, now time.Time) applicationView {
	id, namespaces := withApplyInFlight(o, dom, rc.tpl, rc.namespaces, false)
	return withRunning(newApplicationView(o, id, namespaces, dom), o, now, time.Minute)
}

// raceStep takes racer i's next step in s, if it has one.
func raceStep(s raceState, i int, racers []racer, standing []applicationView, before *hostingv1alpha1.TemplateApplication, dom string, base time.Time) (raceState, bool) {
	rc := racers[i]
	n := s.clone()
	o := n.objs[i]
	switch {
	case s.at[i] == 0:
		rec := applyRecord{At: base, TemplateID: rc.tpl, DomainID: dom, Namespaces: rc.namespaces}
		v, _ := rec.encode()
		o.Annotations = effectRecord(effectApply, v)
		n.trace = append(n.trace, rc.name+" records")
	case s.at[i] == 1:
		domain := domainRef{id: dom}
		if rc.byName {
			domain.fqdn = "example.com"
		}
		var rivals []applicationView
		for j := range racers {
			if j != i && appliesOn(n.objs[j], domain) {
				rivals = append(rivals, raceView(racers[j], n.objs[j], dom, base))
			}
		}
		holder, held := heldBackBy(standing[i], rivals)
		n.sent[i] = !held
		if held {
			n.trace = append(n.trace, fmt.Sprintf("%s held back by %s", rc.name, holder.obj.GetName()))
		} else {
			n.trace = append(n.trace, rc.name+" sends")
		}
	case s.at[i] == 2 && !s.sent[i]:
		o.Annotations = before.DeepCopy().Annotations
		n.trace = append(n.trace, rc.name+" takes its record back")
		n.at[i] = 4
		return n, true
	case s.at[i] == 2:
		rec, _ := currentRecord(o)
		rec.Outcome, rec.DispatchID = outcomeDispatched, "d-"+rc.name
		v, _ := rec.encode()
		o.Annotations = effectRecord(effectApply, v)
		n.trace = append(n.trace, rc.name+" records the answer")
	case s.at[i] == 3:
		at := metav1.NewTime(base)
		o.Status.AppliedAt = &at
		n.trace = append(n.trace, rc.name+" writes its status")
	default:
		return s, false
	}
	n.at[i]++
	return n, true
}

// TestApplyRaceWeighsStandingBeforeRecord is the rule TestApplyRace rests
// on, by rows: the check before the POST weighs an application as it stood
// before its record, and the others as they are.
func TestApplyRaceWeighsStandingBeforeRecord(t *testing.T) {
	base := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	view := func(name string, recorded bool) applicationView {
		return applicationView{
			obj: &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{
				Namespace: "shop", Name: name, UID: types.UID(name), CreationTimestamp: metav1.NewTime(base),
			}},
			templateID: "tpl-" + name, namespaces: []string{nsRecords}, recorded: recorded,
		}
	}
	for _, tc := range []struct {
		name   string
		self   applicationView
		other  applicationView
		holder string
	}{
		{name: "reads before the other's record, its name first: sends", self: view("a", false), other: view("b", false)},
		{name: "reads before the other's record, the other's name first: held back, as by the cache", self: view("b", false), other: view("a", false), holder: "a"},
		{name: "reads after the other's record: held back, though its name comes first", self: view("a", false), other: view("b", true), holder: "b"},
		{name: "both read after both records: the one whose name comes first is held back", self: view("a", false), other: view("b", true), holder: "b"},
		{name: "both read after both records: so is the other", self: view("b", false), other: view("a", true), holder: "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			holder, held := heldBackBy(tc.self, []applicationView{tc.other})
			if (tc.holder != "") != held || (held && holder.obj.GetName() != tc.holder) {
				t.Fatalf("heldBackBy = %v, %v; want %q", holder.obj, held, tc.holder)
			}
		})
	}
}

// TestAppliesOn pins which applications read from the API server are on
// the domain an apply goes to.
func TestAppliesOn(t *testing.T) {
	record := func(domainID string) map[string]string {
		v, err := applyRecord{At: time.Now(), DomainID: domainID}.encode()
		if err != nil {
			t.Fatal(err)
		}
		return effectRecord(effectApply, v)
	}
	ta := func(domain, domainID, statusID string, ann map[string]string) *hostingv1alpha1.TemplateApplication {
		return &hostingv1alpha1.TemplateApplication{
			ObjectMeta: metav1.ObjectMeta{Generation: 1, Annotations: ann},
			Spec:       hostingv1alpha1.TemplateApplicationSpec{Domain: domain, DomainID: domainID},
			Status:     hostingv1alpha1.TemplateApplicationStatus{DomainID: statusID, ObservedGeneration: 1},
		}
	}
	byID := domainRef{id: "dom-1"}
	byName := domainRef{id: "dom-1", fqdn: "example.com"}
	for _, tc := range []struct {
		name   string
		o      *hostingv1alpha1.TemplateApplication
		domain domainRef
		want   bool
	}{
		{name: "names it by ID", o: ta("", "dom-1", "", nil), domain: byName, want: true},
		{name: "names it by name, resolved", o: ta("example.com", "", "dom-1", nil), domain: byID, want: true},
		{name: "names it by name, not resolved yet, its record is of it: its first pass", o: ta("example.com", "", "", record("dom-1")), domain: byID, want: true},
		{name: "names a name not resolved yet, its record of another domain", o: ta("example.com", "", "", record("dom-2")), domain: byID},
		{name: "names another name, its record of this domain (a former spec)", o: ta("example.net", "", "", record("dom-1")), domain: byName},
		{name: "names another domain by ID, its record of this one", o: ta("", "dom-2", "", record("dom-1")), domain: byID},
		{name: "names another resolved name, its record of this one", o: ta("example.net", "", "dom-2", record("dom-1")), domain: byID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := appliesOn(tc.o, tc.domain); got != tc.want {
				t.Errorf("appliesOn = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestWithApplyInFlight pins what a rival is taken to write: what its
// template writes, and what an apply it recorded and that may be on its
// way writes.
func TestWithApplyInFlight(t *testing.T) {
	ta := func(rec applyRecord) *hostingv1alpha1.TemplateApplication {
		rec.At = time.Now()
		v, err := rec.encode()
		if err != nil {
			t.Fatal(err)
		}
		return &hostingv1alpha1.TemplateApplication{ObjectMeta: metav1.ObjectMeta{Annotations: effectRecord(effectApply, v)}}
	}
	inFlight := applyRecord{TemplateID: "tpl-1", DomainID: "dom-1", Namespaces: []string{nsRecords, nsMailboxes}}
	for _, tc := range []struct {
		name       string
		o          *hostingv1alpha1.TemplateApplication
		id         string
		namespaces []string
		wantID     string
		wantNS     []string
	}{
		{name: "no record", o: &hostingv1alpha1.TemplateApplication{}, id: "tpl-2", namespaces: []string{nsRecords}, wantID: "tpl-2", wantNS: []string{nsRecords}},
		{name: "in flight here, its Template not in this cache", o: ta(inFlight), wantID: "tpl-1", wantNS: []string{nsRecords, nsMailboxes}},
		{name: "in flight here, its Template now writes other namespaces", o: ta(inFlight), id: "tpl-1", namespaces: []string{nsWebredirs}, wantID: "tpl-1",
			wantNS: []string{nsWebredirs, nsRecords, nsMailboxes}},
		{name: "answered: its template says what it writes", o: ta(applyRecord{Outcome: outcomeDispatched, TemplateID: "tpl-1", DomainID: "dom-1", Namespaces: []string{nsMailboxes}}),
			id: "tpl-1", namespaces: []string{nsRecords}, wantID: "tpl-1", wantNS: []string{nsRecords}},
		{name: "in flight on another domain", o: ta(applyRecord{TemplateID: "tpl-1", DomainID: "dom-2", Namespaces: []string{nsMailboxes}}),
			id: "tpl-1", namespaces: []string{nsRecords}, wantID: "tpl-1", wantNS: []string{nsRecords}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, namespaces := withApplyInFlight(tc.o, "dom-1", tc.id, tc.namespaces, false)
			if id != tc.wantID || strings.Join(namespaces, ",") != strings.Join(tc.wantNS, ",") {
				t.Errorf("withApplyInFlight = %q, %v; want %q, %v", id, namespaces, tc.wantID, tc.wantNS)
			}
		})
	}
}

func TestApplyDomainLabel(t *testing.T) {
	const uuid = "ba1167be-2f76-11e9-9dfb-00163ec4cb00"
	if got := applyDomainLabel(uuid); got != uuid {
		t.Errorf("applyDomainLabel(%q) = %q, want the ID itself", uuid, got)
	}
	odd := strings.Repeat("x", 70) + "/"
	got := applyDomainLabel(odd)
	if len(got) != 63 || got == applyDomainLabel(odd+"y") {
		t.Errorf("applyDomainLabel(%q) = %q, want 63 characters of its hash", odd, got)
	}
}
