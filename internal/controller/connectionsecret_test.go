package controller_test

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// The operator writes only a connection Secret it created for this very
// object (connectionsecret.go): any other Secret named by
// spec.writeConnectionSecretToRef keeps its data, labels and owners.
var _ = Describe("The connection Secret", func() {
	var w *world

	BeforeEach(func() {
		w = newWorld()
		w.startManager(managerOptions{})
	})

	// unchanged matches a Secret exactly as it was: same resourceVersion
	// (no write at all), and so the same data, labels and owners.
	unchanged := func(before *corev1.Secret) func() *corev1.Secret {
		return func() *corev1.Secret {
			now := &corev1.Secret{}
			Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(before), now)).To(Succeed())
			return now
		}
	}
	same := func(before *corev1.Secret) OmegaMatcher {
		return And(
			HaveField("ResourceVersion", before.ResourceVersion),
			HaveField("Data", Equal(before.Data)),
			HaveField("Labels", Equal(before.Labels)),
			HaveField("OwnerReferences", Equal(before.OwnerReferences)),
		)
	}
	conflict := func(secretName string) OmegaMatcher {
		return And(
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, hostingv1alpha1.ReasonConnectionSecretConflict),
			WithTransform(func(obj client.Object) string { return cond(obj, hostingv1alpha1.ConditionSynced).Message },
				ContainSubstring("Secret "+secretName+" already exists and was not created by this HostingInstance")),
		)
	}

	It("leaves a user's Secret unchanged and reports ConnectionSecretConflict", func() {
		owner := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: w.namespace}}
		Expect(k8sClient.Create(suiteCtx, owner)).To(Succeed())
		mine := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{
				Name: "app-settings", Namespace: w.namespace,
				Labels: map[string]string{"team": "web"},
				OwnerReferences: []metav1.OwnerReference{{
					APIVersion: "v1", Kind: "ConfigMap", Name: owner.Name, UID: owner.UID,
				}},
			},
			Data: map[string][]byte{"admin_url": []byte("https://mine.example/"), "api_key": []byte("keep-me")},
		}
		Expect(k8sClient.Create(suiteCtx, mine)).To(Succeed())

		hi := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: mine.Name}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), conflict(mine.Name)))
		Consistently(unchanged(mine)).WithTimeout(3 * testTiming.Poll).Should(same(mine))
	})

	It("leaves the credentials Secret's token intact, and the object keeps working", func() {
		creds := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "gandi-credentials", Namespace: w.namespace}}
		get(creds)
		hi := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: creds.Name}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), conflict(creds.Name)))
		Consistently(unchanged(creds)).WithTimeout(3 * testTiming.Poll).Should(same(creds))
		Expect(string(creds.Data["token"])).To(Equal(orgToken))

		// Still managed with that token: an edit reaches Gandi.
		setSpec(hi, func() { hi.Spec.Name = "renamed" })
		Eventually(func() string { v, _ := w.sim.Instance(hi.Status.ID); return v.Name }).
			WithTimeout(eventually).Should(Equal("renamed"))
		Expect(get(hi)).To(And(beReady(), conflict(creds.Name)))
		Expect(unchanged(creds)()).To(same(creds))
	})

	It("does not write another HostingInstance's connection Secret", func() {
		first := instance("first", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "shared-connection"}
		})
		w.create(first)
		conn := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shared-connection", Namespace: w.namespace}}
		Eventually(fetch(conn)).WithTimeout(eventually).Should(HaveField("Data", HaveKey("admin_url")))
		get(conn)

		second := instance("second", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "shared-connection"}
		})
		w.create(second)
		Eventually(fetch(second)).WithTimeout(eventually).Should(And(beReady(), conflict(conn.Name)))
		Consistently(unchanged(conn)).WithTimeout(3 * testTiming.Poll).Should(same(conn))
		Expect(metav1.IsControlledBy(conn, first)).To(BeTrue())
	})

	It("marks the Secret it creates, and keeps it up to date", func() {
		hi := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "shop-connection"}
		})
		w.create(hi)
		conn := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "shop-connection", Namespace: w.namespace}}
		Eventually(fetch(conn)).WithTimeout(eventually).Should(HaveField("Data", HaveKey("admin_url")))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		Expect(conn.Labels).To(HaveKeyWithValue(hostingv1alpha1.LabelConnectionSecretOf, string(hi.UID)))
		Expect(conn.Labels).To(HaveKeyWithValue(hostingv1alpha1.LabelWatch, "true"))
		Expect(metav1.IsControlledBy(conn, hi)).To(BeTrue())
		want := conn.Data

		// Someone edits it: the operator puts it back as the instance is.
		setSpec(conn, func() {
			conn.Data["admin_url"] = []byte("https://tampered.example/")
			conn.Data["extra"] = []byte("x")
		})
		Eventually(fetch(conn)).WithTimeout(eventually).Should(HaveField("Data", Equal(want)))

		// A steady state writes nothing.
		get(conn)
		Consistently(unchanged(conn)).WithTimeout(3 * testTiming.Poll).Should(HaveField("ResourceVersion", conn.ResourceVersion))

		// Deleted, it is written again, marked.
		Expect(k8sClient.Delete(suiteCtx, conn)).To(Succeed())
		Eventually(func() error {
			return k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(conn), conn)
		}).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(Succeed())
		Eventually(fetch(conn)).WithTimeout(eventually).Should(And(
			HaveField("Data", Equal(want)),
			HaveField("Labels", HaveKeyWithValue(hostingv1alpha1.LabelConnectionSecretOf, string(hi.UID))),
		))
	})

	// retired matches a connection Secret the operator retired: no data,
	// the annotation saying why, no longer watched, and still marked as
	// hi's (so Kubernetes deletes it with hi).
	retired := func(hi *hostingv1alpha1.HostingInstance, why string) OmegaMatcher {
		return And(
			HaveField("Data", BeEmpty()),
			HaveField("Annotations", HaveKeyWithValue(hostingv1alpha1.AnnotationRetired, ContainSubstring(why))),
			HaveField("Labels", And(
				HaveKeyWithValue(hostingv1alpha1.LabelConnectionSecretOf, string(hi.UID)),
				Not(HaveKey(hostingv1alpha1.LabelWatch)))),
			WithTransform(func(s *corev1.Secret) bool { return metav1.IsControlledBy(s, hi) }, BeTrue()),
		)
	}
	secretOf := func(name string) func() (*corev1.Secret, error) {
		return func() (*corev1.Secret, error) {
			s := &corev1.Secret{}
			return s, k8sClient.Get(suiteCtx, client.ObjectKey{Namespace: w.namespace, Name: name}, s)
		}
	}
	read := func(name string) *corev1.Secret {
		s, err := secretOf(name)()
		Expect(err).NotTo(HaveOccurred())
		return s
	}
	written := func(name string) (*hostingv1alpha1.HostingInstance, *corev1.Secret) {
		hi := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: name}
		})
		w.create(hi)
		Eventually(secretOf(name)).WithTimeout(eventually).Should(HaveField("Data", HaveKey("admin_url")))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		Expect(hi.Status.Access).NotTo(BeNil())
		return hi, read(name)
	}

	It("retires it, and clears status.access, when the instance is deleted at Gandi", func() {
		hi, _ := written("shop-connection")
		id := hi.Status.ID

		w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
		Eventually(func() bool { _, ok := w.sim.Instance(id); return ok }).WithTimeout(eventually).Should(BeFalse())
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))

		// What it told applications to connect to (admin URL, SFTP,
		// database host) no longer exists.
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(retired(hi, "instance "+id+" no longer exists at Gandi"))
		Expect(get(hi).(*hostingv1alpha1.HostingInstance).Status.Access).To(BeNil(), "status.access still shows instance %s, gone at Gandi", id)

		// Retired once: the next polls write it no more.
		conn := read("shop-connection")
		Consistently(secretOf("shop-connection")).WithTimeout(3 * testTiming.Poll).Should(HaveField("ResourceVersion", conn.ResourceVersion))
	})

	It("writes it again, whole, for the instance bought anew when the deleted one is replaced (spec.recreateIfDeleted)", func() {
		hi, before := written("shop-connection")
		id := hi.Status.ID
		setSpec(hi, func() { hi.Spec.RecreateIfDeleted = true })

		w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.ID", Not(Or(BeEmpty(), Equal(id))))))
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(And(
			HaveField("Data", And(HaveKey("admin_url"), Not(Equal(before.Data)))),
			HaveField("Annotations", Not(HaveKey(hostingv1alpha1.AnnotationRetired))),
			HaveField("Labels", Equal(before.Labels)),
		))
		Expect(get(hi).(*hostingv1alpha1.HostingInstance).Status.Access).NotTo(BeNil())
	})

	It("retires it when the external-id names an ID Gandi does not have, and writes it again when it names the instance again", func() {
		hi, before := written("shop-connection")
		id := hi.Status.ID

		annotate(hi, hostingv1alpha1.AnnotationExternalID, "5d8c6f0e-0000-4000-8000-00000000dead")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			haveCondition(hostingv1alpha1.ConditionReady, metav1.ConditionFalse, hostingv1alpha1.ReasonExternalNotFound))
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(retired(hi, "no longer exists at Gandi"))
		Expect(get(hi).(*hostingv1alpha1.HostingInstance).Status.Access).To(BeNil())

		annotate(hi, hostingv1alpha1.AnnotationExternalID, id)
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(And(
			HaveField("Data", Equal(before.Data)),
			HaveField("Annotations", Not(HaveKey(hostingv1alpha1.AnnotationRetired))),
			HaveField("Labels", Equal(before.Labels)),
		))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(), HaveField("Status.Access", Not(BeNil()))))
	})

	It("retires the Secret it wrote under a former name when spec.writeConnectionSecretToRef names another one, or none", func() {
		hi, _ := written("shop-connection")

		setSpec(hi, func() {
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "shop-connection-v2"}
		})
		Eventually(secretOf("shop-connection-v2")).WithTimeout(eventually).Should(HaveField("Data", HaveKey("admin_url")))
		// Nothing keeps it true to Gandi any more.
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(retired(hi, "spec.writeConnectionSecretToRef names Secret shop-connection-v2"))

		// A steady state writes neither.
		old, renamed := read("shop-connection"), read("shop-connection-v2")
		Consistently(func() []string {
			return []string{read("shop-connection").ResourceVersion, read("shop-connection-v2").ResourceVersion}
		}).WithTimeout(3 * testTiming.Poll).Should(Equal([]string{old.ResourceVersion, renamed.ResourceVersion}))

		setSpec(hi, func() { hi.Spec.WriteConnectionSecretToRef = nil })
		Eventually(secretOf("shop-connection-v2")).WithTimeout(eventually).Should(retired(hi, "spec.writeConnectionSecretToRef names no Secret"))
		Expect(read("shop-connection")).To(HaveField("ResourceVersion", old.ResourceVersion))
	})

	// A person copies the connection Secret under another name for a
	// second application (kubectl get -o yaml, rename, apply): the copy
	// carries both marks, yet the object never wrote it, and status does
	// not record it.
	copyOf := func(orig *corev1.Secret, name string) *corev1.Secret {
		copied := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: w.namespace,
			Labels: orig.Labels, Annotations: orig.Annotations, OwnerReferences: orig.OwnerReferences,
		}, Type: orig.Type, Data: orig.Data}
		Expect(k8sClient.Create(suiteCtx, copied)).To(Succeed())
		return copied
	}

	It("leaves a person's copy of the connection Secret (marks included) as it is, at any pass and when the spec names another Secret", func() {
		hi, orig := written("shop-connection")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.ConnectionSecrets", Equal([]string{"shop-connection"})))
		copied := copyOf(orig, "shop-connection-for-worker")

		annotate(hi, "example.com/poke", "1") // any later pass
		Consistently(unchanged(copied)).WithTimeout(3 * testTiming.Poll).Should(same(copied))

		setSpec(hi, func() { hi.Spec.WriteConnectionSecretToRef = nil })
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(retired(hi, "names no Secret"))
		Eventually(fetch(hi)).WithTimeout(eventually).Should(HaveField("Status.ConnectionSecrets", BeEmpty()))
		Consistently(unchanged(copied)).WithTimeout(3 * testTiming.Poll).Should(same(copied))
	})

	It("leaves a person's copy of the connection Secret (marks included) as it is when the instance is gone at Gandi", func() {
		hi, orig := written("shop-connection")
		copied := copyOf(orig, "shop-connection-for-worker")
		id := hi.Status.ID

		w.sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(retired(hi, "instance "+id+" no longer exists at Gandi"))
		Consistently(unchanged(copied)).WithTimeout(3 * testTiming.Poll).Should(same(copied))
	})

	It("leaves a Secret it did not mark when spec.writeConnectionSecretToRef moves away from it", func() {
		hi, _ := written("shop-connection")
		// An earlier version's connection Secret: controlled by the
		// object, without the label (and watched, as the user labelled it).
		legacy := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{
			Name: "legacy-connection", Namespace: w.namespace,
			Labels: map[string]string{hostingv1alpha1.LabelWatch: "true"},
			OwnerReferences: []metav1.OwnerReference{{APIVersion: hostingv1alpha1.GroupVersion.String(), Kind: "HostingInstance",
				Name: hi.Name, UID: hi.UID, Controller: ptr(true)}},
		}, Data: map[string][]byte{"admin_url": []byte("https://kept.example/")}}
		Expect(k8sClient.Create(suiteCtx, legacy)).To(Succeed())

		setSpec(hi, func() { hi.Spec.WriteConnectionSecretToRef = nil })
		Eventually(secretOf("shop-connection")).WithTimeout(eventually).Should(retired(hi, "names no Secret"))
		Consistently(unchanged(legacy)).WithTimeout(3 * testTiming.Poll).Should(same(legacy))
	})
})
