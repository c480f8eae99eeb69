package controller_test

import (
	"strconv"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

func paasInstance(name string, mutate ...func(*hostingv1alpha1.PaaSInstance)) *hostingv1alpha1.PaaSInstance {
	pi := &hostingv1alpha1.PaaSInstance{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: hostingv1alpha1.PaaSInstanceSpec{
			CredentialsRef:    &hostingv1alpha1.PaaSCredentialsReference{Name: "gandi-apikey"},
			DatacenterID:      1,
			Type:              "php7.3mysql5.7",
			Size:              "s",
			Duration:          "1m",
			PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "paas-password", Key: "password"},
		},
	}
	for _, m := range mutate {
		m(pi)
	}
	return pi
}

func xmlrpc(method string) string { return gandisim.XMLRPCRoute(method) }

// lastRenew is status.lastRequests.renew, "" without lastRequests.
func lastRenew(pi *hostingv1alpha1.PaaSInstance) string {
	if pi.Status.LastRequests == nil {
		return ""
	}
	return pi.Status.LastRequests.Renew
}

// paasView reads the simulator's instance behind pi's status ID.
func (w *world) paasView(pi *hostingv1alpha1.PaaSInstance) func() gandisim.PaasInstanceView {
	return func() gandisim.PaasInstanceView {
		id, _ := strconv.Atoi(pi.Status.ID)
		v, _ := w.sim.PaasInstance(id)
		return v
	}
}

func beUpToDate() OmegaMatcher {
	return haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")
}

var _ = Describe("PaaSInstance", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.paasAccount()
		w.secret("paas-password", map[string]string{"password": "first-password"})
	})

	It("buys one instance and reports it Ready with Gandi's details, its vhosts with their DNS entries and its snapshots", func() {
		w.startManager(managerOptions{})
		pi := paasInstance("site", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.example.org"}, {FQDN: "café.example.org"}}
			pi.Spec.AdditionalDiskGB = ptr(int32(5))
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
		Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", HaveLen(2)))

		Expect(w.sim.PaasPaidCreates()).To(Equal(1))
		Expect(pi.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationExternalID, pi.Status.ID))
		Expect(pi.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationCreatePending))
		Expect(pi.Status.State).To(Equal("running"))
		Expect(pi.Status.Datacenter.Code).To(Equal("FR-SD2"))
		Expect(pi.Status.DateEnd).NotTo(BeNil())
		Expect(pi.Status.AdditionalDiskGB).To(Equal(int32(5)))
		Expect(pi.Status.SFTPServer).NotTo(BeEmpty())
		Expect(pi.Status.TypeVisibility).To(Equal("all"))
		Expect(pi).To(haveCondition(hostingv1alpha1.ConditionTypeDeprecated, metav1.ConditionFalse, "SupportedType"))
		Expect(pi.Status.ObservedGeneration).To(Equal(pi.Generation))
		Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", HaveEach(HaveField("State", "running"))))

		By("counted by its conditions in gandi_operator_objects, like the other kinds")
		reg := prometheus.NewRegistry()
		Expect(controller.RegisterObjectMetrics(reg, k8sClient)).To(Succeed())
		Expect(objectGauge(reg, "PaaSInstance", hostingv1alpha1.ConditionReady, "True")).To(BeNumerically(">=", 1))
		Expect(objectGauge(reg, "PaaSInstance", hostingv1alpha1.ConditionSynced, "True")).To(BeNumerically(">=", 1))
		for _, vh := range pi.Status.Vhosts {
			Expect(vh.Managed).To(BeTrue())
			Expect(vh.DNSEntries).To(HaveKeyWithValue("txt", HavePrefix("gandi-paas-verification=")), vh.FQDN)
		}
		Expect(pi.Status.Vhosts[0].FQDN).To(Equal("www.example.org"))
		Expect(pi.Status.Vhosts[1]).To(And(HaveField("FQDN", "xn--caf-dma.example.org"), HaveField("Unicode", "café.example.org")))
		Expect(w.sim.Requests(xmlrpc("paas.vhost.create"))).To(BeZero(), "vhosts sharing their flags go with paas.create")
		Expect(pi.Annotations).To(HaveKeyWithValue("effects.hosting.gandi-operator.dev/vhost-options", "www.example.org=none,xn--caf-dma.example.org=none"),
			"what they were created with, which Gandi never shows")

		id, _ := strconv.Atoi(pi.Status.ID)
		Expect(w.sim.AddPaasSnapshot(id, "daily-1", "auto", 2048)).NotTo(BeZero())
		Eventually(fetch(pi)).WithTimeout(3 * testTiming.Poll).Should(HaveField("Status.Snapshots",
			ConsistOf(And(HaveField("Name", "daily-1"), HaveField("SizeMB", int32(2048)), HaveField("Type", "auto")))))
	})

	It("sees an instance an object manages from its status alone (its external-id removed): another object given that ID by hand reports it, and deleting that one leaves the instance", func() {
		w.startManager(managerOptions{})
		site := paasInstance("site")
		w.create(site)
		Eventually(fetch(site)).WithTimeout(eventually).Should(beReady())
		id := site.Status.ID
		setSpec(site, func() { delete(site.Annotations, hostingv1alpha1.AnnotationExternalID) })
		Consistently(fetch(site)).WithTimeout(2 * testTiming.Poll).Should(And(beReady(), HaveField("Status.ID", id)))

		// Another Secret of the same key (another natural key) and the ID
		// set by hand.
		w.secret("same-apikey", map[string]string{"apikey": paasKey})
		taker := paasInstance("taker", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.Name = "site"
			pi.Spec.CredentialsRef = &hostingv1alpha1.PaaSCredentialsReference{Name: "same-apikey"}
			pi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
		})
		w.create(taker)
		Eventually(fetch(taker)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonOwnedByAnotherObject))
		Expect(cond(taker, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(w.namespace + "/site"))

		Expect(k8sClient.Delete(suiteCtx, taker)).To(Succeed())
		Eventually(gone(taker)).WithTimeout(eventually).Should(BeTrue())
		n, _ := strconv.Atoi(id)
		_, still := w.sim.PaasInstance(n)
		Expect(still).To(BeTrue(), "deleting the object given the ID by hand must leave the instance site manages")
		Expect(w.sim.Requests(xmlrpc("paas.delete"))).To(BeZero())
		Consistently(fetch(site)).WithTimeout(2 * testTiming.Poll).Should(beReady())
	})

	Describe("buys exactly one instance", func() {
		It("when the create's answer is lost after Gandi committed it", func() {
			w.sim.CommitThenDrop(xmlrpc("paas.create"), 1)
			w.startManager(managerOptions{})
			pi := paasInstance("lost-answer")
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beReady())
			Expect(w.sim.PaasPaidCreates()).To(Equal(1))
			Expect(w.sim.Requests(xmlrpc("paas.create"))).To(Equal(1), "the lost create is found by name, never sent again")
		})

		It("when a slow create loses its answer and Gandi lists it late, within the grace counted from the loss", func() {
			grace := testTiming.CreateGrace
			w.sim.SetLatency(xmlrpc("paas.create"), 7*grace/10)
			w.sim.DropThenCommitPaid(xmlrpc("paas.create"), 1, 5*grace/10)
			w.startManager(managerOptions{})
			pi := paasInstance("slow-lost")
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beReady())
			Consistently(w.sim.PaasPaidCreates).WithTimeout(2 * grace).Should(Equal(1))
			Expect(w.sim.Requests(xmlrpc("paas.create"))).To(Equal(1), "the lost create is found by name, never sent again")
		})

		It("when the manager stops between the create and the ID write", func() {
			dies, stopped := diesAtPatch(func(obj client.Object) bool { return obj.GetAnnotations()[hostingv1alpha1.AnnotationExternalID] != "" }) // the process dies here: nothing after paas.create is recorded
			stop := w.startManager(managerOptions{wrap: dies})
			pi := paasInstance("crash-after-create")
			w.create(pi)
			Eventually(stopped).WithTimeout(eventually).Should(BeClosed())
			stop()
			Expect(get(pi).GetAnnotations()).To(HaveKey(hostingv1alpha1.AnnotationCreatePending))
			Expect(w.sim.PaasPaidCreates()).To(Equal(1))

			w.startManager(managerOptions{})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beReady())
			Expect(w.sim.PaasPaidCreates()).To(Equal(1))
			Expect(w.sim.Requests(xmlrpc("paas.create"))).To(Equal(1))
		})
	})

	It("lets one of two objects naming the same instance manage it, and says so on the other", func() {
		w.startManager(managerOptions{})
		first := paasInstance("first", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Name = "shared" })
		w.create(first)
		Eventually(fetch(first)).WithTimeout(eventually).Should(beReady())
		second := paasInstance("second", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Name = "shared"; pi.Spec.Size = "xl" })
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "OwnedByAnotherObject"))
		Expect(cond(second, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(w.namespace + "/first"))
		Consistently(func() string { return w.paasView(first)().Size }).WithTimeout(2 * testTiming.Poll).Should(Equal("s"))
		Expect(w.sim.PaasPaidCreates()).To(Equal(1))
	})

	It("buys nothing without a password, and says why", func() {
		w.startManager(managerOptions{})
		pi := paasInstance("no-password", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.PasswordSecretRef = nil })
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"))
		Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("paas.create requires a password"))
		Expect(w.sim.Writes()).To(BeZero())
	})

	It("refuses a type the catalogue does not list, and buys nothing", func() {
		w.startManager(managerOptions{})
		pi := paasInstance("cobol", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Type = "cobol85db2" })
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "InvalidSpec"))
		Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("not in Gandi's PaaS type catalogue"))
		Expect(pi).To(haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "CreateRefused"))
		Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(BeZero())

		// spec.type is create-only, and open while nothing is bought.
		setSpec(pi, func() { pi.Spec.Type = "php7.3mysql5.7" })
		Eventually(fetch(pi)).WithTimeout(eventually).Should(beReady())
		Expect(pi.Status.Type).To(Equal("php7.3mysql5.7"))
		Consistently(w.sim.PaasPaidCreates).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
	})

	It("buys a deprecated type but warns, on a condition and an event", func() {
		w.startManager(managerOptions{})
		pi := paasInstance("old-php", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Type = "php5.4mysql" })
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionTypeDeprecated, metav1.ConditionTrue, "DeprecatedType")))
		Eventually(func() []string { return eventReasons(w.namespace, pi.Name) }).WithTimeout(eventually).Should(ContainElement("DeprecatedType"))
	})

	It("says an API key is required when the Secret holds only a token, and sends nothing", func() {
		w.startManager(managerOptions{})
		pi := paasInstance("token-only", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.CredentialsRef = &hostingv1alpha1.PaaSCredentialsReference{Name: "gandi-credentials"}
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "APIKeyRequired"),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "APIKeyRequired")))
		Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("accepts only a legacy API key"))
		Expect(w.sim.Requests(xmlrpc("paas.list"))).To(BeZero())
	})

	It("buys nothing when the same-named instance is listed after a page of deleted ones", func() {
		// Gandi keeps listing the instances it deleted (state deleted):
		// a name bought and deleted 100 times fills paas.list's first
		// page, and the one running now is on the second.
		for range 100 {
			Expect(w.sim.MarkPaasDeleted(w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "m", 1))).To(BeTrue())
		}
		running := w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "m", 1)
		w.startManager(managerOptions{})
		pi := paasInstance("legacy")
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AlreadyExists"))
		Expect(cond(pi, hostingv1alpha1.ConditionReady).Message).To(ContainSubstring(strconv.Itoa(running)))
		Consistently(w.sim.PaasPaidCreates).WithTimeout(2 * testTiming.Poll).Should(BeZero())
	})

	Describe("the password it sets", func() {
		// withPassword names the Secret name's key "password".
		withPassword := func(name string) func(*hostingv1alpha1.PaaSInstance) {
			return func(pi *hostingv1alpha1.PaaSInstance) {
				pi.Spec.PasswordSecretRef = &hostingv1alpha1.SecretKeySelector{Name: name, Key: "password"}
			}
		}

		// The rule a HostingInstance's password is held to (Gandi's
		// clear-text 8 to 200 characters), checked before paas.create.
		DescribeTable("buys no instance with a password Gandi refuses in clear text, and says why, naming the Secret and key, never the value",
			func(password, rule string) {
				w.startManager(managerOptions{})
				w.secret("weak-password", map[string]string{"password": password})
				pi := paasInstance("weak", withPassword("weak-password"))
				w.create(pi)
				Eventually(fetch(pi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPasswordInvalid))
				Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(And(
					ContainSubstring(`password Secret `+w.namespace+`/weak-password key "password"`),
					ContainSubstring(rule), ContainSubstring("8 to 200 characters"), Not(ContainSubstring(password))))
				Consistently(w.sim.PaasPaidCreates).WithTimeout(3*testTiming.Poll).Should(BeZero(), "nothing is bought")
				Expect(w.sim.Requests(xmlrpc("paas.create"))).To(BeZero(), "nothing is sent")
			},
			Entry("3 characters", "abc", "shorter than 8"),
			Entry("201 characters", strings.Repeat("long-pw-", 25)+"!", "longer than 200"),
		)

		It("sets at Gandi the password a person can type when the Secret was made --from-file (a trailing line break), and sends it no second time", func() {
			w.startManager(managerOptions{})
			w.secret("file-password", map[string]string{"password": " correct horse battery staple\r\n"})
			pi := paasInstance("typed", withPassword("file-password"))
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			id, _ := strconv.Atoi(pi.Status.ID)
			Expect(w.sim.PaasLastPassword(id)).To(Equal(" correct horse battery staple"),
				"the line break dropped, the leading space kept")
			Consistently(func() int { return w.paasView(pi)().PasswordChanges }).WithTimeout(2*testTiming.Poll).Should(BeZero(),
				"the password sent with the create is the Secret's: not sent again as a change")
		})
	})

	Describe("an instance bought outside the cluster", func() {
		var id int

		BeforeEach(func() {
			id = w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "m", 1)
			Expect(id).NotTo(BeZero())
			w.startManager(managerOptions{})
		})

		It("is adopted by its ID without a password, and keeps its own", func() {
			pi := paasInstance("legacy", func(pi *hostingv1alpha1.PaaSInstance) {
				pi.Spec.Size = "m"
				pi.Spec.PasswordSecretRef = nil
				pi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: strconv.Itoa(id)}
			})
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
			Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		})

		It("adopted with another type and datacenter in its spec, is brought in line by setting them to what Gandi shows, sending nothing", func() {
			pi := paasInstance("legacy", func(pi *hostingv1alpha1.PaaSInstance) {
				pi.Spec.Size, pi.Spec.Type, pi.Spec.DatacenterID = "m", "php7.2mysql5.7", 3
				pi.Spec.PasswordSecretRef = nil
				pi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: strconv.Itoa(id)}
			})
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnsupportedChange)))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(And(
				ContainSubstring("set spec.type to php7.3mysql5.7"), ContainSubstring("set spec.datacenterID to 1")))
			Expect(pi.Status.Type).To(Equal("php7.3mysql5.7"))

			// Both fields are create-only: the CRD takes what the status
			// shows, and the operator has nothing to send.
			setSpec(pi, func() { pi.Spec.Type, pi.Spec.DatacenterID = pi.Status.Type, pi.Status.Datacenter.ID })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
			Consistently(w.sim.Writes).WithTimeout(2 * testTiming.Poll).Should(BeZero())
		})

		It("is never taken for this object's own, and is observed without a write once the user names it", func() {
			pi := paasInstance("legacy", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Size = "m" })
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, "AlreadyExists"))
			Expect(w.sim.Writes()).To(BeZero())

			setSpec(pi, func() {
				pi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
				pi.Spec.Size = "l"
				pi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: strconv.Itoa(id)}
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(),
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "DriftDetected")))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("size"))
			Expect(k8sClient.Delete(suiteCtx, pi)).To(Succeed())
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), pi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			Expect(w.sim.Writes()).To(BeZero(), "Observe writes nothing, not even on delete")
			v, ok := w.sim.PaasInstance(id)
			Expect(ok).To(BeTrue())
			Expect(v.State).To(Equal("running"))
		})
	})

	// A vhost that was at Gandi when listed is not created: its zoneAlter
	// is never sent, so the spec asking for it is not applied.
	It("reports a zoneAlter asked of a vhost it did not create, and sends none", func() {
		id := w.sim.AddPaasInstance(paasKey, "legacy", "php7.3mysql5.7", "m", 1, "www.example.org")
		w.startManager(managerOptions{})
		pi := paasInstance("legacy", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.Size = "m"
			pi.Spec.PasswordSecretRef = nil
			pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.example.org", ZoneAlter: true}}
			pi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: strconv.Itoa(id)}
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnsupportedChange)))
		Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("this object did not create the vhost"))
		Expect(w.sim.Writes()).To(BeZero())
	})

	// The CRD refuses the field beside a spec.type without MySQL; an object
	// whose spec.type is not the instance's (or admitted before the rule)
	// still holds one, and the operator judges by the type Gandi reports.
	It("never sends a MySQL root password reset to an instance whose type has no MySQL, and says why", func() {
		id := w.sim.AddPaasInstance(paasKey, "pg", "php7.3pgsql9.6", "s", 1)
		Expect(id).NotTo(BeZero())
		w.startManager(managerOptions{})
		pi := paasInstance("pg", func(pi *hostingv1alpha1.PaaSInstance) {
			pi.Spec.PasswordSecretRef = nil
			pi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: strconv.Itoa(id)}
		})
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.Type", "php7.3pgsql9.6")))

		setSpec(pi, func() { pi.Spec.ResetMySQLPasswordRequest = "r1" })
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(
			HaveField("Status.ObservedGeneration", pi.Generation),
			WithTransform(func(o client.Object) string { return cond(o, hostingv1alpha1.ConditionSynced).Message },
				ContainSubstring("spec.resetMySQLPasswordRequest is not sent: the instance's type php7.3pgsql9.6 embeds pgsql, not MySQL"))))
		Consistently(func() []int { return []int{w.paasView(pi)().MySQLResets, w.sim.Requests(xmlrpc("paas.update"))} }).
			WithTimeout(2*testTiming.Poll).Should(Equal([]int{0, 0}), "nothing sent")
		pi = get(pi).(*hostingv1alpha1.PaaSInstance)
		Expect(pi.Annotations).NotTo(HaveKey(ContainSubstring("reset-mysql-password")), "nothing recorded")
		Expect(pi.Status.LastRequests).To(Or(BeNil(), HaveField("ResetMySQLPassword", BeEmpty())), "nothing performed")
	})

	// Gandi refuses paas.delete on an instance it is still creating
	// (CAUSE_BADSTATE): deleting the object (Delete) waits for the create
	// to finish, then deletes once.
	It("deletes an instance Gandi is still creating once it runs, sending no delete Gandi refuses", func() {
		slow := gandisim.FastTimings()
		slow.InstanceBeingCreated = 3 * time.Second
		w.sim.SetTimings(slow)
		w.startManager(managerOptions{})
		pi := paasInstance("early")
		w.create(pi)
		Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.State", "being_created"))
		Expect(k8sClient.Delete(suiteCtx, pi)).To(Succeed())
		Eventually(func() string {
			got := &hostingv1alpha1.PaaSInstance{}
			if k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), got) != nil {
				return ""
			}
			c := meta.FindStatusCondition(got.Status.Conditions, hostingv1alpha1.ConditionReady)
			if c == nil {
				return ""
			}
			return c.Reason + ": " + c.Message
		}).WithTimeout(eventually).Should(And(HavePrefix(hostingv1alpha1.ReasonCreating+": "), ContainSubstring("deleted once the create finishes")),
			"waiting for the create, and saying so")
		Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), pi) }).
			WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
		Expect(warningsAbout(w.namespace, pi.Name, "delete")).To(BeEmpty(), "no refused delete reported as a failure")
		Expect(w.sim.Requests(xmlrpc("paas.delete"))).To(Equal(1), "one delete, sent once the instance runs")
	})

	Describe("a running instance", func() {
		var pi *hostingv1alpha1.PaaSInstance

		BeforeEach(func() {
			w.startManager(managerOptions{})
			pi = paasInstance("site")
			w.create(pi)
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate()))
		})

		It("makes no write in a steady state", func() {
			writes := w.sim.Writes()
			Consistently(w.sim.Writes).WithTimeout(3 * testTiming.Poll).Should(Equal(writes))
		})

		DescribeTable("sends each changed field with paas.update",
			func(change func(*hostingv1alpha1.PaaSInstance), check func(gandisim.PaasInstanceView) bool) {
				updates := w.sim.Requests(xmlrpc("paas.update"))
				setSpec(pi, func() { change(pi) })
				Eventually(func() bool { return check(w.paasView(pi)()) }).WithTimeout(eventually).Should(BeTrue())
				Expect(w.sim.Requests(xmlrpc("paas.update"))).To(BeNumerically(">", updates))
				Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
				settled := w.sim.Requests(xmlrpc("paas.update"))
				Consistently(func() int { return w.sim.Requests(xmlrpc("paas.update")) }).WithTimeout(2 * testTiming.Poll).Should(Equal(settled))
			},
			Entry("name", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Name = "renamed" },
				func(v gandisim.PaasInstanceView) bool { return v.Name == "renamed" }),
			Entry("size", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Size = "l" },
				func(v gandisim.PaasInstanceView) bool { return v.Size == "l" }),
			Entry("additional disk", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.AdditionalDiskGB = ptr(int32(20)) },
				func(v gandisim.PaasInstanceView) bool { return v.Quantity == 20 }),
			Entry("snapshot profile", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.SnapshotProfile = ptr(int32(2)) },
				func(v gandisim.PaasInstanceView) bool { return v.SnapshotProfile == 2 }),
			Entry("console", func(pi *hostingv1alpha1.PaaSInstance) { pi.Spec.Console = ptr(true) },
				func(v gandisim.PaasInstanceView) bool { return v.Console }),
			Entry("SSH keys", func(pi *hostingv1alpha1.PaaSInstance) {
				pi.Spec.SSHKeys = []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ops@example.org"}
			},
				func(v gandisim.PaasInstanceView) bool { return len(v.SSHKeys) == 1 }),
		)

		It("reports a change it sent as Updating, and moves observedGeneration only once Gandi shows it", func() {
			for _, stop := range w.stopsNow() {
				stop()
			}
			writes := &statusWrites[*hostingv1alpha1.PaaSInstance]{}
			w.startManager(managerOptions{wrap: writes.wrap()})
			setSpec(pi, func() { pi.Spec.Name = "renamed" })
			gen := pi.Generation
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beReady(), beUpToDate(),
				HaveField("Status.ObservedGeneration", gen), HaveField("Status.Name", "renamed")))
			writes.expectShownBeforeObserved(gen, "name",
				func(o *hostingv1alpha1.PaaSInstance) int64 { return o.Status.ObservedGeneration },
				func(o *hostingv1alpha1.PaaSInstance) bool { return o.Status.Name == "renamed" })
		})

		It("sends a free change once while its operations run slowly, and reports it on its way", func() {
			t := gandisim.FastTimings()
			t.PaasUpdate = 2 * testTiming.Poll
			w.sim.SetTimings(t)
			updates := func() int { return w.sim.Requests(xmlrpc("paas.update")) }
			before := updates()
			setSpec(pi, func() { pi.Spec.Console = ptr(true) })
			Eventually(updates).WithTimeout(eventually).Should(BeNumerically(">", before))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating),
				WithTransform(func(o client.Object) string { return cond(o, hostingv1alpha1.ConditionSynced).Message },
					ContainSubstring("Gandi accepted console true at"))))
			Consistently(updates).WithTimeout(3*testTiming.Poll).Should(Equal(before+1),
				"a paas.info showing the console off while its operation runs is no reason to send it again")
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
			Expect(updates()).To(Equal(before + 1))
		})

		Describe("a paid change", func() {
			const paidRecord = "effects.hosting.gandi-operator.dev/paid-change"
			// slowly makes Gandi's operations for a paas.update finish
			// several polls after its answer.
			slowly := func() {
				t := gandisim.FastTimings()
				t.PaasUpdate = 4 * testTiming.Poll
				w.sim.SetTimings(t)
			}

			// The object that bought the instance knows every paid change
			// sent to it: its first one goes at once, whatever the grace.
			It("is sent at once by the object that created the instance, whatever the grace", func() {
				for _, stop := range w.stopsNow() {
					stop()
				}
				timing := testTiming
				timing.CreateGrace = time.Hour
				w.startManager(managerOptions{timing: &timing})
				paid := w.sim.PaasPaidUpdates()
				setSpec(pi, func() { pi.Spec.Size = "l" })
				Eventually(w.sim.PaasPaidUpdates).WithTimeout(3 * testTiming.Poll).Should(Equal(paid + 1))
				Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(), HaveField("Status.Size", "l")))
				Expect(pi.Annotations).NotTo(HaveKey(paidRecord + ".held-since"))
			})

			It("is sent once while its operations run slowly, reported on its way, and UpToDate once the instance shows it", func() {
				slowly()
				paid := w.sim.PaasPaidUpdates()
				setSpec(pi, func() { pi.Spec.Size = "l" })
				Eventually(w.sim.PaasPaidUpdates).WithTimeout(eventually).Should(BeNumerically(">", paid))
				Consistently(w.sim.PaasPaidUpdates).WithTimeout(2*testTiming.Poll).Should(Equal(paid+1), "a paas.info showing the old size is no reason to pay again")
				Eventually(fetch(pi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating))
				Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("Gandi accepted the paid change to size l; waiting for the instance to show it"))

				By("a free field is still sent while the resize waits")
				setSpec(pi, func() { pi.Spec.Name = "renamed" })
				Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
					HaveField("Status.Size", "l"), HaveField("Status.Name", "renamed"), HaveField("Status.ObservedGeneration", pi.Generation)))
				Expect(w.sim.PaasPaidUpdates()).To(Equal(paid + 1))
				Expect(pi.Annotations).NotTo(HaveKey(paidRecord), "settled once shown, so a later drift is a new change")
			})

			DescribeTable("whose answer was lost is sent once, reported unconfirmed, and settles when the instance shows it",
				func(lose func(route string)) {
					slowly()
					paid := w.sim.PaasPaidUpdates()
					updates := w.sim.Requests(xmlrpc("paas.update"))
					lose(xmlrpc("paas.update"))
					setSpec(pi, func() { pi.Spec.AdditionalDiskGB = ptr(int32(20)) })
					Eventually(fetch(pi)).WithTimeout(eventually).Should(
						haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
					Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(And(
						ContainSubstring("additional disk 20 GB"), ContainSubstring("remove the annotation "+paidRecord)))
					Consistently(func() int { return w.sim.Requests(xmlrpc("paas.update")) }).WithTimeout(2*testTiming.Poll).Should(Equal(updates+1),
						"neither the client nor the operator sends it again")
					Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(), HaveField("Status.AdditionalDiskGB", int32(20))))
					Expect(w.sim.PaasPaidUpdates()).To(Equal(paid + 1))
					Expect(w.sim.Requests(xmlrpc("paas.update"))).To(Equal(updates + 1))
					Expect(pi.Annotations).NotTo(HaveKey(paidRecord))
				},
				Entry("after Gandi committed it", func(route string) { w.sim.CommitThenDrop(route, 1) }),
				Entry("before Gandi committed it, which it does later", func(route string) {
					w.sim.DropThenCommitPaid(route, 1, testTiming.Poll)
				}),
			)
		})

		It("rotates the password once when its Secret changes", func() {
			before := w.paasView(pi)().PasswordChanges
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: w.namespace, Name: "paas-password"}, secret)).To(Succeed())
			// setSpec: the suite's secret check then looks for the new value too.
			setSpec(secret, func() { secret.StringData = map[string]string{"password": "second-password"} })
			Eventually(func() int { return w.paasView(pi)().PasswordChanges }).WithTimeout(3 * testTiming.Poll).Should(Equal(before + 1))
			Consistently(func() int { return w.paasView(pi)().PasswordChanges }).WithTimeout(2 * testTiming.Poll).Should(Equal(before + 1))
			Expect(get(pi).(*hostingv1alpha1.PaaSInstance).Status.PasswordSecretVersion).To(HavePrefix(string(secret.UID)))
		})

		It("sends no new password Gandi would refuse in clear text and says why; a valid one is then sent once", func() {
			before := w.paasView(pi)().PasswordChanges
			changes := func() int { return w.paasView(pi)().PasswordChanges }
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: w.namespace, Name: "paas-password"}, secret)).To(Succeed())
			setSpec(secret, func() { secret.StringData = map[string]string{"password": "short"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonPasswordInvalid))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(And(
				ContainSubstring(`password Secret `+w.namespace+`/paas-password key "password"`), ContainSubstring("shorter than 8")))
			Consistently(changes).WithTimeout(2*testTiming.Poll).Should(Equal(before), "nothing is sent")

			setSpec(secret, func() { secret.StringData = map[string]string{"password": "second-password"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(secret)))))
			Expect(changes()).To(Equal(before + 1))
		})

		It("sends no password when its Secret is relabelled or recreated with the same value, and moves status to that revision; a new value is sent once", func() {
			before := w.paasView(pi)().PasswordChanges
			changes := func() int { return w.paasView(pi)().PasswordChanges }
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: w.namespace, Name: "paas-password"}, secret)).To(Succeed())

			By("a label and an annotation, as the README and GitOps tools add")
			setSpec(secret, func() {
				secret.Labels = map[string]string{"team": "web"}
				secret.Annotations = map[string]string{"example.org/synced-by": "gitops"}
			})
			Consistently(changes).WithTimeout(3*testTiming.Poll).Should(Equal(before), "the same password is not sent again")
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(secret)))))

			By("the Secret deleted and created again with the same data")
			Expect(k8sClient.Delete(suiteCtx, secret)).To(Succeed())
			secret = w.secret("paas-password", map[string]string{"password": "first-password"})
			Consistently(changes).WithTimeout(3*testTiming.Poll).Should(Equal(before), "the same password is not sent again")
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(secret)))))
			Expect(eventsAbout(w, "PaaSInstance", pi.Name, "PasswordChanged")()).To(BeEmpty())

			By("a new value")
			setSpec(secret, func() { secret.StringData = map[string]string{"password": "second-password"} })
			Eventually(changes).WithTimeout(3 * testTiming.Poll).Should(Equal(before + 1))
			Consistently(changes).WithTimeout(2 * testTiming.Poll).Should(Equal(before + 1))
			Eventually(eventsAbout(w, "PaaSInstance", pi.Name, "PasswordChanged")).WithTimeout(eventually).Should(HaveLen(1))
		})

		It("reports a password change whose answer was lost as unconfirmed, never as applied, and sends it no second time", func() {
			applied := get(pi).(*hostingv1alpha1.PaaSInstance).Status.PasswordSecretVersion
			Expect(applied).NotTo(BeEmpty())
			secret := &corev1.Secret{}
			Expect(k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: w.namespace, Name: "paas-password"}, secret)).To(Succeed())
			w.sim.CommitThenDrop(xmlrpc("paas.update"), 1) // Gandi sets it; the answer is lost (an XML-RPC call is not retried)
			setSpec(secret, func() { secret.StringData = map[string]string{"password": "second-password"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
			Expect(pi.Status.PasswordSecretVersion).To(Equal(applied), "status says applied only what Gandi accepted")
			changes := w.paasView(pi)().PasswordChanges
			Consistently(func() int { return w.paasView(pi)().PasswordChanges }).WithTimeout(2*testTiming.Poll).Should(Equal(changes), "not sent again")

			setSpec(secret, func() { secret.StringData = map[string]string{"password": "third-password"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
				HaveField("Status.PasswordSecretVersion", Equal(passwordRevision(secret)))))
			Expect(w.paasView(pi)().PasswordChanges).To(Equal(changes + 1))
		})

		It("reports an SSH key list whose answer was lost as unconfirmed, never as up to date, and sends it no second time", func() {
			w.sim.CommitThenDrop(xmlrpc("paas.update"), 1) // Gandi installs them; the answer is lost
			setSpec(pi, func() { pi.Spec.SSHKeys = []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ops@example.org"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("SSH key list"))
			updates := w.sim.Requests(xmlrpc("paas.update"))
			Consistently(func() int { return w.sim.Requests(xmlrpc("paas.update")) }).WithTimeout(2*testTiming.Poll).Should(Equal(updates), "not sent again")

			setSpec(pi, func() {
				pi.Spec.SSHKeys = append(pi.Spec.SSHKeys, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE6 deploy@example.org")
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
			Expect(w.paasView(pi)().SSHKeys).To(ContainElement(ContainSubstring("deploy@example.org")), "the new list was sent")
		})

		It("sends an SSH key list set back to the one Gandi accepted after a list whose answer was lost, never reporting it up to date unsent", func() {
			keyIDs := func() []int { return w.paasView(pi)().KeyIDs }
			setSpec(pi, func() { pi.Spec.SSHKeyIDs = []int32{101} })
			Eventually(keyIDs).WithTimeout(eventually).Should(Equal([]int{101}))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())

			w.sim.CommitThenDrop(xmlrpc("paas.update"), 1) // Gandi takes key 202; the answer is lost
			setSpec(pi, func() { pi.Spec.SSHKeyIDs = []int32{202} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
			Expect(keyIDs()).To(Equal([]int{202}))
			updates := w.sim.Requests(xmlrpc("paas.update"))

			By("the list set back to the one Gandi accepted before the lost one: Gandi holds 202, so 101 is sent")
			setSpec(pi, func() { pi.Spec.SSHKeyIDs = []int32{101} })
			Eventually(keyIDs).WithTimeout(eventually).Should(Equal([]int{101}))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
			Consistently(func() int { return w.sim.Requests(xmlrpc("paas.update")) }).WithTimeout(2*testTiming.Poll).Should(Equal(updates+1), "sent once")
		})

		// paas.update's ssh_key "Append[s] the ssh key in the list of ssh
		// authorized keys" and paas.info does not show them: a key the
		// spec drops stays authorized, and the operator cannot remove it.
		It("reports an SSH key dropped from spec.sshKeys as still maybe authorized, never up to date, until the user records it removed at Gandi", func() {
			const ops, contractor = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ops@example.org", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE6 contractor@example.org"
			installed := func() []string { return w.paasView(pi)().SSHKeys }
			setSpec(pi, func() { pi.Spec.SSHKeys = []string{ops, contractor} })
			Eventually(installed).WithTimeout(eventually).Should(ContainElement(contractor))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())

			setSpec(pi, func() { pi.Spec.SSHKeys = []string{ops} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnsupportedChange))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(And(ContainSubstring("only append"), ContainSubstring("by hand")))
			Expect(installed()).To(ContainElement(contractor), "Gandi still has it")
			Consistently(fetch(pi)).WithTimeout(2 * testTiming.Poll).ShouldNot(beUpToDate())

			By("the user removes it at Gandi and records it gone, as the message says")
			const record = "effects.hosting.gandi-operator.dev/ssh-keys-appended"
			kept := get(pi).GetAnnotations()[record]
			Expect(strings.Split(kept, ",")).To(HaveLen(2))
			msg := cond(pi, hostingv1alpha1.ConditionSynced).Message
			setSpec(pi, func() {
				for _, f := range strings.Split(kept, ",") {
					if strings.Contains(msg, "("+f+")") {
						continue // the dropped one
					}
					pi.Annotations[record] = f
				}
			})
			Expect(get(pi).GetAnnotations()[record]).NotTo(Equal(kept))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
		})

		It("records the SSH keys an earlier build sent, without the record, from its spec, so that a key dropped later is reported", func() {
			const ops, contractor = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ops@example.org", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE6 contractor@example.org"
			const record = "effects.hosting.gandi-operator.dev/ssh-keys-appended"
			setSpec(pi, func() { pi.Spec.SSHKeys = []string{ops, contractor} })
			Eventually(func() []string { return w.paasView(pi)().SSHKeys }).WithTimeout(eventually).Should(ContainElement(contractor))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
			sent := get(pi).GetAnnotations()[record]
			Expect(sent).NotTo(BeEmpty())

			By("the record taken away, as an earlier build left the object")
			setSpec(pi, func() { delete(pi.Annotations, record) })
			Eventually(func() string { return get(pi).GetAnnotations()[record] }).WithTimeout(eventually).Should(Equal(sent))

			setSpec(pi, func() { pi.Spec.SSHKeys = []string{ops} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnsupportedChange))
		})

		It("does not report an SSH key list set back after a lost one up to date while the lost list's key stays installed", func() {
			const ops, intruder = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 ops@example.org", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE6 contractor@example.org"
			installed := func() []string { return w.paasView(pi)().SSHKeys }
			setSpec(pi, func() { pi.Spec.SSHKeys = []string{ops} })
			Eventually(installed).WithTimeout(eventually).Should(ContainElement(ops))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())

			w.sim.CommitThenDrop(xmlrpc("paas.update"), 1) // Gandi installs the contractor's key; the answer is lost
			setSpec(pi, func() { pi.Spec.SSHKeys = []string{ops, intruder} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
			Expect(installed()).To(ContainElement(intruder))
			updates := w.sim.Requests(xmlrpc("paas.update"))

			By("the list set back: it is sent (Gandi appends it), and the contractor's key stays")
			setSpec(pi, func() { pi.Spec.SSHKeys = []string{ops} })
			Eventually(func() int { return w.sim.Requests(xmlrpc("paas.update")) }).WithTimeout(eventually).Should(Equal(updates + 1))
			Expect(installed()).To(ContainElement(intruder))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnsupportedChange))
			Consistently(fetch(pi)).WithTimeout(3*testTiming.Poll).ShouldNot(beUpToDate(),
				"Gandi still authorizes a key the spec no longer lists, which the sent list could not remove")
		})

		It("runs each request once per new value, across a manager restart", func() {
			id, _ := strconv.Atoi(pi.Status.ID)
			w.sim.SetPaasNeedUpgrade(id)
			setSpec(pi, func() {
				pi.Spec.RestartRequest = "one"
				pi.Spec.UpgradeRequest = "one"
				pi.Spec.ResetMySQLPasswordRequest = "one"
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.LastRequests",
				And(HaveField("Restart", "one"), HaveField("Upgrade", "one"), HaveField("ResetMySQLPassword", "one"))))
			v := w.paasView(pi)()
			Expect([]int{v.Restarts, v.Upgrades, v.MySQLResets}).To(Equal([]int{1, 1, 1}))
			Eventually(fetch(pi)).WithTimeout(3 * testTiming.Poll).Should(HaveField("Status.NeedUpgrade", false))

			for _, stop := range w.stopsNow() {
				stop()
			}
			w.startManager(managerOptions{})
			Consistently(func() []int { v := w.paasView(pi)(); return []int{v.Restarts, v.Upgrades, v.MySQLResets} }).
				WithTimeout(3 * testTiming.Poll).Should(Equal([]int{1, 1, 1}))

			setSpec(pi, func() { pi.Spec.RestartRequest = "two" })
			Eventually(func() int { return w.paasView(pi)().Restarts }).WithTimeout(eventually).Should(Equal(2))
			Consistently(func() []int { v := w.paasView(pi)(); return []int{v.Restarts, v.Upgrades, v.MySQLResets} }).
				WithTimeout(2 * testTiming.Poll).Should(Equal([]int{2, 1, 1}))
		})

		It("renews once per request, and exactly once after a lost answer", func() {
			end := w.paasView(pi)().DateEnd
			w.sim.CommitThenDrop(xmlrpc("paas.renew"), 1)
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2027", Duration: "12m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "2027"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(1))
			Expect(w.sim.Requests(xmlrpc("paas.renew"))).To(Equal(1))
			Expect(w.paasView(pi)().DateEnd).To(Equal(end.AddDate(0, 12, 0)))
			Expect(pi.Status.DateEnd.Time).To(BeTemporally("~", end.AddDate(0, 12, 0), time.Second))

			for _, stop := range w.stopsNow() {
				stop()
			}
			w.startManager(managerOptions{})
			Consistently(w.sim.PaasPaidRenews).WithTimeout(2 * testTiming.Poll).Should(Equal(1))

			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.LastRequests.Renew", "2028"))
			Expect(w.sim.PaasPaidRenews()).To(Equal(2))
		})

		It("never sends again a renewal whose answer was lost and whose end date never moved: it reports it unconfirmed, and a new request asks again", func() {
			// The connection is cut before Gandi acts: nothing in the answer
			// says whether it did, and the end date, which moves only once
			// the operations finish, cannot say it did not.
			end := w.paasView(pi)().DateEnd
			w.sim.ResetNext(xmlrpc("paas.renew"), 1)
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "cut", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonActionUnconfirmed))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("set a new spec.renew.request to ask again"))
			Consistently(func() int { return w.sim.Requests(xmlrpc("paas.renew")) }).WithTimeout(3*testTiming.CreateGrace).Should(Equal(1), "not sent again")
			Expect(w.sim.PaasPaidRenews()).To(BeZero())
			Expect(get(pi).(*hostingv1alpha1.PaaSInstance).Status.LastRequests.Renew).To(BeEmpty())

			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "cut-again", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "cut-again"), beUpToDate()))
			Expect(w.sim.Requests(xmlrpc("paas.renew"))).To(Equal(2))
			Expect(w.sim.PaasPaidRenews()).To(Equal(1))
			Expect(w.paasView(pi)().DateEnd).To(Equal(end.AddDate(0, 1, 0)))
		})

		It("pays once for a renewal whose answer was lost and whose operations outlast the grace", func() {
			end := w.paasView(pi)().DateEnd
			slow := gandisim.FastTimings()
			slow.PaasRenew = 4 * testTiming.CreateGrace // date_end moves well after the grace
			w.sim.SetTimings(slow)
			w.sim.CommitThenDrop(xmlrpc("paas.renew"), 1) // Gandi takes it; the answer is lost
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "slow-lost", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "slow-lost"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(1), "paid once")
			Expect(w.sim.Requests(xmlrpc("paas.renew"))).To(Equal(1), "never sent again")
			Expect(w.paasView(pi)().DateEnd).To(Equal(end.AddDate(0, 1, 0)))
			Consistently(w.sim.PaasPaidRenews).WithTimeout(2 * testTiming.Poll).Should(Equal(1))
		})

		It("never sends a renewal Gandi accepted again, however long its operations take", func() {
			end := w.paasView(pi)().DateEnd
			slow := gandisim.FastTimings()
			slow.PaasRenew = 4 * testTiming.CreateGrace // date_end moves well after the grace
			w.sim.SetTimings(slow)
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "slow", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUpdating))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("Gandi accepted renewal"))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "slow"), beUpToDate()))
			Expect(w.sim.Requests(xmlrpc("paas.renew"))).To(Equal(1), "accepted once, not sent again after the grace")
			Expect(w.sim.PaasPaidRenews()).To(Equal(1))
			Expect(w.paasView(pi)().DateEnd).To(Equal(end.AddDate(0, 1, 0)))
		})

		It("holds a second renewal asked while the first one's operations run until the end date shows the first, and reports each done only from its own move", func() {
			end := w.paasView(pi)().DateEnd
			slow := gandisim.FastTimings()
			slow.PaasRenew = 3 * time.Second // date_end moves after the grace
			w.sim.SetTimings(slow)
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "one", Duration: "1m"} })
			Eventually(func() int { return w.sim.Requests(xmlrpc("paas.renew")) }).WithTimeout(eventually).Should(Equal(1))

			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "two", Duration: "1m"} })
			Eventually(func() string { return cond(get(pi), hostingv1alpha1.ConditionSynced).Message }).WithTimeout(eventually).
				Should(ContainSubstring(`renewal "two" waits for renewal "one"`))
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Reason).To(Equal(hostingv1alpha1.ReasonUpdating))
			Expect(w.sim.Requests(xmlrpc("paas.renew"))).To(Equal(1), "not sent while the first may still move the end date")

			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.LastRequests.Renew", "one"))
			Eventually(func() int { return w.sim.Requests(xmlrpc("paas.renew")) }).WithTimeout(eventually).Should(Equal(2))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "two"), beUpToDate()))
			Expect(pi.Status.DateEnd.Time).To(BeTemporally("~", end.AddDate(0, 2, 0), time.Second),
				"renewal two is reported done once Gandi shows its month too")
			Expect(w.sim.PaasPaidRenews()).To(Equal(2))
		})

		// A request value is renewed at most once: set back to one already
		// performed (a Git revert, say), it is not bought again, neither at
		// once (status still shows it) nor once the renewal asked between
		// them moves the end date (status then shows that one).
		It("never renews again a request set back to one already performed (A -> B -> A), before or after B moves the end date; a new value renews", func() {
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "a", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "a"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(1))

			slow := gandisim.FastTimings()
			slow.PaasRenew = 3 * time.Second
			w.sim.SetTimings(slow)
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "b", Duration: "1m"} })
			Eventually(w.sim.PaasPaidRenews).WithTimeout(eventually).Should(Equal(2))

			By("the request set back to a while b's operations run")
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "a", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.LastRequests.Renew", "b"), "b is reported done from its own move")
			Consistently(w.sim.PaasPaidRenews).WithTimeout(2*testTiming.Poll).Should(Equal(2), "renewal a was bought again once b landed, unasked")
			Expect(w.sim.Requests(xmlrpc("paas.renew"))).To(Equal(2))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
			Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(`renewal "a" was asked before`))

			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "c", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "c"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(3))
		})

		// A copy of the object with its records (a manifest exported with
		// its annotations, its ID left out) buys an instance of its own:
		// the renewal recorded there was made on the original's instance,
		// and the new one's later end date says nothing of it.
		It("does not take a renewal recorded on another instance for this one's, nor send it again", func() {
			setSpec(pi, func() { pi.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "a", Duration: "1m"} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "a"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(1))
			time.Sleep(1100 * time.Millisecond) // Gandi's dates count in seconds: the copy's instance ends later

			cp := paasInstance("site-copy", func(c *hostingv1alpha1.PaaSInstance) {
				c.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "a", Duration: "1m"}
				c.Annotations = map[string]string{}
				for k, v := range get(pi).GetAnnotations() {
					if strings.HasPrefix(k, "effects.hosting.gandi-operator.dev/") {
						c.Annotations[k] = v
					}
				}
			})
			w.create(cp)
			Eventually(fetch(cp)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", Not(Or(BeEmpty(), Equal(pi.Status.ID))))))
			Consistently(func() string { fetch(cp)(); return lastRenew(cp) }).WithTimeout(2*testTiming.Poll).Should(BeEmpty(),
				"renewal a is reported done on an instance it was never sent to")
			Expect(w.sim.PaasPaidRenews()).To(Equal(1), "a renewal recorded as sent is not sent again")
			Expect(cond(cp, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring(`renewal "a" was sent for instance ` + pi.Status.ID))

			setSpec(cp, func() { cp.Spec.Renew = &hostingv1alpha1.PaaSRenewRequest{Request: "copy-a", Duration: "1m"} })
			Eventually(fetch(cp)).WithTimeout(eventually).Should(And(HaveField("Status.LastRequests.Renew", "copy-a"), beUpToDate()))
			Expect(w.sim.PaasPaidRenews()).To(Equal(2))
		})

		It("creates the vhosts added to the list and deletes those removed", func() {
			setSpec(pi, func() {
				pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "blog.example.org", ZoneAlter: true, Override: true}}
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf(And(
				HaveField("FQDN", "blog.example.org"), HaveField("State", "running"), HaveField("DNSEntries", HaveKey("txt"))))))
			Expect(w.sim.Requests(xmlrpc("paas.vhost.create"))).To(Equal(1))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())

			setSpec(pi, func() { pi.Spec.Vhosts = nil })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", BeEmpty()))
			Expect(w.sim.Requests(xmlrpc("paas.vhost.delete"))).To(Equal(1))
			Expect(pi.Annotations).NotTo(HaveKey(ContainSubstring("vhosts")))
		})

		// Gandi refuses paas.vhost.delete on a vhost that is not running
		// (CAUSE_BADSTATE): one dropped while Gandi still creates it (just
		// added, or sent with paas.create, whose rproxy_update starts once
		// the instance runs) is deleted once it runs, as one being deleted
		// is waited for.
		It("waits for a vhost Gandi is still creating to run before deleting it, sending no delete Gandi refuses", func() {
			slow := gandisim.FastTimings()
			slow.VhostBeingCreated = 3 * time.Second
			w.sim.SetTimings(slow)
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "blog.example.org"}} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf(HaveField("State", "being_created"))))
			setSpec(pi, func() { pi.Spec.Vhosts = nil })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse,
				hostingv1alpha1.ReasonWaitingForState), "the delete waits for the vhost to run, and says so")
			Expect(meta.FindStatusCondition(pi.Status.Conditions, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("blog.example.org"))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(HaveField("Status.Vhosts", BeEmpty()), beUpToDate()))
			Expect(warningsAbout(w.namespace, pi.Name, "delete vhost")).To(BeEmpty(), "no refused delete reported as a failure")
			Expect(w.sim.Requests(xmlrpc("paas.vhost.delete"))).To(Equal(1), "one delete, sent once the vhost runs")
		})

		// A vhost dropped and listed again while Gandi deletes it is not
		// served: it is created again only once gone, and reported
		// waiting meanwhile, never UpToDate.
		It("reports a vhost listed again while Gandi deletes it as waiting, not up to date, and creates it again once gone", func() {
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "blog.example.org"}} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
				HaveField("Status.Vhosts", ConsistOf(HaveField("State", "running")))))
			slow := gandisim.FastTimings()
			slow.VhostBeingDeleted = 4 * time.Second
			w.sim.SetTimings(slow)
			setSpec(pi, func() { pi.Spec.Vhosts = nil })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", ConsistOf(HaveField("State", "being_deleted"))))
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "blog.example.org"}} })
			gen := pi.Generation
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.ObservedGeneration", gen))
			Expect(pi.Status.Vhosts).To(ConsistOf(HaveField("State", "being_deleted")))
			Expect(pi).To(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonWaitingForState),
				"the listed vhost is being deleted at Gandi")
			Expect(meta.FindStatusCondition(pi.Status.Conditions, hostingv1alpha1.ConditionSynced).Message).To(ContainSubstring("blog.example.org"))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
				HaveField("Status.Vhosts", ConsistOf(HaveField("State", "running")))), "created again once gone")
			Expect(w.sim.Requests(xmlrpc("paas.vhost.create"))).To(Equal(2))
			Expect(warningsAbout(w.namespace, pi.Name, "vhost")).To(BeEmpty())
		})

		// zoneAlter and override are taken by paas.vhost.create (or
		// paas.create) only: no legacy call changes them on an existing
		// vhost, and paas.vhost.info shows neither.
		Describe("a listed vhost's zoneAlter", func() {
			const fqdn = "www.example.org"

			BeforeEach(func() {
				setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: fqdn}} })
				Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
					HaveField("Status.Vhosts", ConsistOf(HaveField("State", "running")))))
				Expect(w.sim.Requests(xmlrpc("paas.vhost.create"))).To(Equal(1))
			})

			It("is refused once the vhost is listed, and taken by the vhost's create when it is removed and then listed again", func() {
				Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), pi)).To(Succeed())
				pi.Spec.Vhosts[0].ZoneAlter = true
				Expect(k8sClient.Update(suiteCtx, pi)).To(MatchError(And(
					ContainSubstring("zoneAlter and override of a listed vhost cannot change"), ContainSubstring("then add it again"))))

				setSpec(pi, func() { pi.Spec.Vhosts = nil })
				Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", BeEmpty()))
				setSpec(pi, func() {
					pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: fqdn, ZoneAlter: true, Override: true}}
				})
				Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
					HaveField("Status.Vhosts", ConsistOf(HaveField("State", "running")))))
				Expect(w.sim.Requests(xmlrpc("paas.vhost.create"))).To(Equal(2))
				zoneAlter, override, ok := w.sim.PaasVhostOptions(fqdn)
				Expect([]bool{zoneAlter, override, ok}).To(Equal([]bool{true, true, true}))
			})

			// A change the rule did not see (the vhost removed and listed
			// again while the operator was away, or admitted before the
			// rule) reaches the operator: never sent, never UpToDate.
			It("changed while the operator did not see the vhost go is reported, not reported up to date", func() {
				annotate(pi, hostingv1alpha1.AnnotationPaused, "true")
				Eventually(fetch(pi)).WithTimeout(eventually).Should(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonReconcilePaused))
				setSpec(pi, func() { pi.Spec.Vhosts = nil })
				setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: fqdn, ZoneAlter: true}} })
				setSpec(pi, func() { delete(pi.Annotations, hostingv1alpha1.AnnotationPaused) })

				Eventually(fetch(pi)).WithTimeout(eventually).Should(And(
					HaveField("Status.ObservedGeneration", Equal(pi.Generation)),
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonUnsupportedChange)))
				Expect(cond(pi, hostingv1alpha1.ConditionSynced).Message).To(And(
					ContainSubstring("spec.vhosts www.example.org asks for zoneAlter but the vhost was created with none"),
					ContainSubstring("remove the vhost from spec.vhosts, wait until status.vhosts no longer lists it")))
				vhostWrites := func() int {
					return w.sim.Requests(xmlrpc("paas.vhost.create")) + w.sim.Requests(xmlrpc("paas.vhost.delete"))
				}
				Consistently(vhostWrites).WithTimeout(2*testTiming.Poll).Should(Equal(1), "the one create, before the change")
			})
		})

		It("never records, nor deletes later, a vhost whose create Gandi refused as existing where this key cannot see it", func() {
			// Another account's instance serves the name.
			w.sim.AddAccount(gandisim.Account{Token: "other-paas-key", APIKey: true, User: "carol",
				Orgs: []gandisim.Org{{ID: "9c1e4f2a-0d2e-11ef-a1b2-00163e816099", Name: "carol-org", CanBill: true}}})
			theirs := w.sim.AddPaasInstance("other-paas-key", "theirs", "php7.3mysql5.7", "s", 1, "www.shared.org")
			Expect(theirs).NotTo(BeZero())
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.shared.org"}} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonVhostConflict))
			Expect(pi.Annotations).NotTo(HaveKey(ContainSubstring("vhosts")), "this object created no vhost")

			// The name moves: its owner lets it go, and a person serves it
			// on this object's instance by hand.
			Expect(w.sim.DeletePaasInstance(theirs)).To(BeTrue())
			Eventually(func() bool { _, ok := w.sim.PaasInstance(theirs); return ok }).WithTimeout(eventually).Should(BeFalse())
			api, err := paas.New(paas.Config{Endpoint: w.server.URL + gandisim.XMLRPCPath, APIKey: paasKey})
			Expect(err).NotTo(HaveOccurred())
			id, _ := strconv.Atoi(pi.Status.ID)
			_, err = api.VhostCreate(suiteCtx, paas.PaasVhost{PaasID: id, Vhost: "www.shared.org"})
			Expect(err).NotTo(HaveOccurred())
			deletes := w.sim.Requests(xmlrpc("paas.vhost.delete"))

			setSpec(pi, func() { pi.Spec.Vhosts = nil })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(beUpToDate())
			Consistently(func() []string { return w.paasView(pi)().Vhosts }).WithTimeout(2*testTiming.Poll).Should(ContainElement("www.shared.org"),
				"the person's vhost is not this object's to delete")
			Expect(w.sim.Requests(xmlrpc("paas.vhost.delete"))).To(Equal(deletes))
		})

		It("records a vhost conflict once: while nothing changed, no write to the API server and no create at Gandi at any poll; it tries again at the detail interval", func() {
			for _, stop := range w.stopsNow() {
				stop()
			}
			writes := &apiWrites[*hostingv1alpha1.PaaSInstance]{}
			// The slow interval at which a refused create is sent again:
			// well beyond the polls watched below.
			timing := testTiming
			timing.Detail = 8 * time.Second
			w.startManager(managerOptions{wrap: writes.wrap(), timing: &timing})
			// Another account's instance serves the name: this key cannot
			// see it, and Gandi refuses the create.
			w.sim.AddAccount(gandisim.Account{Token: "other-paas-key", APIKey: true, User: "carol",
				Orgs: []gandisim.Org{{ID: "9c1e4f2a-0d2e-11ef-a1b2-00163e816099", Name: "carol-org", CanBill: true}}})
			theirs := w.sim.AddPaasInstance("other-paas-key", "theirs", "php7.3mysql5.7", "s", 1, "www.shared.org")
			Expect(theirs).NotTo(BeZero())
			route := xmlrpc("paas.vhost.create")
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.shared.org"}} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonVhostConflict),
				HaveField("Status.ObservedGeneration", pi.Generation),
				HaveField("Status.VhostConflicts", ConsistOf(And(HaveField("FQDN", "www.shared.org"), HaveField("InstanceID", ""), HaveField("RefusedAt", Not(BeNil())))))))
			Expect(w.sim.Requests(route)).To(Equal(1), "refused once")

			settled := func() []int { return []int{w.sim.Requests(route), writes.count()} }
			before := settled()
			Consistently(settled).WithTimeout(3*testTiming.Poll).Should(Equal(before),
				"neither the annotation record nor the create is sent again while nothing changed")
			Expect(fetch(pi)()).To(haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonVhostConflict),
				"the conflict is still reported")
			conflicts := eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonVhostConflict)()
			Expect(conflicts).To(HaveLen(1), "one event")
			Expect(conflicts[0].Series).To(BeNil(), "the event was sent again: %+v", conflicts[0].Series)

			// Its owner lets the name go, which this key cannot see: the
			// create sent again at the detail interval makes it.
			Expect(w.sim.DeletePaasInstance(theirs)).To(BeTrue())
			Eventually(func() bool { _, ok := w.sim.PaasInstance(theirs); return ok }).WithTimeout(eventually).Should(BeFalse())
			Eventually(func() []string { return w.paasView(pi)().Vhosts }).WithTimeout(eventually).Should(ContainElement("www.shared.org"))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(), HaveField("Status.VhostConflicts", BeEmpty())))
			Expect(w.sim.Requests(route)).To(Equal(before[0] + 1))
			Expect(pi.Annotations).To(HaveKeyWithValue("effects.hosting.gandi-operator.dev/vhosts", "www.shared.org"), "this object created it")
		})

		It("keeps as its own a vhost its create made though the answer was lost and Gandi refused the create sent again, and deletes it once spec.vhosts drops it", func() {
			// Each vhost create reaches Gandi 2 s after it is sent. The
			// first one's connection then drops and Gandi makes the vhost
			// 1 s later; the create sent again, after a look-up that still
			// found nothing, reaches Gandi after that and is refused.
			route := xmlrpc("paas.vhost.create")
			w.sim.SetLatency(route, 2*time.Second)
			w.sim.DropThenCommitPaid(route, 1, time.Second)
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "late.example.org"}} })
			Eventually(func() int { return w.sim.Requests(route) }).WithTimeout(eventually).Should(Equal(2))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(), HaveField("Status.Vhosts", ConsistOf(And(
				HaveField("FQDN", "late.example.org"), HaveField("Managed", true))))))
			Expect(pi.Annotations).To(HaveKeyWithValue("effects.hosting.gandi-operator.dev/vhosts", "late.example.org"))
			Expect(w.sim.Requests(route)).To(Equal(2), "the refused create is not sent again")

			w.sim.SetLatency(route, 0)
			setSpec(pi, func() { pi.Spec.Vhosts = nil })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.Vhosts", BeEmpty()))
			Expect(w.sim.Requests(xmlrpc("paas.vhost.delete"))).To(Equal(1), "the vhost this object's create made is deleted")
		})

		It("takes back the record of a vhost whose create was lost before Gandi acted, when the create sent again is refused for a vhost another account serves", func() {
			// The create reaches Gandi 2 s after it is sent, and its
			// connection drops before Gandi acts; meanwhile another
			// account's instance takes the name.
			route := xmlrpc("paas.vhost.create")
			w.sim.SetLatency(route, 2*time.Second)
			w.sim.ResetNext(route, 1)
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.taken.org"}} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", HaveKeyWithValue("effects.hosting.gandi-operator.dev/vhosts", "www.taken.org")))
			w.sim.AddAccount(gandisim.Account{Token: "other-paas-key", APIKey: true, User: "carol",
				Orgs: []gandisim.Org{{ID: "9c1e4f2a-0d2e-11ef-a1b2-00163e816099", Name: "carol-org", CanBill: true}}})
			Expect(w.sim.AddPaasInstance("other-paas-key", "theirs", "php7.3mysql5.7", "s", 1, "www.taken.org")).NotTo(BeZero())

			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonVhostConflict))
			Expect(w.sim.Requests(route)).To(Equal(2), "the lost create and the refused one")
			Eventually(fetch(pi)).WithTimeout(eventually).Should(
				HaveField("ObjectMeta.Annotations", Not(HaveKey(ContainSubstring("vhosts")))), "this object created no vhost")
		})

		DescribeTable("reports a vhost create refused for a name another instance of the account took meanwhile as one conflict, with one event",
			func(lost bool) {
				// Each create reaches Gandi 2 s after it is sent; meanwhile
				// another instance of this object's account takes the name,
				// where this key sees it.
				route := xmlrpc("paas.vhost.create")
				w.sim.SetLatency(route, 2*time.Second)
				sent := 1
				if lost {
					// The first create's connection drops before Gandi acts:
					// the one sent again is refused.
					w.sim.ResetNext(route, 1)
					sent = 2
				}
				setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.race.org"}} })
				Eventually(func() int { return w.sim.Requests(route) }).WithTimeout(eventually).WithPolling(5 * time.Millisecond).Should(Equal(sent))
				other := w.sim.AddPaasInstance(paasKey, "other-site", "php7.3mysql5.7", "s", 1, "www.race.org")
				Expect(other).NotTo(BeZero())

				Eventually(fetch(pi)).WithTimeout(eventually).Should(And(
					haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonVhostConflict),
					HaveField("Status.VhostConflicts", ConsistOf(HaveField("FQDN", "www.race.org")))))
				Consistently(fetch(pi)).WithTimeout(3*testTiming.Poll).Should(
					HaveField("Status.VhostConflicts", ConsistOf(And(HaveField("FQDN", "www.race.org"), HaveField("InstanceID", strconv.Itoa(other))))),
					"recorded where Gandi shows it from the first")
				conflicts := eventsAbout(w, "PaaSInstance", pi.Name, hostingv1alpha1.ReasonVhostConflict)()
				Expect(conflicts).To(HaveLen(1), "one conflict, one event")
				Expect(conflicts[0].Series).To(BeNil(), "the event was sent again: %+v", conflicts[0].Series)
				Expect(conflicts[0].Note).To(ContainSubstring("served by PaaS instance " + strconv.Itoa(other)))
				Expect(w.sim.Requests(route)).To(Equal(sent), "not sent again")
			},
			Entry("its first create", false),
			Entry("a create sent again after a lost answer", true),
		)

		It("keeps status.vhostConflicts to what Gandi shows while it only observes: a conflict resolved at Gandi or dropped from the spec leaves it", func() {
			other := w.sim.AddPaasInstance(paasKey, "other-site", "php7.3mysql5.7", "s", 1, "www.moved.org", "www.kept.org")
			Expect(other).NotTo(BeZero())
			setSpec(pi, func() {
				pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.moved.org"}, {FQDN: "www.kept.org"}}
			})
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.VhostConflicts", ConsistOf(
				HaveField("FQDN", "www.kept.org"), HaveField("FQDN", "www.moved.org"))))
			creates := w.sim.Requests(xmlrpc("paas.vhost.create"))

			setSpec(pi, func() { pi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.ObservedGeneration", pi.Generation))
			// The other instance lets one name go; the spec drops the other.
			api, err := paas.New(paas.Config{Endpoint: w.server.URL + gandisim.XMLRPCPath, APIKey: paasKey})
			Expect(err).NotTo(HaveOccurred())
			_, err = api.VhostDelete(suiteCtx, "www.moved.org")
			Expect(err).NotTo(HaveOccurred())
			Eventually(func() []string { v, _ := w.sim.PaasInstance(other); return v.Vhosts }).WithTimeout(eventually).ShouldNot(ContainElement("www.moved.org"))
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.VhostConflicts", ConsistOf(HaveField("FQDN", "www.kept.org"))),
				"a conflict resolved at Gandi is not listed")
			setSpec(pi, func() { pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.moved.org"}} })
			Eventually(fetch(pi)).WithTimeout(eventually).Should(HaveField("Status.VhostConflicts", BeEmpty()),
				"a vhost no longer listed is no conflict")
			Expect(w.sim.Requests(xmlrpc("paas.vhost.create"))).To(Equal(creates), "nothing created while observing")
		})

		It("deletes the instance at Gandi with Delete", func() {
			id, _ := strconv.Atoi(pi.Status.ID)
			Expect(k8sClient.Delete(suiteCtx, pi)).To(Succeed())
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), pi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			_, ok := w.sim.PaasInstance(id)
			Expect(ok).To(BeFalse(), "Delete leaves nothing at Gandi")
		})

		It("goes with Delete when Gandi shows the instance as deleted, sending no paas.delete", func() {
			id, _ := strconv.Atoi(pi.Status.ID)
			Expect(w.sim.MarkPaasDeleted(id)).To(BeTrue())
			Expect(k8sClient.Delete(suiteCtx, pi)).To(Succeed())
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), pi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			Expect(w.sim.Requests(xmlrpc("paas.delete"))).To(BeZero(), "a deleted instance is gone: nothing to delete")
		})

		It("leaves the instance at Gandi with Orphan", func() {
			id, _ := strconv.Atoi(pi.Status.ID)
			setSpec(pi, func() { pi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyOrphan })
			Expect(k8sClient.Delete(suiteCtx, pi)).To(Succeed())
			Eventually(func() error { return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(pi), pi) }).
				WithTimeout(eventually).Should(MatchError(ContainSubstring("not found")))
			v, ok := w.sim.PaasInstance(id)
			Expect(ok).To(BeTrue())
			Expect(v.State).To(Equal("running"))
			Expect(w.sim.Requests(xmlrpc("paas.delete"))).To(BeZero())
		})
	})
})

// eventReasons lists the reasons of the events about one object.
func eventReasons(namespace, name string) []string {
	events := &corev1.EventList{}
	Expect(k8sClient.List(suiteCtx, events, client.InNamespace(namespace))).To(Succeed())
	var out []string
	for _, e := range events.Items {
		if e.InvolvedObject.Name == name {
			out = append(out, e.Reason)
		}
	}
	return out
}

// warningsAbout lists the messages of the Warning events about one object
// that contain text.
func warningsAbout(namespace, name, text string) []string {
	events := &corev1.EventList{}
	Expect(k8sClient.List(suiteCtx, events, client.InNamespace(namespace))).To(Succeed())
	var out []string
	for _, e := range events.Items {
		if e.InvolvedObject.Name == name && e.Type == corev1.EventTypeWarning && strings.Contains(e.Message, text) {
			out = append(out, e.Message)
		}
	}
	return out
}
