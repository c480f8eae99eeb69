package controller_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/GehirnInc/crypt/sha512_crypt"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

const eventually = 20 * time.Second

func instance(name string, mutate ...func(*hostingv1alpha1.HostingInstance)) *hostingv1alpha1.HostingInstance {
	hi := &hostingv1alpha1.HostingInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: hostingv1alpha1.HostingInstanceSpec{
			ManagedFields: hostingv1alpha1.ManagedFields{CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}},
			Location:      "FR",
			Size:          "starter",
			Type: hostingv1alpha1.InstanceType{
				Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.1"},
				Database: hostingv1alpha1.InstanceDatabase{Name: "mysql"},
			},
			DurationMonths: 1,
		},
	}
	for _, m := range mutate {
		m(hi)
	}
	return hi
}

func cond(obj client.Object, condType string) metav1.Condition {
	var conds []metav1.Condition
	switch o := obj.(type) {
	case *hostingv1alpha1.HostingInstance:
		conds = o.Status.Conditions
	case *hostingv1alpha1.Vhost:
		conds = o.Status.Conditions
	case *hostingv1alpha1.Template:
		conds = o.Status.Conditions
	case *hostingv1alpha1.TemplateApplication:
		conds = o.Status.Conditions
	case *hostingv1alpha1.PaaSInstance:
		conds = o.Status.Conditions
	}
	if c := meta.FindStatusCondition(conds, condType); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// haveCondition matches an object whose condition has the status and reason.
func haveCondition(condType string, status metav1.ConditionStatus, reason string) OmegaMatcher {
	return WithTransform(func(obj client.Object) metav1.Condition { return cond(obj, condType) },
		And(HaveField("Status", status), HaveField("Reason", reason)))
}

func beReady() OmegaMatcher {
	return haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionTrue, "Available")
}

// fetch is a Gomega-polled read of obj.
func fetch(obj client.Object) func() client.Object {
	return func() client.Object {
		_ = k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(obj), obj)
		return obj
	}
}

func setSpec(obj client.Object, change func()) {
	Eventually(func() error {
		if err := k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		if s, ok := obj.(*corev1.Secret); ok {
			rememberSecretValues(s)
		}
		return k8sClient.Update(suiteCtx, obj)
	}).WithTimeout(5 * time.Second).Should(Succeed())
}

// passwordRevision is the revision of a password Secret as the operator
// records it (uid/resourceVersion), read from the API server.
func passwordRevision(s *corev1.Secret) string {
	got := get(s)
	return string(got.GetUID()) + "/" + got.GetResourceVersion()
}

func annotate(obj client.Object, key, value string) {
	setSpec(obj, func() {
		ann := obj.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[key] = value
		obj.SetAnnotations(ann)
	})
}

var _ = Describe("HostingInstance", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("buys one instance, reports it Ready with Gandi's details, and sends only a crypt hash of the password", func() {
		// The disk usage of a new instance is first read once it is one
		// usage interval old: a short one here.
		timing := testTiming
		timing.Usage = 2 * time.Second
		w.startManager(managerOptions{timing: &timing})
		w.secret("shop-password", map[string]string{"password": "correct horse battery staple"})
		hi := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "shop-password", Key: "password"}}
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "shop-connection"}
			hi.Spec.StorageAdditionalSizeGB = ptr[int32](10)
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))

		Expect(w.sim.PaidCreates()).To(Equal(1))
		Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, hi.Status.ID))
		Expect(hi.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending))
		Expect(hi.Status.State).To(Equal("active"))
		Expect(hi.Status.Datacenter).To(HaveField("Region", "FR"))
		Expect(hi.Status.Language.Name).To(Equal("php"))
		Expect(hi.Status.Storage.Additional).To(Equal("10GB"))
		Expect(hi.Status.Access.AdminURL).NotTo(BeEmpty())
		Expect(hi.Status.ObservedGeneration).To(Equal(hi.Generation))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.Usage", And(Not(BeNil()), HaveField("DiskSizeBytes", BeNumerically(">", 0)))))

		sent := w.sim.LastPassword(hi.Status.ID)
		Expect(sent).To(HavePrefix("$6$"), "the password must reach Gandi as a SHA-512 crypt hash")
		Expect(sent).NotTo(ContainSubstring("correct horse"))

		conn := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-connection", Namespace: w.namespace}}
		Eventually(fetch(conn)).WithTimeout(eventually).Should(HaveField("Data", HaveKey("admin_url")))
		Expect(conn.Data).To(HaveKey("database_host"))
		Expect(metav1.IsControlledBy(conn, hi)).To(BeTrue())
		for _, v := range conn.Data {
			Expect(string(v)).NotTo(ContainSubstring("correct horse"))
		}
	})

	It("never adopts a same-named instance it did not create, and adopts it when asked", func() {
		w.startManager(managerOptions{})
		existing := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "prod-site", Size: "starter", Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		hi := instance("prod-site")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "AlreadyExists"))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(existing))
		Consistently(w.sim.PaidCreates).WithTimeout(2 * testTiming.Poll).Should(BeZero())

		annotate(hi, hostingv1alpha1.AnnotationAdopt, "true")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(hi.Status.ID).To(Equal(existing))
		Expect(w.sim.PaidCreates()).To(BeZero())
	})

	It("adopted with another size in its spec, is brought in line by setting it to what Gandi shows, sending nothing", func() {
		w.startManager(managerOptions{})
		existing := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "adopted-size", Size: "starter", Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		hi := instance("adopted-size", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Size = "advanced"
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: existing}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnsupportedChange)))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("set spec.size to starter"))

		// Gandi resizes no instance of a current size: the CRD takes only
		// the size the status shows, and the operator has nothing to send.
		setSpec(hi, func() { hi.Spec.Size = hostingv1alpha1.InstanceSize(hi.Status.Size) })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		Expect(w.sim.PaidCreates()).To(BeZero())
	})

	It("buys, writes and deletes nothing when its token is changed for a working one of another organization, says the credentials changed (not a token to check), and deletes the instance only once it can see it again", func() {
		w.startManager(managerOptions{})
		hi := instance("shop")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		id := hi.Status.ID
		writes := w.sim.Writes()

		// A token of another organization: Gandi answers 403 for the
		// instance and 200 for the instance list, so the token works and
		// the instance is out of its sight.
		const otherToken = "pat_other-org"
		w.sim.AddAccount(gandisim.Account{Token: otherToken, User: "mallory", Orgs: []gandisim.Org{{ID: "5b8e3c74-7c1e-11ee-b962-00163e816099", Name: "other-org", CanBill: true}}})
		w.secret("other-credentials", map[string]string{"token": otherToken})
		setSpec(hi, func() { hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "other-credentials"} })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged)))
		msg := cond(hi, hostingv1alpha1.ConditionSynced).Message
		Expect(strings.Count(msg, id)).To(Equal(1), "the message names the instance once: %s", msg)
		Expect(msg).To(And(ContainSubstring("last seen under Secret "+w.namespace+"/gandi-credentials"), Not(ContainSubstring("check the token"))))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(Equal(writes))
		Expect(w.sim.PaidCreates()).To(Equal(1))

		// Deleting it with a token that cannot reach the instance would
		// leave a paid instance nobody manages: the object waits, and
		// says why and how to let it go.
		Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged),
			HaveField("Status.Conditions", ContainElement(HaveField("Message", ContainSubstring("spec.deletionPolicy: Orphan"))))))
		Consistently(gone(hi)).WithTimeout(2 * testTiming.Poll).Should(BeFalse())
		_, exists := w.sim.Instance(id)
		Expect(exists).To(BeTrue())
		Expect(w.sim.Writes()).To(Equal(writes))

		setSpec(hi, func() { hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"} })
		Eventually(gone(hi)).WithTimeout(eventually).Should(BeTrue())
		_, exists = w.sim.Instance(id)
		Expect(exists).To(BeFalse())
		Expect(w.sim.PaidCreates()).To(Equal(1))
	})

	It("buys no new instance for one Gandi does not show under other credentials than it was seen under; pointed back, where Gandi shows it gone, it buys one as spec.recreateIfDeleted asks", func() {
		// The same account's token in another Secret: what counts is what
		// the instance was seen under, as Gandi may answer another
		// organization's instance with a 404 as well as with the 403 the
		// simulator chose.
		w.secret("rotated-credentials", map[string]string{"token": orgToken})
		stop := w.startManager(managerOptions{})
		hi := instance("phoenix", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.RecreateIfDeleted = true })
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		first := hi.Status.ID
		Expect(hi.Status.ObservedWith).To(And(HaveField("ID", first), HaveField("Secret", w.namespace+"/gandi-credentials")))
		Expect(w.sim.PaidCreates()).To(Equal(1))

		// While the operator is down, the instance is deleted at Gandi and
		// the object is pointed at the other Secret.
		stop()
		w.sim.UpdateInstance(first, func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
		Eventually(func() bool { _, ok := w.sim.Instance(first); return ok }).WithTimeout(eventually).Should(BeFalse())
		setSpec(hi, func() { hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "rotated-credentials"} })
		w.startManager(managerOptions{})
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCredentialsChanged))
		Expect(cond(hi, hostingv1alpha1.ConditionReady).Message).To(And(
			ContainSubstring("instance "+first+" is not found at Gandi under Secret "+w.namespace+"/rotated-credentials"),
			ContainSubstring("last seen under Secret "+w.namespace+"/gandi-credentials")))
		Consistently(w.sim.PaidCreates).WithTimeout(2*testTiming.Poll).Should(Equal(1), "bought again on a 'not found' under other credentials")

		setSpec(hi, func() { hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"} })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", Not(Or(BeEmpty(), Equal(first))))))
		Expect(w.sim.PaidCreates()).To(Equal(2))
	})

	It("does not restart or reset the database of an instance it adopts for requests its manifest already held; a new value is performed", func() {
		// A cluster rebuilt from git: the manifest carries the requests an
		// earlier object made of the live instance.
		w.startManager(managerOptions{})
		existing := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "prod-site", Size: "starter", Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		hi := instance("prod-site")
		hi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
		hi.Spec.RestartRequest, hi.Spec.ResetDatabasePasswordRequest = "2026-11-02T09:00:00Z", "2026-10-01T08:00:00Z"
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", existing)))
		Eventually(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).Should(ConsistOf(
			HaveField("Note", And(ContainSubstring("spec.restartRequest (2026-11-02T09:00:00Z)"), ContainSubstring("spec.resetDatabasePasswordRequest"))),
		))
		Consistently(func() []string { return w.sim.Actions(existing) }).WithTimeout(2 * testTiming.Poll).Should(BeEmpty())
		Expect(hi.Status.LastActions).To(BeNil(), "nothing was performed")
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Reason).To(Equal(hostingv1alpha1.ReasonUpToDate))

		setSpec(hi, func() { hi.Spec.RestartRequest = "now" })
		Eventually(func() []string { return w.sim.Actions(existing) }).WithTimeout(eventually).Should(Equal([]string{"restart"}))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.LastActions.Restart", "now"))
	})

	// The value held on adoption is the manifest's, not performed there;
	// once another value is performed, setting it back is a new word from
	// the user, performed as it would be without the adoption (a -> b -> a
	// restarts again), not silently dropped as still held.
	It("performs a request set back to the value held on adoption once another value was performed after it (a -> b -> a)", func() {
		w.startManager(managerOptions{})
		existing := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "prod-site", Size: "starter", Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		hi := instance("prod-site")
		hi.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
		hi.Spec.RestartRequest = "a"
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", existing)))
		Eventually(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).ShouldNot(BeEmpty())

		setSpec(hi, func() { hi.Spec.RestartRequest = "b" })
		Eventually(func() []string { return w.sim.Actions(existing) }).WithTimeout(eventually).Should(Equal([]string{"restart"}))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.LastActions.Restart", "b"))

		By("restartRequest set back to a, after b")
		setSpec(hi, func() { hi.Spec.RestartRequest = "a" })
		Eventually(func() []string { return w.sim.Actions(existing) }).WithTimeout(3*testTiming.Poll).Should(Equal([]string{"restart", "restart"}),
			"restartRequest a, asked again after b, was dropped as the value held on adoption")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(HaveField("Status.LastActions.Restart", "a"), beUpToDate()))
		Consistently(func() []string { return w.sim.Actions(existing) }).WithTimeout(2 * testTiming.Poll).Should(HaveLen(2))
	})

	It("leaves a same-named instance alone when the object that found it is deleted", func() {
		w.startManager(managerOptions{})
		existing := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "prod-site", Size: "starter", Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		hi := instance("prod-site")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "AlreadyExists"))
		Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
		Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(hi), hi) }).
			WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
		_, ok := w.sim.Instance(existing)
		Expect(ok).To(BeTrue(), "the pre-existing instance must survive")
	})

	It("buys nothing when an instance of the lookup's first page is deleted at Gandi before its second page is read", func() {
		seed := func(name string) string {
			return w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: name, Size: "starter", Location: "FR",
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
		}
		existing := seed("prod-site")
		fillers := make([]string, 0, 100)
		for i := range 100 {
			fillers = append(fillers, seed(fmt.Sprintf("filler-%03d", i)))
		}
		// 101 instances, newest first (Gandi's default order): prod-site
		// is alone on page 2 at 100 a page. One of page 1 is deleted
		// after page 1 is answered (2 s) and before page 2 is (4 s): page
		// 2 comes back empty, with a Total-Count one lower.
		w.sim.SetLatency(gandisim.RouteListInstances, 2*time.Second)
		go func() {
			defer GinkgoRecover()
			for w.sim.Requests(gandisim.RouteListInstances) == 0 {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(3 * time.Second)
			w.sim.UpdateInstance(fillers[0], func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
		}()
		w.startManager(managerOptions{})
		hi := instance("prod-site")
		w.create(hi)
		Consistently(w.sim.PaidCreates).WithTimeout(10*time.Second).Should(BeZero(),
			"prod-site exists at Gandi all along ("+existing+"): nothing may be bought")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "AlreadyExists"))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(existing))
	})

	It("does not take an instance someone buys later for its own, after a lost create and a refused retry", func() {
		// The paid POST is cut before Gandi acts; after the grace the
		// retry is refused (no credit), and so is every one after it.
		w.sim.ResetNextPaid(gandisim.RouteCreateInstance, 1)
		w.sim.FailNextPaid(gandisim.RouteCreateInstance, 1000, http.StatusPaymentRequired, 0)
		w.startManager(managerOptions{})
		hi := instance("site")
		w.create(hi)
		Eventually(func() int { return w.sim.Requests(gandisim.RouteCreateInstance) }).WithTimeout(eventually).Should(BeNumerically(">=", 4),
			"the cut create and a refused retry, each after its Dry-Run")
		Eventually(fetch(hi)).WithTimeout(eventually).ShouldNot(HaveField("ObjectMeta.Annotations", HaveKey(hostingv1alpha1.AnnotationCreatePending)))

		theirs := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "site", Size: "starter",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}})
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AlreadyExists"))
		Expect(hi.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID), "someone else's "+theirs)
		Expect(w.sim.PaidCreates()).To(BeZero())
	})

	It("reads an instance Gandi keeps waiting for its payment less and less often, not every few seconds", func() {
		unpaid := gandisim.FastTimings()
		unpaid.InstanceWaitingBill = time.Hour
		w.sim.SetTimings(unpaid)
		timing := testTiming
		timing.Poll = 10 * time.Second // the slowest a waiting instance is read
		w.startManager(managerOptions{timing: &timing})
		hi := instance("unpaid")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForPayment))
		since := cond(hi, hostingv1alpha1.ConditionReady).LastTransitionTime.Time
		Eventually(func() time.Duration { return time.Since(since) }).WithTimeout(eventually).Should(BeNumerically(">", 6*time.Second))

		// Six seconds in, a read every 600 ms or more (a tenth of the
		// wait): about 4 in 3 s, where one every Transitional (100 ms)
		// would be about 30.
		gets := w.sim.Requests(gandisim.RouteGetInstance)
		Consistently(func() int { return w.sim.Requests(gandisim.RouteGetInstance) - gets }).
			WithTimeout(3 * time.Second).Should(BeNumerically("<=", 8))
		Expect(w.sim.Requests(gandisim.RouteGetInstance)-gets).To(BeNumerically(">=", 1), "it is still read")
		Expect(fetch(hi)()).To(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForPayment))
	})

	Describe("buys exactly one instance", func() {
		It("when the create's answer is lost after Gandi committed it", func() {
			w.sim.CommitThenDropPaid(gandisim.RouteCreateInstance, 1)
			w.startManager(managerOptions{})
			hi := instance("lost-answer")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(w.sim.PaidCreates()).To(Equal(1))
			Expect(w.sim.Requests(gandisim.RouteCreateInstance)).To(Equal(2), "one Dry-Run, one paid POST, no retry")
		})

		It("when a create sent again after the grace loses its answer too, and Gandi lists it late", func() {
			// The first paid POST is cut before Gandi acts. After the
			// grace the create is sent again; that answer is lost too, and
			// Gandi lists the instance only 0.6 s later: the second
			// attempt must get a grace of its own before a third is sent.
			w.sim.ResetNextPaid(gandisim.RouteCreateInstance, 1)
			w.sim.DropThenCommitPaid(gandisim.RouteCreateInstance, 1, 6*testTiming.CreateGrace/10)
			w.startManager(managerOptions{})
			hi := instance("lost-twice")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(w.sim.Requests(gandisim.RouteCreateInstance)).To(Equal(4), "two attempts, each a Dry-Run and a paid POST")
			Consistently(w.sim.PaidCreates).WithTimeout(2 * testTiming.CreateGrace).Should(Equal(1))
			Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationCreatedID, hi.Status.ID))
		})

		It("when a slow create loses its answer and Gandi lists it late, within the grace counted from the loss", func() {
			// The paid POST takes 0.7 of the grace before its connection
			// drops without an answer, and Gandi lists the instance 0.5 of
			// the grace after that: past the grace counted from
			// create-sent-at, within the grace counted from the loss.
			grace := testTiming.CreateGrace
			w.sim.SetLatency(gandisim.RouteCreateInstance, 7*grace/10)
			w.sim.DropThenCommitPaid(gandisim.RouteCreateInstance, 1, 5*grace/10)
			w.startManager(managerOptions{})
			hi := instance("slow-lost")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Consistently(w.sim.PaidCreates).WithTimeout(2 * grace).Should(Equal(1))
			Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationCreatedID, hi.Status.ID))
			Expect(hi.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreateLostAt), "the loss record goes with the intent")
		})

		It("when the manager stops before recording that a slow create's answer was lost, and Gandi lists it late", func() {
			// As above, but the process dies before it records the loss:
			// the next one cannot know how late the attempt reached Gandi,
			// so it records its own first look as the loss and waits the
			// grace from it.
			grace := testTiming.CreateGrace
			w.sim.SetLatency(gandisim.RouteCreateInstance, 7*grace/10)
			w.sim.DropThenCommitPaid(gandisim.RouteCreateInstance, 1, 5*grace/10)
			dies, stopped := diesAtPatch(func(obj client.Object) bool {
				return obj.GetAnnotations()[hostingv1alpha1.AnnotationCreateLostAt] != ""
			})
			stop := w.startManager(managerOptions{wrap: dies})
			hi := instance("slow-crash")
			w.create(hi)
			Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
			stop()
			Expect(get(hi).GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationCreateLostAt))

			w.startManager(managerOptions{})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Consistently(w.sim.PaidCreates).WithTimeout(2 * grace).Should(Equal(1))
			Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationCreatedID, hi.Status.ID))
		})

		It("when the ID annotation write fails once", func() {
			var failed atomic.Bool
			w.startManager(managerOptions{wrap: interceptor.Funcs{
				Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
					if obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID] != "" && failed.CompareAndSwap(false, true) {
						return context.DeadlineExceeded
					}
					return c.Patch(ctx, obj, patch, opts...)
				},
			}})
			hi := instance("id-write-fails")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(failed.Load()).To(BeTrue())
			Expect(w.sim.PaidCreates()).To(Equal(1))
		})

		// crashAfterCreate creates hi with a manager that dies right after
		// Gandi accepted the purchase, before the ID is recorded.
		crashAfterCreate := func(hi *hostingv1alpha1.HostingInstance) {
			dies, stopped := diesAtPatch(func(obj client.Object) bool { return obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID] != "" }) // the process dies here: nothing after the POST is recorded
			stop := w.startManager(managerOptions{wrap: dies})
			w.create(hi)
			Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
			stop()
			Expect(get(hi).GetAnnotations()).To(HaveKey(hostingv1alpha1.AnnotationCreatePending))
			Expect(w.sim.PaidCreates()).To(Equal(1))
		}

		It("when the manager stops between the create and the status write", func() {
			hi := instance("crash-after-post")
			crashAfterCreate(hi)
			w.startManager(managerOptions{})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(w.sim.PaidCreates()).To(Equal(1))
		})

		It("when spec.name changes while the create is unconfirmed", func() {
			hi := instance("renamed")
			crashAfterCreate(hi)
			// The user renames it before any manager has found the instance
			// the create made under the first name.
			setSpec(hi, func() { hi.Spec.Name = "renamed-2" })

			w.startManager(managerOptions{})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreateKeyChanged))
			Expect(cond(hi, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring("put them back"))
			Consistently(w.sim.PaidCreates).WithTimeout(3*testTiming.CreateGrace).Should(Equal(1), "a create under the new name would buy a second instance")

			By("the name put back: the lost instance is found and adopted, then renamed as asked")
			setSpec(hi, func() { hi.Spec.Name = "" })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(hi.GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePendingKey))
			setSpec(hi, func() { hi.Spec.Name = "renamed-2" })
			Eventually(func() string { v, _ := w.sim.Instance(hi.Status.ID); return v.Name }).WithTimeout(eventually).Should(Equal("renamed-2"))
			Expect(w.sim.PaidCreates()).To(Equal(1))
		})

		It("when two managers race on the same object", func() {
			w.startManager(managerOptions{})
			w.startManager(managerOptions{})
			hi := instance("raced")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Consistently(w.sim.PaidCreates).WithTimeout(2 * testTiming.CreateGrace).Should(Equal(1))
		})
	})

	It("asks a human when an interrupted create could match several instances", func() {
		w.startManager(managerOptions{})
		intent := time.Now().Add(-time.Second).UTC().Format(time.RFC3339Nano)
		ids := make([]string, 0, 2)
		for range 2 {
			ids = append(ids, w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "twice", Size: "starter", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}}))
		}
		hi := instance("twice", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationCreatePending: intent}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "AmbiguousExternalObject"))
		Consistently(w.sim.PaidCreates).WithTimeout(2 * testTiming.CreateGrace).Should(BeZero())
		Expect(get(hi).GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID))

		// The human picks one.
		annotate(hi, hostingv1alpha1.AnnotationExternalID, ids[1])
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(hi.Status.ID).To(Equal(ids[1]))
		Expect(w.sim.PaidCreates()).To(BeZero())
	})

	It("reports the disk usage of the instance its external-id now names, never the former one's", func() {
		w.startManager(managerOptions{})
		old := time.Now().Add(-2 * testTiming.Usage)
		seed := func(name string, used int64) string {
			return w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: name, Size: "starter", DiskUsedBytes: used, CreatedAt: old,
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}})
		}
		a, b := seed("seeded-a", 111_000_000), seed("seeded-b", 222_000_000)
		hi := instance("seeded-a", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: a}
			hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.Usage.DiskUsedBytes", BeEquivalentTo(111_000_000)))

		annotate(hi, hostingv1alpha1.AnnotationExternalID, b)
		// Read at once, not a usage interval (an hour) later; and never
		// A's beside B's ID meanwhile.
		Eventually(func(g Gomega) {
			fetch(hi)()
			if hi.Status.ID == b && hi.Status.Usage != nil {
				Expect(hi.Status.Usage.DiskUsedBytes).NotTo(BeEquivalentTo(111_000_000), "status.usage is instance A's while status.id is B")
			}
			g.Expect(hi.Status.ID).To(Equal(b))
			g.Expect(hi.Status.Usage).To(HaveField("DiskUsedBytes", BeEquivalentTo(222_000_000)))
		}).WithTimeout(eventually).WithPolling(20 * time.Millisecond).Should(Succeed())
	})

	It("reports Gandi's Dry-Run refusal and buys nothing", func() {
		w.startManager(managerOptions{})
		hi := instance("legacy-size", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Size = "m" })
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "CreateRefused")))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("size"))
		Expect(cond(hi, hostingv1alpha1.ConditionReady).Message).To(And(
			ContainSubstring("nothing was created or bought"), ContainSubstring("correct the spec")))
		Expect(w.sim.PaidCreates()).To(BeZero())
		Expect(w.sim.Instances()).To(BeEmpty())
		Expect(hi.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending))
	})

	It("sends no create listing one initial vhost in Unicode and in punycode, and takes the corrected list", func() {
		w.startManager(managerOptions{})
		hi := instance("twice-named", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.InitialVhosts = []hostingv1alpha1.InitialVhost{{FQDN: "café.example.com"}, {FQDN: "xn--caf-dma.example.com"}}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"),
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "CreateRefused")))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("lists xn--caf-dma.example.com twice"))
		Expect(w.sim.Requests(gandisim.RouteCreateInstance)).To(BeZero(), "not even a Dry-Run")

		setSpec(hi, func() { hi.Spec.InitialVhosts = hi.Spec.InitialVhosts[:1] })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(hi.Status.Vhosts).To(ContainElement("xn--caf-dma.example.com"))
		Expect(w.sim.PaidCreates()).To(Equal(1))
	})

	It("buys an instance whose spec.authentication is empty, sending no authentication", func() {
		// Gandi requires a password in an authentication: an empty one
		// would have the create refused.
		w.startManager(managerOptions{})
		hi := instance("empty-auth", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.PaidCreates()).To(Equal(1))
	})

	It("lets an instance bought with SSH keys drop its password, sending nothing, and buys it again only with a password", func() {
		w.startManager(managerOptions{})
		const key = "ssh-ed25519 AAAAC3Nza alice@host"
		passwordRef := func() *hostingv1alpha1.SecretKeySelector {
			return &hostingv1alpha1.SecretKeySelector{Name: "keys-password", Key: "password"}
		}
		atGandi := func(id string) gandisim.InstanceView {
			v, ok := w.sim.Instance(id)
			Expect(ok).To(BeTrue(), "instance %s at Gandi", id)
			return v
		}
		pw := w.secret("keys-password", map[string]string{"password": "correct horse battery staple"})
		hi := instance("with-keys", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.RecreateIfDeleted = true
			hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: passwordRef(), SSHKeys: []string{key}}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		id := hi.Status.ID
		password := w.sim.LastPassword(id)

		// The password Secret is gone: every other change waits for it.
		Expect(k8sClient.Delete(suiteCtx, pw)).To(Succeed())
		setSpec(hi, func() { hi.Spec.Name = "with-keys-renamed" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPasswordNotFound))
		Expect(atGandi(id)).To(HaveField("Name", "with-keys"))

		// The way out: the object stops managing the password. The keys
		// and the password stay at Gandi as they are; the rename goes.
		setSpec(hi, func() { hi.Spec.Authentication.PasswordSecretRef = nil })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
		Expect(atGandi(id)).To(And(HaveField("Name", "with-keys-renamed"), HaveField("SSHKeys", Equal([]string{key}))))
		Expect(w.sim.LastPassword(id)).To(Equal(password))
		Expect(w.sim.PasswordChanges()).To(BeZero())

		// Deleted at Gandi, with recreateIfDeleted: keys without a
		// password are no create Gandi takes, and none is sent.
		creates := w.sim.Requests(gandisim.RouteCreateInstance)
		w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonCreateRefused),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonInvalidSpec)))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("no passwordSecretRef"))
		Expect(w.sim.Requests(gandisim.RouteCreateInstance)).To(Equal(creates), "not even a Dry-Run")
		Expect(w.sim.PaidCreates()).To(Equal(1))

		// A password named again: the instance is bought with the keys.
		w.secret("keys-password", map[string]string{"password": "another horse battery staple"})
		setSpec(hi, func() { hi.Spec.Authentication.PasswordSecretRef = passwordRef() })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(hi.Status.ID).NotTo(Equal(id))
		Expect(w.sim.PaidCreates()).To(Equal(2))
		Expect(atGandi(hi.Status.ID)).To(HaveField("SSHKeys", Equal([]string{key})))
	})

	It("leaves CreateRefused on the API server after every refused create sent again, not the Creating written before it", func() {
		writes := &statusWrites[*hostingv1alpha1.HostingInstance]{}
		w.startManager(managerOptions{wrap: writes.wrap()})
		// The Dry-Run passes; Gandi refuses the paid create three times,
		// then takes it.
		const refusals = 3
		w.sim.FailNextPaid(gandisim.RouteCreateInstance, refusals, http.StatusBadRequest, 0)
		hi := instance("refused-thrice")
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(w.sim.PaidCreates()).To(Equal(1))

		// Each refusal ends its pass; the pass that sends the create again
		// first takes CreateRefused off (Creating) and, refused again,
		// must write CreateRefused back, though it started from it.
		var refusedWrites int
		for _, o := range writes.ofGeneration(hi.Generation) {
			if c := meta.FindStatusCondition(o.Status.Conditions, hostingv1alpha1.ConditionReady); c != nil && c.Reason == hostingv1alpha1.ReasonCreateRefused {
				refusedWrites++
			}
		}
		Expect(refusedWrites).To(Equal(refusals), "one CreateRefused status per refused create")
	})

	It("buys the instance once when the create-only field Gandi refused is corrected in place", func() {
		w.startManager(managerOptions{})
		hi := instance("corrected-size", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Size = "m" })
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "CreateRefused"))

		// Gandi creates no legacy size; size is create-only, and open
		// while the create is refused.
		setSpec(hi, func() { hi.Spec.Size = "starter" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(hi.Status.Size).To(Equal("starter"))
		Consistently(w.sim.PaidCreates).WithTimeout(2 * testTiming.Poll).Should(Equal(1))

		// Gandi has it now: size is closed again.
		get(hi)
		hi.Spec.Size = "pro"
		Expect(k8sClient.Update(suiteCtx, hi)).To(MatchError(ContainSubstring("spec.size can only change from a legacy size")))
	})

	It("closes the create-only fields before it sends a corrected create", func() {
		// Once the create is on its way, a change of a create-only field
		// would describe something else than what it buys: the operator
		// takes CreateRefused off Ready before the intent (and the POST)
		// goes out, so the API server refuses such a change from then on.
		var refusedThen atomic.Value
		w.startManager(managerOptions{wrap: interceptor.Funcs{
			Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
				if _, intent := obj.GetAnnotations()[hostingv1alpha1.AnnotationCreatePending]; intent && refusedThen.Load() == nil {
					user := &hostingv1alpha1.HostingInstance{}
					err := k8sClient.Get(ctx, client.ObjectKeyFromObject(obj), user)
					if err == nil {
						user.Spec.Location = "LU"
						err = k8sClient.Update(ctx, user)
					}
					refusedThen.Store(fmt.Sprint(err))
				}
				return c.Patch(ctx, obj, patch, opts...)
			},
		}})
		hi := instance("closed-before-post", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Size = "m" })
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "CreateRefused"))
		setSpec(hi, func() { hi.Spec.Size = "starter" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(refusedThen.Load()).To(ContainSubstring("spec.location is create-only"))
		Expect(hi.Spec.Location).To(Equal("FR"))
		Expect(hi.Status.Datacenter).To(HaveField("Region", "FR"))
		Expect(w.sim.PaidCreates()).To(Equal(1))
	})

	It("reports Gandi's Dry-Run refusal of allowAlteration on a zone Gandi may not alter and buys nothing", func() {
		// Gandi: allow_alteration in an instance create "can only be set if
		// related domain is managed by LiveDNS and you have the rights to
		// manage the domain records"; elsewhere.example is no zone of the
		// account.
		w.startManager(managerOptions{})
		hi := instance("foreign-zone", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.InitialVhosts = []hostingv1alpha1.InitialVhost{{
				FQDN:          "www.elsewhere.example",
				LinkedDNSZone: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true},
			}}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"))
		Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("vhosts.0.linked_dns_zone.allow_alteration"))
		Consistently(w.sim.PaidCreates).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		Expect(w.sim.Instances()).To(BeEmpty())
		Expect(get(hi).GetAnnotations()).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending))
	})

	Describe("the password it sets", func() {
		// withPassword names the Secret name's key "password".
		withPassword := func(name string) func(*hostingv1alpha1.HostingInstance) {
			return func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: name, Key: "password"}}
			}
		}

		// Gandi refuses a clear-text password outside 8 to 200 characters
		// (its simulator: "A clear text password must be 8 to 200
		// characters long"; paas.create: "password must have at least 8
		// characters"). The operator sends a crypt hash, which Gandi
		// cannot measure: without its own check, a paid instance is
		// bought with a 3-character SFTP, git and control panel password.
		DescribeTable("buys no instance with a password Gandi refuses in clear text, and says why, naming the Secret and key, never the value",
			func(password, rule string) {
				w.startManager(managerOptions{})
				w.secret("weak-password", map[string]string{"password": password})
				hi := instance("weak", withPassword("weak-password"))
				w.create(hi)
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPasswordInvalid))
				Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(And(
					ContainSubstring(`password Secret `+w.namespace+`/weak-password key "password"`),
					ContainSubstring(rule), ContainSubstring("8 to 200 characters"), Not(ContainSubstring(password))))
				Consistently(w.sim.PaidCreates).WithTimeout(3*testTiming.Poll).Should(BeZero(), "nothing is bought")
				Expect(w.sim.Requests(gandisim.RouteCreateInstance)).To(BeZero(), "nothing is sent, not even a Dry-Run")
			},
			Entry("3 characters", "abc", "shorter than 8"),
			Entry("201 characters", strings.Repeat("long-pw-", 25)+"!", "longer than 200"),
		)

		// A Secret made with `kubectl create secret --from-file` from a file
		// `echo pw > f` wrote (or an editor that ends lines with CRLF)
		// holds the line break, which no SFTP or git prompt can send.
		DescribeTable("sets at Gandi the password a person can type when the Secret was made --from-file (a trailing line break)",
			func(stored string) {
				w.startManager(managerOptions{})
				w.secret("file-password", map[string]string{"password": stored})
				hi := instance("typed", withPassword("file-password"))
				w.create(hi)
				Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
				hash := w.sim.LastPassword(hi.Status.ID)
				Expect(hash).To(HavePrefix("$6$"))
				Expect(sha512_crypt.New().Verify(hash, []byte(" correct horse battery staple"))).To(Succeed(),
					"the password Gandi has is the one typed at a prompt: the line break dropped, the leading space kept")
			},
			Entry("LF", " correct horse battery staple\n"),
			Entry("CRLF", " correct horse battery staple\r\n"),
		)
	})

	Describe("paid changes and the past of the instance", func() {
		const heldSince = "effects.hosting.gandi-operator.dev/paid-change.held-since"
		// legacy seeds an instance bought elsewhere, of size, and a
		// HostingInstance (edited by mod) that names it in its external-id.
		legacy := func(size string, mod func(*hostingv1alpha1.HostingInstance)) (string, *hostingv1alpha1.HostingInstance) {
			id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "legacy", Size: size, Location: "FR",
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			return id, instance("legacy", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
				mod(hi)
			})
		}

		// The object that bought the instance knows every paid change
		// sent to it: its first one goes at once, whatever the grace.
		It("adds storage at once to an instance it created, whatever the grace", func() {
			timing := testTiming
			timing.CreateGrace = time.Hour
			w.startManager(managerOptions{timing: &timing})
			hi := instance("site")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			id := hi.Status.ID

			setSpec(hi, func() { hi.Spec.StorageAdditionalSizeGB = ptr[int32](50) })
			Eventually(w.sim.PaidChanges).WithTimeout(3 * testTiming.Poll).Should(Equal(1))
			Eventually(func() int { v, _ := w.sim.Instance(id); return v.StorageAdditionalSize }).WithTimeout(eventually).Should(Equal(50))
			Expect(get(hi).GetAnnotations()).NotTo(HaveKey(heldSince))
		})

		// A person may have resized the instance in Gandi's admin just
		// before handing it over; Gandi shows no change under way.
		It("waits the grace after adopting an instance before its first paid change, says so, then resizes it once", func() {
			timing := testTiming
			timing.CreateGrace = 4 * testTiming.Poll
			w.startManager(managerOptions{timing: &timing})
			_, hi := legacy("m", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Size = "l" })
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPaidChangeHeld)))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(And(ContainSubstring("the paid change to size l waits until"), ContainSubstring("adopted")))
			Expect(w.sim.PaidChanges()).To(BeZero())

			Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(Equal(1))
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beUpToDate(), HaveField("Status.Size", "l")))
			Consistently(w.sim.PaidChanges).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		})

		// Synced PaidChangeHeld tells a person to remove the hold once they
		// checked at Gandi: the removal is heard like any edit of the
		// object, not at the next poll (an hour here), though the operator's
		// own writes of its effects. records wake nothing.
		It("sends the held resize as soon as a person removes the hold annotation", func() {
			timing := testTiming
			timing.CreateGrace = time.Hour
			timing.Poll = time.Hour
			w.startManager(managerOptions{timing: &timing})
			_, hi := legacy("m", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Size = "l" })
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPaidChangeHeld)))
			Expect(w.sim.PaidChanges()).To(BeZero())

			setSpec(hi, func() {
				ann := hi.GetAnnotations()
				delete(ann, heldSince)
				hi.SetAnnotations(ann)
			})
			Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(Equal(1), "the removal of the hold was not heard")
		})

		// The hold is about the adopted instance's past. Once that
		// instance is gone and the object buys its own
		// (spec.recreateIfDeleted), the new instance's past is known.
		It("sends a paid change at once to the instance it bought after the adopted one was deleted at Gandi", func() {
			timing := testTiming
			timing.CreateGrace = time.Hour
			w.startManager(managerOptions{timing: &timing})
			id, hi := legacy("starter", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.RecreateIfDeleted = true })
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			Expect(hi.Annotations).To(HaveKey(heldSince))

			w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", Not(Or(BeEmpty(), Equal(id))))))
			Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationCreatedID, hi.Status.ID))
			Expect(hi.Annotations).NotTo(HaveKey(heldSince))

			setSpec(hi, func() { hi.Spec.StorageAdditionalSizeGB = ptr[int32](50) })
			Eventually(w.sim.PaidChanges).WithTimeout(3*testTiming.Poll).Should(Equal(1), "the instance this object bought is held by the adopted one's hold")
		})
	})

	Describe("in Observe mode", func() {
		It("creates nothing", func() {
			w.startManager(managerOptions{})
			hi := instance("observed", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "ExternalNotFound"))
			Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(BeZero())
			Expect(w.sim.PaidCreates()).To(BeZero())
		})

		It("reports drift without writing, and leaves the instance when deleted", func() {
			w.startManager(managerOptions{})
			id := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "imported", Size: "starter", Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			hi := instance("imported", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
				hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
				hi.Spec.SnapshotEnabled = ptr(true)
				hi.Spec.Type.Language.Version = ""
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "DriftDetected")))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("snapshot_enabled"))
			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(hi), hi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			Expect(w.sim.Writes()).To(BeZero())
			_, ok := w.sim.Instance(id)
			Expect(ok).To(BeTrue())
		})
	})

	// An instance taken hold of (external-id, adopt, Observe import) may
	// have been bought otherwise than the spec says in a create-only
	// field. The spec then does not describe it (and a re-create from it
	// would buy another kind of instance): Synced says so, naming Gandi's
	// value, as a PaaSInstance's type and datacenter; nothing is sent.
	DescribeTable("reports a create-only field that differs from the instance it holds, and sends nothing",
		func(policy hostingv1alpha1.ManagementPolicy, seed gandisim.SeedInstance, reason, says string) {
			w.startManager(managerOptions{})
			seed.Name, seed.Size = "imported", "starter"
			id := w.sim.AddInstance(orgID, seed)
			hi := instance("imported", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
				hi.Spec.ManagementPolicy = policy
				hi.Spec.Type.Language.Version = ""
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, reason)))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(says))
			Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(BeZero())
		},
		Entry("location, managed", hostingv1alpha1.ManagementPolicyManage,
			gandisim.SeedInstance{Location: "LU", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}},
			hostingv1alpha1.ReasonUnsupportedChange, "spec.location is FR but Gandi shows LU"),
		Entry("location, observed", hostingv1alpha1.ManagementPolicyObserve,
			gandisim.SeedInstance{Location: "LU", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}},
			hostingv1alpha1.ReasonDriftDetected, "set spec.location to LU"),
		Entry("database", hostingv1alpha1.ManagementPolicyManage,
			gandisim.SeedInstance{Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "pgsql"}},
			hostingv1alpha1.ReasonUnsupportedChange, "spec.type.database.name is mysql but Gandi shows pgsql"),
		Entry("language", hostingv1alpha1.ManagementPolicyManage,
			gandisim.SeedInstance{Location: "FR", Language: gandisim.SeedRuntime{Name: "python", Version: "3.11"}, Database: gandisim.SeedRuntime{Name: "mysql"}},
			hostingv1alpha1.ReasonUnsupportedChange, "spec.type.language.name is php but Gandi shows python"),
	)

	Describe("updates", func() {
		var hi *hostingv1alpha1.HostingInstance
		var id string

		BeforeEach(func() {
			w.startManager(managerOptions{})
			id = w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "legacy", Size: "m", Location: "FR", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			hi = instance("legacy", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
				hi.Spec.Size = "m"
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		})

		// passwordApplied gives hi a password Secret and waits until Gandi
		// accepted it.
		passwordApplied := func() *corev1.Secret {
			pw := w.secret("legacy-password", map[string]string{"password": "first-password"})
			setSpec(hi, func() {
				hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "legacy-password", Key: "password"}}
			})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			return pw
		}

		It("makes no write in a steady state", func() {
			writes := w.sim.Writes()
			Consistently(w.sim.Writes).WithTimeout(3 * testTiming.Poll).Should(Equal(writes))
		})

		DescribeTable("sends each changed field by PATCH",
			func(change func(*hostingv1alpha1.HostingInstance), check func(gandisim.InstanceView) bool) {
				patches := w.sim.Requests(gandisim.RoutePatchInstance)
				setSpec(hi, func() { change(hi) })
				Eventually(func() bool { v, _ := w.sim.Instance(id); return check(v) }).WithTimeout(eventually).Should(BeTrue())
				Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(BeNumerically(">", patches))
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate"))
			},
			Entry("name", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Name = "renamed" },
				func(v gandisim.InstanceView) bool { return v.Name == "renamed" }),
			Entry("size (legacy m to l)", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.Size = "l" },
				func(v gandisim.InstanceView) bool { return v.Size == "l" }),
			Entry("additional storage", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.StorageAdditionalSizeGB = ptr[int32](50) },
				func(v gandisim.InstanceView) bool { return v.StorageAdditionalSize == 50 }),
			Entry("snapshots", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.SnapshotEnabled = ptr(true) },
				func(v gandisim.InstanceView) bool { return v.SnapshotEnabled }),
			Entry("booster", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
			}, func(v gandisim.InstanceView) bool { return v.Booster }),
			Entry("language version, through upgrade_to's language_id", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.Type.Language.Version = "8.2"
			}, func(v gandisim.InstanceView) bool { return v.LanguageVersion == "8.2" }),
		)

		It("reports a change it sent as Updating, and moves observedGeneration only once Gandi shows it", func() {
			for _, stop := range w.stopsNow() {
				stop()
			}
			writes := &statusWrites[*hostingv1alpha1.HostingInstance]{}
			w.startManager(managerOptions{wrap: writes.wrap()})
			setSpec(hi, func() { hi.Spec.Name = "renamed" })
			gen := hi.Generation
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				HaveField("Status.ObservedGeneration", gen), HaveField("Status.Name", "renamed"),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			writes.expectShownBeforeObserved(gen, "name",
				func(o *hostingv1alpha1.HostingInstance) int64 { return o.Status.ObservedGeneration },
				func(o *hostingv1alpha1.HostingInstance) bool { return o.Status.Name == "renamed" })
		})

		It("does not report UpToDate a spec change Gandi takes no changes for while it has the instance locked, and sends it once unlocked", func() {
			w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "locked" })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonLocked))
			setSpec(hi, func() { hi.Spec.SnapshotEnabled = ptr(true) })
			gen := hi.Generation
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(HaveField("Status.ObservedGeneration", gen),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForState)))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("while it is locked; not sent until it leaves that state: snapshot_enabled"))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).ObservedGeneration).To(Equal(gen))
			v, _ := w.sim.Instance(id)
			Expect(v.SnapshotEnabled).To(BeFalse(), "nothing was sent")

			w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "active" })
			Eventually(func() bool { v, _ := w.sim.Instance(id); return v.SnapshotEnabled }).WithTimeout(eventually).Should(BeTrue())
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		})

		Describe("a free change", func() {
			patches := func() int { return w.sim.Requests(gandisim.RoutePatchInstance) }
			// applyingIn makes Gandi apply an accepted PATCH d after its 202.
			applyingIn := func(d time.Duration) {
				t := gandisim.FastTimings()
				t.InstanceUpdate = d
				w.sim.SetTimings(t)
			}

			It("is sent once while Gandi applies it slowly, reported on its way, and UpToDate once the instance shows it", func() {
				applyingIn(2 * testTiming.Poll)
				before := patches()
				setSpec(hi, func() { hi.Spec.Name = "renamed" })
				Eventually(patches).WithTimeout(eventually).Should(BeNumerically(">", before))
				Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating),
					WithTransform(func(o client.Object) string { return cond(o, hostingv1alpha1.ConditionSynced).Message },
						ContainSubstring("Gandi accepted name renamed at"))))
				Consistently(patches).WithTimeout(3*testTiming.Poll).Should(Equal(before+1),
					"a GET showing the old name right after a 202 is no reason to send the PATCH again")
				Eventually(fetch(hi)).WithTimeout(eventually).Should(And(HaveField("Status.Name", "renamed"),
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
				Expect(patches()).To(Equal(before + 1))
			})

			It("is sent again when Gandi has not shown it a few polls after accepting it", func() {
				applyingIn(time.Hour)
				before := patches()
				setSpec(hi, func() { hi.Spec.SnapshotEnabled = ptr(true) })
				Eventually(patches).WithTimeout(eventually).Should(BeNumerically(">", before))
				Consistently(patches).WithTimeout(2 * testTiming.Poll).Should(Equal(before + 1))
				Eventually(patches).WithTimeout(3*testTiming.Poll).Should(Equal(before+2), "Gandi may have dropped it")
				Expect(cond(get(hi), hostingv1alpha1.ConditionSynced).Reason).To(Equal(hostingv1alpha1.ReasonUpdating))
			})
		})

		Describe("a paid change", func() {
			const paidRecord = "effects.hosting.gandi-operator.dev/paid-change"
			// slowly makes Gandi apply an accepted PATCH several polls later.
			slowly := func() {
				t := gandisim.FastTimings()
				t.InstanceUpdate = 4 * testTiming.Poll
				w.sim.SetTimings(t)
			}

			It("is sent once while Gandi applies it slowly, reported on its way, and UpToDate once the instance shows it", func() {
				slowly()
				paid := w.sim.PaidChanges()
				setSpec(hi, func() { hi.Spec.Size = "l" })
				Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(BeNumerically(">", paid))
				Consistently(w.sim.PaidChanges).WithTimeout(2*testTiming.Poll).Should(Equal(paid+1), "a GET showing the old size is no reason to pay again")
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating))
				Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("Gandi accepted the paid change to size l; waiting for the instance to show it"))

				By("a free field is still sent while the resize waits")
				setSpec(hi, func() { hi.Spec.Name = "renamed" })
				Eventually(func() string { v, _ := w.sim.Instance(id); return v.Name }).WithTimeout(eventually).Should(Equal("renamed"))
				Expect(w.sim.PaidChanges()).To(Equal(paid + 1))
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
				Expect(w.sim.PaidChanges()).To(Equal(paid + 1))
				v, _ := w.sim.Instance(id)
				Expect(v.Size).To(Equal("l"))
				Expect(hi.Annotations).NotTo(HaveKey(paidRecord), "settled once shown, so a later drift is a new change")
			})

			It("whose answer was lost is sent once, reported unconfirmed, and settles when the instance shows it", func() {
				slowly()
				paid := w.sim.PaidChanges()
				// Gandi takes it and every answer is lost.
				w.sim.CommitThenDrop(gandisim.RoutePatchInstance, 3)
				setSpec(hi, func() { hi.Spec.StorageAdditionalSizeGB = ptr[int32](50) })
				Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(BeNumerically(">", paid))
				Consistently(w.sim.PaidChanges).WithTimeout(2*testTiming.Poll).Should(Equal(paid+1), "neither the client nor the operator sends it again")
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
				Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("remove the annotation " + paidRecord))
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
				Expect(w.sim.PaidChanges()).To(Equal(paid + 1))
				Expect(hi.Annotations).NotTo(HaveKey(paidRecord))
			})

			// The spec asks l, Gandi accepts it, and the spec goes back to m
			// before the instance shows l: a paid change Gandi accepted
			// cannot be taken back, so the instance is on its way to l
			// though it shows m, what the spec asks.
			It("withdrawn by the spec before the instance shows it is reported on its way, never UpToDate, and the change back is sent once it shows", func() {
				t := gandisim.FastTimings()
				t.InstanceUpdate = 6 * testTiming.Poll
				w.sim.SetTimings(t)
				paid := w.sim.PaidChanges()
				setSpec(hi, func() { hi.Spec.Size = "l" })
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating))
				Expect(w.sim.PaidChanges()).To(Equal(paid + 1))

				By("the spec set back to m while Gandi has yet to apply l")
				setSpec(hi, func() { hi.Spec.Size = "m" })
				Eventually(fetch(hi)).WithTimeout(eventually).Should(And(HaveField("Status.ObservedGeneration", hi.Generation),
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating)))
				Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(
					"Gandi accepted the paid change to size l, which the spec no longer asks for"))
				Consistently(func() string {
					fetch(hi)()
					c := cond(hi, hostingv1alpha1.ConditionSynced)
					if v, _ := w.sim.Instance(id); v.Size == "m" && c.Status == metav1.ConditionTrue && c.ObservedGeneration == hi.Generation {
						return "Synced " + c.Reason + " (" + c.Message + ") while Gandi accepted a resize to l it has yet to apply"
					}
					return ""
				}).WithTimeout(3 * testTiming.Poll).WithPolling(100 * time.Millisecond).Should(BeEmpty())

				By("once the instance shows l, m is sent: a new paid change")
				Eventually(w.sim.PaidChanges).WithTimeout(eventually).Should(Equal(paid + 2))
				Eventually(func() string { v, _ := w.sim.Instance(id); return v.Size }).WithTimeout(eventually).Should(Equal("m"))
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
				Expect(w.sim.PaidChanges()).To(Equal(paid + 2))
				Expect(hi.Annotations).NotTo(HaveKey(paidRecord))
			})

			It("lost before Gandi acted is not sent again until a person removes its record", func() {
				patches := w.sim.Requests(gandisim.RoutePatchInstance)
				w.sim.ResetNext(gandisim.RoutePatchInstance, 1)
				setSpec(hi, func() { hi.Spec.Size = "xxl" })
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
				Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("size xxl"))
				Consistently(func() int { return w.sim.Requests(gandisim.RoutePatchInstance) }).WithTimeout(2 * testTiming.Poll).Should(Equal(patches + 1))

				By("the person who checked at Gandi removes the record: sent once more")
				setSpec(hi, func() { delete(hi.Annotations, paidRecord) })
				Eventually(func() string { v, _ := w.sim.Instance(id); return v.Size }).WithTimeout(eventually).Should(Equal("xxl"))
				Eventually(fetch(hi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate))
				Expect(w.sim.PaidChanges()).To(Equal(1))
			})
		})

		It("reports a language version Gandi does not offer, and sends nothing", func() {
			patches := w.sim.Requests(gandisim.RoutePatchInstance)
			setSpec(hi, func() { hi.Spec.Type.Language.Version = "5.6" })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "UpgradeUnavailable"))
			Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(Equal(patches))
		})

		It("reports a change made at Gandi within one poll", func() {
			w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "locked" })
			Eventually(fetch(hi)).WithTimeout(3 * testTiming.Poll).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "Locked"))
			Expect(hi.Status.State).To(Equal("locked"))
		})

		It("runs each action once per new value, across a manager restart", func() {
			setSpec(hi, func() { hi.Spec.RestartRequest = "one" })
			Eventually(func() []string { return w.sim.Actions(id) }).WithTimeout(eventually).Should(Equal([]string{"restart"}))
			Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.LastActions.Restart", "one"))

			for _, stop := range w.stopsNow() {
				stop()
			}
			w.startManager(managerOptions{})
			setSpec(hi, func() { hi.Spec.ConsoleRequest = "a" })
			Eventually(func() []string { return w.sim.Actions(id) }).WithTimeout(eventually).Should(Equal([]string{"restart", "console"}))
			Consistently(func() []string { return w.sim.Actions(id) }).WithTimeout(2 * testTiming.Poll).Should(HaveLen(2))

			setSpec(hi, func() { hi.Spec.RestartRequest = "two" })
			Eventually(func() []string { return w.sim.Actions(id) }).WithTimeout(eventually).Should(Equal([]string{"restart", "console", "restart"}))
		})

		It("performs on an instance it is re-pointed to only the requests made after, not one already asked of the former", func() {
			setSpec(hi, func() { hi.Spec.RestartRequest = "one" })
			Eventually(func() []string { return w.sim.Actions(id) }).WithTimeout(eventually).Should(Equal([]string{"restart"}))
			// Asked while paused, never sent to the former instance.
			annotate(hi, hostingv1alpha1.AnnotationPaused, "true")
			Eventually(fetch(hi)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
			setSpec(hi, func() { hi.Spec.ConsoleRequest = "a" })

			other := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "legacy", Size: "m", Location: "FR",
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			setSpec(hi, func() {
				hi.Annotations[hostingv1alpha1.AnnotationExternalID] = other
				delete(hi.Annotations, hostingv1alpha1.AnnotationPaused)
			})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.ID", other))
			Eventually(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonRequestNotPerformed)).WithTimeout(eventually).Should(ConsistOf(
				HaveField("Note", And(ContainSubstring("spec.consoleRequest (a)"), Not(ContainSubstring("restartRequest"))))))
			Consistently(func() []string { return w.sim.Actions(other) }).WithTimeout(2 * testTiming.Poll).Should(BeEmpty())
			Expect(w.sim.Actions(id)).To(Equal([]string{"restart"}))

			setSpec(hi, func() { hi.Spec.ConsoleRequest = "b" })
			Eventually(func() []string { return w.sim.Actions(other) }).WithTimeout(eventually).Should(Equal([]string{"console"}))
		})

		It("sets its password on an instance it is re-pointed to, never reporting it applied there from the former one's record", func() {
			pw := passwordApplied()
			Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationEffectsFor, id))

			other := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "legacy", Size: "m", Location: "FR",
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			annotate(hi, hostingv1alpha1.AnnotationExternalID, other)
			Eventually(func() string { return w.sim.LastPassword(other) }).WithTimeout(eventually).Should(HavePrefix("$6$"), "the Secret's password, set on the new instance")
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.ID", other),
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			Expect(hi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationEffectsFor, other))
			Eventually(eventsAbout(w, "HostingInstance", hi.Name, hostingv1alpha1.ReasonExternalIDChanged)).WithTimeout(eventually).Should(HaveLen(1))
		})

		// passwordRecords are the annotations that record the password set
		// on the instance effects-for names.
		passwordRecords := []string{"effects.hosting.gandi-operator.dev/password", "effects.hosting.gandi-operator.dev/password.confirmed"}

		It("sets its password on the new instance when a pass that dropped the former one's records died before its status write", func() {
			pw := passwordApplied()
			for _, stop := range w.stopsNow() {
				stop()
			}
			other := w.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "legacy", Size: "m", Location: "FR",
				Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql"}})
			// What followEffects wrote at once; the status still says what
			// the pass had not written yet: the former instance's password.
			setSpec(hi, func() {
				hi.Annotations[hostingv1alpha1.AnnotationExternalID] = other
				hi.Annotations[hostingv1alpha1.AnnotationEffectsFor] = other
				for _, k := range passwordRecords {
					delete(hi.Annotations, k)
				}
			})
			Expect(hi.Status.PasswordSecretVersion).To(Equal(passwordRevision(pw)))
			Expect(hi.Status.ID).To(Equal(id))
			w.startManager(managerOptions{})
			Eventually(func() string { return w.sim.LastPassword(other) }).WithTimeout(eventually).Should(HavePrefix("$6$"), "the Secret's password, set on the new instance")
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.ID", other),
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		})

		It("takes the status of an object from before the password records as their record, and sends the password no second time", func() {
			pw := passwordApplied()
			for _, stop := range w.stopsNow() {
				stop()
			}
			// An earlier build's object: the status is the only record.
			setSpec(hi, func() {
				delete(hi.Annotations, hostingv1alpha1.AnnotationEffectsFor)
				for _, k := range passwordRecords {
					delete(hi.Annotations, k)
				}
			})
			changes := w.sim.PasswordChanges()
			w.startManager(managerOptions{})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("ObjectMeta.Annotations", And(
				HaveKeyWithValue(hostingv1alpha1.AnnotationEffectsFor, id),
				HaveKeyWithValue(passwordRecords[0], passwordRevision(pw)),
				HaveKeyWithValue(passwordRecords[1], passwordRevision(pw)))))
			Consistently(w.sim.PasswordChanges).WithTimeout(2 * testTiming.Poll).Should(Equal(changes))
			Expect(get(hi)).To(And(
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
		})

		It("rotates the password once when its Secret changes", func() {
			pw := w.secret("legacy-password", map[string]string{"password": "first-password"})
			setSpec(hi, func() {
				hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "legacy-password", Key: "password"}}
			})
			Eventually(func() string { return w.sim.LastPassword(id) }).WithTimeout(eventually).Should(HavePrefix("$6$"))
			first := w.sim.LastPassword(id)

			setSpec(pw, func() { pw.StringData = map[string]string{"password": "second-password"} })
			Eventually(func() string { return w.sim.LastPassword(id) }).WithTimeout(eventually).ShouldNot(Equal(first))
			second := w.sim.LastPassword(id)
			Expect(second).To(HavePrefix("$6$"))
			Consistently(func() string { return w.sim.LastPassword(id) }).WithTimeout(2 * testTiming.Poll).Should(Equal(second))
			Expect(get(hi).(*hostingv1alpha1.HostingInstance).Status.PasswordSecretVersion).NotTo(ContainSubstring("password"))
		})

		It("sends no new password Gandi would refuse in clear text and says why, keeping the one Gandi has; a valid one is then sent once", func() {
			pw := passwordApplied()
			changes, applied := w.sim.PasswordChanges(), w.sim.LastPassword(id)
			setSpec(pw, func() { pw.StringData = map[string]string{"password": "short"} })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPasswordInvalid))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(And(
				ContainSubstring(`password Secret `+w.namespace+`/legacy-password key "password"`), ContainSubstring("shorter than 8")))
			Consistently(w.sim.PasswordChanges).WithTimeout(2*testTiming.Poll).Should(Equal(changes), "nothing is sent")
			Expect(w.sim.LastPassword(id)).To(Equal(applied))

			setSpec(pw, func() { pw.StringData = map[string]string{"password": "second-password"} })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			Expect(w.sim.PasswordChanges()).To(Equal(changes + 1))
		})

		It("sends no password when its Secret is relabelled without a new value, and moves status to that revision; a new value is sent once", func() {
			pw := passwordApplied()
			changes := w.sim.PasswordChanges()
			setSpec(pw, func() { pw.Labels = map[string]string{"team": "web"} })
			Consistently(w.sim.PasswordChanges).WithTimeout(3*testTiming.Poll).Should(Equal(changes), "the same password is not sent again")
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))

			setSpec(pw, func() { pw.StringData = map[string]string{"password": "second-password"} })
			Eventually(w.sim.PasswordChanges).WithTimeout(eventually).Should(Equal(changes + 1))
			Consistently(w.sim.PasswordChanges).WithTimeout(2 * testTiming.Poll).Should(Equal(changes + 1))
		})

		It("reports a password change whose answer was lost as unconfirmed, never as applied, and sends it no second time, nor lets the client resend it", func() {
			pw := passwordApplied()
			applied := hi.Status.PasswordSecretVersion
			before := w.sim.PasswordChanges()

			// Gandi sets it and the answer is lost. The PATCH is idempotent
			// for HTTP, and the client would resend it on its own: a second
			// password change for one Secret revision.
			w.sim.CommitThenDrop(gandisim.RoutePatchInstance, 1)
			setSpec(pw, func() { pw.StringData = map[string]string{"password": "second-password"} })
			Eventually(w.sim.PasswordChanges).WithTimeout(eventually).Should(BeNumerically(">", before))
			Consistently(w.sim.PasswordChanges).WithTimeout(2*testTiming.Poll).Should(Equal(before+1),
				"one Secret revision, one password change at Gandi: neither sent again nor resent by the client")
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
			Expect(cond(hi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("change the Secret to set the password again"))
			Expect(hi.Status.PasswordSecretVersion).To(Equal(applied), "status says applied only what Gandi accepted")
			changes := before + 1

			By("a new revision of the Secret is sent, confirmed, and kept across a restore without status")
			setSpec(pw, func() { pw.StringData = map[string]string{"password": "third-password"} })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			Expect(w.sim.PasswordChanges()).To(Equal(changes + 1))
			clearStatus(get(hi))
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			Consistently(w.sim.PasswordChanges).WithTimeout(2 * testTiming.Poll).Should(Equal(changes + 1))
		})

		It("confirms a password change Gandi accepted though the first write of its confirmation failed", func() {
			pw := passwordApplied()
			first := hi.Status.PasswordSecretVersion
			for _, stop := range w.stopsNow() {
				stop()
			}
			// The API server fails the write that confirms the next
			// revision once, right after Gandi accepted it.
			var failed atomic.Bool
			w.startManager(managerOptions{wrap: interceptor.Funcs{
				Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
					ann := obj.GetAnnotations()
					confirmed := ann["effects.hosting.gandi-operator.dev/password.confirmed"]
					if confirmed != "" && confirmed != first && confirmed == ann["effects.hosting.gandi-operator.dev/password"] && failed.CompareAndSwap(false, true) {
						return apierrors.NewServiceUnavailable("etcd leader changed")
					}
					return c.Patch(ctx, obj, patch, opts...)
				},
			}})
			changes := w.sim.PasswordChanges()
			setSpec(pw, func() { pw.StringData = map[string]string{"password": "second-password"} })
			Eventually(failed.Load).WithTimeout(eventually).Should(BeTrue())
			Eventually(fetch(hi)).WithTimeout(eventually).Should(And(
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(pw))),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, hostingv1alpha1.ReasonUpToDate)))
			Expect(w.sim.PasswordChanges()).To(Equal(changes + 1))
		})

		It("reports an instance deleted at Gandi and buys no new one", func() {
			w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
			Eventually(func() bool { _, ok := w.sim.Instance(id); return ok }).WithTimeout(eventually).Should(BeFalse())
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "ExternalNotFound"))
			Consistently(w.sim.PaidCreates).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		})
	})

	Describe("deletion", func() {
		It("deletes the instance at Gandi with Delete", func() {
			w.startManager(managerOptions{})
			hi := instance("doomed")
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(hi), hi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			Expect(w.sim.Instances()).To(BeEmpty())
		})

		It("deletes the instance of a create a crash cut before its loss was recorded, which Gandi lists only after the grace since its send", func() {
			// The paid POST takes 0.7 of the grace before its connection
			// drops without an answer, and Gandi lists the instance a grace
			// after that; the process dies before it records the loss, and
			// the object is deleted meanwhile. The next process cannot know
			// how late the attempt reached Gandi: past the grace since the
			// send it records its own look as the loss and keeps looking
			// for a grace from it before letting go.
			timing := testTiming
			timing.CreateGrace = 2 * time.Second
			grace := timing.CreateGrace
			w.sim.SetLatency(gandisim.RouteCreateInstance, 7*grace/10)
			w.sim.DropThenCommitPaid(gandisim.RouteCreateInstance, 1, grace)
			dies, stopped := diesAtPatch(func(obj client.Object) bool {
				return obj.GetAnnotations()[hostingv1alpha1.AnnotationCreateLostAt] != ""
			})
			stop := w.startManager(managerOptions{timing: &timing, wrap: dies})
			hi := instance("cut-then-deleted")
			w.create(hi)
			Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
			stop()
			Expect(get(hi).GetAnnotations()).To(And(
				HaveKey(hostingv1alpha1.AnnotationCreatePending), Not(HaveKey(hostingv1alpha1.AnnotationCreateLostAt))))
			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())

			w.startManager(managerOptions{timing: &timing})
			Eventually(gone(hi)).WithTimeout(eventually + 2*grace).Should(BeTrue())
			Expect(w.sim.PaidCreates()).To(Equal(1), "Gandi made the instance before the object let go")
			Eventually(w.sim.Instances).WithTimeout(eventually).Should(BeEmpty(), "the instance the cut create bought goes with the object")
			Expect(w.sim.Requests(gandisim.RouteDeleteInstance)).To(Equal(1))
		})

		It("leaves the instance at Gandi with Orphan", func() {
			w.startManager(managerOptions{})
			hi := instance("kept", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
			Expect(k8sClient.Delete(suiteCtx, hi)).To(Succeed())
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(hi), hi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			Expect(w.sim.Instances()).To(HaveLen(1))
		})
	})

	Describe("credentials", func() {
		It("never uses another namespace's Secret", func() {
			w.startManager(managerOptions{})
			other := newWorld()
			other.secret("only-elsewhere", map[string]string{"token": orgToken})
			hi := instance("cross-ns", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "only-elsewhere"}
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "CredentialsNotFound"))
			Expect(w.sim.Writes()).To(BeZero())
		})

		It("says which key is missing", func() {
			w.startManager(managerOptions{})
			w.secret("no-token", map[string]string{"tokn": orgToken})
			hi := instance("missing-key", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "no-token"}
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "CredentialsKeyMissing"))
		})

		It("uses the default token only when the operator allows it", func() {
			defaultSecret := client.ObjectKey{Namespace: w.namespace, Name: "gandi-credentials"}
			w.startManager(managerOptions{defaultSecret: defaultSecret})
			hi := instance("no-ref", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.CredentialsRef = nil })
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "CredentialsNotFound"))

			for _, stop := range w.stopsNow() {
				stop()
			}
			w.startManager(managerOptions{defaultSecret: defaultSecret, allowDefault: true})
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		})

		It("reports a bad token as Unauthorized, and picks up the fixed Secret without a restart", func() {
			w.startManager(managerOptions{})
			bad := w.secret("bad-token", map[string]string{"token": "pat_not-a-real-token-31337"})
			hi := instance("bad-token", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "bad-token"}
			})
			w.create(hi)
			Eventually(fetch(hi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "Unauthorized"))
			setSpec(bad, func() { bad.StringData = map[string]string{"token": orgToken} })
			Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		})
	})

	It("stops all work on a paused object", func() {
		w.startManager(managerOptions{})
		hi := instance("paused", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationPaused: "true"}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "ReconcilePaused"))
		Expect(w.sim.RequestCounts()).To(BeEmpty())
	})
})

// stopsNow returns the stop functions of the running managers.
func (w *world) stopsNow() []func() {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]func(), 0, len(w.stops))
	for _, s := range w.stops {
		out = append(out, s)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
