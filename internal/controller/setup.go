package controller

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// Options configure every controller of the operator.
type Options struct {
	// Gandi is the template of every Gandi client (base URL, rate limit,
	// metrics); each distinct credential gets its own client.
	Gandi gandi.Config
	// PaaSEndpoint is the URL of Gandi's XML-RPC API (PaaS instances);
	// empty: Gandi's. Its clients share Gandi's budget, retries and
	// metrics settings.
	PaaSEndpoint string
	// DefaultSecret is the operator's own token Secret.
	DefaultSecret types.NamespacedName
	// AllowDefaultCredentials lets objects without credentialsRef use it.
	AllowDefaultCredentials bool
	Timing                  Timing
	Controller              KindOptions
	// IPRequestsPerMinute is the request budget of the manager's egress IP,
	// shared fairly by every token (gandi.Budget); Gandi.RequestsPerMinute
	// stays each token's own bound. 0 takes gandi.DefaultIPRequestsPerMinute;
	// negative: no shared budget (each token paced alone).
	IPRequestsPerMinute int
	// Registry receives the poll metrics (the manager's metrics registry
	// when nil).
	Registry prometheus.Registerer
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// WatchNamespaces are the namespaces the manager watches (all when
	// empty), as its cache is restricted to: a read that bypasses the
	// cache stays within them, as RBAC may too.
	WatchNamespaces []string
}

// KindOptions are the per-kind controller settings.
type KindOptions struct {
	MaxConcurrentReconciles int
	// SkipNameValidation allows several managers in one process (tests).
	SkipNameValidation bool
	// MaxBackoff caps the exponential backoff of a failing object
	// (controller-runtime's default grows to 16 minutes); SetupControllers
	// sets it to the poll interval, so that a failing object is never
	// looked at less often than a settled one.
	MaxBackoff time.Duration
}

func (o KindOptions) controller() controller.Options {
	opts := controller.Options{MaxConcurrentReconciles: o.MaxConcurrentReconciles}
	if o.MaxBackoff > 0 {
		opts.RateLimiter = workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, o.MaxBackoff)
	}
	if o.SkipNameValidation {
		opts.SkipNameValidation = &o.SkipNameValidation
	}
	return opts
}

// CacheOptions keep the manager's memory to what it needs: Secrets are
// never cached with their data (reads go to the API server), and the Secret
// watch (see secretWatchCache) receives the metadata of labelled Secrets
// only. namespaces are the watched namespaces (all when empty);
// defaultSecret is the operator's default token Secret, or the zero value
// when objects may not use it.
func CacheOptions(namespaces []string, defaultSecret types.NamespacedName) (cache.Options, client.Options) {
	secretMeta := &metav1.PartialObjectMetadata{}
	secretMeta.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	co := cache.Options{
		// One entry per kind: it configures the typed Secret informer too,
		// should anything ever start one.
		ByObject: map[client.Object]cache.ByObject{secretMeta: secretWatchCache(namespaces, defaultSecret)},
		// Managed fields are never read, and copying them was a fifth of
		// the manager's CPU at 4,000 objects (every list deep-copies).
		DefaultTransform: cache.TransformStripManagedFields(),
	}
	if len(namespaces) > 0 {
		co.DefaultNamespaces = map[string]cache.Config{}
		for _, ns := range namespaces {
			co.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return co, client.Options{Cache: &client.CacheOptions{DisableFor: []client.Object{&corev1.Secret{}}}}
}

// SetupControllers registers every controller of the operator with mgr.
func SetupControllers(mgr ctrl.Manager, o Options) error {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	budgetPerMinute := 0
	if o.IPRequestsPerMinute >= 0 && o.Gandi.Budget == nil {
		// One manager, one egress IP: one budget for every client it makes.
		o.Gandi.Budget = gandi.NewBudget(gandi.BudgetConfig{RequestsPerMinute: o.IPRequestsPerMinute})
	}
	if o.Gandi.Budget != nil {
		budgetPerMinute = o.Gandi.Budget.RequestsPerMinute()
	}
	reg := o.Registry
	if reg == nil {
		reg = metrics.Registry
	}
	pollMetrics := newPollMetrics(reg)
	// One reader of Secrets for every kind: a Secret read by hundreds of
	// objects is fetched once per change, not once per pass.
	secretReader := &SecretReader{API: mgr.GetAPIReader(), Meta: mgr.GetCache()}
	creds := &Credentials{
		Reader:        secretReader,
		Clients:       NewClientCache(o.Gandi),
		DefaultSecret: o.DefaultSecret,
		AllowDefault:  o.AllowDefaultCredentials,
	}
	secrets := &SecretWatch{Client: mgr.GetClient(), DefaultSecret: o.DefaultSecret}
	if o.Controller.MaxBackoff == 0 {
		o.Controller.MaxBackoff = o.Timing.Poll
	}
	observers := &Observers{Poll: o.Timing.Poll, Detail: o.Timing.Detail, Settle: o.Timing.Transitional, Now: now, metrics: newObserverMetrics(reg)}
	base := func(name, kind string) Base {
		return Base{Client: mgr.GetClient(), Credentials: creds, Events: eventRecorder{rec: mgr.GetEventRecorder(name)}, Timing: o.Timing, Observers: observers, Now: now,
			polls: newPollTracker(kind, o.Timing.Poll, budgetPerMinute, now, mgr.GetLogger().WithName("polls"), pollMetrics), free: newFreeChanges(), passwords: newPasswordMemory()}
	}
	// Every kind the Secret watch maps to is indexed by the Secrets it
	// names (see SecretWatch.handlerFor).
	for _, obj := range []client.Object{&hostingv1alpha1.HostingInstance{}, &hostingv1alpha1.Vhost{}, &hostingv1alpha1.Template{}, &hostingv1alpha1.TemplateApplication{}, &hostingv1alpha1.PaaSInstance{}} {
		if err := indexSecretRefs(mgr, obj); err != nil {
			return err
		}
	}
	hi := &HostingInstanceReconciler{Base: base("hostinginstance-controller", "HostingInstance"), Reader: secretReader, Scheme: mgr.GetScheme()}
	if err := hi.SetupWithManager(mgr, o.Controller, secrets); err != nil {
		return fmt.Errorf("set up the HostingInstance controller: %w", err)
	}
	vh := &VhostReconciler{Base: base("vhost-controller", "Vhost")}
	if err := vh.SetupWithManager(mgr, o.Controller, secrets); err != nil {
		return fmt.Errorf("set up the Vhost controller: %w", err)
	}
	tpl := &TemplateReconciler{Base: base("template-controller", "Template")}
	if err := tpl.SetupWithManager(mgr, o.Controller, secrets); err != nil {
		return fmt.Errorf("set up the Template controller: %w", err)
	}
	ta := &TemplateApplicationReconciler{Base: base("templateapplication-controller", "TemplateApplication"), APIReader: mgr.GetAPIReader(), Namespaces: o.WatchNamespaces}
	if err := ta.SetupWithManager(mgr, o.Controller, secrets); err != nil {
		return fmt.Errorf("set up the TemplateApplication controller: %w", err)
	}
	pi := &PaaSInstanceReconciler{Base: base("paasinstance-controller", "PaaSInstance"), Reader: secretReader, PaaS: NewPaaSClients(paasConfig(o))}
	if err := pi.SetupWithManager(mgr, o.Controller, secrets); err != nil {
		return fmt.Errorf("set up the PaaSInstance controller: %w", err)
	}
	return nil
}

// paasConfig is the XML-RPC clients' template, taken from the v5 one: both
// APIs count against the same account and IP, with the same settings.
func paasConfig(o Options) paas.Config {
	return paas.Config{Endpoint: o.PaaSEndpoint, ClientOptions: o.Gandi.ClientOptions}
}
