package controller_test

import (
	"encoding/json"
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

const (
	otherOrgID    = "7e2d5c90-1b4f-11ef-8a6c-00163e816022"
	otherOrgToken = "pat_other-account-3b9e7d51"
	readOnlyToken = "pat_read-only-6f0a2c84"
)

// revoke puts a token Gandi refuses in creds.
func revoke(creds *corev1.Secret) {
	GinkgoHelper()
	Eventually(func() error {
		if err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(creds), creds); err != nil {
			return err
		}
		creds.Data = map[string][]byte{"token": []byte("pat_revoked-token-7d13")}
		return k8sClient.Update(suiteCtx, creds)
	}).WithTimeout(5 * time.Second).Should(Succeed())
}

// firstCreds is a watched Secret "first-creds" of w's namespace, with a
// token of the account holding the domain, to be revoked.
func firstCreds(w *world) *corev1.Secret {
	creds := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "first-creds", Labels: map[string]string{hostingv1alpha1.LabelWatch: hostingv1alpha1.LabelWatchValue}},
		StringData: map[string]string{"token": orgToken}}
	w.create(creds)
	return creds
}

// A domain's configuration has one manager, whatever namespace names it;
// but an application of another namespace counts against the others there
// only when its own credentials reach the domain, as its status or Gandi
// shows. Another tenant's application that names the domain, older, must
// not keep the domain's owner from applying when its credentials reach
// nothing there, whatever its metadata says.
var _ = Describe("TemplateApplications of two tenants on one domain", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.sim.AddDomain(orgID, domainFQDN)
		w.sim.AddAccount(gandisim.Account{Token: otherOrgToken, User: "mallory", Orgs: []gandisim.Org{{ID: otherOrgID, Name: "mallory-org"}}})
		w.sim.AddAccount(gandisim.Account{Token: readOnlyToken, User: "reader", ReadOnly: true, Orgs: []gandisim.Org{{ID: orgID, Name: "alice-org"}}})
	})

	// tenant makes the namespace of another tenant, with a credentials
	// Secret "creds" holding token ("" for none).
	tenantWith := func(suffix string, secrets map[string]string) string {
		ns := w.namespace + "-" + suffix
		Expect(k8sClient.Create(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
		for name, token := range secrets {
			Expect(k8sClient.Create(suiteCtx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
				StringData: map[string]string{"token": token}})).To(Succeed())
		}
		return ns
	}
	tenant := func(suffix, token string) string {
		if token == "" {
			return tenantWith(suffix, nil)
		}
		return tenantWith(suffix, map[string]string{"creds": token})
	}
	// removed deletes objs, in order, once the spec is over.
	removed := func(objs ...client.Object) {
		DeferCleanup(func() {
			for _, obj := range objs {
				Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, obj))).To(Succeed())
				Eventually(gone(obj)).WithTimeout(eventually).Should(BeTrue())
			}
		})
	}

	// publicRecords is a public Gandi template that sets the apex A
	// record, readable by every token.
	publicRecords := func() string {
		id, err := w.sim.AddTemplate("", gandisim.SeedTemplate{Public: true, Name: "squat records", Payload: map[string]any{
			"dns:records": map[string]any{"records": []any{map[string]any{"name": "@", "type": "A", "values": []any{"198.51.100.66"}}}},
		}})
		Expect(err).NotTo(HaveOccurred())
		return id
	}

	// squatIn creates, in ns, an application of a public template with the
	// Secret "creds", changed by mods, removed once the spec is over; it
	// waits for its first pass to conclude with reason.
	squatIn := func(ns, reason string, mods ...func(*hostingv1alpha1.TemplateApplication)) *hostingv1alpha1.TemplateApplication {
		GinkgoHelper()
		squat := application("squat", append([]func(*hostingv1alpha1.TemplateApplication){func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Namespace = ns
			ta.Spec.TemplateRef, ta.Spec.TemplateID = nil, publicRecords()
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "creds"}
		}}, mods...)...)
		Expect(k8sClient.Create(suiteCtx, squat)).To(Succeed())
		removed(squat)
		Eventually(fetch(squat)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, reason))
		return squat
	}

	// ownerApplies has the domain's owner, whose token is of the account
	// holding it, apply its records template: it must be the manager.
	ownerApplies := func() {
		GinkgoHelper()
		mine := recordsTemplate("records-mine", "203.0.113.1")
		w.create(mine)
		readyTemplateID(mine)
		owner := application("owner", ofTemplate("records-mine"))
		w.create(owner)
		Eventually(func() string {
			c := cond(fetch(owner)(), hostingv1alpha1.ConditionReady)
			return c.Reason + ": " + c.Message
		}).WithTimeout(eventually).Should(HavePrefix(hostingv1alpha1.ReasonAvailable),
			"an application whose credentials do not reach the domain must not hold the owner's back")
		Expect(w.domain().Records).To(ContainElement(apexRecord("A", "203.0.113.1")))
	}

	// olderBy waits out the creationTimestamp's one-second resolution, so
	// that what was created before is strictly older.
	olderBy := func() { time.Sleep(1100 * time.Millisecond) }

	DescribeTable("does not let an older application in another namespace, whose credentials do not reach the domain, keep its owner from applying",
		func(squatter func() *hostingv1alpha1.TemplateApplication, then func() OmegaMatcher) {
			w.startManager(managerOptions{})
			squat := squatter()
			olderBy()
			ownerApplies()
			Eventually(fetch(squat)).WithTimeout(eventually).Should(then())
			Consistently(fetch(squat)).WithTimeout(2 * testTiming.Poll).Should(then())
			Expect(w.domain().Records).To(ContainElement(apexRecord("A", "203.0.113.1")))
			Expect(w.domain().Records).NotTo(ContainElement(apexRecord("A", "198.51.100.66")))
		},
		Entry("its credentials Secret does not exist, so its Template is never created at Gandi", func() *hostingv1alpha1.TemplateApplication {
			ns := tenant("squatter", "")
			tpl := recordsTemplate("records", "198.51.100.66")
			tpl.Namespace = ns
			tpl.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "no-such-secret"}
			tpl.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			Expect(k8sClient.Create(suiteCtx, tpl)).To(Succeed())
			squat := application("squat", ofTemplate("records"), func(ta *hostingv1alpha1.TemplateApplication) {
				ta.Namespace = ns
				ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "no-such-secret"}
			})
			Expect(k8sClient.Create(suiteCtx, squat)).To(Succeed())
			removed(squat, tpl)
			Eventually(fetch(squat)).WithTimeout(eventually).Should(HaveField("Status.Conditions", Not(BeEmpty())))
			return squat
		}, func() OmegaMatcher {
			return HaveField("Status.DomainID", BeEmpty()) // Gandi never showed its credentials the domain
		}),
		Entry("the same, with an apply record of the domain and its label written by hand", func() *hostingv1alpha1.TemplateApplication {
			ns := tenant("forger", "")
			tpl := recordsTemplate("records", "198.51.100.66")
			tpl.Namespace = ns
			tpl.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "no-such-secret"}
			tpl.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			Expect(k8sClient.Create(suiteCtx, tpl)).To(Succeed())
			domainID := w.domain().ID
			rec, err := json.Marshal(map[string]any{
				"generation": 1, "payloadHash": "sha256:forged", "at": time.Now().UTC(), "outcome": "confirmedOnDomain",
				"domainID": domainID, "namespaces": []string{"dns:records"},
			})
			Expect(err).NotTo(HaveOccurred())
			squat := application("squat", ofTemplate("records"), func(ta *hostingv1alpha1.TemplateApplication) {
				ta.Namespace = ns
				ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "no-such-secret"}
				ta.Annotations = map[string]string{applyRecordKey: string(rec)}
				ta.Labels = map[string]string{hostingv1alpha1.LabelApplyDomain: domainID}
			})
			Expect(k8sClient.Create(suiteCtx, squat)).To(Succeed())
			removed(squat, tpl)
			Eventually(fetch(squat)).WithTimeout(eventually).Should(HaveField("Status.Conditions", Not(BeEmpty())))
			return squat
		}, func() OmegaMatcher {
			return HaveField("Status.DomainID", BeEmpty()) // Gandi never showed its credentials the domain
		}),
		Entry("its token is of another Gandi account, it is paused (its status never written) and carries an apply record of the domain written by hand",
			func() *hostingv1alpha1.TemplateApplication {
				ns := tenant("pauser", otherOrgToken)
				domainID := w.domain().ID
				rec, err := json.Marshal(map[string]any{
					"generation": 1, "payloadHash": "sha256:forged", "at": time.Now().UTC(), // no outcome: sent, never answered
					"domainID": domainID, "namespaces": []string{"dns:records"}, "templateID": "forged",
				})
				Expect(err).NotTo(HaveOccurred())
				return squatIn(ns, hostingv1alpha1.ReasonReconcilePaused, func(ta *hostingv1alpha1.TemplateApplication) {
					ta.Annotations = map[string]string{applyRecordKey: string(rec), hostingv1alpha1.AnnotationPaused: "true"}
					ta.Labels = map[string]string{hostingv1alpha1.LabelApplyDomain: domainID}
				})
			}, func() OmegaMatcher {
				return HaveField("Status.DomainID", BeEmpty()) // paused: the operator never read anything for it
			}),
		Entry("its token is of another Gandi account, and it names the domain by ID: Gandi refuses its apply", func() *hostingv1alpha1.TemplateApplication {
			ns := tenant("mallory", otherOrgToken)
			return squatIn(ns, hostingv1alpha1.ReasonUnauthorized, func(ta *hostingv1alpha1.TemplateApplication) {
				ta.Spec.Domain, ta.Spec.DomainID = "", w.domain().ID
			})
		}, func() OmegaMatcher {
			// Gandi refused its apply; the owner's own credentials show the
			// domain: once the owner applied, it counts there, first.
			return heldBackBy(w.namespace, "owner", "dns:records")
		}),
		Entry("its token of the account may only read: Gandi shows it the domain, and refuses its apply", func() *hostingv1alpha1.TemplateApplication {
			return squatIn(tenant("reader", readOnlyToken), hostingv1alpha1.ReasonUnauthorized)
		}, func() OmegaMatcher {
			// Gandi shows its token the domain: once the owner applied,
			// it counts there, after the owner.
			return heldBackBy(w.namespace, "owner", "dns:records", "its last apply there wrote all it writes")
		}),
		Entry("its Secret holds a token with a line break, which no request can carry", func() *hostingv1alpha1.TemplateApplication {
			return squatIn(tenantWith("breaker", map[string]string{"creds": "pat_a\npat_b"}), hostingv1alpha1.ReasonCredentialsInvalid)
		}, func() OmegaMatcher {
			return HaveField("Status.DomainID", BeEmpty()) // no request was made for it
		}),
	)

	DescribeTable("keeps holding back an application of another namespace while Gandi refuses the token of the first, whose apply there it showed performed",
		func(byID bool) {
			w.startManager(managerOptions{})
			creds := firstCreds(w)
			first := recordsTemplate("records-a", "203.0.113.1")
			w.create(first)
			readyTemplateID(first)
			ns := tenant("colleague", orgToken)
			second := recordsTemplate("records-b", "203.0.113.9")
			second.Namespace = ns
			second.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "creds"}
			Expect(k8sClient.Create(suiteCtx, second)).To(Succeed())
			idB := readyTemplateID(second)
			a := application("first", ofTemplate("records-a"), func(ta *hostingv1alpha1.TemplateApplication) {
				if byID {
					ta.Spec.Domain, ta.Spec.DomainID = "", w.domain().ID
				}
				ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "first-creds"}
			})
			w.create(a)
			Eventually(fetch(a)).WithTimeout(eventually).Should(beReady())
			b := application("second", ofTemplate("records-b"), func(ta *hostingv1alpha1.TemplateApplication) { ta.Namespace = ns })
			Expect(k8sClient.Create(suiteCtx, b)).To(Succeed())
			removed(b, second)
			Eventually(fetch(b)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))

			By("the first's token is revoked: Gandi answers it 403")
			revoke(creds)
			if !byID {
				// A domain given by ID is read by no route: the first's own
				// pass may not meet the revoked token; asking Gandi for the
				// domain with the first's credentials does.
				Eventually(fetch(a)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized))
			}
			Consistently(w.dispatchesOf(idB)).WithTimeout(3*testTiming.Poll).Should(BeZero(), "its records are on the domain: the first still manages them")
			Expect(fetch(b)()).To(heldBackBy(w.namespace, "first", "dns:records"))
			Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.1")))
		},
		Entry("it names the domain by spec.domain", false),
		Entry("it names the domain by spec.domainID, whose dispatch Gandi answered", true),
	)

	It("holds back an application in another namespace whose credentials reach the same account, naming the first across namespaces", func() {
		w.startManager(managerOptions{})
		first := recordsTemplate("records-a", "203.0.113.1")
		w.create(first)
		idA := readyTemplateID(first)
		owner := application("first", ofTemplate("records-a"))
		w.create(owner)
		Eventually(fetch(owner)).WithTimeout(eventually).Should(beReady())

		ns := tenant("colleague", orgToken)
		tpl := recordsTemplate("records-b", "203.0.113.9")
		tpl.Namespace = ns
		tpl.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "creds"}
		Expect(k8sClient.Create(suiteCtx, tpl)).To(Succeed())
		idB := readyTemplateID(tpl)
		second := application("second", ofTemplate("records-b"), func(ta *hostingv1alpha1.TemplateApplication) { ta.Namespace = ns })
		Expect(k8sClient.Create(suiteCtx, second)).To(Succeed())
		removed(second, tpl)

		Eventually(fetch(second)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "dns:records"))
		Expect(second.Status.DomainID).To(Equal(w.domain().ID), "its own credentials showed it the domain")
		Consistently(w.dispatchesOf(idB)).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		Expect(w.dispatchesOf(idA)()).To(Equal(1))
		Expect(w.domain().Records).To(ConsistOf(apexRecord("A", "203.0.113.1")))
	})

	It("lets the owner apply when another tenant's read-only token is refused at its apply, its status keeping a dispatch of another domain", func() {
		w.sim.AddDomain(otherOrgID, "mallory.example")
		w.startManager(managerOptions{})
		ns := tenantWith("mallory", map[string]string{"creds": otherOrgToken, "ro": readOnlyToken})
		squat := application("squat", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Namespace = ns
			ta.Spec.TemplateRef, ta.Spec.TemplateID = nil, publicRecords()
			ta.Spec.Domain = "mallory.example"
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "creds"}
		})
		Expect(k8sClient.Create(suiteCtx, squat)).To(Succeed())
		removed(squat)
		Eventually(fetch(squat)).WithTimeout(eventually).Should(beReady())
		Expect(squat.Status.Dispatch).NotTo(BeNil())

		By("it moves to the owner's domain with a token that may only read there")
		Eventually(func() error {
			if err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(squat), squat); err != nil {
				return err
			}
			squat.Spec.Domain = domainFQDN
			squat.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "ro"}
			return k8sClient.Update(suiteCtx, squat)
		}).WithTimeout(5 * time.Second).Should(Succeed())
		Eventually(fetch(squat)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized),
			HaveField("Status.DomainID", w.domain().ID)))
		olderBy()
		ownerApplies()
		Expect(w.domain().Records).NotTo(ContainElement(apexRecord("A", "198.51.100.66")))
	})

	It("keeps holding back an application of another namespace while Gandi refuses the token of the first, whose apply (its answer lost) the domain confirmed", func() {
		timing := testTiming
		timing.CreateGrace = time.Minute
		w.sim.HoldDispatches(true)
		w.sim.CommitThenDrop(gandisim.RouteApplyTemplate, 1)
		w.startManager(managerOptions{timing: &timing})
		creds := firstCreds(w)
		first := nameserversTemplate()
		w.create(first)
		readyTemplateID(first)
		ns := tenant("colleague", orgToken)
		second := gandiTemplate("ns-b", func(t *hostingv1alpha1.Template) {
			t.Namespace = ns
			t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "creds"}
			t.Spec.Payload = hostingv1alpha1.TemplatePayload{
				Nameservers: &hostingv1alpha1.NameserversPayload{Service: "custom", Addresses: []string{"ns1.other.example", "ns2.other.example"}},
			}
		})
		Expect(k8sClient.Create(suiteCtx, second)).To(Succeed())
		idB := readyTemplateID(second)
		a := application("first", ofNameserversTemplate, func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "first-creds"}
		})
		w.create(a)
		Eventually(fetch(a)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonApplying))
		w.sim.HoldDispatches(false)
		Eventually(fetch(a)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionTrue, hostingv1alpha1.ReasonConfirmedOnDomain))
		Expect(a.Status.Dispatch).To(BeNil(), "the operator never learnt the dispatch")
		b := application("second", func(ta *hostingv1alpha1.TemplateApplication) {
			ta.Namespace = ns
			ta.Spec.TemplateRef = &hostingv1alpha1.LocalObjectReference{Name: "ns-b"}
		})
		Expect(k8sClient.Create(suiteCtx, b)).To(Succeed())
		removed(b, second)
		Eventually(fetch(b)).WithTimeout(eventually).Should(heldBackBy(w.namespace, "first", "domain:nameservers"))

		By("the first's token is revoked")
		revoke(creds)
		Eventually(fetch(a)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized))
		Consistently(w.dispatchesOf(idB)).WithTimeout(2*testTiming.Poll).Should(BeZero(), "its nameservers are on the domain: the first still manages them")
		Expect(w.domain().Nameservers).To(ConsistOf(customNameservers))
	})

	It("costs the owner's passes no Gandi request per poll for each paused application another tenant names the domain with", func() {
		w.startManager(managerOptions{})
		ns := tenant("flood", otherOrgToken)
		tid := publicRecords()
		const n = 10
		for i := range n {
			squat := application(fmt.Sprintf("squat-%d", i), func(ta *hostingv1alpha1.TemplateApplication) {
				ta.Namespace = ns
				ta.Spec.TemplateRef, ta.Spec.TemplateID = nil, tid
				ta.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "creds"}
				ta.Annotations = map[string]string{hostingv1alpha1.AnnotationPaused: "true"}
			})
			Expect(k8sClient.Create(suiteCtx, squat)).To(Succeed())
			removed(squat)
		}
		olderBy()
		ownerApplies()
		w.sim.ResetCounters()
		Consistently(func() int { return w.sim.Requests(gandisim.RouteGetDomain) }).WithTimeout(4*testTiming.Poll).Should(BeNumerically("<", n),
			"each of the owner's passes asks Gandi, with the other tenant's token, for the domain once per paused application of that tenant")
	})
})
