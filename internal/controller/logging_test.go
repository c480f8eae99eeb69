package controller_test

import (
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"go.uber.org/zap/zapcore"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

// The suite's manager logs at debug verbosity; this one at the highest a
// user can ask for (--zap-log-level=10), through LimitVerbosity as
// cmd/main.go builds it.
var _ = Describe("The manager's log at the highest verbosity", func() {
	It("never carries a token, an API key or a password", func() {
		w := newWorld()
		w.paasAccount()
		const hiPassword, paasPassword = "verbose-shop-password-7d1e", "verbose-site-password-3c9a"
		w.secret("shop-password", map[string]string{"password": hiPassword})
		w.secret("paas-password", map[string]string{"password": paasPassword})
		buf := &testenv.LogBuffer{}
		w.startManager(managerOptions{logger: controller.LimitVerbosity(
			zap.New(zap.WriteTo(buf), zap.UseDevMode(true), zap.Level(zapcore.Level(-10))))})

		hi := instance("shop", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "shop-password", Key: "password"}}
			hi.Spec.WriteConnectionSecretToRef = &hostingv1alpha1.LocalObjectReference{Name: "shop-connection"}
		})
		w.create(hi)
		pi := paasInstance("site")
		w.create(pi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(And(beReady(),
			haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionTrue, "UpToDate")))
		Eventually(fetch(pi)).WithTimeout(eventually).Should(And(beUpToDate(),
			HaveField("Status.PasswordSecretVersion", Not(BeEmpty()))))
		Expect(hi.Status.PasswordSecretVersion).NotTo(BeEmpty(), "the password Secret was read and sent")

		logged := buf.String()
		Expect(logged).To(ContainSubstring("Reconciling"), "controller-runtime's verbosity 5 is still written")
		for _, s := range []string{orgToken, paasKey, hiPassword, paasPassword} {
			Expect(withHexDumps(logged)).NotTo(ContainSubstring(s))
		}
	})
})
