package controller_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

// The controllers run in a real manager against a real kube-apiserver and
// etcd (envtest) and talk to Gandi through the real HTTP client and the
// simulator, over loopback. Nothing is stubbed.

var (
	testEnv   *testenv.ControlPlane
	cfg       *rest.Config
	k8sClient client.Client
	scheme    *runtime.Scheme
	logs      = &testenv.LogBuffer{}
	// secretValues holds every value a test wrote into a Secret (secret,
	// setSpec): the AfterSuite check looks for each, so a new credential
	// or password in a test is checked without anyone listing it.
	secretValues sync.Map
	suiteCtx     context.Context
	cancel       context.CancelFunc
)

func TestControllers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller suite")
}

var _ = BeforeSuite(func() {
	// Every log line of every manager goes here too, so tests can check that
	// no secret ever reaches a log.
	ctrl.SetLogger(zap.New(zap.WriteTo(io.MultiWriter(GinkgoWriter, logs)), zap.UseDevMode(true)))
	suiteCtx, cancel = context.WithCancel(context.Background())
	var err error
	testEnv, err = testenv.StartWithCRDs()
	Expect(err).NotTo(HaveOccurred())
	cfg = testEnv.Config
	scheme, err = testenv.Scheme()
	Expect(err).NotTo(HaveOccurred())
	k8sClient, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
})

// After every test has run, nothing any of them did may have put a token or
// a password into a log line, an event or a status.
var _ = AfterSuite(func() {
	secrets := []string{orgToken, paasKey}
	secretValues.Range(func(v, _ any) bool {
		secrets = append(secrets, v.(string))
		return true
	})
	Expect(logs.String()).NotTo(BeEmpty())
	logged := withHexDumps(logs.String())
	for _, s := range secrets {
		Expect(logged).NotTo(ContainSubstring(s), "a log line carries a secret")
	}
	events := &corev1.EventList{}
	Expect(k8sClient.List(suiteCtx, events)).To(Succeed())
	Expect(events.Items).NotTo(BeEmpty())
	for _, e := range events.Items {
		for _, s := range secrets {
			Expect(e.Message).NotTo(ContainSubstring(s), "an event carries a secret")
		}
	}
	for _, dump := range objectDumps.all() {
		for _, s := range secrets {
			Expect(dump).NotTo(ContainSubstring(s), "an object's status or annotations carry a secret")
		}
	}
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})

// hexDumpRow is a row of an encoding/hex dump, as client-go logs request
// and response bodies: an offset, up to 16 bytes in hex, their text.
var hexDumpRow = regexp.MustCompile(`[0-9a-f]{8}  ([0-9a-f ]+?) *\|`)

// withHexDumps is log followed by the bytes its hex dumps hold, row after
// row: a value a dump splits across two rows is found in them.
func withHexDumps(log string) string {
	var dumped []byte
	for _, m := range hexDumpRow.FindAllStringSubmatch(log, -1) {
		b, err := hex.DecodeString(strings.ReplaceAll(m[1], " ", ""))
		if err == nil {
			dumped = append(dumped, b...)
		}
	}
	return log + "\n" + string(dumped)
}

// Test timings: fast enough for tests, slow enough to see every state.
var testTiming = controller.Timing{
	Poll:         time.Second,
	Transitional: 100 * time.Millisecond,
	CreateGrace:  time.Second,
	Usage:        time.Hour,
	// Every spec runs with batched observation, as the manager does.
	Detail: time.Hour,
}

const (
	orgID    = "0c9b4a2e-6a51-11ee-9d3f-00163e816020"
	orgToken = "pat_test-token-5c1f0e0e"
	// paasKey is a legacy API key, for the XML-RPC API.
	paasKey   = "legacy-apikey-8a41d2c79e"
	paasOrgID = "5b7d9a1c-0d2e-11ef-a1b2-00163e816021"
	// heldDomain is held by the test account at LiveDNS, with the right to
	// manage its records: Gandi takes that as proof of ownership, so vhosts
	// on it (www.example.com, café.example.com…) run as soon as created.
	heldDomain = "example.com"
)

// world is one test's Gandi (a simulator), namespace and manager(s).
type world struct {
	sim       *gandisim.Server
	server    *httptest.Server
	namespace string

	mu     sync.Mutex
	stops  map[int]func()
	nextID int
}

var nsSeq atomic.Int64

// newWorld starts a simulator with one account holding heldDomain and makes
// a namespace with a credentials Secret for it. Everything is torn down at
// the end of the test, objects first while a manager still runs.
func newWorld() *world {
	sim := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	Expect(sim.ApplySeed(&gandisim.Seed{
		Accounts: []gandisim.Account{{Token: orgToken, User: "alice", Orgs: []gandisim.Org{{ID: orgID, Name: "alice-org", CanBill: true}}}},
		Domains:  []gandisim.SeedDomain{{Org: orgID, FQDN: heldDomain}},
	})).To(Succeed())
	w := &world{sim: sim, server: httptest.NewServer(sim), namespace: fmt.Sprintf("t%d-%d", GinkgoParallelProcess(), nsSeq.Add(1))}
	DeferCleanup(w.teardown)
	Expect(k8sClient.Create(suiteCtx, &corev1.Namespace{ObjectMeta: ctrl.ObjectMeta{Name: w.namespace}})).To(Succeed())
	w.secret("gandi-credentials", map[string]string{"token": orgToken})
	return w
}

func (w *world) secret(name string, data map[string]string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: ctrl.ObjectMeta{Name: name, Namespace: w.namespace}, StringData: data}
	rememberSecretValues(s)
	Expect(k8sClient.Create(suiteCtx, s)).To(Succeed())
	return s
}

// rememberSecretValues records what a test writes into a Secret, for the
// AfterSuite check that no value reaches a log, an event or a status.
func rememberSecretValues(s *corev1.Secret) {
	for _, v := range s.StringData {
		if len(v) >= 8 { // shorter test values are too common to look for
			secretValues.Store(v, true)
		}
	}
}

// managerOptions tune one manager of a test.
type managerOptions struct {
	wrap          interceptor.Funcs
	allowDefault  bool
	defaultSecret types.NamespacedName
	// watchNamespaces restricts the manager to these namespaces, as
	// --watch-namespaces does.
	watchNamespaces []string
	// timing replaces testTiming.
	timing *controller.Timing
	// workers per kind (0: controller-runtime's 1).
	workers int
	// wrapTransport wraps the manager's HTTP transport to the API server.
	wrapTransport func(http.RoundTripper) http.RoundTripper
	// ipRequestsPerMinute is the manager's IP budget (0: the default).
	ipRequestsPerMinute int
	// tokenRequestsPerMinute bounds each token alone, with a burst of one
	// (0: the default).
	tokenRequestsPerMinute int
	// registry receives the poll metrics (nil: the global registry).
	registry prometheus.Registerer
	// logger is the manager's logger (nil sink: the suite's).
	logger logr.Logger
	// now is the manager's clock (nil: time.Now).
	now func() time.Time
}

// watchedDefault is the default Secret as cmd/main.go hands it to the
// cache: only when objects may use it.
func (o managerOptions) watchedDefault() types.NamespacedName {
	if !o.allowDefault {
		return types.NamespacedName{}
	}
	return o.defaultSecret
}

// startManager runs the operator's controllers, wired exactly as the
// binary wires them, until the returned stop is called (or the test ends).
func (w *world) startManager(o managerOptions) (stop func()) {
	cacheOpts, clientOpts := controller.CacheOptions(o.watchNamespaces, o.watchedDefault())
	mgrCfg := rest.CopyConfig(cfg)
	if o.wrapTransport != nil {
		mgrCfg.Wrap(o.wrapTransport)
	}
	timing := testTiming
	if o.timing != nil {
		timing = *o.timing
	}
	clientOptions := gandi.ClientOptions{MaxRetries: 2, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}
	if o.tokenRequestsPerMinute > 0 {
		clientOptions.RequestsPerMinute, clientOptions.Burst = o.tokenRequestsPerMinute, 1
	}
	mgr, err := ctrl.NewManager(mgrCfg, ctrl.Options{
		Scheme:  scheme,
		Cache:   cacheOpts,
		Client:  clientOpts,
		Metrics: metricsserver.Options{BindAddress: "0"},
		Logger:  o.logger,
		NewClient: func(c *rest.Config, opts client.Options) (client.Client, error) {
			cl, err := client.NewWithWatch(c, opts)
			if err != nil {
				return nil, err
			}
			return interceptor.NewClient(cl, o.wrap), nil
		},
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(controller.SetupControllers(mgr, controller.Options{
		Gandi:                   gandi.Config{BaseURL: w.server.URL, ClientOptions: clientOptions},
		PaaSEndpoint:            w.server.URL + gandisim.XMLRPCPath,
		DefaultSecret:           o.defaultSecret,
		AllowDefaultCredentials: o.allowDefault,
		Timing:                  timing,
		Controller:              controller.KindOptions{SkipNameValidation: true, MaxConcurrentReconciles: o.workers},
		IPRequestsPerMinute:     o.ipRequestsPerMinute,
		Registry:                o.registry,
		Now:                     o.now,
		WatchNamespaces:         o.watchNamespaces,
	})).To(Succeed())
	ctx, cancel := context.WithCancel(suiteCtx)
	done := make(chan struct{})
	go func() {
		defer GinkgoRecover()
		defer close(done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
	w.mu.Lock()
	defer w.mu.Unlock()
	id := w.nextID
	w.nextID++
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			w.mu.Lock()
			defer w.mu.Unlock()
			delete(w.stops, id)
		})
	}
	if w.stops == nil {
		w.stops = map[int]func(){}
	}
	w.stops[id] = stop
	return stop
}

// create makes obj in the world's namespace.
func (w *world) create(obj client.Object) {
	obj.SetNamespace(w.namespace)
	Expect(k8sClient.Create(suiteCtx, obj)).To(Succeed())
}

// teardown deletes every object of the test with a manager running (so
// finalizers run as they would for a user), then stops the managers.
func (w *world) teardown() {
	// Whatever fails below, this test's managers stop and its simulator
	// closes: a manager left running would reconcile the next tests'
	// objects against the wrong simulator.
	defer w.stopAll()
	w.mu.Lock()
	running := len(w.stops)
	w.mu.Unlock()
	if running == 0 {
		w.startManager(managerOptions{})
	}
	objectDumps.add(w.namespace)
	kinds := []client.Object{&hostingv1alpha1.TemplateApplication{}, &hostingv1alpha1.Vhost{}, &hostingv1alpha1.Template{}, &hostingv1alpha1.HostingInstance{}, &hostingv1alpha1.PaaSInstance{}}
	for _, kind := range kinds {
		Expect(k8sClient.DeleteAllOf(suiteCtx, kind, client.InNamespace(w.namespace))).To(Succeed())
	}
	lists := []client.ObjectList{&hostingv1alpha1.TemplateApplicationList{}, &hostingv1alpha1.VhostList{}, &hostingv1alpha1.TemplateList{}, &hostingv1alpha1.HostingInstanceList{}, &hostingv1alpha1.PaaSInstanceList{}}
	for _, list := range lists {
		Eventually(func() int {
			Expect(k8sClient.List(suiteCtx, list, client.InNamespace(w.namespace))).To(Succeed())
			return meta.LenList(list)
		}).WithTimeout(30*time.Second).Should(BeZero(), "objects of the test were not finalized")
	}
}

func (w *world) stopAll() {
	w.mu.Lock()
	stops := make([]func(), 0, len(w.stops))
	for _, stop := range w.stops {
		stops = append(stops, stop)
	}
	w.mu.Unlock()
	for _, stop := range stops {
		stop()
	}
	w.server.Close()
}

// paasAccount adds the account of a legacy API key (the XML-RPC API's only
// credential) and a Secret "gandi-apikey" holding it.
func (w *world) paasAccount() {
	w.sim.AddAccount(gandisim.Account{Token: paasKey, APIKey: true, User: "bob", Orgs: []gandisim.Org{{ID: paasOrgID, Name: "bob-org", CanBill: true}}})
	w.secret("gandi-apikey", map[string]string{"apikey": paasKey})
}

// restoredWithoutStatus deletes obj as a lost cluster leaves it (its
// finalizers dropped; the caller stops the managers first) and creates it
// again from its metadata and spec, as a restore from a backup without
// status (or a GitOps delete-and-recreate) does: the annotations (the
// records among them), labels and finalizers come back; the status, UID
// and creationTimestamp do not, and the generation starts again at 1.
func restoredWithoutStatus[T client.Object](obj T) T {
	get(obj)
	return restoredWith(obj, obj.GetAnnotations())
}

// restoredWith is restoredWithoutStatus with the annotations of a backup
// taken earlier (records older than lost's).
func restoredWith[T client.Object](lost T, annotations map[string]string) T {
	fields, err := runtime.DefaultUnstructuredConverter.ToUnstructured(lost)
	Expect(err).NotTo(HaveOccurred())
	back, ok := reflect.New(reflect.TypeOf(lost).Elem()).Interface().(T)
	Expect(ok).To(BeTrue())
	Expect(runtime.DefaultUnstructuredConverter.FromUnstructured(map[string]any{"spec": fields["spec"]}, back)).To(Succeed())
	back.SetName(lost.GetName())
	back.SetNamespace(lost.GetNamespace())
	back.SetLabels(lost.GetLabels())
	back.SetAnnotations(annotations)
	back.SetFinalizers(lost.GetFinalizers())
	if len(lost.GetFinalizers()) > 0 {
		lost.SetFinalizers(nil)
		Expect(k8sClient.Update(suiteCtx, lost)).To(Succeed())
	}
	Expect(k8sClient.Delete(suiteCtx, lost)).To(Succeed())
	Eventually(gone(lost)).WithTimeout(eventually).Should(BeTrue())
	Expect(k8sClient.Create(suiteCtx, back)).To(Succeed())
	return back
}

// get reads obj again from the API server.
func get(obj client.Object) client.Object {
	Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(obj), obj)).To(Succeed())
	return obj
}

// dumps keeps, for the suite's final secret check, every object of every
// test as it was before the teardown deleted it.
type dumps struct {
	mu    sync.Mutex
	items []string
}

var objectDumps = &dumps{}

func (d *dumps) add(namespace string) {
	for _, list := range []client.ObjectList{&hostingv1alpha1.HostingInstanceList{}, &hostingv1alpha1.VhostList{}, &hostingv1alpha1.TemplateList{}, &hostingv1alpha1.TemplateApplicationList{}, &hostingv1alpha1.PaaSInstanceList{}} {
		Expect(k8sClient.List(suiteCtx, list, client.InNamespace(namespace))).To(Succeed())
		data, err := json.Marshal(list)
		Expect(err).NotTo(HaveOccurred())
		d.mu.Lock()
		d.items = append(d.items, string(data))
		d.mu.Unlock()
	}
}

func (d *dumps) all() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.items...)
}

// diesAtPatch is a manager wrap standing for the process dying at the
// first metadata patch of an object match accepts: that patch never
// reaches the API server, and the pass blocks until the manager is
// stopped. stopped is closed when it happens.
func diesAtPatch(match func(client.Object) bool) (interceptor.Funcs, <-chan struct{}) {
	stopped := make(chan struct{})
	var once atomic.Bool
	return interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			if match(obj) && once.CompareAndSwap(false, true) {
				close(stopped)
				<-ctx.Done()
				return ctx.Err()
			}
			return c.Patch(ctx, obj, patch, opts...)
		},
	}, stopped
}

// freezesAfterPatch is a manager wrap standing for the process frozen
// (SIGSTOP, a paused VM) right after the first metadata patch of an
// object match accepts (as it stands after that patch) landed: that pass
// blocks until thaw is called (or the manager stops), then goes on as if
// nothing happened. frozen is closed when it freezes; the spec's cleanup
// thaws it.
func freezesAfterPatch(match func(client.Object) bool) (wrap interceptor.Funcs, frozen <-chan struct{}, thaw func()) {
	froze, thawed := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	var thawOnce sync.Once
	thaw = func() { thawOnce.Do(func() { close(thawed) }) }
	DeferCleanup(thaw)
	return interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			err := c.Patch(ctx, obj, patch, opts...)
			if err == nil && match(obj) && once.CompareAndSwap(false, true) {
				close(froze)
				select {
				case <-thawed:
				case <-ctx.Done():
				}
			}
			return err
		},
	}, froze, thaw
}

// pausesAfterPatch is a manager wrap standing for the process paused for d
// (starved, stopped briefly) right after the first metadata patch of an
// object match accepts (as it stands after that patch) landed; the pass
// then goes on.
func pausesAfterPatch(match func(client.Object) bool, d time.Duration) interceptor.Funcs {
	var once atomic.Bool
	return interceptor.Funcs{
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			err := c.Patch(ctx, obj, patch, opts...)
			if err == nil && match(obj) && once.CompareAndSwap(false, true) {
				time.Sleep(d) // the pause itself, not a wait for a condition
			}
			return err
		},
	}
}

// apiWrites counts the manager's writes to the API server of objects of
// type T: creates, updates, patches and deletes, of the object or of a
// subresource (its status). A settled object costs none.
type apiWrites[T client.Object] struct{ n atomic.Int64 }

// wrap is the manager's client interceptor that counts them.
func (a *apiWrites[T]) wrap() interceptor.Funcs {
	count := func(obj client.Object) {
		if _, ok := obj.(T); ok {
			a.n.Add(1)
		}
	}
	return interceptor.Funcs{
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			count(obj)
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			count(obj)
			return c.Update(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			count(obj)
			return c.Patch(ctx, obj, patch, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			count(obj)
			return c.Delete(ctx, obj, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			count(obj)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			count(obj)
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
	}
}

// count is the number of writes so far.
func (a *apiWrites[T]) count() int { return int(a.n.Load()) }
