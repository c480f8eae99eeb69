package controller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

func vhost(name, fqdn string, mutate ...func(*hostingv1alpha1.Vhost)) *hostingv1alpha1.Vhost {
	vh := &hostingv1alpha1.Vhost{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec:       hostingv1alpha1.VhostSpec{FQDN: fqdn, InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "site"}},
	}
	for _, m := range mutate {
		m(vh)
	}
	return vh
}

// seedInstance adds to w's simulator an active instance named "seeded",
// with vhosts, and returns its ID.
func (w *world) seedInstance(vhosts ...gandisim.SeedVhost) string {
	return w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "seeded", Size: "starter",
		Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Vhosts: vhosts})
}

// readyThenStopped is a Vhost the manager created and saw Ready, on a
// seeded instance, with the manager stopped since.
func readyThenStopped(w *world) (string, *hostingv1alpha1.Vhost) {
	id := w.seedInstance()
	stop := w.startManager(managerOptions{})
	vh := vhost("www", "www.example.com", onInstance(id))
	w.create(vh)
	Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
	stop()
	return id, vh
}

// clearStatus empties obj's status, as a restore from a backup made
// without it does.
func clearStatus(obj client.Object) {
	Expect(k8sClient.Status().Patch(suiteCtx, obj, client.RawPatch("application/json-patch+json",
		[]byte(`[{"op":"replace","path":"/status","value":{}}]`)))).To(Succeed())
}

// siteWithVhost is a HostingInstance "site" and its Vhost
// www.example.com, both made Ready by the running manager.
func siteWithVhost(w *world) (*hostingv1alpha1.HostingInstance, *hostingv1alpha1.Vhost) {
	hi := instance("site")
	vh := vhost("www", "www.example.com")
	w.create(hi)
	w.create(vh)
	Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
	return hi, vh
}

// readyText is obj's Ready, read anew, as "Status Reason: Message".
func readyText(obj client.Object) func() string {
	return func() string {
		get(obj)
		c := cond(obj, hostingv1alpha1.ConditionReady)
		return string(c.Status) + " " + c.Reason + ": " + c.Message
	}
}

// waitingAfterItsInstance is a Vhost the manager made Ready on a
// HostingInstance "site" deleted since, its instance with it: the Vhost
// waits for an instance. It returns the Vhost and the deleted instance's ID.
func waitingAfterItsInstance(w *world) (*hostingv1alpha1.Vhost, string) {
	hi, vh := siteWithVhost(w)
	id := vh.Status.InstanceID

	Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
	Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
	Eventually(fetch(vh)).WithTimeout(eventually).Should(
		haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "WaitingForInstance"))
	return vh, id
}

// moveSiteByHand is a person moving www.example.com from instance from
// to a new instance at Gandi, which lets one instance serve an FQDN at a
// time; it returns the new instance's ID.
func (w *world) moveSiteByHand(from string) string {
	api, err := gandi.New(gandi.Config{BaseURL: w.server.URL, Credential: gandi.Credential{Token: orgToken}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
	Expect(err).NotTo(HaveOccurred())
	Expect(api.DeleteVhost(suiteCtx, from, "www.example.com")).To(Succeed())
	Eventually(func() []gandisim.VhostView { return w.sim.Vhosts(from) }).WithTimeout(eventually).Should(BeEmpty())
	return w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "site", Size: "starter",
		Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"},
		Vhosts:   []gandisim.SeedVhost{{FQDN: "www.example.com"}}})
}

// onInstance points a vhost at a Gandi instance ID with its own credentials.
func onInstance(id string) func(*hostingv1alpha1.Vhost) {
	return func(vh *hostingv1alpha1.Vhost) {
		vh.Spec.InstanceRef = nil
		vh.Spec.InstanceID = id
		vh.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}
	}
}

// publishDNS publishes records through the simulator's control API, as a
// person would at their DNS provider.
func (w *world) publishDNS(zone string, records ...gandisim.DNSRecord) {
	w.simDNS(http.MethodPost, map[string]any{"zone": zone, "records": records})
}

// unpublishDNS removes the record sets at name, as a person would.
func (w *world) unpublishDNS(zone, name string) {
	w.simDNS(http.MethodDelete, map[string]any{"zone": zone, "name": name})
}

func (w *world) simDNS(method string, request map[string]any) {
	body, err := json.Marshal(request)
	Expect(err).NotTo(HaveOccurred())
	req, err := http.NewRequestWithContext(suiteCtx, method, w.server.URL+"/_sim/dns", bytes.NewReader(body))
	Expect(err).NotTo(HaveOccurred())
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	Expect(err).NotTo(HaveOccurred())
	defer func() { _ = res.Body.Close() }()
	Expect(res.StatusCode).To(Equal(http.StatusNoContent))
}

func gone(obj client.Object) func() bool {
	return func() bool {
		err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(obj), obj)
		return err != nil && client.IgnoreNotFound(err) == nil
	}
}

// statusWrites keeps every status the manager writes for objects of type
// T, as written: a status that stood for a moment is seen, however soon
// the next pass replaced it.
type statusWrites[T client.Object] struct {
	mu  sync.Mutex
	all []T
}

// wrap is the manager's client interceptor that keeps them.
func (s *statusWrites[T]) wrap() interceptor.Funcs {
	return interceptor.Funcs{
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			if o, ok := obj.DeepCopyObject().(T); ok && sub == "status" {
				s.mu.Lock()
				s.all = append(s.all, o)
				s.mu.Unlock()
			}
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	}
}

// expectShownBeforeObserved checks every status written while the object
// was at gen, the generation of a change sent to Gandi: none has
// observedGeneration gen or says UpToDate before shown says Gandi showed
// the change, and the pass that sent it said Updating on Synced while
// Ready stayed True (having been sent a change stops nothing).
func (s *statusWrites[T]) expectShownBeforeObserved(gen int64, what string, observedGeneration func(T) int64, shown func(T) bool) {
	GinkgoHelper()
	sentSeen := false
	for _, o := range s.ofGeneration(gen) {
		conds := *any(o).(hostingv1alpha1.Conditioned).GetConditions()
		synced := meta.FindStatusCondition(conds, hostingv1alpha1.ConditionSynced)
		Expect(synced).NotTo(BeNil())
		if synced.Reason == hostingv1alpha1.ReasonUpdating {
			sentSeen = true
			Expect(synced.Message).To(ContainSubstring("sent " + what + " to Gandi"))
			Expect(meta.IsStatusConditionTrue(conds, hostingv1alpha1.ConditionReady)).To(BeTrue(),
				"it stays Ready for having been sent a change")
		}
		if !shown(o) {
			Expect(observedGeneration(o)).NotTo(Equal(gen), "a status for generation %d before Gandi showed the %s", gen, what)
			Expect(synced.Reason).NotTo(Equal(hostingv1alpha1.ReasonUpToDate), "UpToDate before Gandi showed the %s", what)
		}
	}
	Expect(sentSeen).To(BeTrue(), "the pass that sent the %s said so on Synced", what)
}

// ofGeneration are the statuses written while the object was at gen.
func (s *statusWrites[T]) ofGeneration(gen int64) []T {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []T
	for _, o := range s.all {
		if o.GetGeneration() == gen {
			out = append(out, o)
		}
	}
	return out
}

var _ = Describe("Vhost", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("waits for its HostingInstance, then becomes Ready on its own", func() {
		w.startManager(managerOptions{})
		vh := vhost("www", "www.example.com")
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "WaitingForInstance"))

		hi := instance("site")
		w.create(hi)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(vh.Status.InstanceID).To(Equal(get(hi).(*hostingv1alpha1.HostingInstance).Status.ID))
		Expect(w.sim.Vhosts(vh.Status.InstanceID)).To(HaveLen(1))
		Expect(vh.OwnerReferences).To(BeEmpty(), "no owner reference: deleting an orphaned instance must not cascade to its sites")

		// Each create is recorded as Gandi's answer showed it: accepted,
		// not made (Ready says when a pass saw it made).
		Eventually(eventsAbout(w, "HostingInstance", hi.Name, "Created")).WithTimeout(eventually).Should(
			ConsistOf(HaveField("Note", Equal(`Gandi accepted the create of instance "site" (`+vh.Status.InstanceID+`)`))))
		Eventually(eventsAbout(w, "Vhost", vh.Name, "Created")).WithTimeout(eventually).Should(
			ConsistOf(HaveField("Note", Equal(`Gandi accepted the create of vhost www.example.com on instance `+vh.Status.InstanceID))))
	})

	It("shows what Gandi shows of its vhost once its HostingInstance is deleted: gone with a deleted instance, still served by an orphaned one", func() {
		w.startManager(managerOptions{})
		for _, policy := range []hostingv1alpha1.DeletionPolicy{hostingv1alpha1.DeletionPolicyDelete, hostingv1alpha1.DeletionPolicyOrphan} {
			By("a HostingInstance with deletionPolicy " + string(policy))
			hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.DeletionPolicy = policy })
			vh := vhost("www-"+strings.ToLower(string(policy)), strings.ToLower(string(policy))+".example.com")
			w.create(hi)
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.State", "running")))
			id := vh.Status.InstanceID

			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
			Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
			if policy == hostingv1alpha1.DeletionPolicyDelete {
				Eventually(fetch(vh)).WithTimeout(eventually).Should(HaveField("Status.State", ""), "the vhost went with its instance")
				Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("no longer exists at Gandi on instance " + id))
			} else {
				Eventually(fetch(vh)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "WaitingForInstance"))
				Eventually(func() string { return cond(fetch(vh)(), hostingv1alpha1.ConditionReady).Message }).WithTimeout(eventually).Should(
					ContainSubstring("instance " + id + " still serves vhost"))
				Expect(vh.Status.State).To(Equal("running"))
				_, served := w.sim.Vhost(id, vh.Status.FQDN)
				Expect(served).To(BeTrue())
			}
			Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
			Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		}
	})

	// Its HostingInstance may as well stay while the instance is gone:
	// deleted at Gandi behind the operator's back, which the
	// HostingInstance reports (ExternalNotFound).
	It("does not go on showing its vhost running on an instance Gandi no longer has, while its HostingInstance reports the instance gone", func() {
		w.startManager(managerOptions{})
		hi, vh := siteWithVhost(w)
		id := vh.Status.InstanceID
		Expect(vh.Status.State).To(Equal(gandi.VhostRunning))

		Expect(w.byHand().DeleteInstance(suiteCtx, id)).To(Succeed())
		Eventually(func() bool { _, ok := w.sim.Instance(id); return ok }).WithTimeout(eventually).Should(BeFalse())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForInstance))

		Eventually(func() string { return get(vh).(*hostingv1alpha1.Vhost).Status.State }).WithTimeout(4*testTiming.Poll).Should(BeEmpty(),
			"status.state still says %q for vhost www.example.com on instance %s, which Gandi no longer has; Ready: %v",
			vh.Status.State, id, cond(vh, hostingv1alpha1.ConditionReady).Message)
		Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("no longer exists at Gandi on instance " + id))
	})

	It("creates one vhost when the create's answer is lost", func() {
		id := w.seedInstance()
		w.sim.CommitThenDrop(gandisim.RouteCreateVhost, 1)
		w.startManager(managerOptions{})
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))
	})

	It("adopts its own vhost after a lost answer and a late listing, without a second POST", func() {
		id := w.seedInstance()
		w.sim.CommitThenDrop(gandisim.RouteCreateVhost, 1)
		// The next look-ups miss the committed vhost: the grace period keeps
		// looking instead of posting again.
		w.sim.FailNext(gandisim.RouteGetVhost, 2, 404, 0)
		w.startManager(managerOptions{})
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.Requests(gandisim.RouteCreateVhost)).To(Equal(1))
		Expect(w.sim.Vhosts(id)).To(HaveLen(1))
	})

	It("never takes over a vhost it did not create, unless asked", func() {
		id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "live", Size: "starter",
			Vhosts: []gandisim.SeedVhost{{FQDN: "shop.example.com"}}})
		w.startManager(managerOptions{})
		vh := vhost("shop", "shop.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AlreadyExists"))
		annotate(vh, hostingv1alpha1.AnnotationAdopt, "true")
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.Writes()).To(BeNumerically("<=", 1), "one create at most, which Gandi refused")
		Expect(w.sim.VhostCreates()).To(BeZero())
	})

	// A new Vhost's create is its own lookup (Gandi refuses an FQDN it
	// serves with a 422 and makes nothing): a vhost that is there already
	// costs one refused create, is reported AlreadyExists and never
	// claimed, is looked up (not created again) at the next passes, and is
	// left at Gandi when the Vhost is deleted.
	It("reports a vhost already on its instance after one refused create, claims it not, and leaves it on delete", func() {
		id := w.seedInstance(gandisim.SeedVhost{FQDN: "shop.example.com"})
		before, _ := w.sim.Vhost(id, "shop.example.com")
		w.startManager(managerOptions{})
		vh := vhost("shop", "shop.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Consistently(fetch(vh)).WithTimeout(3 * testTiming.Poll).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
		Expect(w.sim.Requests(gandisim.RouteCreateVhost)).To(BeNumerically("<=", 1), "one refused create, not one per pass")
		Expect(w.sim.VhostCreates()).To(BeZero())
		for _, k := range []string{hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationInstanceID, hostingv1alpha1.AnnotationCreatePending, hostingv1alpha1.AnnotationCreateSentAt} {
			Expect(get(vh).GetAnnotations()).NotTo(HaveKey(k), "nothing claimed, no intent left")
		}

		Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
		Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		after, ok := w.sim.Vhost(id, "shop.example.com")
		Expect(ok).To(BeTrue(), "deleting the Vhost leaves the vhost it never managed")
		Expect(after.CreatedAt).To(Equal(before.CreatedAt))
	})

	// Gandi serves an FQDN once: a create for one another account's
	// instance serves is refused, and nothing this Vhost's credentials
	// read shows when that account lets the name go. The refusal is
	// recorded once (status.createRefusedAt, one event) and the create is
	// not sent again at each poll, which cost an intent write, a refused
	// create and the intent's removal every time; it is sent again at the
	// detail interval, and makes the vhost once the name is free.
	It("records a create refused for an FQDN another account serves once: no write and no create at any poll; it tries again at the detail interval", func() {
		// The slow interval at which a refused create is sent again: well
		// beyond the polls watched below.
		timing := testTiming
		timing.Detail = 8 * time.Second
		writes := &apiWrites[*hostingv1alpha1.Vhost]{}
		w.startManager(managerOptions{wrap: writes.wrap(), timing: &timing})
		const otherToken, otherOrg = "pat_other-account-7d2e9a41", "9c1e4f2a-0d2e-11ef-a1b2-00163e816099"
		w.sim.AddAccount(gandisim.Account{Token: otherToken, User: "carol", Orgs: []gandisim.Org{{ID: otherOrg, Name: "carol-org", CanBill: true}}})
		theirs := w.sim.AddInstance(otherOrg, gandisim.SeedInstance{Name: "theirs", Size: "starter",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Vhosts: []gandisim.SeedVhost{{FQDN: "shared.example.com"}}})
		id := w.seedInstance()
		vh := vhost("shared", "shared.example.com", onInstance(id))
		w.create(vh)
		route := gandisim.RouteCreateVhost
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreateRefused),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists),
			HaveField("Status.ObservedGeneration", vh.Generation),
			HaveField("Status.CreateRefusedAt", Not(BeNil()))))
		Expect(w.sim.Requests(route)).To(Equal(1), "refused once")
		Expect(cond(vh, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("sent again every 8s"))

		settled := func() []int { return []int{w.sim.Requests(route), writes.count()} }
		before := settled()
		Consistently(settled).WithTimeout(3*testTiming.Poll).Should(Equal(before),
			"neither the intent nor the create is sent again while nothing changed")
		Expect(fetch(vh)()).To(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreateRefused),
			"the refusal is still reported")
		createWarnings := func() []eventsv1.Event {
			list := &eventsv1.EventList{}
			Expect(k8sClient.List(suiteCtx, list, client.InNamespace(w.namespace))).To(Succeed())
			var out []eventsv1.Event
			for _, e := range list.Items {
				if e.Regarding.Kind == "Vhost" && e.Regarding.Name == vh.Name && e.Action == "Create" && e.Type == corev1.EventTypeWarning {
					out = append(out, e)
				}
			}
			return out
		}
		Expect(createWarnings()).To(HaveLen(1), "one event")
		for _, k := range []string{hostingv1alpha1.AnnotationExternalID, hostingv1alpha1.AnnotationCreatePending, hostingv1alpha1.AnnotationCreateSentAt} {
			Expect(vh.GetAnnotations()).NotTo(HaveKey(k), "nothing claimed, no intent left")
		}

		// At the detail interval the create is sent again, and refused
		// again: recorded, and no news.
		first := vh.Status.CreateRefusedAt.Time
		Eventually(func() int { return w.sim.Requests(route) }).WithTimeout(eventually).Should(Equal(before[0] + 1))
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreateRefused),
			HaveField("Status.CreateRefusedAt.Time", BeTemporally(">", first))))
		Expect(createWarnings()).To(ConsistOf(HaveField("Series", BeNil())), "no second event")

		// Its owner lets the name go, which this Vhost's credentials
		// cannot see: the create sent again at the next interval makes it.
		api, err := gandi.New(gandi.Config{BaseURL: w.server.URL, Credential: gandi.Credential{Token: otherToken}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
		Expect(err).NotTo(HaveOccurred())
		Expect(api.DeleteVhost(suiteCtx, theirs, "shared.example.com")).To(Succeed())
		Eventually(func() []gandisim.VhostView { return w.sim.Vhosts(theirs) }).WithTimeout(eventually).Should(BeEmpty())
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.CreateRefusedAt", BeNil())))
		Expect(w.sim.Requests(route)).To(Equal(before[0]+2), "sent again only at the detail interval")
		Expect(vh.GetAnnotations()).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, "shared.example.com"), "this object created it")
	})

	It("sends a new vhost's create without listing the instance's vhosts first", func() {
		slow := testTiming
		slow.Poll, slow.Detail = time.Hour, time.Hour
		id := w.seedInstance()
		w.startManager(managerOptions{timing: &slow})
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.Requests(gandisim.RouteCreateVhost)).To(Equal(1))
		Expect(w.sim.Requests(gandisim.RouteListVhosts)).To(BeZero(), "the create is its own lookup")
	})

	It("sends an IDN as punycode and shows both forms", func() {
		id := w.seedInstance()
		w.startManager(managerOptions{})
		vh := vhost("cafe", "café.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(vh.Status.FQDN).To(Equal("xn--caf-dma.example.com"))
		Expect(vh.Status.FQDNUnicode).To(Equal("café.example.com"))
		_, ok := w.sim.Vhost(id, "xn--caf-dma.example.com")
		Expect(ok).To(BeTrue())
	})

	It("runs at once on a domain the account holds, and reports the records to publish until the zone points at it", func() {
		id := w.seedInstance()
		w.startManager(managerOptions{})
		vh := vhost("www", "www.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		Expect(vh.Status.DNS).NotTo(BeNil())
		Expect(vh.Status.DNS.Domain).To(Equal(heldDomain))
		Expect(vh.Status.DNS.Key).To(Equal("www"))
		Expect(vh.Status.DNS.IsAlterable).To(BeTrue())
		Expect(vh.Status.DNS.CNAME).NotTo(BeEmpty())
		Expect(vh.Status.DNS.TXT).NotTo(BeEmpty())
		// Without allowAlteration Gandi writes nothing: the CNAME is the user's.
		Expect(cond(vh, "DNSConfigured").Reason).To(Equal("RecordsNeeded"))
		Expect(cond(vh, "DNSConfigured").Message).To(ContainSubstring(vh.Status.DNS.CNAME))

		w.publishDNS(heldDomain, gandisim.DNSRecord{Name: "www", Type: "CNAME", Values: []string{vh.Status.DNS.CNAME}})
		Eventually(fetch(vh)).WithTimeout(3 * testTiming.Poll).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionTrue, "Configured")))
		Expect(vh.Status.DNS.LastCheckedStatus).To(Equal("altered"))
	})

	Describe("on a domain the account does not hold", func() {
		const fqdn = "shop.elsewhere.example"

		It("waits for ownership with the TXT record in its status, and becomes Ready once the record is published", func() {
			id := w.seedInstance()
			w.startManager(managerOptions{})
			vh := vhost("shop", fqdn, onInstance(id))
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "WaitingForOwnership"),
				haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionFalse, "RecordsNeeded")))
			dns := vh.Status.DNS
			Expect(dns).NotTo(BeNil())
			Expect(dns.Domain).To(Equal("elsewhere.example"))
			Expect(dns.Key).To(Equal("shop"))
			Expect(dns.IsAlterable).To(BeFalse())
			Expect(dns.TXT).NotTo(BeEmpty())
			Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(dns.TXT))
			Expect(cond(vh, "DNSConfigured").Message).To(And(ContainSubstring(dns.TXT), ContainSubstring(dns.CNAME)))
			Expect(vh.Status.State).To(Equal("waiting_ownership"))

			// Published where the person's DNS provider would: Gandi validates
			// the ownership; the zone does not point at the vhost yet.
			w.publishDNS(dns.Domain, gandisim.DNSRecord{Name: dns.Key, Type: "TXT", Values: []string{dns.TXT}})
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionFalse, "RecordsNeeded")))
			Expect(vh.Status.State).To(Equal("running"))
			Expect(cond(vh, "DNSConfigured").Message).To(ContainSubstring(dns.CNAME))

			w.publishDNS(dns.Domain, gandisim.DNSRecord{Name: dns.Key, Type: "CNAME", Values: []string{dns.CNAME}})
			Eventually(fetch(vh)).WithTimeout(3 * testTiming.Poll).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionTrue, "Configured")))
		})

		It("reports ValidationFailed, naming the TXT record, when the record never appears", func() {
			timings := gandisim.FastTimings()
			timings.VhostValidationTimeout = 2 * time.Second
			w.sim.SetTimings(timings)
			id := w.seedInstance()
			w.startManager(managerOptions{})
			vh := vhost("shop", fqdn, onInstance(id))
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "ValidationFailed"),
				haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionFalse, "RecordsNeeded")))
			Expect(vh.Status.State).To(Equal("validation_failed"))
			Expect(vh.Status.DNS).NotTo(BeNil())
			Expect(vh.Status.DNS.TXT).NotTo(BeEmpty())
			Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(vh.Status.DNS.TXT))
		})
	})

	It("reports a failed application", func() {
		id := w.seedInstance()
		w.startManager(managerOptions{})
		vh := vhost("blog", "blog.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
			vh.Spec.Application = &hostingv1alpha1.VhostApplication{Name: "wordpress"}
		})
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
		w.sim.SetApplicationStatus(id, "blog.example.com", "error")
		Eventually(fetch(vh)).WithTimeout(3 * testTiming.Poll).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "ApplicationFailed"))
	})

	It("reports a change it sent as Updating, and moves observedGeneration only once Gandi shows it", func() {
		id := w.seedInstance()
		writes := &statusWrites[*hostingv1alpha1.Vhost]{}
		w.startManager(managerOptions{wrap: writes.wrap()})
		vh := vhost("blog", "blog.example.com", onInstance(id))
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))

		setSpec(vh, func() { vh.Spec.Application = &hostingv1alpha1.VhostApplication{Name: "wordpress"} })
		gen := vh.Generation
		Eventually(fetch(vh)).WithTimeout(eventually).Should(HaveField("Status.ObservedGeneration", gen))
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate),
			HaveField("Status.Application.Name", "wordpress")))

		writes.expectShownBeforeObserved(gen, "application",
			func(v *hostingv1alpha1.Vhost) int64 { return v.Status.ObservedGeneration },
			func(v *hostingv1alpha1.Vhost) bool { return v.Status.Application != nil })
	})

	Describe("updates", func() {
		var vh *hostingv1alpha1.Vhost
		var id string

		BeforeEach(func() {
			id = w.seedInstance()
			w.startManager(managerOptions{})
			vh = vhost("www", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: false}
			})
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		})

		It("makes no write in a steady state", func() {
			writes := w.sim.Writes()
			Consistently(w.sim.Writes).WithTimeout(3 * testTiming.Poll).Should(Equal(writes))
		})

		It("sends the application, the DNS linkage and, once there is a certificate, the HTTPS strategy", func() {
			setSpec(vh, func() { vh.Spec.Application = &hostingv1alpha1.VhostApplication{Name: "wordpress"} })
			Eventually(func() string { v, _ := w.sim.Vhost(id, "www.example.com"); return v.Application }).
				WithTimeout(eventually).Should(Equal("wordpress"))

			setSpec(vh, func() { vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true} })
			Eventually(func() bool { v, _ := w.sim.Vhost(id, "www.example.com"); return v.AllowAlteration }).
				WithTimeout(eventually).Should(BeTrue())

			patches := w.sim.Requests(gandisim.RoutePatchVhost)
			setSpec(vh, func() { vh.Spec.HTTPSStrategy = "redirect_HTTP_to_HTTPS" })
			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "WaitingForCertificate"))
			Consistently(func() int { return w.sim.Requests(gandisim.RoutePatchVhost) }).
				WithTimeout(2*testTiming.Poll).Should(Equal(patches), "no PATCH loop before a certificate exists")

			w.sim.AddCertificate(id, "www.example.com")
			Eventually(func() string { v, _ := w.sim.Vhost(id, "www.example.com"); return v.HTTPSStrategy }).
				WithTimeout(eventually).Should(Equal("redirect_HTTP_to_HTTPS"))
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate"),
				HaveField("Status.HTTPSStrategy", "redirect_HTTP_to_HTTPS")))
		})

		It("reports a change made at Gandi within one poll", func() {
			w.sim.SetVhostStatus(id, "www.example.com", "locked")
			Eventually(fetch(vh)).WithTimeout(3 * testTiming.Poll).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked"))
		})

		It("purges the cache once per new value, across a manager restart", func() {
			setSpec(vh, func() { vh.Spec.CachePurgeRequest = "2026-11-23T10:00:00Z" })
			Eventually(func() int { return w.sim.PurgeCount(id, "www.example.com") }).WithTimeout(eventually).Should(Equal(1))
			Eventually(fetch(vh)).WithTimeout(eventually).Should(HaveField("Status.LastCachePurge", "2026-11-23T10:00:00Z"))
			for _, stop := range w.stopsNow() {
				stop()
			}
			w.startManager(managerOptions{})
			Consistently(func() int { return w.sim.PurgeCount(id, "www.example.com") }).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
			setSpec(vh, func() { vh.Spec.CachePurgeRequest = "2026-11-23T11:00:00Z" })
			Eventually(func() int { return w.sim.PurgeCount(id, "www.example.com") }).WithTimeout(eventually).Should(Equal(2))
		})

		It("purges the cache once when the purge's answer is lost, and reports it unconfirmed, never done", func() {
			// Gandi purges and the answer is lost: the client must not
			// send the purge again on its own.
			w.sim.CommitThenDrop(gandisim.RoutePurgeVhostCache, 3)
			setSpec(vh, func() { vh.Spec.CachePurgeRequest = "2026-11-23T12:00:00Z" })
			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
			Expect(cond(vh, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("set a new spec.cachePurgeRequest to ask again"))
			Expect(vh.Status.LastCachePurge).NotTo(Equal("2026-11-23T12:00:00Z"), "done only when Gandi's acceptance was seen")
			Consistently(func() int { return w.sim.PurgeCount(id, "www.example.com") }).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		})
	})

	// Gandi's vhost GET reports linked_dns_zone.allow_alteration, never
	// allow_alteration_override: a change of the override alone is a
	// change Gandi cannot show, and only a PATCH carries it. The user turns
	// it on to let Gandi replace the record that blocked the write
	// (livedns_conflict): it must reach Gandi, or Synced must say it did
	// not, never UpToDate with the zone still in conflict.
	It("sends a changed linkedDNSZone.allowAlterationOverride to Gandi, which reports no override to compare with", func() {
		id := w.seedInstance()
		w.startManager(managerOptions{})
		// Someone's CNAME already at www: Gandi may alter the zone but not
		// replace it.
		w.publishDNS(heldDomain, gandisim.DNSRecord{Name: "www", Type: "CNAME", Values: []string{"old-site.example.net."}})
		vh := vhost("www", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
			vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}
		})
		w.create(vh)
		Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate),
			haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionFalse, "RecordsNeeded")))
		Expect(vh.Status.DNS.LastCheckedStatus).To(Equal("livedns_conflict"))

		setSpec(vh, func() {
			vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true, AllowAlterationOverride: true}
		})
		Eventually(func() bool { v, _ := w.sim.Vhost(id, "www.example.com"); return v.AllowAlterationOverride }).
			WithTimeout(eventually).Should(BeTrue(), "the override the spec now allows reaches Gandi")
		Eventually(fetch(vh)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionTrue, "Configured"))
	})

	Describe("linkedDNSZone.allowAlterationOverride", func() {
		const overrideRecord = "effects.hosting.gandi-operator.dev/dns-override"
		var (
			id string
			vh *hostingv1alpha1.Vhost
		)
		patches := func() int { return w.sim.Requests(gandisim.RoutePatchVhost) }
		someonesCNAME := func() {
			w.publishDNS(heldDomain, gandisim.DNSRecord{Name: "www", Type: "CNAME", Values: []string{"old-site.example.net."}})
		}
		configured := And(
			haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionTrue, "Configured"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))

		BeforeEach(func() {
			id = w.seedInstance()
			w.startManager(managerOptions{})
			someonesCNAME()
			vh = vhost("www", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}
			})
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionDNSConfigured, metav1.ConditionFalse, "RecordsNeeded")))
			Expect(vh.Status.DNS.LastCheckedStatus).To(Equal("livedns_conflict"))
			Expect(patches()).To(BeZero())
		})

		It("is sent once per conflict: recorded, dropped once Gandi shows the zone fixed, sent again for a new conflict", func() {
			setSpec(vh, func() { vh.Spec.LinkedDNSZone.AllowAlterationOverride = true })
			Eventually(fetch(vh)).WithTimeout(eventually).Should(configured)
			Expect(patches()).To(Equal(1))
			Expect(vh.Annotations).NotTo(HaveKey(overrideRecord), "settled once Gandi shows no conflict")
			Consistently(patches).WithTimeout(3*testTiming.Poll).Should(Equal(1), "the zone fixed, nothing to override")

			By("someone writes their record over the vhost's again: a new conflict, overridden once more")
			someonesCNAME()
			Eventually(patches).WithTimeout(eventually).Should(Equal(2))
			Eventually(fetch(vh)).WithTimeout(eventually).Should(configured)
			Consistently(patches).WithTimeout(3 * testTiming.Poll).Should(Equal(2))
		})

		It("is not sent again when its answer is lost, and settles from what Gandi then shows", func() {
			// Gandi replaces the record and the answer is lost: the client
			// must not send the override again on its own.
			w.sim.CommitThenDrop(gandisim.RoutePatchVhost, 3)
			setSpec(vh, func() { vh.Spec.LinkedDNSZone.AllowAlterationOverride = true })
			Eventually(fetch(vh)).WithTimeout(eventually).Should(configured)
			Expect(vh.Annotations).NotTo(HaveKey(overrideRecord))
			Consistently(patches).WithTimeout(3 * testTiming.Poll).Should(Equal(1))
		})

		It("is not sent while the zone is in no conflict: nothing to replace, UpToDate from what Gandi shows", func() {
			w.unpublishDNS(heldDomain, "www")
			Eventually(fetch(vh)).WithTimeout(eventually).Should(HaveField("Status.DNS.LastCheckedStatus", "unknown"))
			setSpec(vh, func() { vh.Spec.LinkedDNSZone.AllowAlterationOverride = true })
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(
				HaveField("Status.ObservedGeneration", vh.Generation),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			Consistently(patches).WithTimeout(3 * testTiming.Poll).Should(BeZero())
		})
	})

	Describe("when its instance changes", func() {
		withInitialVhost := func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.InitialVhosts = []hostingv1alpha1.InitialVhost{{FQDN: "www.example.com"}}
		}
		linked := func(vh *hostingv1alpha1.Vhost) {
			vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}
		}

		It("takes the vhost its HostingInstance bought with the instance (spec.initialVhosts) as its own", func() {
			w.startManager(managerOptions{})
			hi := instance("site", withInitialVhost)
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationCreatedID, hi.Status.ID))

			vh := vhost("www", "www.example.com", linked)
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
			Expect(vh.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, "www.example.com"))
			Expect(w.sim.Requests(gandisim.RouteCreateVhost)).To(BeZero(), "adopted, not created")
			Eventually(func() bool { v, _ := w.sim.Vhost(hi.Status.ID, "www.example.com"); return v.AllowAlteration }).
				WithTimeout(eventually).Should(BeTrue(), "and managed")
		})

		It("does not take for its HostingInstance's initial vhost one a colleague made by hand under that FQDN after the initial one was deleted at Gandi", func() {
			w.startManager(managerOptions{})
			hi := instance("site", withInitialVhost)
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			id := hi.Status.ID
			Eventually(func() bool { _, ok := w.sim.Vhost(id, "www.example.com"); return ok }).WithTimeout(eventually).Should(BeTrue())

			By("the initial vhost is deleted at Gandi; an hour later a colleague makes a site of that name by hand")
			hand := w.byHand()
			Expect(hand.DeleteVhost(suiteCtx, id, "www.example.com")).To(Succeed())
			Eventually(func() bool { _, ok := w.sim.Vhost(id, "www.example.com"); return ok }).WithTimeout(eventually).Should(BeFalse())
			w.sim.Advance(time.Hour)
			Expect(hand.CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"})).To(Succeed())

			By("a Vhost for that FQDN is created: the colleague's site was not sent with the instance's create")
			vh := vhost("www", "www.example.com")
			w.create(vh)
			Eventually(readyText(vh)).WithTimeout(eventually).Should(HavePrefix("False "+hostingv1alpha1.ReasonAlreadyExists),
				"the colleague's site is adopted as one the HostingInstance made with the instance")

			Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
			Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
			_, still := w.sim.Vhost(id, "www.example.com")
			Expect(still).To(BeTrue(), "deleting the Vhost deleted a site it did not create and nobody handed over")
		})

		It("does not take spec.initialVhosts as handed over on an instance its HostingInstance is re-pointed to", func() {
			w.startManager(managerOptions{})
			hi := instance("site", withInitialVhost)
			vh := vhost("www", "www.example.com", linked)
			w.create(hi)
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
			first := vh.Status.InstanceID

			other := w.moveSiteByHand(first)
			annotate(hi, hostingv1alpha1.AnnotationExternalID, other)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AlreadyExists"))
			Expect(get(hi).GetAnnotations()).To(HaveKeyWithValue(hostingv1alpha1.AnnotationCreatedID, first), "the instance it bought")
			Consistently(func() bool { v, _ := w.sim.Vhost(other, "www.example.com"); return v.AllowAlteration }).
				WithTimeout(2*testTiming.Poll).Should(BeFalse(), "the other site's DNS linkage is not changed")
		})

		It("never takes over, or deletes, the vhost of the same name on the instance its HostingInstance is re-pointed to", func() {
			w.startManager(managerOptions{})
			hi := instance("site")
			vh := vhost("www", "www.example.com", func(vh *hostingv1alpha1.Vhost) {
				vh.Spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}
			})
			w.create(hi)
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
			first := vh.Status.InstanceID
			Expect(vh.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceID, first))

			// A person moves the FQDN by hand to another instance (Gandi
			// lets one instance serve it at a time), with another DNS
			// linkage, and then hands that instance over to the
			// HostingInstance.
			other := w.moveSiteByHand(first)
			annotate(hi, hostingv1alpha1.AnnotationExternalID, other)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", other)))

			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AlreadyExists"))
			Expect(vh.Status.InstanceID).To(Equal(other))
			Expect(vh.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))
			theirs, ok := w.sim.Vhost(other, "www.example.com")
			Expect(ok).To(BeTrue())
			Expect(theirs.AllowAlteration).To(BeFalse(), "the other site's DNS linkage is not changed")
			Eventually(eventsAbout(w, "Vhost", vh.Name, "InstanceChanged")).WithTimeout(eventually).Should(
				ConsistOf(HaveField("Note", And(ContainSubstring("recorded on instance "+first), ContainSubstring("left there")))))

			Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
			Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
			_, ok = w.sim.Vhost(other, "www.example.com")
			Expect(ok).To(BeTrue(), "deleting the Vhost leaves the site it never managed")
		})

		It("deleted while the manager was down, after the re-pointing, leaves the vhost of the new instance", func() {
			stop := w.startManager(managerOptions{})
			hi, vh := siteWithVhost(w)
			first := vh.Status.InstanceID
			stop()

			other := w.moveSiteByHand(first)
			annotate(hi, hostingv1alpha1.AnnotationExternalID, other)
			Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())

			w.startManager(managerOptions{})
			Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
			_, ok := w.sim.Vhost(other, "www.example.com")
			Expect(ok).To(BeTrue(), "the Vhost recorded its vhost on "+first+", not on "+other)
			Expect(w.sim.Requests(gandisim.RouteDeleteVhost)).To(Equal(1), "only the person's own delete")
		})

		It("creates its vhost again on the instance its HostingInstance bought anew", func() {
			w.startManager(managerOptions{})
			vh, first := waitingAfterItsInstance(w)

			w.create(instance("site"))
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(), Not(HaveField("Status.InstanceID", first))))
			Expect(w.sim.Vhosts(vh.Status.InstanceID)).To(HaveLen(1))
			Expect(vh.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceID, vh.Status.InstanceID))
		})

		It("records the instance beside an external-id an older build (or a person) set without it", func() {
			id := w.seedInstance(gandisim.SeedVhost{FQDN: "www.example.com"})
			w.startManager(managerOptions{})
			vh := vhost("www", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: "www.example.com"}
			})
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(And(beReady(),
				HaveField("Annotations", HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceID, id))))
			Expect(w.sim.Writes()).To(BeZero())
		})
	})

	// A HostingInstance deleted with Orphan leaves its instance and the
	// site at Gandi; the Vhost records the site with the instance it is on
	// (the external-id and instance-id annotations), and deleting the Vhost
	// deletes it there. Until then it is that site's manager, whatever its
	// HostingInstance now holds and whether its status survived: another
	// namespace's Vhost adopting the same FQDN on that instance by
	// spec.instanceID is a rival, never a second manager.
	Describe("after its HostingInstance left its site at Gandi", func() {
		// orphanedSite is a Vhost made Ready through a HostingInstance
		// "site" deleted since with Orphan, and the instance it is on.
		orphanedSite := func() (*hostingv1alpha1.Vhost, string) {
			hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			vh := vhost("www", "www.example.com")
			w.create(hi)
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
			id := vh.Status.InstanceID
			Expect(vh.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceID, id))

			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
			Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
			_, served := w.sim.Vhost(id, "www.example.com")
			Expect(served).To(BeTrue())
			return vh, id
		}
		// adoptedElsewhere is a Vhost of another tenant's namespace, with a
		// token of the same account, adopting www.example.com on instance id.
		adoptedElsewhere := func(id string) *hostingv1alpha1.Vhost {
			ns := w.namespace + "-other"
			Expect(k8sClient.Create(suiteCtx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})).To(Succeed())
			Expect(k8sClient.Create(suiteCtx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "gandi-credentials", Namespace: ns},
				StringData: map[string]string{"token": orgToken}})).To(Succeed())
			vh := vhost("www", "www.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Namespace = ns
				vh.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
			})
			Expect(k8sClient.Create(suiteCtx, vh)).To(Succeed())
			DeferCleanup(func() {
				Expect(client.IgnoreNotFound(k8sClient.Delete(suiteCtx, vh))).To(Succeed())
				Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
			})
			return vh
		}
		readyReason := func(vh *hostingv1alpha1.Vhost) func() string {
			return func() string { return cond(fetch(vh)(), hostingv1alpha1.ConditionReady).Reason }
		}
		staysOwnedByAnother := func(vh *hostingv1alpha1.Vhost) {
			Eventually(readyReason(vh)).WithTimeout(eventually).ShouldNot(BeEmpty())
			Consistently(readyReason(vh)).WithTimeout(2*testTiming.Poll).Should(
				Equal(hostingv1alpha1.ReasonOwnedByAnotherObject), "the other namespace's Vhost took the site: %v", get(vh).GetAnnotations())
		}

		It("stays its manager when restored without its status: another namespace's Vhost adopting it is OwnedByAnotherObject", func() {
			w.startManager(managerOptions{})
			vh, id := orphanedSite()
			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "WaitingForInstance"))

			// Paused, no pass writes the status back before the other
			// object's pass: only the annotations record the instance.
			annotate(vh, hostingv1alpha1.AnnotationPaused, "true")
			DeferCleanup(func() { setSpec(vh, func() { delete(vh.Annotations, hostingv1alpha1.AnnotationPaused) }) })
			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
			clearStatus(vh)
			Expect(get(vh).(*hostingv1alpha1.Vhost).Status.InstanceID).To(BeEmpty())

			staysOwnedByAnother(adoptedElsewhere(id))
		})

		It("stays its manager while a HostingInstance of the same name holds no instance yet", func() {
			w.startManager(managerOptions{})
			vh, id := orphanedSite()
			again := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "not-yet-there"}
			})
			w.create(again)
			Eventually(fetch(again)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsNotFound))
			Expect(get(vh).GetAnnotations()).To(HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceID, id))

			staysOwnedByAnother(adoptedElsewhere(id))
		})
	})

	Describe("deletion", func() {
		It("removes the vhost at Gandi with Delete and leaves it with Orphan", func() {
			id := w.seedInstance()
			w.startManager(managerOptions{})
			doomed := vhost("doomed", "doomed.example.com", onInstance(id))
			kept := vhost("kept", "kept.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			w.create(doomed)
			w.create(kept)
			Eventually(fetch(doomed)).WithTimeout(eventually).Should(beReady())
			Eventually(fetch(kept)).WithTimeout(eventually).Should(beReady())
			Expect(k8sClient.Delete(suiteCtx, doomed)).To(Succeed())
			Expect(k8sClient.Delete(suiteCtx, kept)).To(Succeed())
			Eventually(gone(doomed)).WithTimeout(eventually).Should(BeTrue())
			Eventually(gone(kept)).WithTimeout(eventually).Should(BeTrue())
			_, stillThere := w.sim.Vhost(id, "doomed.example.com")
			Expect(stillThere).To(BeFalse())
			_, kept2 := w.sim.Vhost(id, "kept.example.com")
			Expect(kept2).To(BeTrue())
		})

		It("takes a Vhost whose external-id names another FQDN than its spec (a copied manifest) for a bad input: it reports it, and deleting it leaves that other Vhost's site", func() {
			id := w.seedInstance()
			w.startManager(managerOptions{})
			www := vhost("www", "www.example.com", onInstance(id))
			w.create(www)
			Eventually(fetch(www)).WithTimeout(eventually).Should(beReady())

			// kubectl get -o yaml, renamed and given another FQDN: the ID
			// records and the finalizer come along.
			shop := vhost("shop", "shop.example.com", onInstance(id), func(vh *hostingv1alpha1.Vhost) {
				vh.Annotations = map[string]string{
					hostingv1alpha1.AnnotationExternalID: www.Annotations[hostingv1alpha1.AnnotationExternalID],
					hostingv1alpha1.AnnotationInstanceID: www.Annotations[hostingv1alpha1.AnnotationInstanceID],
				}
				vh.Finalizers = www.Finalizers
			})
			Expect(shop.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, "www.example.com"))
			Expect(shop.Finalizers).To(ContainElement(controller.Finalizer))
			w.create(shop)
			Eventually(fetch(shop)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonInvalidSpec))
			Expect(cond(shop, hostingv1alpha1.ConditionReady).Message).To(And(
				ContainSubstring(hostingv1alpha1.AnnotationExternalID), ContainSubstring(`"www.example.com"`), ContainSubstring("shop.example.com")))

			Expect(k8sClient.Delete(suiteCtx, shop)).To(Succeed())
			Eventually(gone(shop)).WithTimeout(eventually).Should(BeTrue())
			_, still := w.sim.Vhost(id, "www.example.com")
			Expect(still).To(BeTrue(), "deleting Vhost shop must leave www.example.com, which Vhost www manages")
			Expect(w.sim.Requests(gandisim.RouteDeleteVhost)).To(BeZero())
			warned := eventsAbout(w, "Vhost", "shop", hostingv1alpha1.ReasonInvalidSpec)
			Eventually(warned).WithTimeout(eventually).ShouldNot(BeEmpty())
			Expect(warned()[0].Type).To(Equal(corev1.EventTypeWarning))
			Expect(warned()[0].Note).To(ContainSubstring("neither is deleted at Gandi"))
			Consistently(fetch(www)).WithTimeout(2 * testTiming.Poll).Should(beReady())
		})

		DescribeTable("deletes its vhost (Delete) after its HostingInstance left the instance at Gandi, asking Gandi with the credentials it reached it with",
			func(observe bool) {
				w.startManager(managerOptions{})
				var id string
				hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
					hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
				})
				if observe {
					id = w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "site", Size: "starter", Location: "FR",
						Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
					hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyDelete
					hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
					hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
				}
				vh := vhost("www", "www.example.com")
				w.create(hi)
				w.create(vh)
				Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
				id = vh.Status.InstanceID
				Expect(vh.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceCredentials, "gandi-credentials/token"))

				Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
				Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
				_, kept := w.sim.Instance(id)
				Expect(kept).To(BeTrue(), "the HostingInstance's policy keeps the instance")

				Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
				Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
				_, still := w.sim.Vhost(id, "www.example.com")
				Expect(still).To(BeFalse(), "the Vhost (deletionPolicy Delete) let go while Gandi still serves its site on instance "+id)
				_, kept = w.sim.Instance(id)
				Expect(kept).To(BeTrue())
			},
			Entry("deleted with Orphan", false),
			Entry("deleted under Observe", true),
		)

		It("keeps its finalizer, and says what to set, when nothing gives it credentials for the instance its gone HostingInstance left", func() {
			w.startManager(managerOptions{})
			hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			vh := vhost("www", "www.example.com")
			w.create(hi)
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(beReady())
			id := vh.Status.InstanceID
			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
			Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
			// A Vhost of an older build, which did not record its
			// HostingInstance's credentials.
			setSpec(vh, func() { delete(vh.Annotations, hostingv1alpha1.AnnotationInstanceCredentials) })

			Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsNotFound))
			Expect(cond(vh, hostingv1alpha1.ConditionReady).Message).To(And(ContainSubstring("HostingInstance site is gone"),
				ContainSubstring("set spec.credentialsRef"), ContainSubstring("deletionPolicy: Orphan")))
			Consistently(gone(vh)).WithTimeout(2 * testTiming.Poll).Should(BeFalse())
			_, still := w.sim.Vhost(id, "www.example.com")
			Expect(still).To(BeTrue())

			setSpec(vh, func() { vh.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"} })
			Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
			_, still = w.sim.Vhost(id, "www.example.com")
			Expect(still).To(BeFalse())
		})

		It("never deletes, after its HostingInstance is gone, a vhost it did not create", func() {
			w.startManager(managerOptions{})
			hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			id := hi.Status.ID
			// Someone else's site on the instance, which the Vhost finds and
			// must not take.
			api, err := gandi.New(gandi.Config{BaseURL: w.server.URL, Credential: gandi.Credential{Token: orgToken}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
			Expect(err).NotTo(HaveOccurred())
			Expect(api.CreateVhost(suiteCtx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"})).To(Succeed())
			Eventually(func() bool { _, ok := w.sim.Vhost(id, "www.example.com"); return ok }).WithTimeout(eventually).Should(BeTrue())
			deletes := w.sim.Requests(gandisim.RouteDeleteVhost)
			vh := vhost("www", "www.example.com")
			w.create(vh)
			Eventually(fetch(vh)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonAlreadyExists))
			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
			Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())

			Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
			Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
			_, still := w.sim.Vhost(id, "www.example.com")
			Expect(still).To(BeTrue(), "the site is someone else's")
			Expect(w.sim.Requests(gandisim.RouteDeleteVhost)).To(Equal(deletes))
		})

		It("finishes deleting, without error, after its HostingInstance deleted the instance", func() {
			w.startManager(managerOptions{})
			vh, id := waitingAfterItsInstance(w)
			Expect(w.sim.Instances()).To(BeEmpty())
			Expect(w.sim.Vhosts(id)).To(BeEmpty())

			Expect(k8sClient.Delete(suiteCtx, vh)).To(Succeed())
			Eventually(gone(vh)).WithTimeout(eventually).Should(BeTrue())
		})
	})
})
