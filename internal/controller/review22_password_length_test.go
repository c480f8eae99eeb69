package controller_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Review 22: the instance password a HostingInstance sets at Gandi.
var _ = Describe("Review22: a HostingInstance's password length", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	// Gandi refuses a clear-text password shorter than 8 characters (the
	// simulator models it for both APIs: "A clear text password must be 8
	// to 200 characters long", and paas.create's "password must have at
	// least 8 characters"). The operator sends only a crypt hash, which
	// Gandi cannot measure: a 3-character password becomes the SFTP, git
	// and control panel password of a paid instance, with no word.
	It("does not buy an instance with a password Gandi refuses in clear text (3 characters): it says so instead", func() {
		w.startManager(managerOptions{})
		w.secret("weak-password", map[string]string{"password": "abc"})
		hi := instance("weak", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "weak-password", Key: "password"}}
		})
		w.create(hi)
		Consistently(w.sim.PaidCreates).WithTimeout(3*testTiming.Poll).Should(BeZero(),
			"no instance is bought with a 3-character password")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(
			WithTransform(func(any) metav1.Condition { return cond(hi, hostingv1alpha1.ConditionSynced) },
				And(HaveField("Status", metav1.ConditionFalse), HaveField("Message", ContainSubstring("password")))),
			"the password Gandi would refuse in clear text is reported, not hashed past Gandi's check")
	})
})
