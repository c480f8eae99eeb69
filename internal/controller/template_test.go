package controller_test

import (
	"context"
	"maps"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// gandiTemplate is a Template named "dns" by default that sets every
// namespace: LiveDNS nameservers, two records, two mailboxes and a web
// redirection (with override, so that applying it again succeeds once the
// first application has created the host's record).
func gandiTemplate(name string, mutate ...func(*hostingv1alpha1.Template)) *hostingv1alpha1.Template {
	t := &hostingv1alpha1.Template{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: hostingv1alpha1.TemplateSpec{
			ManagedFields: hostingv1alpha1.ManagedFields{CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}},
			Description:   ptr("the shop's DNS, mail and redirections"),
			Payload: hostingv1alpha1.TemplatePayload{
				Nameservers: &hostingv1alpha1.NameserversPayload{Service: "livedns"},
				DNSRecords: &hostingv1alpha1.DNSRecordsPayload{Records: []hostingv1alpha1.DNSRecord{
					{Name: "@", Type: "A", Values: []string{"203.0.113.1"}},
					{Name: "@", Type: "MX", TTL: 10800, Values: []string{"50 fb.mail.gandi.net.", "10 spool.mail.gandi.net."}},
				}},
				Mailboxes:    []hostingv1alpha1.Mailbox{{Login: "contact"}, {Login: "alice"}},
				WebRedirects: []hostingv1alpha1.WebRedirect{{Type: "http301", Host: "shop", URL: "https://www.example.net/", Override: true, Protocol: "https"}},
			},
		},
	}
	for _, m := range mutate {
		m(t)
	}
	return t
}

// simTemplate is the simulator's template with the object's Gandi ID.
func (w *world) simTemplate(t *hostingv1alpha1.Template) func() gandisim.TemplateView {
	return func() gandisim.TemplateView {
		v, _ := w.sim.Template(get(t).(*hostingv1alpha1.Template).Status.ID)
		return v
	}
}

var _ = Describe("Template", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("creates the template with every namespace, reports it, and makes no write in a steady state", func() {
		w.startManager(managerOptions{})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))

		Expect(t.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, t.Status.ID))
		Expect(t.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending))
		Expect(t.Status.Name).To(Equal("dns"))
		Expect(t.Status.Editable).To(Equal(ptr(true)))
		Expect(t.Status.Namespaces).To(ConsistOf("dns:records", "domain:mailboxes", "domain:nameservers", "domain:webredirs"))
		Expect(t.Status.PayloadHash).To(HavePrefix("sha256:"))
		Expect(t.Status.ObservedGeneration).To(Equal(t.Generation))

		v := w.simTemplate(t)()
		Expect(v.Name).To(Equal("dns"))
		Expect(v.Description).To(Equal("the shop's DNS, mail and redirections"))
		Expect(v.Payload).To(HaveKeyWithValue("domain:nameservers", HaveKeyWithValue("addresses", BeEmpty())))
		Expect(w.sim.Requests(gandisim.RouteCreateTemplate)).To(Equal(1))

		writes := w.sim.Writes()
		Consistently(w.sim.Writes).WithTimeout(3 * testTiming.Poll).Should(Equal(writes))
	})

	It("sends the full payload when one namespace changes", func() {
		w.startManager(managerOptions{})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		hash := t.Status.PayloadHash
		patches := w.sim.Requests(gandisim.RoutePatchTemplate)

		setSpec(t, func() { t.Spec.Payload.DNSRecords.Records[0].Values = []string{"203.0.113.2"} })
		Eventually(func() string { return fetch(t)().(*hostingv1alpha1.Template).Status.PayloadHash }).
			WithTimeout(eventually).ShouldNot(Equal(hash))
		Expect(t).To(beReady())
		Expect(w.sim.Requests(gandisim.RoutePatchTemplate)).To(Equal(patches + 1))
		v := w.simTemplate(t)()
		Expect(v.Payload).To(HaveKey("domain:mailboxes"), "the PATCH replaces the payload: it must carry every namespace")
		Expect(v.Payload).To(HaveKey("domain:webredirs"))
		Expect(v.Payload).To(HaveKeyWithValue("dns:records", HaveKeyWithValue("records", ContainElement(
			HaveKeyWithValue("values", ConsistOf("203.0.113.2"))))))
	})

	It("reports Gandi's refusal of a payload the CRD accepts, with Gandi's words", func() {
		w.startManager(managerOptions{})
		t := gandiTemplate("bad-nameserver", func(t *hostingv1alpha1.Template) {
			// Admission refuses what a pattern can tell from a host name;
			// a label that is not valid punycode is left for Gandi.
			t.Spec.Payload.Nameservers = &hostingv1alpha1.NameserversPayload{Service: "custom", Addresses: []string{"ns1.xn--zz.example"}}
		})
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "CreateRefused")))
		Expect(cond(t, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("domain:nameservers.addresses"))
		Expect(w.sim.Templates()).To(BeEmpty())
		// A refusal made nothing: the create intent goes (a retry at the
		// poll writes it again for the time of its POST).
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			HaveField("ObjectMeta.Annotations", Not(HaveKey(hostingv1alpha1.AnnotationCreatePending))))
		Consistently(w.sim.Templates).WithTimeout(2 * testTiming.Poll).Should(BeEmpty())
	})

	It("sends no A record whose value is no IPv4 address, on create or on an edit", func() {
		w.startManager(managerOptions{})
		t := gandiTemplate("bad-address", func(t *hostingv1alpha1.Template) {
			t.Spec.Payload.DNSRecords.Records[0].Values = []string{"shop.example.com"}
		})
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "CreateRefused")))
		Expect(cond(t, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(`"shop.example.com" is not an IPv4 address`))
		Expect(w.sim.Templates()).To(BeEmpty())

		setSpec(t, func() { t.Spec.Payload.DNSRecords.Records[0].Values = []string{"203.0.113.9"} })
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		patches := w.sim.Requests(gandisim.RoutePatchTemplate)
		setSpec(t, func() { t.Spec.Payload.DNSRecords.Records[0].Values = []string{"2001:db8::1"} })
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"))
		Consistently(func() int { return w.sim.Requests(gandisim.RoutePatchTemplate) }).WithTimeout(2 * testTiming.Poll).Should(Equal(patches))
		Expect(w.simTemplate(t)().Payload).To(HaveKeyWithValue("dns:records", HaveKeyWithValue("records", ContainElement(
			HaveKeyWithValue("values", ConsistOf("203.0.113.9"))))))
	})

	It("keeps the last good payload when Gandi refuses an edit, and says why", func() {
		w.startManager(managerOptions{})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		hash := t.Status.PayloadHash

		setSpec(t, func() {
			// Admission refuses what a pattern can tell from a host name;
			// a label that is not valid punycode is left for Gandi.
			t.Spec.Payload.Nameservers = &hostingv1alpha1.NameserversPayload{Service: "custom", Addresses: []string{"ns1.xn--zz.example"}}
		})
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "InvalidSpec")))
		Expect(cond(t, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("domain:nameservers.addresses"))
		Expect(t.Status.PayloadHash).To(Equal(hash), "the status shows what Gandi holds, not what was refused")
		Expect(w.simTemplate(t)().Payload).To(HaveKeyWithValue("domain:nameservers", HaveKeyWithValue("service", "livedns")))
	})

	It("never takes over a same-named template it did not create, and adopts it when asked", func() {
		existing, err := w.sim.AddTemplate(orgID, gandisim.SeedTemplate{Name: "dns", Payload: map[string]any{
			"dns:records": map[string]any{"default": true},
		}})
		Expect(err).NotTo(HaveOccurred())
		w.startManager(managerOptions{})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "AlreadyExists"))
		Expect(cond(t, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(existing))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(BeZero())

		annotate(t, hostingv1alpha1.AnnotationAdopt, "true")
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		Expect(t.Status.ID).To(Equal(existing))
		Expect(w.sim.Templates()).To(HaveLen(1))
		Expect(w.sim.Requests(gandisim.RouteCreateTemplate)).To(BeZero())
	})

	// seededNameservers is a template made at Gandi outside the cluster,
	// with a description, and the payload of nameserversTemplate.
	seededNameservers := func() string {
		id, err := w.sim.AddTemplate(orgID, gandisim.SeedTemplate{Name: "ns", Description: "made by hand", Payload: map[string]any{
			"domain:nameservers": map[string]any{"service": "custom", "addresses": []any{customNameservers[0], customNameservers[1]}},
		}})
		Expect(err).NotTo(HaveOccurred())
		return id
	}

	It("keeps the description of a template it adopts when the spec sets none, and sends nothing for the same payload", func() {
		existing := seededNameservers()
		w.startManager(managerOptions{})
		t := nameserversTemplate()
		t.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
		t.Spec.Description = nil
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		Expect(t.Status.ID).To(Equal(existing))
		Consistently(func() int { return w.sim.Requests(gandisim.RoutePatchTemplate) }).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		Expect(w.simTemplate(t)().Description).To(Equal("made by hand"))

		By("clearing it when the spec says so")
		setSpec(t, func() { t.Spec.Description = ptr("") })
		Eventually(func() string { return w.simTemplate(t)().Description }).WithTimeout(eventually).Should(BeEmpty())
	})

	It("reports a description that differs as drift in Observe, and writes nothing", func() {
		existing := seededNameservers()
		w.startManager(managerOptions{})
		t := nameserversTemplate()
		t.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: existing}
		t.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
		t.Spec.Description = ptr("what the cluster says")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "DriftDetected")))
		Expect(cond(t, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("description"))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		Expect(w.simTemplate(t)().Description).To(Equal("made by hand"))
	})

	It("creates one template when the create's answer is lost", func() {
		w.sim.CommitThenDrop(gandisim.RouteCreateTemplate, 1)
		w.startManager(managerOptions{})
		t := gandiTemplate("lost-answer")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.Templates()).To(HaveLen(1))
		Expect(w.sim.Requests(gandisim.RouteCreateTemplate)).To(Equal(1), "found by name, not created again")
	})

	It("records what its create sends in the intent's own write, and takes it away with the intent", func() {
		// Each metadata write of the Template, as the annotations it leaves.
		var mu sync.Mutex
		var wrote []map[string]string
		wrap := interceptor.Funcs{Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			if _, ok := obj.(*hostingv1alpha1.Template); ok {
				mu.Lock()
				wrote = append(wrote, maps.Clone(obj.GetAnnotations()))
				mu.Unlock()
			}
			return c.Patch(ctx, obj, patch, opts...)
		}}
		w.startManager(managerOptions{wrap: wrap})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		mu.Lock()
		defer mu.Unlock()
		Expect(wrote).To(HaveLen(2), "the intent, then the ID: no write of its own for the digest")
		Expect(wrote[0]).To(And(HaveKey(hostingv1alpha1.AnnotationCreatePending), HaveKeyWithValue(hostingv1alpha1.AnnotationCreateDigest, HavePrefix("sha256:"))))
		Expect(wrote[1]).To(And(HaveKey(hostingv1alpha1.AnnotationExternalID),
			Not(HaveKey(hostingv1alpha1.AnnotationCreatePending)), Not(HaveKey(hostingv1alpha1.AnnotationCreateDigest))))
	})

	// theirsDuringLostCreate: the Template's create is reset before Gandi
	// acts (nothing made, the intent stays open), and within the grace
	// someone else makes a template of the same name in the organization
	// (the web UI, another cluster). Gandi dates no template: only what
	// it holds tells it from what the lost create would have made.
	theirsDuringLostCreate := func(grace time.Duration) (*hostingv1alpha1.Template, string) {
		timing := testTiming
		timing.CreateGrace = grace
		w.sim.ResetNext(gandisim.RouteCreateTemplate, 1)
		w.startManager(managerOptions{timing: &timing})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(func() int { return w.sim.Requests(gandisim.RouteCreateTemplate) }).WithTimeout(eventually).Should(Equal(1))
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreating))
		Expect(w.sim.Templates()).To(BeEmpty(), "the reset create made nothing")
		Expect(t.Annotations).To(HaveKey(hostingv1alpha1.AnnotationCreateDigest), "the intent records what its create sent")
		theirs, err := w.sim.AddTemplate(orgID, gandisim.SeedTemplate{Name: "dns", Description: "made by hand", Payload: map[string]any{
			"dns:records": map[string]any{"default": true},
		}})
		Expect(err).NotTo(HaveOccurred())
		return t, theirs
	}

	It("never takes for its own a same-named template someone made while its create's answer was lost", func() {
		t, theirs := theirsDuringLostCreate(3 * time.Second)
		Consistently(func() string { return get(t).(*hostingv1alpha1.Template).Status.ID }).WithTimeout(2*time.Second).
			ShouldNot(Equal(theirs), "a template this object's create did not make is not its own")
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Expect(cond(t, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(theirs))
		Expect(t.Status.ID).To(BeEmpty())
		Expect(t.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))
		Expect(w.sim.Requests(gandisim.RoutePatchTemplate)).To(BeZero(), "their template is not written")
		Expect(w.sim.Requests(gandisim.RouteCreateTemplate)).To(Equal(1), "the name is taken: no second create")
		v, _ := w.sim.Template(theirs)
		Expect(v.Description).To(Equal("made by hand"))
	})

	It("deleted while its create is unconfirmed, leaves a same-named template someone made meanwhile", func() {
		t, theirs := theirsDuringLostCreate(3 * time.Second)
		Expect(k8sClient.Delete(suiteCtx, t)).To(Succeed())
		Eventually(gone(t)).WithTimeout(eventually).Should(BeTrue())
		_, ok := w.sim.Template(theirs)
		Expect(ok).To(BeTrue(), "their template must be left at Gandi")
		Expect(w.sim.Requests(gandisim.RouteDeleteTemplate)).To(BeZero())
	})

	It("finds what its cut create made after the spec was edited: the intent holds what was sent, not the spec", func() {
		// The process dies once Gandi answered the create, before the ID is
		// written; the user edits the payload before it runs again.
		wrap, died := diesAtPatch(func(o client.Object) bool {
			_, isTemplate := o.(*hostingv1alpha1.Template)
			return isTemplate && o.GetAnnotations()[hostingv1alpha1.AnnotationExternalID] != ""
		})
		stop := w.startManager(managerOptions{wrap: wrap})
		t := gandiTemplate("dns")
		w.create(t)
		Eventually(died).WithTimeout(eventually).Should(BeClosed())
		stop()
		Expect(w.sim.Templates()).To(HaveLen(1))
		made := w.sim.Templates()[0].ID
		setSpec(t, func() { t.Spec.Payload.DNSRecords.Records[0].Values = []string{"203.0.113.2"} })

		w.startManager(managerOptions{})
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
		Expect(t.Status.ID).To(Equal(made))
		Expect(t.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationCreatedID, made))
		Expect(t.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreateDigest), "taken away with the intent")
		Expect(w.sim.Requests(gandisim.RouteCreateTemplate)).To(Equal(1))
		Expect(w.simTemplate(t)().Payload).To(HaveKeyWithValue("dns:records", HaveKeyWithValue("records", ContainElement(
			HaveKeyWithValue("values", ConsistOf("203.0.113.2"))))))
	})

	It("names the organization of a same-named template of another organization of the account, and offers it for adoption only under its sharingID", func() {
		const token, own, company = "pat_dave-token-3e8c61d7", "1a2b3c4d-0d2e-11ef-a1b2-00163e816031", "1a2b3c4d-0d2e-11ef-a1b2-00163e816032"
		w.sim.AddAccount(gandisim.Account{Token: token, User: "dave", Orgs: []gandisim.Org{
			{ID: own, Name: "dave", CanBill: true}, {ID: company, Name: "dave-company", CanBill: true}}})
		w.secret("dave-credentials", map[string]string{"token": token})
		theirs, err := w.sim.AddTemplate(company, gandisim.SeedTemplate{Name: "dns", Description: "the company's", Payload: map[string]any{
			"dns:records": map[string]any{"default": true},
		}})
		Expect(err).NotTo(HaveOccurred())
		w.startManager(managerOptions{})
		daves := func(name, sharingID string) *hostingv1alpha1.Template {
			return gandiTemplate(name, func(t *hostingv1alpha1.Template) {
				t.Spec.Name, t.Spec.SharingID = "dns", sharingID
				t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "dave-credentials"}
			})
		}

		By("without sharingID: Gandi makes it in the user's own organization, which the template API does not name: refused, the organization named, no adoption offered")
		t := daves("dns", "")
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		msg := cond(t, hostingv1alpha1.ConditionReady).Message
		Expect(msg).To(And(ContainSubstring(theirs), ContainSubstring(`"dave-company"`), ContainSubstring(company), ContainSubstring("spec.sharingID")))
		Expect(msg).NotTo(ContainSubstring(hostingv1alpha1.AnnotationAdopt))

		By("with sharingID naming the company: that organization's template is the one the create would compete with, and is offered")
		there := daves("dns-company", company)
		w.create(there)
		Eventually(fetch(there)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Expect(cond(there, hostingv1alpha1.ConditionReady).Message).To(And(ContainSubstring(theirs), ContainSubstring(hostingv1alpha1.AnnotationAdopt)))

		By("with sharingID naming the user's own organization: created there")
		mine := daves("dns-own", own)
		w.create(mine)
		Eventually(fetch(mine)).WithTimeout(eventually).Should(beReady())
		Expect(w.simTemplate(mine)().OrgID).To(Equal(own))

		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		v, _ := w.sim.Template(theirs)
		Expect(v.Description).To(Equal("the company's"))
	})

	It("never modifies or deletes a public template it is pointed at", func() {
		public, err := w.sim.AddTemplate("", gandisim.SeedTemplate{Public: true, Name: "Gandi default", Payload: map[string]any{
			"dns:records": map[string]any{"default": true},
		}})
		Expect(err).NotTo(HaveOccurred())
		w.startManager(managerOptions{})
		t := gandiTemplate("gandi-default", func(t *hostingv1alpha1.Template) {
			t.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: public}
		})
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "NotEditable"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "NotEditable")))
		Expect(t.Status.Editable).To(Equal(ptr(false)))
		Consistently(func() int { return w.sim.Requests(gandisim.RoutePatchTemplate) }).WithTimeout(2 * testTiming.Poll).Should(BeZero())

		Expect(k8sClient.Delete(suiteCtx, t)).To(Succeed())
		Eventually(gone(t)).WithTimeout(eventually).Should(BeTrue())
		Expect(w.sim.Requests(gandisim.RouteDeleteTemplate)).To(BeZero())
		_, ok := w.sim.Template(public)
		Expect(ok).To(BeTrue())
	})

	It("manages a template of its own once the annotation naming a public template is removed, as NotEditable says", func() {
		public, err := w.sim.AddTemplate("", gandisim.SeedTemplate{Public: true, Name: "Gandi default", Payload: map[string]any{
			"dns:records": map[string]any{"default": true},
		}})
		Expect(err).NotTo(HaveOccurred())
		w.startManager(managerOptions{})
		t := gandiTemplate("gandi-default", func(t *hostingv1alpha1.Template) {
			t.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: public}
		})
		w.create(t)
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "NotEditable"))
		Expect(cond(t, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("remove the annotation"))

		setSpec(t, func() { delete(t.Annotations, hostingv1alpha1.AnnotationExternalID) })
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		Expect(t.Status.ID).NotTo(Equal(public))
		Expect(t.Status.Editable).To(Equal(ptr(true)))
		Expect(t.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, t.Status.ID))
		Expect(w.simTemplate(t)().Name).To(Equal("gandi-default"))
		Expect(w.sim.Requests(gandisim.RouteCreateTemplate)).To(Equal(1))
		Expect(w.sim.Requests(gandisim.RoutePatchTemplate)).To(BeZero())
		v, ok := w.sim.Template(public)
		Expect(ok).To(BeTrue())
		Expect(v.Name).To(Equal("Gandi default"))
	})

	It("sees a template an object manages from its status alone (its external-id removed): another object given that ID by hand reports it, and deleting that one leaves the template", func() {
		w.startManager(managerOptions{})
		dns := gandiTemplate("dns")
		w.create(dns)
		Eventually(fetch(dns)).WithTimeout(eventually).Should(beReady())
		id := dns.Status.ID
		setSpec(dns, func() { delete(dns.Annotations, hostingv1alpha1.AnnotationExternalID) })
		Consistently(fetch(dns)).WithTimeout(2 * testTiming.Poll).Should(And(beReady(), HaveField("Status.ID", id)))

		w.secret("same-account", map[string]string{"token": orgToken})
		taker := gandiTemplate("taker", func(t *hostingv1alpha1.Template) {
			t.Spec.Name = "dns"
			t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "same-account"}
			t.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
		})
		w.create(taker)
		Eventually(fetch(taker)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Expect(cond(taker, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(w.namespace + "/dns"))

		Expect(k8sClient.Delete(suiteCtx, taker)).To(Succeed())
		Eventually(gone(taker)).WithTimeout(eventually).Should(BeTrue())
		_, still := w.sim.Template(id)
		Expect(still).To(BeTrue(), "deleting the object given the ID by hand must leave the template dns manages")
		Consistently(fetch(dns)).WithTimeout(2 * testTiming.Poll).Should(beReady())
	})

	It("deletes the template at Gandi with Delete and leaves it with Orphan", func() {
		w.startManager(managerOptions{})
		doomed := gandiTemplate("doomed")
		kept := gandiTemplate("kept", func(t *hostingv1alpha1.Template) {
			t.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
		})
		w.create(doomed)
		w.create(kept)
		Eventually(fetch(doomed)).WithTimeout(eventually).Should(beReady())
		Eventually(fetch(kept)).WithTimeout(eventually).Should(beReady())
		doomedID, keptID := doomed.Status.ID, kept.Status.ID

		Expect(k8sClient.Delete(suiteCtx, doomed)).To(Succeed())
		Expect(k8sClient.Delete(suiteCtx, kept)).To(Succeed())
		Eventually(gone(doomed)).WithTimeout(eventually).Should(BeTrue())
		Eventually(gone(kept)).WithTimeout(eventually).Should(BeTrue())
		_, ok := w.sim.Template(doomedID)
		Expect(ok).To(BeFalse())
		_, ok = w.sim.Template(keptID)
		Expect(ok).To(BeTrue())
	})
	It("under another account's credentials reports CredentialsChanged, writes nothing, and neither deletes nor lets go of its template", func() {
		eveSecret, evesID := anotherAccount(w)
		w.startManager(managerOptions{})
		t := recordsTemplate("records", "203.0.113.1")
		w.create(t)
		id := readyTemplateID(t)
		writes := w.sim.Writes()

		setSpec(t, func() { t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: eveSecret} })
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged),
			"Gandi's 403 to eve's token, which it answers for the template list, says the template is not eve's to see, not that the token is bad")
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(Equal(writes))
		Expect(t.Status.ID).To(Equal(id))

		By("deleting it under those credentials: it says why it waits, and deletes nothing at either account")
		Expect(k8sClient.Delete(suiteCtx, t)).To(Succeed())
		Eventually(fetch(t)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged),
			HaveField("Status.Conditions", ContainElement(HaveField("Message", ContainSubstring("spec.deletionPolicy: Orphan"))))))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(Equal(writes))
		_, ours := w.sim.Template(id)
		theirs, _ := w.sim.Template(evesID)
		Expect([]any{ours, theirs.Description}).To(Equal([]any{true, "eve's"}))

		By("pointed back at the credentials it was seen under, the delete goes through")
		setSpec(t, func() { t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"} })
		Eventually(gone(t)).WithTimeout(eventually).Should(BeTrue())
		_, ours = w.sim.Template(id)
		_, stillTheirs := w.sim.Template(evesID)
		Expect([]bool{ours, stillTheirs}).To(Equal([]bool{false, true}))
	})

	It("keeps reporting a refused token as a token problem, not as a template gone or changed hands", func() {
		w.startManager(managerOptions{})
		t := recordsTemplate("records", "203.0.113.1")
		w.create(t)
		id := readyTemplateID(t)
		w.secret("revoked-credentials", map[string]string{"token": "pat_revoked-0a1b2c3d"})
		writes := w.sim.Writes()
		setSpec(t, func() { t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "revoked-credentials"} })
		Eventually(fetch(t)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonUnauthorized))
		Expect(w.sim.Writes()).To(Equal(writes))
		Expect(t.Status.ID).To(Equal(id))
		setSpec(t, func() { t.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"} })
		Eventually(fetch(t)).WithTimeout(eventually).Should(beReady())
	})
})

// anotherAccount adds eve, an account of another organization, with a
// Secret for her token and a template of her own, whose ID it returns.
func anotherAccount(w *world) (secret, templateID string) {
	const eveToken, eveOrg = "pat_eve-token-7d2a90c1", "2b3c4d5e-0d2e-11ef-a1b2-00163e816041"
	w.sim.AddAccount(gandisim.Account{Token: eveToken, User: "eve", Orgs: []gandisim.Org{{ID: eveOrg, Name: "eve-org", CanBill: true}}})
	w.secret("eve-credentials", map[string]string{"token": eveToken})
	id, err := w.sim.AddTemplate(eveOrg, gandisim.SeedTemplate{Name: "records", Description: "eve's", Payload: map[string]any{
		"dns:records": map[string]any{"default": true},
	}})
	Expect(err).NotTo(HaveOccurred())
	return "eve-credentials", id
}
