package controller_test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

// BenchmarkSteadyStateReconcile measures one reconcile of a settled
// HostingInstance, the pass every object makes at each poll: its cost, and
// what it asks of Gandi (reported as gandi-requests/op and gandi-writes/op;
// a good citizen sends one GET and writes nothing). The Kubernetes client
// here is uncached, so each pass also reads the object from the API server.
//
//	KUBEBUILDER_ASSETS=$(hack/control-plane.sh) go test ./internal/controller -run '^$' -bench SteadyState
func BenchmarkSteadyStateReconcile(b *testing.B) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		b.Skip(testenv.ErrNoAssets.Error())
	}
	ctx := context.Background()
	cp, err := testenv.StartWithCRDs()
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cp.Stop() }()
	restCfg := cp.Config
	sch, err := testenv.Scheme()
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.New(restCfg, client.Options{Scheme: sch})
	if err != nil {
		b.Fatal(err)
	}

	sim := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	sim.AddAccount(gandisim.Account{Token: orgToken, User: "bench", Orgs: []gandisim.Org{{ID: orgID, Name: "bench-org", CanBill: true}}})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	id := sim.AddInstance(orgID, gandisim.SeedInstance{Name: "bench", Size: "starter", Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}})

	must := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	must(c.Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "gandi-credentials", Namespace: "default"}, StringData: map[string]string{"token": orgToken}}))
	hi := instance("bench", func(hi *hostingv1alpha1.HostingInstance) {
		hi.Namespace = "default"
		hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: id}
	})
	must(c.Create(ctx, hi))

	clients := controller.NewClientCache(gandi.Config{BaseURL: srv.URL, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
	r := &controller.HostingInstanceReconciler{
		Base: controller.Base{
			Client:      c,
			Credentials: &controller.Credentials{Reader: c, Clients: clients},
			Timing:      controller.Timing{Poll: time.Hour, Transitional: time.Second, CreateGrace: time.Minute, Usage: time.Hour},
			Now:         time.Now,
		},
		Reader: c, Scheme: sch,
	}
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "default", Name: "bench"}}
	// Settle: adopt, write the status once.
	for range 3 {
		if _, err := r.Reconcile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	requests, writes := total(sim.RequestCounts()), sim.Writes()

	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := r.Reconcile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(total(sim.RequestCounts())-requests)/float64(b.N), "gandi-requests/op")
	b.ReportMetric(float64(sim.Writes()-writes)/float64(b.N), "gandi-writes/op")
}

func total(counts map[string]int) int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}
