package controller_test

import (
	"github.com/GehirnInc/crypt/sha512_crypt"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Review 22: the instance password a HostingInstance sets at Gandi.
var _ = Describe("Review22: a HostingInstance's password Secret made --from-file", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	// The README reads every credential with surrounding whitespace
	// trimmed, "since a Secret made with --from-file from a file ending in
	// a newline (what `echo pat_… > token` writes) holds one". A password
	// Secret made the same way keeps its newline: the hash sent to Gandi is
	// of "…\n", a password no SFTP or git prompt can take, while the
	// object reports the password set (Ready, passwordSecretVersion).
	It("sets at Gandi the password a person can type when the Secret was made --from-file (trailing newline)", func() {
		w.startManager(managerOptions{})
		w.secret("file-password", map[string]string{"password": "correct horse battery staple\n"})
		hi := instance("typed", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.Authentication = &hostingv1alpha1.AuthenticationSpec{PasswordSecretRef: &hostingv1alpha1.SecretKeySelector{Name: "file-password", Key: "password"}}
		})
		w.create(hi)
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
		hash := w.sim.LastPassword(hi.Status.ID)
		Expect(hash).To(HavePrefix("$6$"))
		Expect(sha512_crypt.New().Verify(hash, []byte("correct horse battery staple"))).To(Succeed(),
			"the password Gandi has is the one typed at a prompt, not the file's line with its newline")
	})
})
