// Command scale is the scale benchmark (`make bench-scale`): it runs the
// built manager (bin/manager) and simulator (bin/gandisim) against a local
// control plane (internal/testenv) with N HostingInstances of V Vhosts
// each, and prints what converging and then staying settled cost: Gandi
// requests against their lower bound, API-server requests, wall time,
// the manager's peak RSS and CPU; then the same with S unrelated Secrets
// created beside the objects. It prints figures; it passes or fails
// nothing (a failure to start or to converge is an error).
//
//	KUBEBUILDER_ASSETS=$(hack/control-plane.sh) go run ./test/scale -n 100,1000
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

const (
	token    = "pat_scale-bench-token"
	orgID    = "7d3c1f52-0b7e-4d0e-9a51-5ad3c0b1e001"
	zone     = "bench.example"
	appNS    = "bench"
	systemNS = "gandi-operator-system"
	credName = "gandi-credentials"
)

type options struct {
	sizes        []int
	vhosts       int
	poll         time.Duration
	transitional time.Duration
	settledPolls int
	secrets      int
	perPage      int
	rpm          int
	workers      int
	timeout      time.Duration
	managerBin   string
	simBin       string
	logDir       string
	extraFlags   []string
}

func main() {
	o, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	// envtest logs through controller-runtime.
	ctrllog.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	all := make([]figures, 0, len(o.sizes))
	for _, n := range o.sizes {
		f, err := runOnce(o, n)
		if err != nil {
			fmt.Fprintf(os.Stderr, "scale: N=%d: %v\n", n, err)
			os.Exit(1)
		}
		f.print(os.Stdout)
		all = append(all, f)
	}
	if len(all) > 1 {
		printSummary(os.Stdout, all)
	}
}

func parseFlags() (options, error) {
	o := options{}
	sizes := flag.String("n", "100,1000", "comma-separated numbers of HostingInstances, one run each")
	flag.IntVar(&o.vhosts, "vhosts", 3, "Vhosts per instance")
	flag.DurationVar(&o.poll, "poll", 20*time.Second, "the manager's --poll-interval: settled polls are measured over this")
	flag.DurationVar(&o.transitional, "transitional", time.Second, "the manager's --transitional-interval")
	flag.IntVar(&o.settledPolls, "settled-polls", 2, "poll intervals measured once everything is Ready (and again with the Secrets)")
	flag.IntVar(&o.secrets, "secrets", 10000, "unrelated Secrets created beside the objects for the second measure (0 skips it)")
	flag.IntVar(&o.perPage, "per-page", 100, "the simulator's page size")
	flag.IntVar(&o.rpm, "gandi-rpm", 1000, "the manager's --gandi-requests-per-minute")
	flag.IntVar(&o.workers, "workers", 2, "the manager's --max-concurrent-reconciles")
	flag.DurationVar(&o.timeout, "timeout", 90*time.Minute, "give up converging after this long")
	flag.StringVar(&o.managerBin, "manager", "bin/manager", "the built manager")
	flag.StringVar(&o.simBin, "gandisim", "bin/gandisim", "the built simulator")
	flag.StringVar(&o.logDir, "log-dir", "", "keep the processes' logs here (default: a temporary directory, removed)")
	extra := flag.String("manager-flags", "", "extra manager flags, space-separated")
	flag.Parse()
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			return o, fmt.Errorf("-n: %q is not a positive number", s)
		}
		o.sizes = append(o.sizes, n)
	}
	o.extraFlags = strings.Fields(*extra)
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return o, testenv.ErrNoAssets
	}
	return o, nil
}

// figures are one run's results.
type figures struct {
	n, objects, vhosts, perPage int
	poll                        time.Duration

	convergeWall     time.Duration
	convergeGandi    int
	convergeWrites   int
	convergeAPI      int // every request of the manager, events included
	convergeEvents   int // of which events the recorder posted
	convergeAPIBreak map[string]int
	convergeCPU      time.Duration
	// eventsByKind counts the events stored after the settled polls, by
	// the kind they regard and their reason: what the recorder's requests
	// left (client-go drops events its queue cannot hold).
	eventsByKind    map[string]int
	convergeByRoute map[string]int

	settled        settled
	settledSecrets settled

	secrets    int
	secretsCPU time.Duration
	secretsAPI int

	peakRSSKiB        int
	peakRSSSecretsKiB int
}

// settled is what the settled polls cost.
type settled struct {
	measured      bool
	window        time.Duration
	gandi         int
	gandiWrites   int
	reconciles    int
	api           int
	apiWrites     int
	secretGETs    int
	cpu           time.Duration
	gandiByRoute  map[string]int
	apiByResource map[string]int
}

// bound is the fewest Gandi requests a poll of every object needs: the
// instance pages, one vhost list per instance (no templates here).
func (f figures) bound() int {
	return int(math.Ceil(float64(f.n)/float64(f.perPage))) + f.n
}

func (f figures) print(w io.Writer) {
	pf(w, "\n== N=%d instances, %d vhosts each: %d objects (poll %s) ==\n", f.n, f.vhosts, f.objects, f.poll)
	pf(w, "converge: wall %s to all Ready\n", f.convergeWall.Round(100*time.Millisecond))
	cb := 9 * f.n
	pf(w, "converge: Gandi requests %d (writes %d); bound %d (9 per instance); ratio %.2f\n", f.convergeGandi, f.convergeWrites, cb, float64(f.convergeGandi)/float64(cb))
	pf(w, "converge: Gandi by route [%s]\n", breakdown(f.convergeByRoute))
	pf(w, "converge: API-server requests %d = %.2f per object: reconcilers %.2f + events %.2f  [%s]\n", f.convergeAPI,
		f.perObject(f.convergeAPI), f.perObject(f.convergeAPI-f.convergeEvents), f.perObject(f.convergeEvents), breakdown(f.convergeAPIBreak))
	pf(w, "events stored, by kind and reason: [%s]\n", breakdown(f.eventsByKind))
	pf(w, "converge: manager CPU %s = %.1f ms per object\n", f.convergeCPU.Round(time.Millisecond), ms(f.convergeCPU)/float64(f.objects))
	pf(w, "peak RSS after converging and settled polls: %.1f MiB\n", float64(f.peakRSSKiB)/1024)
	f.printSettled(w, "settled", f.settled)
	if f.secrets > 0 {
		pf(w, "%d Secrets created beside the objects: manager CPU %s (%.2f ms per Secret); API-server requests by the manager %d\n",
			f.secrets, f.secretsCPU.Round(time.Millisecond), ms(f.secretsCPU)/float64(f.secrets), f.secretsAPI)
		f.printSettled(w, fmt.Sprintf("settled, %d Secrets", f.secrets), f.settledSecrets)
		pf(w, "peak RSS with %d Secrets: %.1f MiB\n", f.secrets, float64(f.peakRSSSecretsKiB)/1024)
	}
}

func (f figures) perObject(n int) float64 { return float64(n) / float64(f.objects) }

func (f figures) printSettled(w io.Writer, label string, s settled) {
	if !s.measured {
		return
	}
	// Per object per poll, counted per reconcile (each settled object is
	// reconciled once per poll, however long the rate limit stretches the
	// poll), and per poll interval of wall time.
	polls := s.window.Seconds() / f.poll.Seconds()
	perReconcile := float64(s.gandi) / float64(max(s.reconciles, 1))
	perWindow := float64(s.gandi) / (float64(f.objects) * polls)
	b := float64(f.bound()) / float64(f.objects)
	pf(w, "%s: %d Gandi requests (writes %d) over %s (%.1f polls), %d reconciles\n", label, s.gandi, s.gandiWrites, s.window.Round(time.Second), polls, s.reconciles)
	pf(w, "%s: Gandi requests per object per poll %.3f (per reconcile) / %.3f (per poll interval); bound %.3f (%d per poll); ratio %.2f\n",
		label, perReconcile, perWindow, b, f.bound(), perReconcile/b)
	pf(w, "%s: API-server requests per object per poll %.3f (writes %d, Secret GETs %d = %.3f per object per poll)  [%s]\n",
		label, float64(s.api)/(float64(f.objects)*polls), s.apiWrites, s.secretGETs, float64(s.secretGETs)/(float64(f.objects)*polls), breakdown(s.apiByResource))
	pf(w, "%s: manager CPU %s = %.2f ms per object per poll\n", label, s.cpu.Round(time.Millisecond), ms(s.cpu)/(float64(f.objects)*polls))
	pf(w, "%s: Gandi by route [%s]\n", label, breakdown(s.gandiByRoute))
}

func printSummary(w io.Writer, all []figures) {
	pf(w, "\n== summary =="+"\n")
	pf(w, "| N | objects | converge wall | Gandi to converge (ratio to 9/inst) | API req/object to converge (reconcilers + events) | settled Gandi req/object/poll (ratio) | Secret GETs/object/poll | peak RSS | CPU ms/object | 10k Secrets CPU | peak RSS w/ Secrets |"+"\n")
	pf(w, "|---|---|---|---|---|---|---|---|---|---|---|"+"\n")
	for _, f := range all {
		s := f.settled
		per := float64(s.gandi) / float64(max(s.reconciles, 1))
		polls := s.window.Seconds() / f.poll.Seconds()
		pf(w, "| %d | %d | %s | %d (%.2f×) | %.2f (%.2f + %.2f) | %.3f (%.2f×) | %.3f | %.0f MiB | %.1f | %s | %.0f MiB |\n",
			f.n, f.objects, f.convergeWall.Round(time.Second), f.convergeGandi, float64(f.convergeGandi)/float64(9*f.n),
			f.perObject(f.convergeAPI), f.perObject(f.convergeAPI-f.convergeEvents), f.perObject(f.convergeEvents), per, per/(float64(f.bound())/float64(f.objects)),
			float64(s.secretGETs)/(float64(f.objects)*polls), float64(f.peakRSSKiB)/1024,
			ms(f.convergeCPU)/float64(f.objects), f.secretsCPU.Round(100*time.Millisecond), float64(f.peakRSSSecretsKiB)/1024)
	}
}

// pf prints to the report; a report that cannot be written has nowhere
// to say so.
func pf(w io.Writer, format string, a ...any) { _, _ = fmt.Fprintf(w, format, a...) }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func breakdown(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range m {
		if v > 0 {
			kvs = append(kvs, kv{k, v})
		}
	}
	for i := range kvs { // a few entries: insertion sort, largest first
		for j := i; j > 0 && kvs[j].v > kvs[j-1].v; j-- {
			kvs[j], kvs[j-1] = kvs[j-1], kvs[j]
		}
	}
	parts := make([]string, 0, len(kvs))
	for _, e := range kvs {
		parts = append(parts, fmt.Sprintf("%s %d", e.k, e.v))
	}
	return strings.Join(parts, ", ")
}

// run is one benchmark run: its processes and clients.
type run struct {
	o          options
	dir        string
	cp         *testenv.ControlPlane
	c          client.Client
	raw        *http.Client // the admin's HTTP client, for the API server's /metrics
	apiHost    string
	own        *requestCounter // the benchmark's own API-server requests
	simURL     string
	metricsURL string
	manager    *exec.Cmd
	procs      []*exec.Cmd
}

func runOnce(o options, n int) (f figures, err error) {
	f = figures{n: n, vhosts: o.vhosts, objects: n * (1 + o.vhosts), perPage: o.perPage, poll: o.poll}
	dir := o.logDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "scale-"); err != nil {
			return f, err
		}
		defer func() { _ = os.RemoveAll(dir) }()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return f, err
	}
	r := &run{o: o, dir: dir, own: newRequestCounter()}
	defer r.stop()
	if err := r.start(); err != nil {
		return f, err
	}
	ctx := context.Background()

	// Converge: from before the first object is created to all Ready. The
	// manager works while the objects are created, so a window opened
	// after that would miss its first writes (and their CPU).
	api0, err := r.apiCounts(ctx)
	if err != nil {
		return f, err
	}
	cpu0, err := procCPU(r.manager.Process.Pid)
	if err != nil {
		return f, err
	}
	t0 := time.Now()
	if err := r.createObjects(ctx, n); err != nil {
		return f, err
	}
	fmt.Fprintf(os.Stderr, "scale: N=%d: %d objects created in %s; waiting for all Ready\n", n, f.objects, time.Since(t0).Round(100*time.Millisecond))
	if err := r.waitReady(ctx, f.objects, t0); err != nil {
		return f, err
	}
	f.convergeWall = time.Since(t0)
	cpu1, _ := procCPU(r.manager.Process.Pid)
	f.convergeCPU = cpu1 - cpu0
	sim, err := r.simCounters(ctx)
	if err != nil {
		return f, err
	}
	f.convergeGandi, f.convergeWrites, f.convergeByRoute = sim.total(), sim.Writes, sim.Requests
	api1, err := r.apiCounts(ctx)
	if err != nil {
		return f, err
	}
	managerAPI := r.managerDelta(api0, api1)
	f.convergeAPI, f.convergeAPIBreak = managerAPI.total(), managerAPI.byResource()
	f.convergeEvents = managerAPI.of("events")
	fmt.Fprintf(os.Stderr, "scale: N=%d: all Ready after %s\n", n, f.convergeWall.Round(time.Second))

	if f.settled, err = r.measureSettled(ctx); err != nil {
		return f, err
	}
	if f.eventsByKind, err = r.eventCensus(ctx); err != nil {
		return f, err
	}
	if f.peakRSSKiB, err = procHWM(r.manager.Process.Pid); err != nil {
		return f, err
	}
	if o.secrets > 0 {
		f.secrets = o.secrets
		if f.secretsCPU, f.secretsAPI, err = r.createSecrets(ctx, o.secrets); err != nil {
			return f, err
		}
		if f.settledSecrets, err = r.measureSettled(ctx); err != nil {
			return f, err
		}
		if f.peakRSSSecretsKiB, err = procHWM(r.manager.Process.Pid); err != nil {
			return f, err
		}
	}
	return f, nil
}

func (r *run) start() error {
	cp, err := testenv.StartWithCRDs()
	if err != nil {
		return err
	}
	r.cp = cp
	kubeconfig := filepath.Join(r.dir, "admin.kubeconfig")
	if err := cp.AdminKubeconfig("scale-admin", kubeconfig); err != nil {
		return err
	}
	sch, err := testenv.Scheme()
	if err != nil {
		return err
	}
	cfg := rest.CopyConfig(cp.Config)
	cfg.QPS, cfg.Burst = 500, 1000
	r.raw, err = rest.HTTPClientFor(cfg)
	if err != nil {
		return err
	}
	r.apiHost = strings.TrimSuffix(cfg.Host, "/")
	counted := rest.CopyConfig(cfg)
	counted.Wrap(r.own.wrap)
	if r.c, err = client.New(counted, client.Options{Scheme: sch}); err != nil {
		return err
	}
	if err := r.startSimulator(); err != nil {
		return err
	}
	ctx := context.Background()
	for _, ns := range []string{appNS, systemNS} {
		if err := r.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			return fmt.Errorf("create namespace %s: %w", ns, err)
		}
	}
	// Labelled, as the README asks of a credentials Secret the operator
	// should follow at once.
	if err := r.c.Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: credName, Namespace: appNS, Labels: map[string]string{hostingv1alpha1.LabelWatch: hostingv1alpha1.LabelWatchValue}},
		StringData: map[string]string{"token": token},
	}); err != nil {
		return fmt.Errorf("create the credentials Secret: %w", err)
	}
	return r.startManager(kubeconfig)
}

func (r *run) startSimulator() error {
	seed := filepath.Join(r.dir, "seed.yaml")
	data := fmt.Sprintf("accounts:\n- token: %s\n  user: scale\n  orgs: [{id: %s, name: scale-org, can_bill: true}]\ndomains:\n- {org: %s, fqdn: %s}\n", token, orgID, orgID, zone)
	if err := os.WriteFile(seed, []byte(data), 0o600); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	r.simURL = "http://" + addr
	if _, err := r.spawn(r.o.simBin, "gandisim", "-listen", addr, "-seed", seed, "-fast", "-per-page", strconv.Itoa(r.o.perPage)); err != nil {
		return err
	}
	return waitHTTP(r.simURL + "/_sim/counters")
}

func (r *run) startManager(kubeconfig string) error {
	metrics, err := freeAddr()
	if err != nil {
		return err
	}
	probes, err := freeAddr()
	if err != nil {
		return err
	}
	r.metricsURL = "http://" + metrics + "/metrics"
	args := append([]string{
		"--kubeconfig", kubeconfig,
		"--gandi-api-url", r.simURL,
		"--operator-namespace", systemNS,
		"--metrics-bind-address", metrics,
		"--health-probe-bind-address", probes,
		"--poll-interval", r.o.poll.String(),
		"--transitional-interval", r.o.transitional.String(),
		"--gandi-requests-per-minute", strconv.Itoa(r.o.rpm),
		"--max-concurrent-reconciles", strconv.Itoa(r.o.workers),
		"--zap-encoder", "json",
		"--zap-log-level", "info",
	}, r.o.extraFlags...)
	if r.manager, err = r.spawn(r.o.managerBin, "manager", args...); err != nil {
		return err
	}
	return waitHTTP("http://" + probes + "/readyz")
}

func (r *run) spawn(bin, name string, args ...string) (*exec.Cmd, error) {
	logf, err := os.OpenFile(filepath.Join(r.dir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(context.Background(), bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		return nil, fmt.Errorf("start %s (%s; run `make build`): %w", name, bin, err)
	}
	r.procs = append(r.procs, cmd)
	go func() { _ = cmd.Wait(); _ = logf.Close() }()
	return cmd, nil
}

func (r *run) stop() {
	for i := len(r.procs) - 1; i >= 0; i-- {
		p := r.procs[i].Process
		_ = p.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() {
			for {
				if err := p.Signal(syscall.Signal(0)); err != nil {
					close(done)
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = p.Kill()
		}
	}
	if r.cp != nil {
		_ = r.cp.Stop()
	}
}

func (r *run) createObjects(ctx context.Context, n int) error {
	objs := make([]client.Object, 0, (1+r.o.vhosts)*n)
	for i := range n {
		name := fmt.Sprintf("site-%04d", i)
		objs = append(objs, &hostingv1alpha1.HostingInstance{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: appNS},
			Spec: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: hostingv1alpha1.ManagedFields{CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: credName}},
				Location:      "FR",
				Size:          "starter",
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.1"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql"},
				},
				DurationMonths: 1,
			},
		})
		for j := range r.o.vhosts {
			objs = append(objs, &hostingv1alpha1.Vhost{
				ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%s-www-%d", name, j), Namespace: appNS},
				Spec: hostingv1alpha1.VhostSpec{
					FQDN:        fmt.Sprintf("www-%d.%s.%s", j, name, zone),
					InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: name},
				},
			})
		}
	}
	return parallel(len(objs), 8, func(i int) error {
		if err := r.c.Create(ctx, objs[i]); err != nil {
			return fmt.Errorf("create %s: %w", objs[i].GetName(), err)
		}
		return nil
	})
}

// createSecrets creates count unlabelled Secrets in the objects' namespace
// and returns the manager CPU they cost, counted until the manager is idle
// again, and the API-server requests it sent meanwhile.
func (r *run) createSecrets(ctx context.Context, count int) (time.Duration, int, error) {
	pid := r.manager.Process.Pid
	api0, err := r.apiCounts(ctx)
	if err != nil {
		return 0, 0, err
	}
	cpu0, err := procCPU(pid)
	if err != nil {
		return 0, 0, err
	}
	fmt.Fprintf(os.Stderr, "scale: creating %d Secrets\n", count)
	err = parallel(count, 8, func(i int) error {
		s := &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("unrelated-%05d", i), Namespace: appNS,
				// Labelled: the worst case, Secrets the Secret watch receives.
				Labels: map[string]string{hostingv1alpha1.LabelWatch: hostingv1alpha1.LabelWatchValue, "app": "unrelated"}},
			StringData: map[string]string{"password": fmt.Sprintf("not-a-gandi-secret-%d", i)},
		}
		return r.c.Create(ctx, s)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("create Secrets: %w", err)
	}
	// The manager has handled the events when its CPU use falls back to
	// what a settled poll costs: two quiet seconds in a row.
	if err := waitIdle(pid); err != nil {
		return 0, 0, err
	}
	cpu1, err := procCPU(pid)
	if err != nil {
		return 0, 0, err
	}
	api1, err := r.apiCounts(ctx)
	if err != nil {
		return 0, 0, err
	}
	return cpu1 - cpu0, r.managerDelta(api0, api1).total(), nil
}

// waitIdle waits until the process used under 10% of a core for two
// consecutive seconds.
func waitIdle(pid int) error {
	quiet := 0
	prev, err := procCPU(pid)
	if err != nil {
		return err
	}
	for quiet < 2 {
		time.Sleep(time.Second)
		cur, err := procCPU(pid)
		if err != nil {
			return err
		}
		if cur-prev < 100*time.Millisecond {
			quiet++
		} else {
			quiet = 0
		}
		prev = cur
	}
	return nil
}

func (r *run) waitReady(ctx context.Context, want int, t0 time.Time) error {
	last := time.Now()
	for {
		ready, err := r.countReady(ctx)
		if err != nil {
			return err
		}
		if ready == want {
			return nil
		}
		if time.Since(t0) > r.o.timeout {
			return fmt.Errorf("%d of %d objects Ready after %s", ready, want, r.o.timeout)
		}
		if time.Since(last) > 30*time.Second {
			fmt.Fprintf(os.Stderr, "scale: %d/%d Ready after %s\n", ready, want, time.Since(t0).Round(time.Second))
			last = time.Now()
		}
		time.Sleep(2 * time.Second)
	}
}

func (r *run) countReady(ctx context.Context) (int, error) {
	n := 0
	his := &hostingv1alpha1.HostingInstanceList{}
	if err := r.c.List(ctx, his, client.InNamespace(appNS)); err != nil {
		return 0, err
	}
	for i := range his.Items {
		if isReady(his.Items[i].Status.Conditions) {
			n++
		}
	}
	vhs := &hostingv1alpha1.VhostList{}
	if err := r.c.List(ctx, vhs, client.InNamespace(appNS)); err != nil {
		return 0, err
	}
	for i := range vhs.Items {
		if isReady(vhs.Items[i].Status.Conditions) {
			n++
		}
	}
	return n, nil
}

func isReady(conds []metav1.Condition) bool {
	for _, c := range conds {
		if c.Type == hostingv1alpha1.ConditionReady {
			return c.Status == metav1.ConditionTrue
		}
	}
	return false
}

// measureSettled counts what settled.poll intervals cost, from one poll
// interval after the call (the requeues of converging objects are spent).
func (r *run) measureSettled(ctx context.Context) (settled, error) {
	var s settled
	if r.o.settledPolls <= 0 {
		return s, nil
	}
	fmt.Fprintf(os.Stderr, "scale: measuring %d settled polls of %s\n", r.o.settledPolls, r.o.poll)
	time.Sleep(r.o.poll)
	pid := r.manager.Process.Pid
	sim0, err := r.simCounters(ctx)
	if err != nil {
		return s, err
	}
	api0, err := r.apiCounts(ctx)
	if err != nil {
		return s, err
	}
	rec0, err := r.reconciles()
	if err != nil {
		return s, err
	}
	cpu0, err := procCPU(pid)
	if err != nil {
		return s, err
	}
	t0 := time.Now()
	time.Sleep(time.Duration(r.o.settledPolls) * r.o.poll)
	s.window = time.Since(t0)
	cpu1, _ := procCPU(pid)
	rec1, err := r.reconciles()
	if err != nil {
		return s, err
	}
	sim1, err := r.simCounters(ctx)
	if err != nil {
		return s, err
	}
	api1, err := r.apiCounts(ctx)
	if err != nil {
		return s, err
	}
	d := r.managerDelta(api0, api1)
	s.measured = true
	s.cpu = cpu1 - cpu0
	s.reconciles = rec1 - rec0
	s.gandi = sim1.total() - sim0.total()
	s.gandiWrites = sim1.Writes - sim0.Writes
	s.gandiByRoute = map[string]int{}
	for k, v := range sim1.Requests {
		s.gandiByRoute[k] = v - sim0.Requests[k]
	}
	s.api = d.total()
	s.apiWrites = d.writes()
	s.secretGETs = d[apiKey{verb: "GET", resource: "secrets"}]
	s.apiByResource = d.byResource()
	return s, nil
}

// simCountersView is what GET /_sim/counters answers that is used here.
type simCountersView struct {
	Requests map[string]int `json:"requests"`
	Writes   int            `json:"writes"`
}

func (v simCountersView) total() int {
	t := 0
	for k, n := range v.Requests {
		if !strings.Contains(k, "/_sim/") {
			t += n
		}
	}
	return t
}

func (r *run) simCounters(ctx context.Context) (simCountersView, error) {
	var v simCountersView
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.simURL+"/_sim/counters", nil)
	if err != nil {
		return v, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return v, fmt.Errorf("simulator counters: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		return v, fmt.Errorf("decode simulator counters: %w", err)
	}
	return v, nil
}

// reconciles sums controller_runtime_reconcile_total over controllers
// and results, from the manager's /metrics.
func (r *run) reconciles() (int, error) {
	res, err := http.Get(r.metricsURL) //nolint:noctx // a local probe
	if err != nil {
		return 0, fmt.Errorf("manager metrics: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	total := 0.0
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "controller_runtime_reconcile_total{") {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil {
			total += v
		}
	}
	return int(total), sc.Err()
}

// apiKey is one series of apiserver_request_total, reduced to what the
// benchmark tells apart.
type apiKey struct {
	verb, resource, subresource string
}

type apiCounts map[apiKey]int

func (c apiCounts) total() int {
	t := 0
	for _, v := range c {
		t += v
	}
	return t
}

// eventCensus counts the events of the objects' namespace by the kind
// they regard and their reason.
func (r *run) eventCensus(ctx context.Context) (map[string]int, error) {
	evs := &corev1.EventList{}
	if err := r.c.List(ctx, evs, client.InNamespace(appNS)); err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	m := map[string]int{}
	for _, e := range evs.Items {
		m[e.InvolvedObject.Kind+" "+e.Reason]++
	}
	return m, nil
}

// of counts the requests on one resource.
func (c apiCounts) of(resource string) int {
	t := 0
	for k, v := range c {
		if k.resource == resource {
			t += v
		}
	}
	return t
}

func (c apiCounts) writes() int {
	t := 0
	for k, v := range c {
		switch k.verb {
		case "GET", "LIST", "WATCH":
		default:
			t += v
		}
	}
	return t
}

func (c apiCounts) byResource() map[string]int {
	m := map[string]int{}
	for k, v := range c {
		name := k.verb + " " + k.resource
		if k.subresource != "" {
			name += "/" + k.subresource
		}
		m[name] += v
	}
	return m
}

// managerResources are what the manager reads and writes; the API
// server's own requests (leases, flow control…) are left out.
var managerResources = map[string]bool{
	"hostinginstances": true, "vhosts": true, "templates": true, "templateapplications": true,
	"secrets": true, "events": true,
}

// reading is the API server's request count at one moment, and the
// benchmark's own requests counted by then.
type reading struct {
	api, own apiCounts
}

// apiCounts reads apiserver_request_total from the API server's /metrics.
func (r *run) apiCounts(ctx context.Context) (reading, error) {
	own := r.own.snapshot()
	api, err := r.readAPIMetrics(ctx)
	return reading{api: api, own: own}, err
}

func (r *run) readAPIMetrics(ctx context.Context) (apiCounts, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.apiHost+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	res, err := r.raw.Do(req)
	if err != nil {
		return nil, fmt.Errorf("API server metrics: %w", err)
	}
	defer func() { _ = res.Body.Close() }()
	out := apiCounts{}
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "apiserver_request_total{") {
			continue
		}
		end := strings.LastIndexByte(line, '}')
		labels := parseLabels(line[len("apiserver_request_total{"):end])
		if !managerResources[labels["resource"]] {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64)
		if err != nil {
			continue
		}
		out[apiKey{verb: labels["verb"], resource: labels["resource"], subresource: labels["subresource"]}] += int(v)
	}
	return out, sc.Err()
}

func parseLabels(s string) map[string]string {
	m := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if ok {
			m[k] = strings.Trim(v, `"`)
		}
	}
	return m
}

// managerDelta is the API server's count between two readings less the
// benchmark's own requests in that time.
func (r *run) managerDelta(a, b reading) apiCounts {
	d := apiCounts{}
	for k, v := range b.api {
		if n := v - a.api[k] - (b.own[k] - a.own[k]); n != 0 {
			d[k] = n
		}
	}
	return d
}

// requestCounter counts the benchmark's own API-server requests, keyed as
// apiserver_request_total keys them, so they can be taken off the API
// server's count.
type requestCounter struct {
	mu   sync.Mutex
	seen apiCounts
}

func newRequestCounter() *requestCounter {
	return &requestCounter{seen: apiCounts{}}
}

func (c *requestCounter) wrap(rt http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		c.mu.Lock()
		c.seen[keyOf(req)]++
		c.mu.Unlock()
		return rt.RoundTrip(req)
	})
}

func (c *requestCounter) snapshot() apiCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.seen)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// keyOf names a request as apiserver_request_total does: GET of a
// collection is LIST, the resource is the path segment after the version
// (and namespace).
func keyOf(req *http.Request) apiKey {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	// api/v1/... or apis/group/version/...
	if len(parts) > 0 && parts[0] == "apis" {
		parts = parts[min(3, len(parts)):]
	} else {
		parts = parts[min(2, len(parts)):]
	}
	if len(parts) >= 2 && parts[0] == "namespaces" && len(parts) > 2 {
		parts = parts[2:]
	}
	k := apiKey{verb: req.Method}
	if len(parts) > 0 {
		k.resource = parts[0]
	}
	if len(parts) > 2 {
		k.subresource = parts[2]
	}
	if req.Method == http.MethodGet && len(parts) == 1 {
		k.verb = "LIST"
		if req.URL.Query().Get("watch") == "true" {
			k.verb = "WATCH"
		}
	}
	return k
}

// procCPU is the user and system CPU time the process used.
func procCPU(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	s := string(data)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// utime and stime are fields 14 and 15 of stat, 12 and 13 here.
	if len(fields) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseInt(fields[11], 10, 64)
	st, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

// procHWM is the process's peak resident set (VmHWM), in KiB.
func procHWM(pid int) (int, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

func parallel(n, workers int, fn func(int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func freeAddr() (string, error) {
	l, err := (&net.ListenConfig{}).Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = l.Close() }()
	return l.Addr().String(), nil
}

func waitHTTP(url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, err := http.Get(url) //nolint:noctx // a local probe
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = errors.New(res.Status)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not up: %w", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
