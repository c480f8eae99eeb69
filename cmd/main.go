// Command manager runs the gandi-operator controllers.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
	"github.com/gandi-operator/gandi-operator/internal/version"
)

// maxExpiryWarningDays bounds --expiry-warning-days at ten years, longer
// than any subscription, so that a slip (minutes or hours typed for days)
// is refused instead of warning about every instance.
const maxExpiryWarningDays = 3660

// config is everything the flags set.
type config struct {
	gandiURL          string
	gandiXMLRPCURL    string
	requestsPerMinute int
	ipPerMinute       int
	defaultSecret     string
	allowDefault      bool
	namespace         string
	// watchNamespacesFlag is --watch-namespaces as given, watchNamespaces
	// the names in it.
	watchNamespacesFlag string
	watchNamespaces     []string
	timing              controller.Timing
	expiryWarningDays   int
	maxConcurrent       int
	leaderElect         bool
	metricsAddr         string
	probeAddr           string
	kubeconfig          string
}

func parseFlags(args []string) (config, zap.Options, error) {
	c := config{timing: controller.DefaultTiming()}
	zopts := zap.Options{}
	fs := newFlagSet(&c, &zopts)
	if err := fs.Parse(args); err != nil {
		return c, zopts, err
	}
	c.watchNamespaces = splitNamespaces(c.watchNamespacesFlag)
	c.timing.ExpiryWarning = time.Duration(c.expiryWarningDays) * controller.Day
	return c, zopts, c.validate()
}

// newFlagSet binds the manager's flags to c (its defaults set) and zopts.
func newFlagSet(c *config, zopts *zap.Options) *flag.FlagSet {
	fs := flag.NewFlagSet("manager", flag.ContinueOnError)
	fs.StringVar(&c.gandiURL, "gandi-api-url", "https://api.gandi.net", "base URL of the Gandi API")
	fs.StringVar(&c.gandiXMLRPCURL, "gandi-xmlrpc-url", paas.DefaultEndpoint, "URL of Gandi's XML-RPC API, which manages PaaS instances")
	fs.IntVar(&c.requestsPerMinute, "gandi-requests-per-minute", 300, "requests per minute per Gandi token, a bound within the IP budget")
	fs.IntVar(&c.ipPerMinute, "gandi-ip-requests-per-minute", gandi.DefaultIPRequestsPerMinute, "requests per minute of this manager (one egress IP) for every token together, shared fairly; Gandi documents 1,000 per minute per IP; 0 turns the shared budget off")
	fs.StringVar(&c.defaultSecret, "default-credentials-secret", "gandi-credentials", "name of the Secret, in the operator's namespace, holding the default Gandi token (key \"token\")")
	fs.BoolVar(&c.allowDefault, "allow-default-credentials", false, "let objects without spec.credentialsRef use the default token Secret")
	fs.StringVar(&c.namespace, "operator-namespace", os.Getenv("POD_NAMESPACE"), "namespace the operator runs in (default: $POD_NAMESPACE)")
	fs.StringVar(&c.watchNamespacesFlag, "watch-namespaces", "", "comma-separated namespaces to watch; empty watches all")
	fs.DurationVar(&c.timing.Poll, "poll-interval", c.timing.Poll, "interval between reconciles of a settled object, to see changes made outside the cluster (above 0)")
	fs.DurationVar(&c.timing.Transitional, "transitional-interval", c.timing.Transitional, "interval while Gandi reports a transitional state (above 0)")
	fs.DurationVar(&c.timing.Usage, "usage-interval", c.timing.Usage, "interval between refreshes of an instance's disk usage (above 0)")
	fs.DurationVar(&c.timing.Detail, "detail-interval", c.timing.Detail, "interval between detail reads of a settled object that Gandi's lists show unchanged (0: a GET per object per poll)")
	fs.DurationVar(&c.timing.CreateGrace, "create-grace", c.timing.CreateGrace, "how long to look for an object whose create answer was lost before creating again, and how long an object that took hold of an instance it has no records of (restored, adopted) waits before its first paid change (above 0)")
	fs.IntVar(&c.expiryWarningDays, "expiry-warning-days", controller.DefaultExpiryWarningDays, "days before its end an instance that will not renew gets the ExpiringSoon condition and a Warning event; 0 turns the warnings off")
	fs.IntVar(&c.maxConcurrent, "max-concurrent-reconciles", 2, "reconciles running at once per kind (at least 1)")
	fs.BoolVar(&c.leaderElect, "leader-elect", false, "elect a leader so that only one replica reconciles at a time")
	fs.StringVar(&c.metricsAddr, "metrics-bind-address", ":8080", "address of the /metrics endpoint (plain HTTP, restricted by the chart's NetworkPolicy); 0 disables it")
	fs.StringVar(&c.probeAddr, "health-probe-bind-address", ":8081", "address of the /healthz and /readyz probes")
	fs.StringVar(&c.kubeconfig, "kubeconfig", "", "kubeconfig file; default: in-cluster config, or $KUBECONFIG")
	zopts.BindFlags(fs)
	return fs
}

// validate refuses at start every value the manager cannot work with, each
// error naming the flag, the value and what is allowed, all of them at
// once. Accepted, such a value was changed or ignored far from the flag: a
// zero requeue is no requeue (a bought instance stayed Creating with
// --transitional-interval=0), controller-runtime runs 0 workers as 1, an
// invalid namespace is watched as nothing, and an invalid Secret or Lease
// name fails on every read.
func (c config) validate() error {
	return errors.Join(append(c.numberErrors(), c.namespaceErrors()...)...)
}

func badValue(flag string, value any, allowed string) error {
	return fmt.Errorf("%s=%v: %s", flag, value, allowed)
}

// numberErrors checks the budgets, intervals and counts, and the Gandi URLs.
func (c config) numberErrors() []error {
	var errs []error
	// Above Gandi's documented 1,000 is allowed (a contract may raise the
	// limit); run warns about it.
	if c.requestsPerMinute <= 0 {
		errs = append(errs, badValue("--gandi-requests-per-minute", c.requestsPerMinute, "must be at least 1"))
	}
	if c.ipPerMinute < 0 {
		errs = append(errs, badValue("--gandi-ip-requests-per-minute", c.ipPerMinute, "must be at least 1, or 0 for no shared budget"))
	}
	for _, f := range [][2]string{{"--gandi-api-url", c.gandiURL}, {"--gandi-xmlrpc-url", c.gandiXMLRPCURL}} {
		if _, err := gandi.ParseEndpoint(f[1]); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f[0], err))
		}
	}
	// A zero grace is no time to look for a create whose answer was lost:
	// the next pass would buy a second instance at once.
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{
		{"--poll-interval", c.timing.Poll},
		{"--transitional-interval", c.timing.Transitional},
		{"--usage-interval", c.timing.Usage},
		{"--create-grace", c.timing.CreateGrace},
	} {
		if d.v <= 0 {
			errs = append(errs, badValue(d.flag, d.v, "must be a duration above 0, such as 30s or 5m"))
		}
	}
	if c.timing.Detail < 0 {
		errs = append(errs, badValue("--detail-interval", c.timing.Detail, "must be a duration above 0, or 0 to read every object's detail at every poll"))
	}
	if c.expiryWarningDays < 0 || c.expiryWarningDays > maxExpiryWarningDays {
		errs = append(errs, badValue("--expiry-warning-days", c.expiryWarningDays, fmt.Sprintf("must be between 0 and %d", maxExpiryWarningDays)))
	}
	if c.maxConcurrent < 1 {
		errs = append(errs, badValue("--max-concurrent-reconciles", c.maxConcurrent, "must be at least 1"))
	}
	return errs
}

// namespaceErrors checks the names of namespaces and of the default token
// Secret with the API server's own rules, and that the namespaces the
// manager needs are given.
func (c config) namespaceErrors() []error {
	var errs []error
	for _, ns := range c.watchNamespaces {
		if msgs := apivalidation.ValidateNamespaceName(ns, false); len(msgs) > 0 {
			errs = append(errs, badValue("--watch-namespaces", strconv.Quote(c.watchNamespacesFlag),
				fmt.Sprintf("%q must be a namespace name: %s", ns, strings.Join(msgs, "; "))))
		}
	}
	if msgs := apivalidation.NameIsDNSSubdomain(c.defaultSecret, false); len(msgs) > 0 {
		errs = append(errs, badValue("--default-credentials-secret", strconv.Quote(c.defaultSecret), "must be a Secret name: "+strings.Join(msgs, "; ")))
	}
	if c.namespace != "" {
		if msgs := apivalidation.ValidateNamespaceName(c.namespace, false); len(msgs) > 0 {
			errs = append(errs, badValue("--operator-namespace", strconv.Quote(c.namespace),
				"must be a namespace name (from the flag or $POD_NAMESPACE): "+strings.Join(msgs, "; ")))
		}
	}
	if c.allowDefault && c.namespace == "" {
		errs = append(errs, errors.New("--allow-default-credentials needs --operator-namespace (or $POD_NAMESPACE): the namespace of the default token Secret"))
	}
	// In a pod controller-runtime finds the Lease's namespace in the
	// service account's files; elsewhere it fails naming its own Go field.
	if c.leaderElect && c.namespace == "" {
		if _, err := os.Stat(serviceAccountNamespaceFile); err != nil {
			errs = append(errs, errors.New("--leader-elect outside a cluster needs --operator-namespace (or $POD_NAMESPACE): the namespace of the leader election Lease"))
		}
	}
	return errs
}

// serviceAccountNamespaceFile is where controller-runtime reads the
// namespace of the leader election Lease when none is given; a variable
// for tests.
var serviceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

// splitNamespaces reads --watch-namespaces, ignoring spaces and empty items.
func splitNamespaces(list string) []string {
	var namespaces []string
	for _, ns := range strings.Split(list, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			namespaces = append(namespaces, ns)
		}
	}
	return namespaces
}

func main() {
	c, zopts, err := parseFlags(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctrl.SetLogger(newLogger(zopts))
	if verbosityLimited(zopts) {
		ctrl.Log.WithName("setup").Info("--zap-log-level is above the highest verbosity written: lines above it are dropped, since client-go logs the API server's answers there, Secret data included",
			"maxVerbosity", controller.MaxLogVerbosity)
	}
	if err := run(c); err != nil {
		ctrl.Log.WithName("setup").Error(err, "manager stopped")
		os.Exit(1)
	}
}

// newLogger is the manager's logger as the flags ask, writing nothing above
// controller.MaxLogVerbosity.
func newLogger(zopts zap.Options) logr.Logger {
	return controller.LimitVerbosity(zap.New(zap.UseFlagOptions(&zopts)))
}

// verbosityLimited says whether --zap-log-level asked for more than
// newLogger writes.
func verbosityLimited(zopts zap.Options) bool {
	return zopts.Level != nil && zopts.Level.Enabled(zapcore.Level(-(controller.MaxLogVerbosity + 1)))
}

func run(c config) error {
	log := ctrl.Log.WithName("setup")
	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(hostingv1alpha1.AddToScheme(scheme))

	namespaces := c.watchNamespaces
	defaultSecret := types.NamespacedName{Namespace: c.namespace, Name: c.defaultSecret}
	// The Secret watch follows the default token Secret only when objects
	// may use it.
	var watchedDefault types.NamespacedName
	if c.allowDefault {
		watchedDefault = defaultSecret
	}
	for flagName, v := range map[string]int{"gandi-requests-per-minute": c.requestsPerMinute, "gandi-ip-requests-per-minute": c.ipPerMinute} {
		if v > documentedIPLimit {
			log.Info("a Gandi budget is above the documented limit of 1,000 requests per minute per IP: Gandi answers 429 unless your contract raises it",
				"flag", "--"+flagName, "value", v)
		}
	}
	cacheOpts, clientOpts := controller.CacheOptions(namespaces, watchedDefault)
	restConfig, err := restConfig(c.kubeconfig)
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(restConfig, ctrl.Options{
		Scheme:                  scheme,
		Cache:                   cacheOpts,
		Client:                  clientOpts,
		Metrics:                 metricsserver.Options{BindAddress: c.metricsAddr},
		HealthProbeBindAddress:  c.probeAddr,
		LeaderElection:          c.leaderElect,
		LeaderElectionID:        "gandi-operator.hosting.gandi-operator.dev",
		LeaderElectionNamespace: c.namespace,
		// A replica that stops hands the lease over at once, and in-flight
		// reconciles get time to finish; the crash-safety annotations cover
		// whatever they could not.
		LeaderElectionReleaseOnCancel: true,
		GracefulShutdownTimeout:       ptr(30 * time.Second),
	})
	if err != nil {
		return fmt.Errorf("create manager: %w", err)
	}
	err = controller.SetupControllers(mgr, controller.Options{
		Gandi: gandi.Config{
			BaseURL: c.gandiURL,
			ClientOptions: gandi.ClientOptions{
				UserAgent:         "gandi-operator/" + version.Version,
				RequestsPerMinute: c.requestsPerMinute,
				Metrics:           gandi.NewMetrics(metrics.Registry),
			},
		},
		PaaSEndpoint:            c.gandiXMLRPCURL,
		IPRequestsPerMinute:     ipBudget(c.ipPerMinute),
		DefaultSecret:           defaultSecret,
		AllowDefaultCredentials: c.allowDefault,
		Timing:                  c.timing,
		Controller:              controller.KindOptions{MaxConcurrentReconciles: c.maxConcurrent},
		WatchNamespaces:         namespaces,
	})
	if err != nil {
		return err
	}
	if err := controller.RegisterObjectMetrics(metrics.Registry, mgr.GetClient()); err != nil {
		return fmt.Errorf("register object metrics: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return fmt.Errorf("add health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return fmt.Errorf("add readiness check: %w", err)
	}
	log.Info("starting manager", "version", version.Version, "gandiAPI", c.gandiURL, "watchNamespaces", namespaces)
	return mgr.Start(ctrl.SetupSignalHandler())
}

// documentedIPLimit is Gandi's documented limit per IP and minute.
const documentedIPLimit = 1000

// ipBudget maps the flag (0: off) to controller.Options (negative: off).
func ipBudget(perMinute int) int {
	if perMinute == 0 {
		return -1
	}
	return perMinute
}

// restConfig finds the cluster (--kubeconfig, else $KUBECONFIG, else
// in-cluster, else ~/.kube/config) and gives every way the same
// client-side limits.
func restConfig(kubeconfig string) (*rest.Config, error) {
	if kubeconfig == "" {
		cfg, err := ctrl.GetConfig()
		if err != nil {
			return nil, fmt.Errorf("find the cluster: %w", err)
		}
		return withClientLimits(cfg), nil
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("read kubeconfig %s: %w", kubeconfig, err)
	}
	return withClientLimits(cfg), nil
}

// withClientLimits gives the API server client the same client-side
// limit whichever way the config was found. controller-runtime disables
// client-go's limiter (QPS -1: the server's API Priority and Fairness
// decides) for what it loads (in-cluster, $KUBECONFIG, ~/.kube/config),
// but a file named by --kubeconfig came without it, at client-go's 5
// requests per second, which made a manager started that way (the demo,
// the e2e test) several times slower than in-cluster.
func withClientLimits(cfg *rest.Config) *rest.Config {
	cfg.QPS, cfg.Burst = clientQPS, clientBurst
	return cfg
}

// clientQPS -1 turns client-go's limiter off; clientBurst is then unused
// but set, so that nothing reads client-go's default of 10.
const (
	clientQPS   = -1
	clientBurst = 30
)

func ptr[T any](v T) *T { return &v }
