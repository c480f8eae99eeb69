package controller_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

const domainFQDN = "example.com"

// applyRecordKey is the side-effect record of an apply, written before
// the POST.
const applyRecordKey = "effects.hosting.gandi-operator.dev/apply"

// customNameservers is what the "ns" Template sets: the one namespace the
// operator can see on a domain, so Gandi's state can settle an apply of it.
var customNameservers = []string{"ns1.example.net", "ns2.example.net"}

// nameserversTemplate is a Template that only moves the domain to custom
// nameservers.
func nameserversTemplate() *hostingv1alpha1.Template {
	return gandiTemplate("ns", func(t *hostingv1alpha1.Template) {
		t.Spec.Payload = hostingv1alpha1.TemplatePayload{
			Nameservers: &hostingv1alpha1.NameserversPayload{Service: "custom", Addresses: customNameservers},
		}
	})
}

func ofNameserversTemplate(ta *hostingv1alpha1.TemplateApplication) {
	ta.Spec.TemplateRef = &hostingv1alpha1.LocalObjectReference{Name: "ns"}
}

// notReady matches an object whose Ready condition is not True.
func notReady() OmegaMatcher {
	return WithTransform(func(obj client.Object) metav1.ConditionStatus {
		return cond(obj, hostingv1alpha1.ConditionReady).Status
	}, Not(Equal(metav1.ConditionTrue)))
}

// readyForAnyReason matches an object whose Ready condition is True, by
// whatever evidence: a spec then asserts which, after checking what was
// sent to get there.
func readyForAnyReason() OmegaMatcher {
	return Not(notReady())
}

// dispatchesDone reports whether every dispatch Gandi has is done.
func (w *world) dispatchesDone() bool {
	for _, d := range w.sim.DispatchList() {
		for _, st := range d.Tasks {
			if st != gandisim.StateDone {
				return false
			}
		}
	}
	return true
}

// application applies the Template "dns" to example.com, with the
// Template's credentials.
func application(name string, mutate ...func(*hostingv1alpha1.TemplateApplication)) *hostingv1alpha1.TemplateApplication {
	ta := &hostingv1alpha1.TemplateApplication{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: hostingv1alpha1.TemplateApplicationSpec{
			TemplateRef: &hostingv1alpha1.LocalObjectReference{Name: "dns"},
			Domain:      domainFQDN,
		},
	}
	for _, m := range mutate {
		m(ta)
	}
	return ta
}

func (w *world) domain() gandisim.DomainView {
	d, _ := w.sim.Domain(domainFQDN)
	return d
}

// apexRecord matches a record of the domain itself ("@").
func apexRecord(typ string, values ...string) OmegaMatcher {
	return And(HaveField("Name", "@"), HaveField("Type", typ), HaveField("Values", ConsistOf(values)))
}

func haveDispatchState(state hostingv1alpha1.DispatchState) OmegaMatcher {
	return HaveField("Status.Dispatch", And(Not(BeNil()), HaveField("State", state)))
}

var _ = Describe("TemplateApplication", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.sim.AddDomain(orgID, domainFQDN)
	})

	// applied runs the Template and its application to Ready.
	applied := func() (*hostingv1alpha1.Template, *hostingv1alpha1.TemplateApplication) {
		t, ta := gandiTemplate("dns"), application("shop-dns")
		w.create(t)
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(beReady())
		return t, ta
	}

	It("reports TemplateNotFound for a templateID of another account's template (Gandi's 403 to a working token), and applies nothing", func() {
		_, theirs := anotherAccount(w)
		w.startManager(managerOptions{})
		ta := application("app", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.TemplateRef, ta.Spec.TemplateID = nil, theirs
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}
		})
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonTemplateNotFound),
			HaveField("Status.Conditions", ContainElement(HaveField("Message", ContainSubstring("is not visible to this credential"))))))
		reads := w.sim.Requests(gandisim.RouteGetTemplate)
		Consistently(w.dispatchesOf(theirs)).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		Expect(w.sim.Requests(gandisim.RouteGetTemplate)-reads).To(BeNumerically("<=", 3), "it waits for the poll, it does not retry hot")
	})

	It("reports a refused token on a templateID as Unauthorized, not as a template not found", func() {
		_, theirs := anotherAccount(w)
		w.secret("revoked-credentials", map[string]string{"token": "pat_revoked-0a1b2c3d"})
		w.startManager(managerOptions{})
		ta := application("app", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.TemplateRef, ta.Spec.TemplateID = nil, theirs
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "revoked-credentials"}
		})
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized))
	})

	It("keeps following its dispatch after its Template is deleted, and reports what Gandi shows", func() {
		w.sim.HoldDispatches(true)
		DeferCleanup(w.sim.HoldDispatches, false)
		w.startManager(managerOptions{})
		t := recordsTemplate("dns", "203.0.113.1")
		w.create(t)
		readyTemplateID(t)
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(haveDispatchState("Pending"))

		Expect(k8sClient.Delete(suiteCtx, t)).To(Succeed())
		Eventually(gone(t)).WithTimeout(eventually).Should(BeTrue())
		Eventually(fetch(ta)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonTemplateNotFound))
		w.sim.HoldDispatches(false)
		Eventually(w.dispatchesDone).WithTimeout(eventually).Should(BeTrue(), "Gandi ran the dispatch")
		Eventually(fetch(ta)).WithTimeout(5*testTiming.Poll).Should(haveDispatchState("Done"),
			"status.dispatch shows what Gandi shows, not the Pending it last read")
		Expect(ta.Status.AppliedAt).NotTo(BeNil(), "Gandi performed the apply: the status says so")
		Expect(ta.Status.Conditions).To(ContainElement(And(HaveField("Type", hostingv1alpha1.ConditionReady), HaveField("Reason", hostingv1alpha1.ReasonTemplateNotFound))),
			"nothing more is applied while the template is gone")
	})

	It("waits for its Template, then applies it once and the domain shows the whole payload", func() {
		w.startManager(managerOptions{})
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "WaitingForTemplate"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "WaitingForTemplate")))
		Expect(w.sim.Dispatches()).To(BeZero())

		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate"), haveDispatchState("Done")))
		Expect(w.sim.Dispatches()).To(Equal(1))

		t = get(t).(*hostingv1alpha1.Template)
		Expect(ta.Status.TemplateID).To(Equal(t.Status.ID))
		Expect(ta.Status.DomainID).To(Equal(w.domain().ID))
		Expect(ta.Status.AppliedPayloadHash).To(Equal(t.Status.PayloadHash))
		Expect(ta.Status.AppliedGeneration).To(Equal(ta.Generation))
		Expect(ta.Status.AppliedAt).NotTo(BeNil())
		Expect(ta.Status.Dispatch.Tasks).To(Equal(map[string]hostingv1alpha1.DispatchState{
			"domain:nameservers": "Done", "dns:records": "Done", "domain:mailboxes": "Done", "domain:webredirs": "Done",
		}))
		Expect(ta.Status.Dispatch.History).NotTo(BeEmpty())
		Expect(ta.Status.Dispatch.Attempt).To(BeNumerically(">=", 1))

		d := w.domain()
		Expect(d.NameserverService).To(Equal("livedns"))
		Expect(d.Nameservers).NotTo(BeEmpty())
		Expect(d.Records).To(ContainElements(
			apexRecord("A", "203.0.113.1"),
			apexRecord("MX", "10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."),
		))
		Expect(d.Mailboxes).To(ConsistOf("alice", "contact"))
		Expect(d.WebRedirections).To(ConsistOf(And(HaveField("Host", "shop.example.com"), HaveField("URL", "https://www.example.net/"))))
		for _, v := range w.sim.DispatchList() {
			Expect(v.TargetID).To(Equal(d.ID))
		}

		By("never applying an unchanged spec again")
		writes := w.sim.Writes()
		Consistently(w.sim.Dispatches).WithTimeout(3 * testTiming.Poll).Should(Equal(1))
		Expect(w.sim.Writes()).To(Equal(writes))
	})

	// copiedToAnotherDomain creates, beside an application applied to
	// example.com, a copy of it (its annotations, so its apply record, as
	// kubectl get -o yaml renamed keeps them) for another domain, and
	// checks that the copy applies the template there and is Ready only
	// once that dispatch is done. earlier strips the target from the
	// record, as an earlier version wrote it: Gandi's dispatch tells it.
	copiedToAnotherDomain := func(earlier bool) {
		const otherFQDN = "other.example"
		w.sim.AddDomain(orgID, otherFQDN)
		other, _ := w.sim.Domain(otherFQDN)
		w.startManager(managerOptions{})
		_, ta := applied()
		first := ta.Status.Dispatch.ID
		annotations := map[string]string{}
		for k, v := range ta.Annotations {
			annotations[k] = v
		}
		if earlier {
			var rec map[string]any
			Expect(json.Unmarshal([]byte(annotations[applyRecordKey]), &rec)).To(Succeed())
			delete(rec, "domainID")
			delete(rec, "templateID")
			v, err := json.Marshal(rec)
			Expect(err).NotTo(HaveOccurred())
			annotations[applyRecordKey] = string(v)
		}

		w.sim.HoldDispatches(true)
		copied := application("copy", func(c *hostingv1alpha1.TemplateApplication) {
			c.Annotations = annotations
			c.Spec.Domain = otherFQDN
		})
		w.create(copied)
		Eventually(w.sim.Dispatches).WithTimeout(eventually).Should(Equal(2), "the copy applies the template to its own domain")
		Expect(w.sim.DispatchList()[1].TargetID).To(Equal(other.ID))
		Consistently(fetch(copied)).WithTimeout(2*testTiming.Poll).Should(notReady(), "not Ready before its own dispatch is done")

		w.sim.HoldDispatches(false)
		Eventually(fetch(copied)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(copied.Status.Dispatch.ID).To(Equal(w.sim.DispatchList()[1].ID))
		Expect(copied.Status.Dispatch.ID).NotTo(Equal(first))
		Expect(copied.Status.DomainID).To(Equal(other.ID))
		Expect(copied.Annotations[applyRecordKey]).To(ContainSubstring(other.ID))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(2))
		Expect(fetch(ta)()).To(And(beReady(), HaveField("Status.Dispatch.ID", first)), "the original is untouched")
	}

	It("applies a copy of an application (its apply record too) to the copy's own domain, and is Ready only once that is done", func() {
		copiedToAnotherDomain(false)
	})

	It("tells from Gandi's dispatch that a copied record of an earlier version, which names no target, applied elsewhere", func() {
		copiedToAnotherDomain(true)
	})

	It("applies again exactly once when the Template's records change", func() {
		w.startManager(managerOptions{})
		t, ta := applied()
		Expect(w.sim.Dispatches()).To(Equal(1))

		hash := get(t).(*hostingv1alpha1.Template).Status.PayloadHash
		setSpec(t, func() { t.Spec.Payload.DNSRecords.Records[0].Values = []string{"203.0.113.2"} })
		Eventually(func() string { return get(t).(*hostingv1alpha1.Template).Status.PayloadHash }).WithTimeout(eventually).
			ShouldNot(Equal(hash))
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done"),
			HaveField("Status.AppliedPayloadHash", t.Status.PayloadHash)))
		Expect(w.domain().Records).To(ContainElement(apexRecord("A", "203.0.113.2")))
		Expect(w.domain().Records).NotTo(ContainElement(apexRecord("A", "203.0.113.1")))
		Consistently(w.sim.Dispatches).WithTimeout(3 * testTiming.Poll).Should(Equal(2))
	})

	It("sends once more a lost apply that Gandi cannot settle, and is Ready only once that dispatch is done", func() {
		w.sim.CommitThenDrop(gandisim.RouteApplyTemplate, 1)
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(beReady())
		Expect(ta.Status.Dispatch).NotTo(BeNil())
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(2), "the lost one and one more, no more")
		Consistently(func() int { return w.sim.Requests(gandisim.RouteApplyTemplate) }).WithTimeout(3 * testTiming.Poll).Should(Equal(2))
		Expect(w.domain().Mailboxes).To(ConsistOf("alice", "contact"))
	})

	It("reports as AppliedUnconfirmed, not Ready, an apply whose answer is lost twice, and sends no third", func() {
		w.sim.CommitThenDrop(gandisim.RouteApplyTemplate, 2)
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AppliedUnconfirmed"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "AppliedUnconfirmed")))
		Expect(cond(ta, hostingv1alpha1.ConditionReady).Message).To(And(ContainSubstring("lost"), ContainSubstring("cannot be read")))
		Expect(ta.Status.AppliedPayloadHash).To(BeEmpty(), "nothing is known to be applied")
		Consistently(fetch(ta)).WithTimeout(3 * testTiming.Poll).Should(notReady())
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(2))
	})

	It("never sends again an apply Gandi accepted whose dispatch it stopped reporting, and reports it AppliedUnconfirmed", func() {
		w.sim.FailNext(gandisim.RouteGetDispatch, 1, http.StatusNotFound, 0)
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AppliedUnconfirmed"))
		Expect(cond(ta, hostingv1alpha1.ConditionReady).Message).To(And(ContainSubstring("Gandi accepted the apply"),
			ContainSubstring("no longer reports dispatch"), ContainSubstring("not sent again")))
		Consistently(func() int { return w.sim.Requests(gandisim.RouteApplyTemplate) }).WithTimeout(3*testTiming.Poll).Should(Equal(1), "Gandi has it: not sent again")
	})

	It("retries an apply refused with a 503 and Gandi's error body, and is Ready only once its dispatch is done", func() {
		w.sim.FailNext(gandisim.RouteApplyTemplate, 1, http.StatusServiceUnavailable, 0)
		w.sim.HoldDispatches(true)
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(haveDispatchState("Pending"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Applying")))
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(2), "the refused apply, then the one that was performed")
		Expect(w.sim.Dispatches()).To(Equal(1))
		Consistently(fetch(ta)).WithTimeout(2 * testTiming.Poll).Should(notReady())

		w.sim.HoldDispatches(false)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.dispatchesDone()).To(BeTrue())
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("dispatches once when the first write of Gandi's answer fails, and is Ready once that dispatch is done", func() {
		// The API server fails the write that records the dispatch once,
		// right after Gandi answered 202: lost, the apply would stay
		// unanswered and be sent again after the grace.
		var failed atomic.Bool
		w.startManager(managerOptions{wrap: interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				var rec struct{ Outcome string }
				if v := obj.GetAnnotations()[applyRecordKey]; v != "" && json.Unmarshal([]byte(v), &rec) == nil &&
					rec.Outcome == "dispatched" && failed.CompareAndSwap(false, true) {
					return apierrors.NewServiceUnavailable("etcd leader changed")
				}
				return c.Patch(ctx, obj, patch, opts...)
			},
		}})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(failed.Load).WithTimeout(eventually).Should(BeTrue())
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Consistently(func() int { return w.sim.Requests(gandisim.RouteApplyTemplate) }).
			WithTimeout(testTiming.CreateGrace+2*testTiming.Poll).Should(Equal(1), "Gandi took the first apply")
	})

	It("sends an apply recorded by a manager that stopped before its POST, exactly once", func() {
		stopped := make(chan struct{})
		var once atomic.Bool
		stop := w.startManager(managerOptions{wrap: interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				ann := obj.GetAnnotations()
				// The record written before the POST (apply-pending in
				// earlier versions).
				recording := ann[applyRecordKey] != "" || ann["hosting.gandi-operator.dev/apply-pending"] != ""
				if _, ok := obj.(*hostingv1alpha1.TemplateApplication); !ok || !recording || !once.CompareAndSwap(false, true) {
					return c.Patch(ctx, obj, patch, opts...)
				}
				if err := c.Patch(ctx, obj, patch, opts...); err != nil {
					return err
				}
				close(stopped) // the process dies here: the record is written, the POST never leaves
				<-ctx.Done()
				return ctx.Err()
			},
		}})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
		stop()
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(BeZero())

		w.startManager(managerOptions{})
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.dispatchesDone()).To(BeTrue())
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(1))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		Expect(w.domain().Mailboxes).To(ConsistOf("alice", "contact"))
	})

	It("applies again a lost apply that the domain shows never happened, once a dispatch would have run", func() {
		w.sim.ResetNext(gandisim.RouteApplyTemplate, 1)
		w.startManager(managerOptions{})
		w.create(nameserversTemplate())
		ta := application("ns", ofNameserversTemplate)
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(2), "the lost one, then the one that was performed")
		Expect(w.sim.Dispatches()).To(Equal(1))
		Expect(w.domain().Nameservers).To(ConsistOf(customNameservers))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("resolves a lost answer whose dispatch ran from the domain: not applied twice, Ready only once the domain shows it", func() {
		// A grace longer than the test: the held dispatch must not be
		// taken for one that never happened.
		timing := testTiming
		timing.CreateGrace = time.Minute
		w.sim.HoldDispatches(true)
		w.sim.CommitThenDrop(gandisim.RouteApplyTemplate, 1)
		w.startManager(managerOptions{timing: &timing})
		w.create(nameserversTemplate())
		ta := application("ns", ofNameserversTemplate)
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Applying"))
		Expect(cond(ta, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("may have been performed"))
		Consistently(fetch(ta)).WithTimeout(3 * testTiming.Poll).Should(notReady())
		Expect(w.sim.Dispatches()).To(Equal(1))

		w.sim.HoldDispatches(false)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionTrue, "ConfirmedOnDomain"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		Expect(w.dispatchesDone()).To(BeTrue())
		Expect(w.domain().Nameservers).To(ConsistOf(customNameservers))
		Expect(ta.Status.AppliedPayloadHash).NotTo(BeEmpty())
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(1))
		Consistently(w.sim.Dispatches).WithTimeout(3 * testTiming.Poll).Should(Equal(1))
	})

	// applyRequests counts the applies Gandi received.
	applyRequests := func() int { return w.sim.Requests(gandisim.RouteApplyTemplate) }

	It("applies once a slow apply whose answer is lost and whose dispatch runs late, within the grace counted from the loss", func() {
		// The POST takes 0.7 of the grace before its connection drops
		// without an answer, and Gandi performs it 0.5 of the grace after
		// that: the domain shows it past the grace counted from the record
		// written before the POST (where it still contradicts the template),
		// within the grace counted from the loss.
		grace := testTiming.CreateGrace
		w.sim.SetLatency(gandisim.RouteApplyTemplate, 7*grace/10)
		w.sim.DropThenCommitPaid(gandisim.RouteApplyTemplate, 1, 5*grace/10)
		w.startManager(managerOptions{})
		w.create(nameserversTemplate())
		ta := application("ns", ofNameserversTemplate)
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(readyForAnyReason())
		Expect(applyRequests()).To(Equal(1), "the lost apply was performed: not sent again")
		Expect(ta).To(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionTrue, "ConfirmedOnDomain"))
		Expect(w.domain().Nameservers).To(ConsistOf(customNameservers))
		Consistently(applyRequests).WithTimeout(2 * grace).Should(Equal(1))
		Expect(w.sim.Dispatches()).To(Equal(1))
	})

	It("goes with a Warning event, once the grace is over, when deleted with an apply whose answer was lost and that Gandi shows nothing of", func() {
		grace := testTiming.CreateGrace
		w.startManager(managerOptions{})
		w.create(recordsTemplate("records-a", "203.0.113.1"))
		w.sim.DropThenCommitPaid(gandisim.RouteApplyTemplate, 1, 10*grace)
		ta := application("first", ofTemplate("records-a"))
		w.create(ta)
		Eventually(func() string { return get(ta).GetAnnotations()[applyRecordKey] }).WithTimeout(eventually).Should(ContainSubstring(`"outcome":"lost"`))
		lostAt := time.Now()
		Expect(ta.Finalizers).NotTo(BeEmpty(), "the finalizer came with the apply's record")

		Expect(k8sClient.Delete(suiteCtx, ta)).To(Succeed())
		Eventually(gone(ta)).WithTimeout(eventually).Should(BeTrue())
		Expect(time.Since(lostAt)).To(BeNumerically(">=", grace/2), "it waited for the grace of its lost apply")
		Eventually(applicationWarnings(w, "first", "Delete")).WithTimeout(5*time.Second).Should(HaveLen(1),
			"it went without seeing its last apply end: a Warning says so")
		Expect(eventsAbout(w, "TemplateApplication", "first", "Released")()).To(BeEmpty())
		Expect(applyRequests()).To(Equal(1), "nothing is sent again on deletion")
	})

	It("goes, before the grace is over, once the domain shows the apply of a deleted application whose answer was lost", func() {
		timing := testTiming
		timing.CreateGrace = time.Minute
		w.startManager(managerOptions{timing: &timing})
		w.create(nameserversTemplate())
		w.sim.DropThenCommitPaid(gandisim.RouteApplyTemplate, 1, 2*time.Second)
		ta := application("ns", ofNameserversTemplate)
		w.create(ta)
		Eventually(func() string { return get(ta).GetAnnotations()[applyRecordKey] }).WithTimeout(eventually).Should(ContainSubstring(`"outcome":"lost"`))

		Expect(k8sClient.Delete(suiteCtx, ta)).To(Succeed())
		Eventually(gone(ta)).WithTimeout(eventually).Should(BeTrue())
		Expect(w.domain().Nameservers).To(ConsistOf(customNameservers), "it went once the domain showed its apply done")
		Eventually(eventsAbout(w, "TemplateApplication", "ns", "Released")).WithTimeout(5 * time.Second).ShouldNot(BeEmpty())
		Expect(applicationWarnings(w, "ns", "Delete")()).To(BeEmpty())
		Expect(applyRequests()).To(Equal(1))
	})

	It("applies once an apply cut by a manager stop before its answer was recorded, and whose dispatch runs late", func() {
		// The answer is lost and the process dies before it records that:
		// the next one cannot know how late the apply reached Gandi, so it
		// waits the grace from its own first look past the grace since the
		// record. Gandi performs the apply 1.5 graces after the record.
		timing := testTiming
		timing.CreateGrace = 2 * time.Second
		grace := timing.CreateGrace
		w.sim.SetLatency(gandisim.RouteApplyTemplate, 2*grace/10)
		w.sim.DropThenCommitPaid(gandisim.RouteApplyTemplate, 1, 13*grace/10)
		stopped := make(chan struct{})
		var once atomic.Bool
		stop := w.startManager(managerOptions{timing: &timing, wrap: interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				var rec struct{ Outcome string }
				if v := obj.GetAnnotations()[applyRecordKey]; v != "" && json.Unmarshal([]byte(v), &rec) == nil &&
					rec.Outcome == "lost" && once.CompareAndSwap(false, true) {
					close(stopped) // the process dies here: the answer is lost, and so is the record of that
					<-ctx.Done()
					return ctx.Err()
				}
				return c.Patch(ctx, obj, patch, opts...)
			},
		}})
		w.create(nameserversTemplate())
		ta := application("ns", ofNameserversTemplate)
		w.create(ta)
		Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
		stop()
		Expect(get(ta).GetAnnotations()[applyRecordKey]).NotTo(ContainSubstring("lost"), "the record is left unanswered")

		w.startManager(managerOptions{timing: &timing})
		Eventually(fetch(ta)).WithTimeout(eventually).Should(readyForAnyReason())
		Expect(applyRequests()).To(Equal(1), "the cut apply was performed: not sent again")
		Expect(ta).To(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionTrue, "ConfirmedOnDomain"))
		Expect(w.domain().Nameservers).To(ConsistOf(customNameservers))
		Consistently(applyRequests).WithTimeout(2 * grace).Should(Equal(1))
		Expect(w.sim.Dispatches()).To(Equal(1))
	})

	It("applies once when the manager that recorded an apply freezes before its POST, and another applies meanwhile", func() {
		// A leader frozen (SIGSTOP, a paused VM) right after its apply's
		// record landed: another manager takes the apply for lost two
		// graces later (nothing answered it, the domain shows nothing) and
		// applies. The first then thaws with its POST in hand: it must
		// drop it, and leave the other's record as it is.
		wrap, frozen, thawed := freezesAfterPatch(func(obj client.Object) bool {
			_, isTA := obj.(*hostingv1alpha1.TemplateApplication)
			return isTA && obj.GetAnnotations()[applyRecordKey] != ""
		})
		w.startManager(managerOptions{wrap: wrap})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(frozen).WithTimeout(eventually).Should(BeClosed())
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(BeZero())

		w.startManager(managerOptions{})
		Eventually(fetch(ta)).WithTimeout(eventually + 3*testTiming.CreateGrace).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(1))
		theirs := get(ta).GetAnnotations()[applyRecordKey]

		thawed()
		Eventually(eventsAbout(w, "TemplateApplication", ta.Name, hostingv1alpha1.ReasonSendWindowPassed)).WithTimeout(eventually).Should(
			ContainElement(HaveField("Note", ContainSubstring("too late after its record"))))
		Consistently(func() int { return w.sim.Requests(gandisim.RouteApplyTemplate) }).WithTimeout(2*testTiming.Poll).Should(Equal(1),
			"the thawed manager must not send the apply it recorded two graces ago")
		Expect(w.sim.Dispatches()).To(Equal(1))
		Expect(get(ta).GetAnnotations()).To(HaveKeyWithValue(applyRecordKey, theirs), "the other manager's record is not taken back")
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
	})

	It("applies when every request of its token waits longer than the send window: the record is written once the POST's turn came", func() {
		// One request a second for the token: the POST waits about twice
		// the send window after the pass's read of the domain. Recorded
		// before that wait, the apply would be dropped as too late after
		// its record at every pass, and never sent.
		w.startManager(managerOptions{tokenRequestsPerMinute: 60})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(2 * eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(1))
		Expect(eventsAbout(w, "TemplateApplication", ta.Name, hostingv1alpha1.ReasonSendWindowPassed)()).To(BeEmpty())
	})

	It("drops an apply whose pass pauses past the send window after its record, takes the record back, and applies once", func() {
		// Paused past the window, nobody else writing.
		w.startManager(managerOptions{wrap: pausesAfterPatch(func(obj client.Object) bool {
			_, isTA := obj.(*hostingv1alpha1.TemplateApplication)
			return isTA && obj.GetAnnotations()[applyRecordKey] != ""
		}, 7*testTiming.CreateGrace/10)})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(eventsAbout(w, "TemplateApplication", ta.Name, hostingv1alpha1.ReasonSendWindowPassed)).WithTimeout(eventually).Should(
			ContainElement(HaveField("Note", ContainSubstring("its record is taken back and it is sent again"))))
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(1))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.CreateGrace).Should(Equal(1))
	})

	It("applies once when two managers race on one application", func() {
		w.startManager(managerOptions{})
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.CreateGrace).Should(Equal(1))
	})

	It("applies once what an earlier version counted as applied without a dispatch", func() {
		w.startManager(managerOptions{})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		// What versions before the apply record left after a 503 on the
		// apply: an "unconfirmed" last apply, and nothing at Gandi.
		old, err := json.Marshal(map[string]any{
			"at": time.Now().Add(-time.Hour).UTC(), "payloadHash": t.Status.PayloadHash, "generation": 1,
			"unconfirmed": "Gandi answered the apply with an error that does not say whether it was performed",
		})
		Expect(err).NotTo(HaveOccurred())
		ta := application("shop-dns", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Annotations = map[string]string{"hosting.gandi-operator.dev/last-apply": string(old)}
		})
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(ta.Annotations).NotTo(HaveKey("hosting.gandi-operator.dev/last-apply"))
		Expect(ta.Annotations).To(HaveKey(applyRecordKey))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("leaves observedGeneration alone when a pass fails before it observes anything", func() {
		w.startManager(managerOptions{})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		w.sim.FailNext(gandisim.RouteGetDomain, 1000, http.StatusServiceUnavailable, 0)
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "GandiUnavailable"))
		Expect(ta.Status.ObservedGeneration).To(BeZero())
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(BeZero())

		w.sim.ClearFaults()
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ObservedGeneration", ta.Generation)))
	})

	It("keeps a pending dispatch not Ready without reporting an error", func() {
		w.sim.HoldDispatches(true)
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(haveDispatchState("Pending"))
		Consistently(fetch(ta)).WithTimeout(3 * testTiming.Poll).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Applying"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate"),
			haveDispatchState("Pending")))
		Expect(w.sim.Dispatches()).To(Equal(1))

		w.sim.HoldDispatches(false)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(w.sim.Dispatches()).To(Equal(1))
	})

	// status.appliedPayloadHash, appliedGeneration and appliedAt describe
	// the last apply Gandi showed performed, not one that was only sent:
	// a dispatch Gandi holds pending has performed nothing yet.
	It("reports nothing as applied in status while Gandi shows its dispatch pending, and the apply once it is done", func() {
		w.sim.HoldDispatches(true)
		w.startManager(managerOptions{})
		t := gandiTemplate("dns")
		w.create(t)
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(haveDispatchState("Pending"))
		Expect(get(ta).GetAnnotations()).To(HaveKeyWithValue(applyRecordKey, ContainSubstring(`"outcome":"dispatched"`)),
			"the apply is recorded as sent")
		Consistently(fetch(ta)).WithTimeout(2*testTiming.Poll).Should(And(
			HaveField("Status.AppliedPayloadHash", BeEmpty()), HaveField("Status.AppliedGeneration", BeZero()), HaveField("Status.AppliedAt", BeNil())),
			"Gandi shows the dispatch pending: nothing is performed yet")

		w.sim.HoldDispatches(false)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(ta.Status.AppliedPayloadHash).To(Equal(get(t).(*hostingv1alpha1.Template).Status.PayloadHash))
		Expect(ta.Status.AppliedGeneration).To(Equal(ta.Generation))
		Expect(ta.Status.AppliedAt).NotTo(BeNil())
	})

	It("reports nothing as applied in status when its dispatch failed as a whole", func() {
		w.sim.FailDispatches("The domain is locked.")
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(haveDispatchState("Error"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "DispatchFailed")))
		Consistently(fetch(ta)).WithTimeout(2*testTiming.Poll).Should(And(
			HaveField("Status.AppliedPayloadHash", BeEmpty()), HaveField("Status.AppliedAt", BeNil())),
			"the dispatch failed: nothing of it was performed")
		Expect(w.sim.Dispatches()).To(Equal(1))
	})

	It("follows its dispatch across a manager restart without dispatching again", func() {
		w.sim.HoldDispatches(true)
		stop := w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(haveDispatchState("Pending"))
		id := ta.Status.Dispatch.ID
		stop()

		w.startManager(managerOptions{})
		w.sim.HoldDispatches(false)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done")))
		Expect(ta.Status.Dispatch.ID).To(Equal(id))
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("applies nothing again when restored without its status after an edit of its spec was applied", func() {
		stop := w.startManager(managerOptions{})
		_, ta := applied()
		Expect(w.sim.Dispatches()).To(Equal(1))

		By("an edit of the spec applies again, at generation 2")
		setSpec(ta, func() {
			ta.Spec.Reapply = &hostingv1alpha1.ReapplySpec{Policy: hostingv1alpha1.ReapplyOnChange}
		})
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done"),
			HaveField("Status.AppliedGeneration", int64(2))))
		Expect(w.sim.Dispatches()).To(Equal(2))
		stop()

		By("restored from its metadata and spec: the apply record is kept, the generation is 1 again")
		back := restoredWithoutStatus(ta)
		Expect(back.Generation).To(Equal(int64(1)))
		Expect(back.Annotations).To(HaveKey(applyRecordKey))
		w.startManager(managerOptions{})
		Eventually(fetch(back)).WithTimeout(eventually).Should(And(beReady(), haveDispatchState("Done"),
			HaveField("Status.AppliedGeneration", int64(1))), "the spec of generation 1 is the one applied")
		Consistently(w.sim.Dispatches).WithTimeout(3*testTiming.Poll).Should(Equal(2),
			"what is applied did not change: the restore must not apply the template again")
		Expect(w.sim.Requests(gandisim.RouteApplyTemplate)).To(Equal(2))
	})

	It("reports DispatchFailed naming the failing namespace and Gandi's message, and does not retry", func() {
		w.sim.FailNamespace("domain:mailboxes", "The mailbox quota of the domain is reached.")
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "DispatchFailed"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate"),
			haveDispatchState("Error")))
		Expect(cond(ta, hostingv1alpha1.ConditionReady).Message).To(And(
			ContainSubstring("domain:mailboxes"), ContainSubstring("The mailbox quota of the domain is reached."),
			Not(ContainSubstring("dns:records"))))
		Expect(ta.Status.Dispatch.Tasks).To(HaveKeyWithValue("domain:mailboxes", hostingv1alpha1.DispatchError))
		Expect(ta.Status.Dispatch.Tasks).To(HaveKeyWithValue("dns:records", hostingv1alpha1.DispatchDone))
		Expect(ta.Status.AppliedAt).To(BeNil(), "a dispatch with a task in error is not an apply Gandi showed performed")
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("applies a public template by templateID and never modifies it", func() {
		public, err := w.sim.AddTemplate("", gandisim.SeedTemplate{Public: true, Name: "Gandi default", Payload: map[string]any{
			"domain:nameservers": map[string]any{"service": "livedns", "addresses": []any{}},
			"dns:records":        map[string]any{"default": true},
		}})
		Expect(err).NotTo(HaveOccurred())
		w.startManager(managerOptions{})
		ta := application("defaults", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.TemplateRef = nil
			ta.Spec.TemplateID = public
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}
		})
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(beReady())
		Expect(ta.Status.TemplateID).To(Equal(public))
		Expect(w.domain().DefaultRecords).To(BeTrue())
		Consistently(w.sim.Dispatches).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		Expect(w.sim.Requests(gandisim.RoutePatchTemplate)).To(BeZero())
		Expect(w.sim.Requests(gandisim.RouteDeleteTemplate)).To(BeZero())
		v, ok := w.sim.Template(public)
		Expect(ok).To(BeTrue())
		Expect(v.Name).To(Equal("Gandi default"))
	})

	It("reports TemplateNotFound when its Template is deleted, and leaves the domain as it is", func() {
		w.startManager(managerOptions{})
		t, ta := applied()
		Expect(k8sClient.Delete(suiteCtx, t)).To(Succeed())
		Eventually(gone(t)).WithTimeout(eventually).Should(BeTrue())
		Expect(w.sim.Templates()).To(BeEmpty())
		Eventually(fetch(ta)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "TemplateNotFound"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "TemplateNotFound")))
		Expect(w.domain().Mailboxes).To(ConsistOf("alice", "contact"))
		Expect(w.sim.Dispatches()).To(Equal(1))
	})

	It("reports an unknown domain as DomainNotFound and applies nothing", func() {
		w.startManager(managerOptions{})
		w.create(gandiTemplate("dns"))
		ta := application("elsewhere", func(ta *hostingv1alpha1.TemplateApplication) { ta.Spec.Domain = "not-ours.example" })
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "DomainNotFound"))
		Expect(w.sim.Dispatches()).To(BeZero())
	})

	It("is deleted at once, without waiting for its running dispatch, when its credentials Secret is gone", func() {
		w.startManager(managerOptions{})
		w.sim.HoldDispatches(true)
		DeferCleanup(w.sim.HoldDispatches, false)
		w.create(gandiTemplate("dns"))
		ta := application("shop-dns")
		w.create(ta)
		Eventually(fetch(ta)).WithTimeout(eventually).Should(haveDispatchState("Pending"))
		Expect(ta.Finalizers).NotTo(BeEmpty())
		writes := w.sim.Writes()

		Expect(k8sClient.Delete(suiteCtx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "gandi-credentials", Namespace: w.namespace}})).To(Succeed())
		Expect(k8sClient.Delete(suiteCtx, ta)).To(Succeed())
		Eventually(gone(ta)).WithTimeout(eventually).Should(BeTrue(), "the deletion does not wedge on credentials it cannot use")
		// Events are posted asynchronously: the object may be gone first.
		Eventually(eventsAbout(w, "TemplateApplication", "shop-dns", hostingv1alpha1.ReasonCredentialsNotFound)).WithTimeout(5*time.Second).
			ShouldNot(BeEmpty(), "an event says it was let go unobserved")
		Expect(w.sim.Writes()).To(Equal(writes))
		// The Template's deletion needs them (it deletes at Gandi).
		w.secret("gandi-credentials", map[string]string{"token": orgToken})
	})

	It("changes nothing at Gandi when deleted", func() {
		w.startManager(managerOptions{})
		_, ta := applied()
		writes := w.sim.Writes()
		Expect(k8sClient.Delete(suiteCtx, ta)).To(Succeed())
		Eventually(gone(ta)).WithTimeout(eventually).Should(BeTrue())
		Expect(w.sim.Writes()).To(Equal(writes))
		Expect(w.domain().Mailboxes).To(ConsistOf("alice", "contact"))
		Eventually(eventsAbout(w, "TemplateApplication", ta.Name, "Released")).WithTimeout(5*time.Second).ShouldNot(BeEmpty(), "it saw its dispatch end")
		Expect(applicationWarnings(w, ta.Name, "Delete")()).To(BeEmpty(), "nothing was pending: no Warning")
	})
})

// applicationWarnings lists the Warning events of action about the named
// TemplateApplication of w.
func applicationWarnings(w *world, name, action string) func() []eventsv1.Event {
	return func() []eventsv1.Event {
		list := &eventsv1.EventList{}
		Expect(k8sClient.List(suiteCtx, list, client.InNamespace(w.namespace))).To(Succeed())
		var out []eventsv1.Event
		for _, e := range list.Items {
			if e.Regarding.Kind == "TemplateApplication" && e.Regarding.Name == name && e.Type == corev1.EventTypeWarning && e.Action == action {
				out = append(out, e)
			}
		}
		return out
	}
}
