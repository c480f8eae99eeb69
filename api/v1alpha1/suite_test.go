package v1alpha1_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

// These tests run the CRDs in a real kube-apiserver and etcd (envtest, with
// the binaries hack/control-plane.sh builds), so that every schema and CEL
// rule is checked by the same code that will check users' manifests.

var (
	testEnv   *testenv.ControlPlane
	cfg       *rest.Config
	k8sClient client.Client
	ctx       context.Context
	cancel    context.CancelFunc
)

func TestAPIAdmission(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "API admission suite")
}

var _ = BeforeSuite(func() {
	ctx, cancel = context.WithCancel(context.Background())
	var err error
	testEnv, err = testenv.StartWithCRDs()
	Expect(err).NotTo(HaveOccurred())
	cfg = testEnv.Config
	sch, err := testenv.Scheme()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: sch})
	Expect(err).NotTo(HaveOccurred())
})

var _ = AfterSuite(func() {
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})
