package controller_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// shiftedClock is the manager's clock, which a spec moves forward to make
// a reapply interval pass.
type shiftedClock struct{ offset atomic.Int64 }

func (c *shiftedClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *shiftedClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// recordsTemplate is a Template that only sets the domain's apex A record.
func recordsTemplate(name, value string) *hostingv1alpha1.Template {
	return gandiTemplate(name, func(t *hostingv1alpha1.Template) {
		t.Spec.Payload = hostingv1alpha1.TemplatePayload{DNSRecords: &hostingv1alpha1.DNSRecordsPayload{
			Records: []hostingv1alpha1.DNSRecord{{Name: "@", Type: "A", Values: []string{value}}},
		}}
	})
}

// mailTemplate is a Template that only adds a mailbox.
func mailTemplate(name string) *hostingv1alpha1.Template {
	return gandiTemplate(name, func(t *hostingv1alpha1.Template) {
		t.Spec.Payload = hostingv1alpha1.TemplatePayload{Mailboxes: []hostingv1alpha1.Mailbox{{Login: "postmaster"}}}
	})
}

func ofTemplate(name string) func(*hostingv1alpha1.TemplateApplication) {
	return func(ta *hostingv1alpha1.TemplateApplication) {
		ta.Spec.TemplateRef = &hostingv1alpha1.LocalObjectReference{Name: name}
	}
}

func everyMinute(ta *hostingv1alpha1.TemplateApplication) {
	ta.Spec.Reapply = &hostingv1alpha1.ReapplySpec{Policy: hostingv1alpha1.ReapplyInterval, Interval: &metav1.Duration{Duration: time.Minute}}
}

// dispatchesOf counts Gandi's dispatches of one template.
func (w *world) dispatchesOf(templateID string) func() int {
	return func() int {
		n := 0
		for _, d := range w.sim.DispatchList() {
			if d.TemplateID == templateID {
				n++
			}
		}
		return n
	}
}

func readyTemplateID(t *hostingv1alpha1.Template) string {
	Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
	return t.Status.ID
}

// heldBackBy matches an application that reports another one as the
// manager of what it would write on the domain.
func heldBackBy(namespace, first string, what ...string) OmegaMatcher {
	msg := make([]OmegaMatcher, 0, 1+len(what))
	msg = append(msg, ContainSubstring(namespace+"/"+first))
	for _, s := range what {
		msg = append(msg, ContainSubstring(s))
	}
	return And(
		haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject),
		haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject),
		WithTransform(func(ta *hostingv1alpha1.TemplateApplication) string {
			return cond(ta, hostingv1alpha1.ConditionReady).Message
		}, And(msg...)))
}

// rendezvous orders the manager's writes in a spec: reach says a pass got
// to a point, await waits until a pass reached another (or the pass's
// context ends, or the spec's patience runs out: the order is then left to
// chance, and the spec's assertions say what went wrong).
type rendezvous struct {
	mu     sync.Mutex
	points map[string]chan struct{}
	// missed: a wait ran out of patience, the order was not forced.
	missed atomic.Bool
}

func (r *rendezvous) point(name string) chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.points == nil {
		r.points = map[string]chan struct{}{}
	}
	if r.points[name] == nil {
		r.points[name] = make(chan struct{})
	}
	return r.points[name]
}

func (r *rendezvous) reach(name string) {
	ch := r.point(name)
	r.mu.Lock()
	defer r.mu.Unlock()
	select {
	case <-ch:
	default:
		close(ch)
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func (r *rendezvous) await(ctx context.Context, name string) {
	select {
	case <-r.point(name):
	case <-ctx.Done():
	case <-time.After(eventually / 2):
		r.missed.Store(true)
	}
}

// applyRecordIn is the apply record a metadata patch writes on a
// TemplateApplication of namespace: its name and the record's outcome
// ("" for one written before its POST); ok is false for any other patch.
func applyRecordIn(namespace string, obj client.Object) (name, outcome string, ok bool) {
	ta, isTA := obj.(*hostingv1alpha1.TemplateApplication)
	if !isTA || ta.Namespace != namespace || ta.Annotations[applyRecordKey] == "" {
		return "", "", false
	}
	var rec struct {
		Outcome string `json:"outcome"`
	}
	if json.Unmarshal([]byte(ta.Annotations[applyRecordKey]), &rec) != nil {
		return "", "", false
	}
	return ta.Name, rec.Outcome, true
}

var _ = Describe("TemplateApplications on one domain", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.sim.AddDomain(orgID, domainFQDN)
	})

	// Two applications writing the records of one domain, created
	// together, each past the check of the cache before either recorded
	// an apply: "a" finds "b" there without a record, and comes first;
	// "b" does not find "a". With byID, "b" names the domain by ID, and
	// "a" names it by a name it has not resolved yet (its status says
	// nothing yet); otherwise the wrap hides "a" from the cache. The wrap
	// orders the manager's writes. Exactly one applies, first (or either,
	// when first is ""); the other sends nothing and names it.
	racing := func(first string, byID bool, wrap func(rv *rendezvous) interceptor.Funcs) {
		rv := &rendezvous{}
		w.startManager(managerOptions{workers: 2, wrap: wrap(rv)})
		ra, rb := recordsTemplate("records-a", "203.0.113.1"), recordsTemplate("records-b", "203.0.113.9")
		w.create(ra)
		w.create(rb)
		values := map[string]string{readyTemplateID(ra): "203.0.113.1", readyTemplateID(rb): "203.0.113.9"}
		domainID := w.domain().ID
		a := application("a", ofTemplate("records-a"))
		b := application("b", ofTemplate("records-b"), func(ta *hostingv1alpha1.TemplateApplication) {
			if byID {
				ta.Spec.Domain, ta.Spec.DomainID = "", domainID
			}
		})
		w.create(a)
		w.create(b)
		var winner, loser *hostingv1alpha1.TemplateApplication
		Eventually(func() error {
			for _, pair := range [][2]*hostingv1alpha1.TemplateApplication{{a, b}, {b, a}} {
				if cond(fetch(pair[0])(), hostingv1alpha1.ConditionReady).Status == metav1.ConditionTrue {
					winner, loser = pair[0], pair[1]
					return nil
				}
			}
			return errors.New("neither is Ready")
		}).WithTimeout(eventually).Should(Succeed())
		if first != "" {
			Expect(winner.Name).To(Equal(first))
		}
		Eventually(fetch(loser)).WithTimeout(eventually).Should(heldBackBy(w.namespace, winner.Name, "dns:records"))
		Consistently(w.sim.Dispatches).WithTimeout(2*testTiming.Poll).Should(Equal(1), "one apply on the domain, %s's", winner.Name)
		fetch(winner)()
		Expect(w.sim.DispatchList()[0].TemplateID).To(Equal(winner.Status.TemplateID))
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", values[winner.Status.TemplateID])))
		Expect(fetch(loser)()).To(heldBackBy(w.namespace, winner.Name, "dns:records"))
		Expect(rv.missed.Load()).To(BeFalse(), "the writes came in the order the spec sets")
	}

	// firstOfTwo makes two Templates that both write the domain's apex A
	// record (records-a: 203.0.113.1, records-b: 203.0.113.9), and "first"
	// applying records-a, Ready; it returns first and the two templates'
	// Gandi IDs.
	firstOfTwo := func(mutate ...func(*hostingv1alpha1.TemplateApplication)) (first *hostingv1alpha1.TemplateApplication, idA, idB string) {
		GinkgoHelper()
		a, b := recordsTemplate("records-a", "203.0.113.1"), recordsTemplate("records-b", "203.0.113.9")
		w.create(a)
		w.create(b)
		idA, idB = readyTemplateID(a), readyTemplateID(b)
		first = application("first", append([]func(*hostingv1alpha1.TemplateApplication){ofTemplate("records-a")}, mutate...)...)
		w.create(first)
		Eventually(fetch(first)).WithTimeout(eventually).Should(beReady())
		return first, idA, idB
	}

	// hidingA is a List of the manager's cache that shows nothing of "a"
	// until b is recording its apply: b's check of the cache, before its
	// record, misses a, as a cache that has not caught up would.
	hidingA := func(rv *rendezvous) func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
		return func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			if err := c.List(ctx, list, opts...); err != nil {
				return err
			}
			if tas, ok := list.(*hostingv1alpha1.TemplateApplicationList); ok && !isClosed(rv.point("b recording")) {
				tas.Items = slices.DeleteFunc(tas.Items, func(ta hostingv1alpha1.TemplateApplication) bool {
					return ta.Namespace == w.namespace && ta.Name == "a"
				})
			}
			return nil
		}
	}

	It("sends one apply when two applications created together both record theirs before either sends", func() {
		// Each may see the other's record and take its own back; the one
		// that looks again and finds no record of the other applies.
		racing("", true, func(rv *rendezvous) interceptor.Funcs {
			other := map[string]string{"a": "b", "b": "a"}
			return interceptor.Funcs{Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				name, outcome, ok := applyRecordIn(w.namespace, obj)
				if !ok || outcome != "" {
					return c.Patch(ctx, obj, patch, opts...)
				}
				// Both passed the cache's check; both records are written
				// before either goes on.
				rv.reach(name + " recording")
				rv.await(ctx, other[name]+" recording")
				if err := c.Patch(ctx, obj, patch, opts...); err != nil {
					return err
				}
				rv.reach(name + " recorded")
				rv.await(ctx, other[name]+" recorded")
				return nil
			}}
		})
	})

	It("sends one apply when the cache does not show the first of two applications created together to the second yet", func() {
		racing("a", false, func(rv *rendezvous) interceptor.Funcs {
			return interceptor.Funcs{
				List: hidingA(rv),
				Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
					if name, outcome, ok := applyRecordIn(w.namespace, obj); ok && name == "b" && outcome == "" {
						// b records its apply once a is past the cache's
						// check (which found b without a record); from then
						// on the cache shows a.
						rv.await(ctx, "a recording")
						rv.reach("b recording")
					}
					if name, outcome, ok := applyRecordIn(w.namespace, obj); ok && name == "a" && outcome == "" {
						rv.reach("a recording")
					}
					return c.Patch(ctx, obj, patch, opts...)
				},
			}
		})
	})

	It("sends one apply when the second of two applications created together records its own after the first sent", func() {
		racing("a", true, func(rv *rendezvous) interceptor.Funcs {
			// a's record, which names the domain by ID, would show a to
			// b's cache (applicationDomainKeys) before b's check.
			return interceptor.Funcs{List: hidingA(rv), Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				name, outcome, ok := applyRecordIn(w.namespace, obj)
				switch {
				case ok && name == "b" && outcome == "":
					// b passed the cache's check, which showed nothing of
					// a; it records its apply once a's POST is answered.
					rv.reach("b recording")
					rv.await(ctx, "a answered")
				case ok && name == "a" && outcome == "dispatched":
					// a's status, which would show it to b's cache, waits
					// until b is past that check.
					rv.reach("a answered")
					rv.await(ctx, "b recording")
				}
				return c.Patch(ctx, obj, patch, opts...)
			}}
		})
	})

	It("holds back a second application of the same template to the same domain, a copy with its apply record too, and dispatches once", func() {
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		first := application("shop-dns")
		w.create(first)
		Eventually(fetch(first)).WithTimeout(eventually).Should(beReady())

		again := application("shop-dns-again")
		copied := application("shop-dns-copy", func(c *hostingv1alpha1.TemplateApplication) {
			c.Annotations = map[string]string{}
			for k, v := range first.Annotations {
				c.Annotations[k] = v
			}
		})
		w.create(again)
		w.create(copied)
		for _, ta := range []*hostingv1alpha1.TemplateApplication{again, copied} {
			Eventually(fetch(ta)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "shop-dns", "the same template"))
		}
		Consistently(w.sim.Dispatches).WithTimeout(3*testTiming.Poll).Should(Equal(1), "one configuration, applied once")
		Expect(fetch(first)()).To(beReady())

		By("handing the domain to the copy once the first is gone: it recorded the apply the first made")
		Expect(k8sClient.Delete(suiteCtx, first)).To(Succeed())
		Eventually(fetch(copied)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(again)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "shop-dns-copy", "the same template"))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("holds back, every interval, an application whose template writes a namespace another one manages on the domain, so the two never take turns", func() {
		clock := &shiftedClock{}
		w.startManager(managerOptions{now: clock.now})
		first, idA, idB := firstOfTwo(everyMinute)
		second := application("second", ofTemplate("records-b"), everyMinute)
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))

		for i := 1; i <= 3; i++ {
			clock.advance(time.Minute)
			Eventually(w.dispatchesOf(idA)).WithTimeout(eventually).Should(Equal(1+i), "the first applies again each interval")
			// Its newest dispatch done: one still running at Gandi would
			// write its records after the second's below.
			newest := w.sim.DispatchList()[len(w.sim.DispatchList())-1].ID
			Eventually(fetch(first)).WithTimeout(eventually).Should(And(beReady(),
				HaveField("Status.Dispatch", And(Not(BeNil()), HaveField("ID", newest), HaveField("State", hostingv1alpha1.DispatchDone)))))
			Expect(w.dispatchesOf(idB)()).To(BeZero(), "the second never writes the records the first manages")
			Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.1")))
			Expect(fetch(second)()).To(heldBackBy(w.namespace, "first", "dns:records"))
		}

		By("applying the second once the first is gone")
		Expect(k8sClient.Delete(suiteCtx, first)).To(Succeed())
		Eventually(fetch(second)).WithTimeout(eventually).Should(beReady())
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.9")))
		Expect(w.dispatchesOf(idB)()).To(Equal(1))
	})

	It("keeps holding back an OnChange application when its template changes, and applies it once the first is deleted", func() {
		w.startManager(managerOptions{})
		a, b := recordsTemplate("records-a", "203.0.113.1"), recordsTemplate("records-b", "203.0.113.9")
		w.create(a)
		w.create(b)
		idA, idB := readyTemplateID(a), readyTemplateID(b)
		first := application("first", ofTemplate("records-a"))
		w.create(first)
		Eventually(fetch(first)).WithTimeout(eventually).Should(beReady())
		second := application("second", ofTemplate("records-b"))
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))

		hash := b.Status.PayloadHash
		setSpec(b, func() { b.Spec.Payload.DNSRecords.Records[0].Values = []string{"203.0.113.8"} })
		Eventually(fetch(b)).WithTimeout(eventually).Should(And(beReady(), Not(HaveField("Status.PayloadHash", hash))))
		Consistently(w.dispatchesOf(idB)).WithTimeout(3*testTiming.Poll).Should(BeZero(), "the second's edit is not applied over the first's records")
		Expect(fetch(second)()).To(heldBackBy(w.namespace, "first", "dns:records"))

		setSpec(a, func() { a.Spec.Payload.DNSRecords.Records[0].Values = []string{"203.0.113.2"} })
		Eventually(w.dispatchesOf(idA)).WithTimeout(eventually).Should(Equal(2))
		Eventually(fetch(first)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.2")))
		Consistently(w.dispatchesOf(idB)).WithTimeout(2 * testTiming.Poll).Should(BeZero())

		Expect(k8sClient.Delete(suiteCtx, first)).To(Succeed())
		Eventually(fetch(second)).WithTimeout(eventually).Should(beReady())
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.8")))
		Consistently(w.dispatchesOf(idB)).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("applies again, once released, an application held back after it had applied there (two that fought before this version)", func() {
		w.startManager(managerOptions{})
		a, b := recordsTemplate("records-a", "203.0.113.1"), recordsTemplate("records-b", "203.0.113.9")
		w.create(a)
		w.create(b)
		idB := readyTemplateID(b)
		readyTemplateID(a)
		first := application("first", ofTemplate("records-a"))
		w.create(first)
		Eventually(fetch(first)).WithTimeout(eventually).Should(beReady())

		By("leaving the second as an earlier version left it: it applied records-b there, before the first applied records-a over it")
		domainID := w.domain().ID
		at := time.Now().Add(-time.Hour).UTC()
		rec, err := json.Marshal(map[string]any{
			"generation": 1, "payloadHash": b.Status.PayloadHash, "at": at, "outcome": "dispatched", "dispatchID": "dispatch-of-an-earlier-version",
			"templateID": idB, "domainID": domainID,
		})
		Expect(err).NotTo(HaveOccurred())
		second := application("second", ofTemplate("records-b"), func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Annotations = map[string]string{applyRecordKey: string(rec), hostingv1alpha1.AnnotationPaused: "true"}
		})
		w.create(second)
		applied := metav1.NewTime(at.Truncate(time.Second))
		Eventually(func() error {
			if err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(second), second); err != nil {
				return err
			}
			second.Status.TemplateID, second.Status.DomainID, second.Status.ObservedGeneration = idB, domainID, second.Generation
			second.Status.AppliedPayloadHash, second.Status.AppliedGeneration, second.Status.AppliedAt = b.Status.PayloadHash, 1, &applied
			second.Status.Dispatch = &hostingv1alpha1.DispatchStatus{ID: "dispatch-of-an-earlier-version", State: hostingv1alpha1.DispatchDone}
			return k8sClient.Status().Update(suiteCtx, second)
		}).WithTimeout(5 * time.Second).Should(Succeed())
		setSpec(second, func() { delete(second.Annotations, hostingv1alpha1.AnnotationPaused) })
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records", "its last apply there wrote all it writes"))
		Expect(w.dispatchesOf(idB)()).To(BeZero())

		By("applying records-b again once the first is gone, instead of reporting the first's records as its own")
		Expect(k8sClient.Delete(suiteCtx, first)).To(Succeed())
		Eventually(w.dispatchesOf(idB)).WithTimeout(eventually).Should(Equal(1))
		Eventually(fetch(second)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.9")))
	})

	It("wakes a held-back application as soon as the one holding it back is deleted, not at its next poll", func() {
		timing := testTiming
		timing.Poll = time.Hour
		w.startManager(managerOptions{timing: &timing})
		first, _, _ := firstOfTwo()
		second := application("second", ofTemplate("records-b"))
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))

		Expect(k8sClient.Delete(suiteCtx, first)).To(Succeed())
		Eventually(fetch(second)).WithTimeout(eventually).Should(beReady())
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.9")))
	})

	It("keeps holding back the second application while the deleted first's dispatch still runs at Gandi, and applies it once that dispatch is done", func() {
		w.startManager(managerOptions{})
		a, b := recordsTemplate("records-a", "203.0.113.1"), recordsTemplate("records-b", "203.0.113.9")
		w.create(a)
		w.create(b)
		idA, idB := readyTemplateID(a), readyTemplateID(b)

		By("holding the first's dispatch running at Gandi")
		w.sim.HoldDispatches(true)
		DeferCleanup(w.sim.HoldDispatches, false)
		first := application("first", ofTemplate("records-a"))
		w.create(first)
		Eventually(fetch(first)).WithTimeout(eventually).Should(haveDispatchState("Pending"))
		dispatchA := first.Status.Dispatch.ID
		Expect(first.Finalizers).To(ContainElement(controller.Finalizer), "an application that sent an apply carries the finalizer")
		second := application("second", ofTemplate("records-b"))
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))

		By("deleting the first while its dispatch runs: it stays, and keeps holding the second back")
		Expect(k8sClient.Delete(suiteCtx, first)).To(Succeed())
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "is being deleted", dispatchA))
		Consistently(w.dispatchesOf(idB)).WithTimeout(3*testTiming.Poll).Should(BeZero(), "the second sends nothing while the first's dispatch runs")
		Expect(gone(first)()).To(BeFalse(), "the first waits for its dispatch")
		Expect(first.DeletionTimestamp).NotTo(BeNil())
		Expect(first.Status.Dispatch).To(HaveField("ID", dispatchA))
		Expect(fetch(second)()).To(heldBackBy(w.namespace, "first", "dns:records"))

		By("letting the dispatch end: the first goes, then the second applies")
		w.sim.HoldDispatches(false)
		Eventually(gone(first)).WithTimeout(eventually).Should(BeTrue())
		d, ok := w.sim.Dispatch(dispatchA)
		Expect(ok).To(BeTrue())
		Expect(d.DoneReads).To(BeNumerically(">", 0), "the first was let go only once Gandi showed its dispatch done")
		Expect(d.Tasks).To(HaveEach(gandisim.StateDone))
		Eventually(fetch(second)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.9")))
		Expect(w.dispatchesOf(idA)()).To(Equal(1))
		Expect(w.dispatchesOf(idB)()).To(Equal(1))
	})

	It("keeps holding back the second application while the deleted first's apply, whose answer was lost, may still run at Gandi, and applies it once the grace is over", func() {
		// Gandi performs the first's lost apply half a grace after the
		// loss: released at once, the first would let the second apply
		// before, and report Ready under the first's records.
		timing := testTiming
		timing.CreateGrace = 4 * time.Second
		late := timing.CreateGrace / 2
		w.startManager(managerOptions{timing: &timing})
		a, b := recordsTemplate("records-a", "203.0.113.1"), recordsTemplate("records-b", "203.0.113.9")
		w.create(a)
		w.create(b)
		idA, idB := readyTemplateID(a), readyTemplateID(b)

		By("the first's apply reaches Gandi, its answer is lost, and Gandi performs it late")
		w.sim.DropThenCommitPaid(gandisim.RouteApplyTemplate, 1, late)
		first := application("first", ofTemplate("records-a"))
		w.create(first)
		Eventually(func() string { return get(first).GetAnnotations()[applyRecordKey] }).WithTimeout(eventually).Should(ContainSubstring(`"outcome":"lost"`))
		lostAt := time.Now()
		Expect(first.Finalizers).To(ContainElement(controller.Finalizer), "the finalizer came with the apply's record")
		second := application("second", ofTemplate("records-b"))
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))

		By("deleting the first while its lost apply may still be on its way: it stays, and keeps holding the second back")
		Expect(k8sClient.Delete(suiteCtx, first)).To(Succeed())
		Eventually(fetch(second)).WithTimeout(late).Should(heldBackBy(w.namespace, "first", "is being deleted"))
		Consistently(gone(first)).WithTimeout(time.Until(lostAt.Add(late))).Should(BeFalse(), "the first waits for its lost apply")
		Expect(w.dispatchesOf(idB)()).To(BeZero(), "the second sends nothing while the first's apply may run")
		Expect(first).To(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonDeleting))

		By("the grace over, the first goes, then the second applies, after the first's late dispatch")
		Eventually(gone(first)).WithTimeout(eventually).Should(BeTrue())
		Expect(time.Since(lostAt)).To(BeNumerically(">=", timing.CreateGrace-time.Second))
		Eventually(fetch(second)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.dispatchesOf(idA)()).To(Equal(1), "the first's lost apply ran at Gandi")
		Expect(w.dispatchesOf(idB)()).To(Equal(1))
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.9")), "the second is Ready: the domain shows its records")
	})

	It("lets applications whose templates write different namespaces share a domain", func() {
		w.startManager(managerOptions{})
		w.create(recordsTemplate("records", "203.0.113.1"))
		w.create(mailTemplate("mail"))
		records := application("records", ofTemplate("records"))
		mail := application("mail", ofTemplate("mail"))
		w.create(records)
		w.create(mail)
		Eventually(fetch(records)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(mail)).WithTimeout(eventually).Should(beReady())
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.1")))
		Expect(w.domain().Mailboxes).To(ConsistOf("postmaster"))
		Consistently(w.sim.Dispatches).WithTimeout(3 * testTiming.Poll).Should(Equal(2))
		Expect(fetch(records)()).To(beReady())
		Expect(fetch(mail)()).To(beReady())
	})

	It("knows the domain named by its ID and by its name as one, and what a template given by ID writes", func() {
		public, err := w.sim.AddTemplate("", gandisim.SeedTemplate{Public: true, Name: "Gandi default", Payload: map[string]any{
			"domain:nameservers": map[string]any{"service": "livedns", "addresses": []any{}},
			"dns:records":        map[string]any{"default": true},
		}})
		Expect(err).NotTo(HaveOccurred())
		w.startManager(managerOptions{})
		first := application("defaults", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.TemplateRef, ta.Spec.TemplateID = nil, public
			ta.Spec.Domain, ta.Spec.DomainID = "", w.domain().ID
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}
		})
		w.create(first)
		Eventually(fetch(first)).WithTimeout(eventually).Should(beReady())
		w.create(recordsTemplate("records", "203.0.113.1"))
		second := application("records", ofTemplate("records"))
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "defaults", "dns:records", w.domain().ID))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("holds back an application naming the domain by ID while the one that applied there by name is paused with an edited spec, without the apply-domain label", func() {
		w.startManager(managerOptions{})
		first, idA, idB := firstOfTwo()
		Expect(w.dispatchesOf(idA)()).To(Equal(1))

		// Paused, then edited: its status no longer resolves the name it
		// gives. Without the label (an earlier build applied it, or a
		// person removed it) only its apply record says where it applied.
		setSpec(first, func() {
			first.Annotations[hostingv1alpha1.AnnotationPaused] = "true"
			delete(first.Labels, hostingv1alpha1.LabelApplyDomain)
		})
		Eventually(fetch(first)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
		setSpec(first, func() { everyMinute(first) })

		second := application("second", ofTemplate("records-b"), func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.Domain, ta.Spec.DomainID = "", w.domain().ID
		})
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))
		Consistently(w.dispatchesOf(idB)).WithTimeout(3*testTiming.Poll).Should(BeZero(), "the second never writes the records the first manages")
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.1")))
		// The first applied, so it has the finalizer, and deleting a paused
		// object waits until it is resumed.
		setSpec(first, func() { delete(first.Annotations, hostingv1alpha1.AnnotationPaused) })
	})
})
