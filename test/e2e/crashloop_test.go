//go:build e2e

package e2e

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/gomega"

	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// The crash loop's workload and how hard it is hit.
const (
	crashNS         = "crash"
	crashInstances  = 20 // and as many Vhosts, one on each
	crashTemplates  = 5  // and as many TemplateApplications, one per domain
	crashPaaS       = 5  // PaaSInstances, each with a vhost and a renewal
	crashKills      = 40
	crashPOSTDelay  = 400 * time.Millisecond // latency of every POST while the manager is being killed
	crashMinKill    = 100 * time.Millisecond
	crashMaxKill    = 1500 * time.Millisecond
	crashConverge   = 180 * time.Second
	crashSeedEnvVar = "E2E_CRASH_SEED"
)

// crashManagerFlags: fifty objects polled every 2 s (the other e2e's
// interval) would keep the manager's Kubernetes client, throttled to
// client-go's default 5 requests/s under --kubeconfig, busy with settled
// objects; polling settled objects plays no part here.
var crashManagerFlags = []string{"--poll-interval", "30s"}

// crashPOSTs are slowed down so that kills land while they are in flight:
// every POST that creates or applies something at Gandi.
var crashPOSTs = []string{gandisim.RouteCreateInstance, gandisim.RouteCreateVhost, gandisim.RouteCreateTemplate, gandisim.RouteApplyTemplate,
	gandisim.XMLRPCRoute("paas.create"), gandisim.XMLRPCRoute("paas.renew"), gandisim.XMLRPCRoute("paas.vhost.create")}

// TestCrashLoop SIGKILLs the built manager at random moments, biased to land
// while a (slowed) POST is in flight, at least crashKills times while it
// creates 20 HostingInstances (with a password), 20 Vhosts, 5 Templates and
// 5 TemplateApplications, then lets it converge and checks that nothing was
// done twice and nothing was skipped: exactly 20 paid creates, one vhost per
// FQDN, one template per name, every TemplateApplication applied at least
// once and Ready only once a dispatch was seen done, and no password sent
// again after the create.
//
// The kill moments come from a seeded math/rand; set E2E_CRASH_SEED to the
// seed a run printed to replay its kill schedule (the interleaving with the
// manager's own timing is not replayed exactly).
func TestCrashLoop(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnvVar); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s=%q: %v", crashSeedEnvVar, s, err)
		}
	}
	t.Logf("crash loop seed %d (replay with %s=%d)", seed, crashSeedEnvVar, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	e := start(t)
	e.install(t)
	domains := make([]map[string]any, crashTemplates, crashTemplates+1)
	for i := range domains {
		domains[i] = map[string]any{"org": orgID, "fqdn": crashDomain(i)}
	}
	// The vhosts' zone, held at LiveDNS: Gandi validates their ownership at once.
	domains = append(domains, map[string]any{"org": orgID, "fqdn": "crash.example.net"})
	e.simControl(t, http.MethodPost, "/_sim/seed", map[string]any{"domains": domains})
	e.kubectl(t, "create", "namespace", crashNS)
	e.kubectl(t, "-n", crashNS, "create", "secret", "generic", "gandi-credentials", "--from-literal=token="+token)
	e.kubectl(t, "-n", crashNS, "create", "secret", "generic", "crash-password", "--from-literal=password=crash-password-1")
	e.kubectl(t, "-n", crashNS, "create", "secret", "generic", "gandi-apikey", "--from-literal=apikey="+apiKey)

	// Watched from before the manager first runs, so that no Ready goes
	// unseen.
	watch := e.watchTemplateApplications(t, crashNS)
	e.startManager(t, crashManagerFlags...)
	for _, route := range crashPOSTs {
		e.simFault(t, map[string]any{"route": route, "kind": "latency", "latency_ms": crashPOSTDelay.Milliseconds()})
	}
	e.kubectlStdin(t, crashObjects(), "-n", crashNS, "apply", "-f", "-")

	began := time.Now()
	inFlight := 0
	for range crashKills {
		if e.waitForKill(t, rng) {
			inFlight++
		}
		e.killManager(t)
		e.startManager(t, crashManagerFlags...)
	}
	e.simClearFaults(t)
	killed := time.Since(began)
	t.Logf("%d SIGKILLs in %s, %d of them while a POST was in flight", crashKills, killed.Round(time.Millisecond), inFlight)

	var renewals map[string]string
	converged := t.Run("everything becomes Ready", func(t *testing.T) {
		e.kubectl(t, "-n", crashNS, "wait", "--for=condition=Ready", "hostinginstances,vhosts,templates,templateapplications,paasinstances", "--all",
			fmt.Sprintf("--timeout=%ds", int(crashConverge.Seconds())))
		// A renewal is done when Gandi shows the end date moved, which may
		// take the create grace period after a kill. One killed between its
		// record and Gandi's answer may never have been sent: it is never
		// sent again on the operator's own (it may be paid), and ends
		// ActionUnconfirmed until a person asks again (below).
		renewals = e.waitRenewals(t, "r1")
	})
	t.Logf("converged=%v in %s after the last kill", converged, (time.Since(began) - killed).Round(time.Millisecond))
	if !converged {
		t.Logf("objects not Ready:\n%s", e.notReady(t, crashNS))
	}

	// Every check runs, whatever the others found: together they are the
	// report of the run.
	var st crashState
	e.simGet(t, "/_sim/state", &st)
	c := e.crashCounters(t)
	tas := e.templateApplications(t, crashNS)
	sum := summarize(st, tas, watch.result())

	t.Run("exactly 20 paid creates", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(c.PaidCreates).To(Equal(crashInstances))
		g.Expect(sum.instancesByName).To(HaveLen(crashInstances))
		g.Expect(slices.Collect(maps.Values(sum.instancesByName))).To(HaveEach(1), "instances per name at Gandi: %v", sum.instancesByName)
	})
	t.Run("one vhost per FQDN", func(t *testing.T) {
		g := NewWithT(t)
		want := map[string]int{}
		for i := range crashInstances {
			want[crashVhost(i)] = 1
		}
		g.Expect(sum.vhostsByFQDN).To(Equal(want))
	})
	t.Run("one template per name", func(t *testing.T) {
		g := NewWithT(t)
		want := map[string]int{}
		for i := range crashTemplates {
			want[crashTemplate(i)] = 1
		}
		g.Expect(sum.templatesByName).To(Equal(want))
	})
	t.Run("every TemplateApplication applied at least once", func(t *testing.T) {
		g := NewWithT(t)
		for i := range crashTemplates {
			g.Expect(sum.applies).To(HaveKeyWithValue(crashTemplate(i)+"@"+crashDomain(i), BeNumerically(">=", 1)), "dispatches per template@domain: %v", sum.applies)
		}
	})
	t.Run("TemplateApplications Ready only after a dispatch was seen done", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(sum.watchErr).NotTo(HaveOccurred(), "the watch of TemplateApplications ended before the checks")
		_, problems := sum.badTemplateApplications()
		g.Expect(problems).To(BeEmpty(), "Ready while no dispatch of theirs had been read done")
	})
	t.Run("exactly one paid create and one paid renewal per PaaS instance, and one vhost each", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(c.PaasPaidCreates).To(Equal(crashPaaS))
		var unconfirmed []string
		for name, outcome := range renewals {
			if outcome != "r1" {
				unconfirmed = append(unconfirmed, name)
			}
		}
		g.Expect(c.PaasPaidRenews).To(Equal(crashPaaS-len(unconfirmed)), "one paid renewal per renewal done, none for those left unconfirmed: %v", renewals)
		// The person who checked at Gandi asks again: each of those is
		// renewed exactly once more.
		for _, name := range unconfirmed {
			e.kubectl(t, "-n", crashNS, "patch", "paasinstance", name, "--type=merge", "-p", `{"spec":{"renew":{"request":"r2","duration":"1m"}}}`)
		}
		if len(unconfirmed) > 0 {
			after := e.waitRenewals(t, "r2", unconfirmed...)
			for _, name := range unconfirmed {
				g.Expect(after).To(HaveKeyWithValue(name, "r2"), "asked again, renewed")
			}
		}
		g.Expect(e.crashCounters(t).PaasPaidRenews).To(Equal(crashPaaS))
		names, vhosts := map[string]int{}, map[string]int{}
		for _, in := range st.PaasInstances {
			names[in.Name]++
			g.Expect(in.PasswordChanges).To(BeZero(), "PaaS instance %s got its password again", in.Name)
			for _, v := range in.Vhosts {
				vhosts[v]++
			}
		}
		g.Expect(names).To(HaveLen(crashPaaS))
		g.Expect(slices.Collect(maps.Values(names))).To(HaveEach(1), "PaaS instances per name: %v", names)
		g.Expect(vhosts).To(HaveLen(2 * crashPaaS))
		g.Expect(slices.Collect(maps.Values(vhosts))).To(HaveEach(1), "PaaS vhosts per FQDN: %v", vhosts)
	})
	t.Run("no password rotation after the create", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(c.PasswordChanges).To(BeZero(), "password PATCHes per instance: %v", sum.passwordChanges)
	})

	badTAs, problems := sum.badTemplateApplications()
	t.Logf("crash loop summary: seed=%d kills=%d in_flight=%d converged=%v paid_creates=%d instances=%d vhost_creates=%d vhosts=%d "+
		"templates=%d applies=%d %v ta_ready_without_done_dispatch=%d %v password_changes=%d %v paas_paid_creates=%d paas_paid_renews=%d paas_instances=%d elapsed=%s",
		seed, crashKills, inFlight, converged, c.PaidCreates, total(sum.instancesByName), c.VhostCreates, total(sum.vhostsByFQDN),
		total(sum.templatesByName), c.Dispatches, sum.applies, len(badTAs), badTAs, c.PasswordChanges,
		sum.passwordChanges, c.PaasPaidCreates, c.PaasPaidRenews, len(st.PaasInstances), time.Since(began).Round(time.Millisecond))
	if len(problems) > 0 {
		t.Logf("TemplateApplications Ready without a dispatch read done:\n  %s", strings.Join(problems, "\n  "))
	}
}

// waitForKill waits for the moment of the next kill: half of the time a
// random 100-1500 ms after the manager is ready; the other half, until a
// slowed POST reaches Gandi (within such a delay), then a random moment
// into it, or just past its latency, when it is committed and its answer
// is being recorded. It reports whether a POST was seen in flight.
func (e *env) waitForKill(t testing.TB, rng *rand.Rand) bool {
	t.Helper()
	delay := crashMinKill + time.Duration(rng.Int64N(int64(crashMaxKill-crashMinKill)))
	if rng.IntN(2) == 0 {
		time.Sleep(delay)
		return false
	}
	before := e.crashCounters(t).posts()
	deadline := time.Now().Add(delay)
	for time.Now().Before(deadline) {
		if e.crashCounters(t).posts() > before {
			time.Sleep(time.Duration(rng.Int64N(int64(crashPOSTDelay + 150*time.Millisecond))))
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// notReady lists the objects of ns whose Ready condition is not True, with
// its reason and message.
// waitRenewals waits until every PaaSInstance of the crash namespace
// either has renewal request done (status.lastRequests.renew) or reports
// its renewal ActionUnconfirmed, and returns each one's outcome: the
// request, or "unconfirmed". When names are given (a request asked again
// of those, with no kill any more), only those count, and only once done:
// the ActionUnconfirmed they show may still be the earlier request's,
// from before a pass read the new one.
func (e *env) waitRenewals(t testing.TB, request string, names ...string) map[string]string {
	t.Helper()
	var out map[string]string
	NewWithT(t).Eventually(func() int {
		var list struct {
			Items []struct {
				Metadata struct{ Name string } `json:"metadata"`
				Status   struct {
					LastRequests struct{ Renew string } `json:"lastRequests"`
					Conditions   []struct{ Type, Reason string }
				} `json:"status"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(e.kubectl(t, "-n", crashNS, "get", "paasinstances", "-o", "json")), &list); err != nil {
			t.Fatalf("read the PaaSInstances: %v", err)
		}
		out = map[string]string{}
		for _, it := range list.Items {
			if len(names) > 0 && !slices.Contains(names, it.Metadata.Name) {
				continue
			}
			switch {
			case it.Status.LastRequests.Renew == request:
				out[it.Metadata.Name] = request
			case len(names) == 0 && slices.ContainsFunc(it.Status.Conditions, func(c struct{ Type, Reason string }) bool {
				return c.Type == "Synced" && c.Reason == "ActionUnconfirmed"
			}):
				out[it.Metadata.Name] = "unconfirmed"
			}
		}
		return len(out)
	}).WithTimeout(crashConverge).WithPolling(time.Second).Should(Equal(cmp.Or(len(names), crashPaaS)), "renewals %s done or unconfirmed", request)
	return out
}

func (e *env) notReady(t testing.TB, ns string) string {
	t.Helper()
	var list struct {
		Items []struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name        string            `json:"name"`
				Annotations map[string]string `json:"annotations"`
			} `json:"metadata"`
			Status struct {
				Conditions []struct {
					Type, Status, Reason, Message string
				} `json:"conditions"`
			} `json:"status"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(e.kubectl(t, "-n", ns, "get", "hostinginstances,vhosts,templates,templateapplications,paasinstances", "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range list.Items {
		ready := "no Ready condition"
		for _, c := range it.Status.Conditions {
			if c.Type == "Ready" {
				ready = c.Status + " " + c.Reason + ": " + c.Message
			}
		}
		if !strings.HasPrefix(ready, "True ") {
			out = append(out, fmt.Sprintf("%s/%s: %s (annotations %v)", it.Kind, it.Metadata.Name, ready, it.Metadata.Annotations))
		}
	}
	return strings.Join(out, "\n")
}

func crashDomain(i int) string   { return fmt.Sprintf("crash-%d.example.com", i) }
func crashTemplate(i int) string { return fmt.Sprintf("crash-t%d", i) }
func crashVhost(i int) string    { return fmt.Sprintf("site-%02d.crash.example.net", i) }

// crashObjects is every object of the crash loop, in one stream.
func crashObjects() string {
	docs := make([]string, 0, 2*crashInstances+2*crashTemplates)
	for i := range crashInstances {
		docs = append(docs, fmt.Sprintf(`apiVersion: hosting.gandi-operator.dev/v1alpha1
kind: HostingInstance
metadata:
  name: crash-%02d
spec:
  credentialsRef: {name: gandi-credentials}
  location: FR
  size: starter
  type:
    language: {name: php}
    database: {name: mysql}
  authentication:
    passwordSecretRef: {name: crash-password, key: password}
`, i), fmt.Sprintf(`apiVersion: hosting.gandi-operator.dev/v1alpha1
kind: Vhost
metadata:
  name: crash-%02d
spec:
  instanceRef: {name: crash-%02d}
  fqdn: %s
`, i, i, crashVhost(i)))
	}
	for i := range crashTemplates {
		docs = append(docs, fmt.Sprintf(`apiVersion: hosting.gandi-operator.dev/v1alpha1
kind: Template
metadata:
  name: %s
spec:
  credentialsRef: {name: gandi-credentials}
  payload:
    dnsRecords:
      records:
        - {name: "@", type: TXT, values: ["\"crash %d\""]}
    mailboxes:
      - login: crash%d
`, crashTemplate(i), i, i), fmt.Sprintf(`apiVersion: hosting.gandi-operator.dev/v1alpha1
kind: TemplateApplication
metadata:
  name: %s
spec:
  credentialsRef: {name: gandi-credentials}
  templateRef: {name: %s}
  domain: %s
`, crashTemplate(i), crashTemplate(i), crashDomain(i)))
	}
	// Two vhosts with different flags each, so that both are created with
	// paas.vhost.create once the instance runs; a renewal from the start.
	for i := range crashPaaS {
		docs = append(docs, fmt.Sprintf(`apiVersion: hosting.gandi-operator.dev/v1alpha1
kind: PaaSInstance
metadata:
  name: crash-legacy-%d
spec:
  credentialsRef: {name: gandi-apikey}
  datacenterID: 1
  type: php7.3mysql5.7
  size: s
  passwordSecretRef: {name: crash-password, key: password}
  vhosts:
    - {fqdn: www.legacy-%d.crash.example.org}
    - {fqdn: shop.legacy-%d.crash.example.org, zoneAlter: true}
  renew: {request: r1, duration: 1m}
`, i, i, i))
	}
	return strings.Join(docs, "---\n")
}

type crashCounters struct {
	Requests        map[string]int `json:"requests"`
	PaidCreates     int            `json:"paid_creates"`
	Dispatches      int            `json:"dispatches"`
	PasswordChanges int            `json:"password_changes"`
	VhostCreates    int            `json:"vhost_creates"`
	PaasPaidCreates int            `json:"paas_paid_creates"`
	PaasPaidRenews  int            `json:"paas_paid_renews"`
}

// posts counts the slowed POSTs that reached the simulator, answered or not.
func (c crashCounters) posts() int {
	n := 0
	for _, r := range crashPOSTs {
		n += c.Requests[r]
	}
	return n
}

func (e *env) crashCounters(t testing.TB) crashCounters {
	t.Helper()
	var c crashCounters
	e.simGet(t, "/_sim/counters", &c)
	return c
}

// crashState is the part of /_sim/state the checks read.
type crashState struct {
	Instances []struct {
		ID              string `json:"id"`
		Name            string `json:"name"`
		PasswordChanges int    `json:"password_changes"`
	} `json:"instances"`
	Vhosts    map[string][]struct{ FQDN string } `json:"vhosts"`
	Templates []struct {
		Name string `json:"name"`
	} `json:"templates"`
	Dispatches    []simDispatch `json:"dispatches"`
	PaasInstances []struct {
		Name            string   `json:"name"`
		Vhosts          []string `json:"vhosts"`
		PasswordChanges int      `json:"password_changes"`
	} `json:"paas_instances"`
}

type simDispatch struct {
	ID           string `json:"id"`
	TemplateName string `json:"template_name"`
	TargetName   string `json:"target_name"`
	DoneReads    int    `json:"done_reads"`
}

// templateApplication is the part of a TemplateApplication the checks read.
type templateApplication struct {
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Status struct {
		Conditions []struct {
			Type    string `json:"type"`
			Status  string `json:"status"`
			Reason  string `json:"reason"`
			Message string `json:"message"`
		} `json:"conditions"`
		Dispatch *struct {
			ID    string `json:"id"`
			State string `json:"state"`
		} `json:"dispatch"`
	} `json:"status"`
}

// ready returns the Ready condition's reason and message when it is True.
func (ta templateApplication) ready() (reason, message string, ok bool) {
	for _, c := range ta.Status.Conditions {
		if c.Type == "Ready" && c.Status == "True" {
			return c.Reason, c.Message, true
		}
	}
	return "", "", false
}

func (ta templateApplication) dispatchID() string {
	if ta.Status.Dispatch == nil {
		return ""
	}
	return ta.Status.Dispatch.ID
}

// readDone finds the problem with a Ready TemplateApplication, given the
// simulator's dispatches: "" when its dispatch was read done.
func (ta templateApplication) readDone(dispatches []simDispatch) string {
	reason, msg, _ := ta.ready()
	id := ta.dispatchID()
	if id == "" {
		return fmt.Sprintf("%s: Ready (%s) with no dispatch: %s", ta.Metadata.Name, reason, msg)
	}
	for _, d := range dispatches {
		if d.ID == id && d.DoneReads > 0 {
			return ""
		}
	}
	return fmt.Sprintf("%s: Ready (%s) but dispatch %s was never read done: %s", ta.Metadata.Name, reason, id, msg)
}

func (e *env) templateApplications(t testing.TB, ns string) []templateApplication {
	t.Helper()
	var list struct {
		Items []templateApplication `json:"items"`
	}
	if err := json.Unmarshal([]byte(e.kubectl(t, "-n", ns, "get", "templateapplications", "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	return list.Items
}

// taWatch follows every change of the TemplateApplications of a namespace
// and, each time one turns up Ready, asks the simulator at once whether the
// dispatch it names had been read done: the status is written after that
// read, so at that moment the answer can only be yes.
type taWatch struct {
	simURL string
	done   chan struct{}

	mu         sync.Mutex
	checked    map[string]bool // name, dispatch and reason already checked
	violations []taProblem
	err        error
}

// taProblem is a TemplateApplication Ready without a dispatch read done.
type taProblem struct{ name, text string }

type watchResult struct {
	violations []taProblem
	err        error // why the watch ended before the checks, if it did
}

func (e *env) watchTemplateApplications(t testing.TB, ns string) *taWatch {
	t.Helper()
	cmd := exec.CommandContext(e.owner.Context(), filepath.Join(e.assets, "kubectl"), "--kubeconfig", e.adminKube,
		"-n", ns, "get", "templateapplications", "--watch", "-o", "json")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the watch: %v", err)
	}
	w := &taWatch{simURL: e.simURL, done: make(chan struct{}), checked: map[string]bool{}}
	go func() {
		defer close(w.done)
		dec := json.NewDecoder(stdout)
		for {
			var ta templateApplication
			if err := dec.Decode(&ta); err != nil {
				werr := cmd.Wait()
				w.mu.Lock()
				w.err = fmt.Errorf("kubectl get --watch: %w (exit: %w) %s", err, werr, stderr.String())
				w.mu.Unlock()
				return
			}
			w.observe(ta)
		}
	}()
	e.owner.Cleanup(func() { <-w.done })
	return w
}

func (w *taWatch) observe(ta templateApplication) {
	reason, _, ok := ta.ready()
	if !ok {
		return
	}
	key := ta.Metadata.Name + "/" + ta.dispatchID() + "/" + reason
	w.mu.Lock()
	seen := w.checked[key]
	w.checked[key] = true
	w.mu.Unlock()
	if seen {
		return
	}
	var st crashState
	body, err := getBody(w.simURL + "/_sim/state")
	if err == nil {
		err = json.Unmarshal([]byte(body), &st)
	}
	problem := ta.readDone(st.Dispatches)
	if err != nil {
		problem = fmt.Sprintf("%s: Ready; the simulator could not be asked about its dispatch: %v", ta.Metadata.Name, err)
	}
	if problem != "" {
		w.mu.Lock()
		w.violations = append(w.violations, taProblem{ta.Metadata.Name, "seen by the watch: " + problem})
		w.mu.Unlock()
	}
}

func (w *taWatch) result() watchResult {
	w.mu.Lock()
	defer w.mu.Unlock()
	return watchResult{violations: slices.Clone(w.violations), err: w.err}
}

func getBody(url string) (string, error) {
	resp, err := http.Get(url) //nolint:noctx // a test probe
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return b.String(), nil
}

// crashSummary is what the checks compare, counted from the simulator's
// state and the cluster's objects.
type crashSummary struct {
	instancesByName  map[string]int
	vhostsByFQDN     map[string]int
	templatesByName  map[string]int
	applies          map[string]int // dispatches per template@domain
	passwordChanges  map[string]int // per instance name, those above 0
	readyWithoutDone []taProblem    // seen by the watch
	atEnd            []taProblem    // at the end
	watchErr         error
}

func summarize(st crashState, tas []templateApplication, w watchResult) crashSummary {
	s := crashSummary{
		instancesByName: map[string]int{}, vhostsByFQDN: map[string]int{}, templatesByName: map[string]int{},
		applies: map[string]int{}, passwordChanges: map[string]int{},
		readyWithoutDone: w.violations, watchErr: w.err,
	}
	for _, in := range st.Instances {
		s.instancesByName[in.Name]++
		if in.PasswordChanges > 0 {
			s.passwordChanges[in.Name] += in.PasswordChanges
		}
	}
	for _, vhs := range st.Vhosts {
		for _, vh := range vhs {
			s.vhostsByFQDN[vh.FQDN]++
		}
	}
	for _, tpl := range st.Templates {
		s.templatesByName[tpl.Name]++
	}
	for _, d := range st.Dispatches {
		s.applies[d.TemplateName+"@"+d.TargetName]++
	}
	for _, ta := range tas {
		if _, _, ok := ta.ready(); !ok {
			s.atEnd = append(s.atEnd, taProblem{ta.Metadata.Name, ta.Metadata.Name + ": not Ready at the end"})
			continue
		}
		if p := ta.readDone(st.Dispatches); p != "" {
			s.atEnd = append(s.atEnd, taProblem{ta.Metadata.Name, "at the end: " + p})
		}
	}
	return s
}

// badTemplateApplications names, once each, the TemplateApplications with
// a problem, and lists the problems.
func (s crashSummary) badTemplateApplications() (names, problems []string) {
	for _, p := range append(slices.Clone(s.readyWithoutDone), s.atEnd...) {
		if !slices.Contains(names, p.name) {
			names = append(names, p.name)
		}
		problems = append(problems, p.text)
	}
	slices.Sort(names)
	return names, problems
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
