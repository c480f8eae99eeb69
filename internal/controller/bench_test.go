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
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

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
// reads from a manager's cache, as the operator's does (a pass lists the
// object's rivals by the cache's indexes); Secrets are read uncached.
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
	mgr, err := ctrl.NewManager(restCfg, ctrl.Options{Scheme: sch, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := controller.IndexHostingInstances(mgr); err != nil {
		b.Fatal(err)
	}
	mgrCtx, stopMgr := context.WithCancel(ctx)
	defer stopMgr()
	go func() { _ = mgr.Start(mgrCtx) }()
	if !mgr.GetCache().WaitForCacheSync(ctx) {
		b.Fatal("the cache did not sync")
	}
	c := mgr.GetClient()

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
	secrets := &controller.SecretReader{API: mgr.GetAPIReader(), Meta: mgr.GetCache()}
	r := &controller.HostingInstanceReconciler{
		Base: controller.Base{
			Client:      c,
			Credentials: &controller.Credentials{Reader: secrets, Clients: clients},
			Timing:      controller.Timing{Poll: time.Hour, Transitional: time.Second, CreateGrace: time.Minute, Usage: time.Hour},
			Now:         time.Now,
		},
		Reader: secrets, Scheme: sch,
	}
	req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: "default", Name: "bench"}}
	// cached waits until the cache shows what the API server holds of the
	// object: a pass reads it from there, and one that finds it missing, or
	// older than its last write, would measure nothing.
	cached := func() {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			want, got := &hostingv1alpha1.HostingInstance{}, &hostingv1alpha1.HostingInstance{}
			if mgr.GetAPIReader().Get(ctx, req.NamespacedName, want) == nil && c.Get(ctx, req.NamespacedName, got) == nil &&
				got.ResourceVersion == want.ResourceVersion {
				return
			}
		}
		b.Fatal("the cache did not catch up with the object")
	}
	// Settle: adopt, write the status once.
	for range 3 {
		cached()
		if _, err := r.Reconcile(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	cached()
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
