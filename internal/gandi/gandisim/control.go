package gandisim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"
)

// The control API lets the binary's users (demo scripts, e2e tests in another
// process) do what Go tests do through methods. It has no authentication:
// the binary is meant for loopback.

type faultRequest struct {
	Route             string `json:"route"`
	Kind              string `json:"kind"` // fail | reset | commit_then_drop | commit_then_drop_paid | latency
	N                 int    `json:"n"`
	Status            int    `json:"status"`
	RetryAfterSeconds int    `json:"retry_after_seconds"`
	LatencyMS         int    `json:"latency_ms"`
}

// timingsJSON carries Timings as Go duration strings ("150ms", "2s").
type timingsJSON struct {
	InstanceWaitingBill     string `json:"instance_waiting_bill,omitempty"`
	InstanceBeingCreated    string `json:"instance_being_created,omitempty"`
	InstanceBeingDeleted    string `json:"instance_being_deleted,omitempty"`
	VhostBeingCreated       string `json:"vhost_being_created,omitempty"`
	VhostBeingDeleted       string `json:"vhost_being_deleted,omitempty"`
	VhostOwnershipValidated string `json:"vhost_ownership_validated,omitempty"`
	VhostValidationTimeout  string `json:"vhost_validation_timeout,omitempty"`
	ApplicationBeingCreated string `json:"application_being_created,omitempty"`
	DispatchStep            string `json:"dispatch_step,omitempty"`
	InstanceUpdate          string `json:"instance_update,omitempty"`
	PaasRenew               string `json:"paas_renew,omitempty"`
	PaasUpdate              string `json:"paas_update,omitempty"`
}

// controlHandler serves one control route; an error is the caller's (400).
type controlHandler func(s *Server, w http.ResponseWriter, body []byte) error

var controlRoutes = map[string]controlHandler{
	"POST /_sim/faults":       postFaults,
	"DELETE /_sim/faults":     func(s *Server, w http.ResponseWriter, _ []byte) error { s.ClearFaults(); return done(w) },
	"GET /_sim/counters":      getCounters,
	"DELETE /_sim/counters":   func(s *Server, w http.ResponseWriter, _ []byte) error { s.ResetCounters(); return done(w) },
	"GET /_sim/state":         func(s *Server, w http.ResponseWriter, _ []byte) error { s.writeState(w); return nil },
	"POST /_sim/accounts":     postAccounts,
	"POST /_sim/seed":         func(s *Server, w http.ResponseWriter, body []byte) error { return orDone(w, s.LoadSeed(body)) },
	"POST /_sim/timings":      postTimings,
	"POST /_sim/rate-limit":   postRateLimit,
	"GET /_sim/rate-limit":    getRateLimit,
	"POST /_sim/dispatches":   postDispatches,
	"POST /_sim/renewal":      postRenewal,
	"POST /_sim/paas-deleted": postPaasDeleted,
	"POST /_sim/paas-state":   postPaasState,
	"GET /_sim/dns":           getDNS,
	"POST /_sim/dns":          postDNS,
	"DELETE /_sim/dns":        deleteDNS,
	"POST /_sim/random":       postRandom,
	"GET /_sim/random":        getRandom,
	"DELETE /_sim/random":     func(s *Server, w http.ResponseWriter, _ []byte) error { s.ClearRandomFaults(); return done(w) },
}

func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	h, ok := controlRoutes[r.Method+" "+r.URL.Path]
	if !ok {
		controlError(w, http.StatusNotFound, fmt.Errorf("no control route %s %s", r.Method, r.URL.Path))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil {
		err = h(s, w, body)
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, err)
	}
}

func done(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func orDone(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	return done(w)
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func postFaults(s *Server, w http.ResponseWriter, body []byte) error {
	var f faultRequest
	if err := decodeStrict(body, &f); err != nil {
		return err
	}
	return orDone(w, s.applyFault(f))
}

func getCounters(s *Server, w http.ResponseWriter, _ []byte) error {
	writeJSON(w, http.StatusOK, map[string]any{
		"requests":          s.RequestCounts(),
		"writes":            s.Writes(),
		"paid_creates":      s.PaidCreates(),
		"dispatches":        s.Dispatches(),
		"password_changes":  s.PasswordChanges(),
		"paid_changes":      s.PaidChanges(),
		"vhost_creates":     s.VhostCreates(),
		"faults":            s.FaultCounts(),
		"paas_paid_creates": s.PaasPaidCreates(),
		"paas_paid_renews":  s.PaasPaidRenews(),
		"paas_paid_updates": s.PaasPaidUpdates(),
		// Per client IP: every API request, and the most in any sliding
		// minute (what Gandi's per-IP limit compares with).
		"requests_by_ip":        s.RequestsByIP(),
		"peak_per_minute_by_ip": s.PeakPerMinuteByIP(),
	})
	return nil
}

// postAccounts takes one account object or an array of them.
func postAccounts(s *Server, w http.ResponseWriter, body []byte) error {
	var accounts []Account
	if bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		var a Account
		if err := decodeStrict(body, &a); err != nil {
			return err
		}
		accounts = []Account{a}
	} else if err := decodeStrict(body, &accounts); err != nil {
		return err
	}
	for _, a := range accounts {
		if a.Token == "" {
			return fmt.Errorf("account without token")
		}
	}
	for _, a := range accounts {
		s.AddAccount(a)
	}
	return done(w)
}

func postTimings(s *Server, w http.ResponseWriter, body []byte) error {
	var tj timingsJSON
	if err := decodeStrict(body, &tj); err != nil {
		return err
	}
	t, err := s.mergeTimings(tj)
	if err != nil {
		return err
	}
	s.SetTimings(t)
	return done(w)
}

// rateLimitJSON is POST and GET /_sim/rate-limit: the per-token and the
// per-IP limits per minute, 0 for off. A POST changes only the limits it
// names.
type rateLimitJSON struct {
	PerMinute      *int `json:"per_minute,omitempty"`
	PerIPPerMinute *int `json:"per_ip_per_minute,omitempty"`
}

func postRateLimit(s *Server, w http.ResponseWriter, body []byte) error {
	var rl rateLimitJSON
	if err := decodeStrict(body, &rl); err != nil {
		return err
	}
	for _, v := range []*int{rl.PerMinute, rl.PerIPPerMinute} {
		if v != nil && *v < 0 {
			return fmt.Errorf("a rate limit is a number of requests per minute, 0 for off, not %d", *v)
		}
	}
	if rl.PerMinute != nil {
		s.SetRateLimit(*rl.PerMinute)
	}
	if rl.PerIPPerMinute != nil {
		s.SetIPRateLimit(*rl.PerIPPerMinute)
	}
	return done(w)
}

func getRateLimit(s *Server, w http.ResponseWriter, _ []byte) error {
	s.mu.Lock()
	perToken, perIP := s.rateLimit, s.ipRateLimit
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, rateLimitJSON{PerMinute: &perToken, PerIPPerMinute: &perIP})
	return nil
}

func postDispatches(s *Server, w http.ResponseWriter, body []byte) error {
	var dc struct {
		Hold          *bool             `json:"hold"`
		FailNamespace map[string]string `json:"fail_namespace"`
		FailDispatch  *string           `json:"fail_dispatch"`
	}
	if err := decodeStrict(body, &dc); err != nil {
		return err
	}
	if dc.Hold != nil {
		s.HoldDispatches(*dc.Hold)
	}
	for ns, msg := range dc.FailNamespace {
		s.FailNamespace(ns, msg)
	}
	if dc.FailDispatch != nil {
		s.FailDispatches(*dc.FailDispatch)
	}
	return done(w)
}

// postRenewal sets what an instance's subscription says (its end date,
// autorenew, cancellation), as a customer does at Gandi's admin: for tests
// of expiry warnings in another process. Absent fields are left as they are.
func postRenewal(s *Server, w http.ResponseWriter, body []byte) error {
	var rj struct {
		InstanceID            string     `json:"instance_id"`
		ExpireAt              *time.Time `json:"expire_at"`
		Autorenew             *bool      `json:"autorenew"`
		SubscriptionCancelled *bool      `json:"subscription_cancelled"`
	}
	if err := decodeStrict(body, &rj); err != nil {
		return err
	}
	if _, ok := s.Instance(rj.InstanceID); !ok {
		return fmt.Errorf("no instance %q", rj.InstanceID)
	}
	s.UpdateInstance(rj.InstanceID, func(v *InstanceView) {
		if rj.ExpireAt != nil {
			v.ExpireAt = rj.ExpireAt.UTC()
		}
		if rj.Autorenew != nil {
			v.Autorenew = *rj.Autorenew
		}
		if rj.SubscriptionCancelled != nil {
			v.SubscriptionCancelled = *rj.SubscriptionCancelled
		}
	})
	return done(w)
}

// postPaasDeleted puts a PaaS instance in Gandi's "deleted" state
// (MarkPaasDeleted), as Gandi shows one it deleted instead of forgetting it:
// for tests in another process of how a client takes an instance gone
// behind its back. {"paas_id": N}; an unknown ID is refused.
func postPaasDeleted(s *Server, w http.ResponseWriter, body []byte) error {
	var req struct {
		PaasID *int `json:"paas_id"`
	}
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if req.PaasID == nil {
		return fmt.Errorf(`POST /_sim/paas-deleted takes {"paas_id": N}`)
	}
	if !s.MarkPaasDeleted(*req.PaasID) {
		return fmt.Errorf("no PaaS instance %d", *req.PaasID)
	}
	return done(w)
}

// postPaasState puts a PaaS instance in a state Gandi holds it in, or
// releases it (SetPaasState): {"paas_id": N, "state": "locked" | "paused" |
// "being_migrated" | "running"}. An unknown ID or state, or an instance not
// running nor held, is refused.
func postPaasState(s *Server, w http.ResponseWriter, body []byte) error {
	var req struct {
		PaasID *int   `json:"paas_id"`
		State  string `json:"state"`
	}
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if req.PaasID == nil || req.State == "" {
		return fmt.Errorf(`POST /_sim/paas-state takes {"paas_id": N, "state": S}`)
	}
	return orDone(w, s.SetPaasState(*req.PaasID, req.State))
}

func controlError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]any{"error": err.Error()})
}

func (s *Server) applyFault(f faultRequest) error {
	if !slices.Contains(Routes(), f.Route) && !isXMLRPCFaultRoute(f.Route) {
		return fmt.Errorf("unknown route %q (want a template such as %q, or %q)", f.Route, RouteCreateInstance, XMLRPCRoute("paas.create"))
	}
	if f.N <= 0 && f.Kind != "latency" {
		f.N = 1
	}
	switch f.Kind {
	case "fail":
		if f.Status < 100 || f.Status > 599 {
			return fmt.Errorf("status %d is not an HTTP status", f.Status)
		}
		s.FailNext(f.Route, f.N, f.Status, time.Duration(f.RetryAfterSeconds)*time.Second)
	case "reset":
		s.ResetNext(f.Route, f.N)
	case "commit_then_drop":
		s.CommitThenDrop(f.Route, f.N)
	case "commit_then_drop_paid":
		s.CommitThenDropPaid(f.Route, f.N)
	case "latency":
		s.SetLatency(f.Route, time.Duration(f.LatencyMS)*time.Millisecond)
	default:
		return fmt.Errorf("kind %q is not fail, reset, commit_then_drop, commit_then_drop_paid or latency", f.Kind)
	}
	return nil
}

// isXMLRPCFaultRoute reports the fault route of a served XML-RPC method.
func isXMLRPCFaultRoute(route string) bool {
	method, ok := strings.CutPrefix(route, XMLRPCRoute(""))
	_, known := xmlrpcMethods[method]
	return ok && known
}

func (s *Server) mergeTimings(tj timingsJSON) (Timings, error) {
	s.mu.Lock()
	t := s.timings
	s.mu.Unlock()
	for _, f := range []struct {
		raw string
		dst *time.Duration
	}{
		{tj.InstanceWaitingBill, &t.InstanceWaitingBill},
		{tj.InstanceBeingCreated, &t.InstanceBeingCreated},
		{tj.InstanceBeingDeleted, &t.InstanceBeingDeleted},
		{tj.VhostBeingCreated, &t.VhostBeingCreated},
		{tj.VhostBeingDeleted, &t.VhostBeingDeleted},
		{tj.VhostOwnershipValidated, &t.VhostOwnershipValidated},
		{tj.VhostValidationTimeout, &t.VhostValidationTimeout},
		{tj.ApplicationBeingCreated, &t.ApplicationBeingCreated},
		{tj.DispatchStep, &t.DispatchStep},
		{tj.InstanceUpdate, &t.InstanceUpdate},
		{tj.PaasRenew, &t.PaasRenew},
		{tj.PaasUpdate, &t.PaasUpdate},
	} {
		if f.raw == "" {
			continue
		}
		d, err := time.ParseDuration(f.raw)
		if err != nil {
			return t, err
		}
		*f.dst = d
	}
	return t, nil
}

func (s *Server) writeState(w http.ResponseWriter) {
	instances := s.Instances()
	vhosts := map[string][]VhostView{}
	for _, in := range instances {
		vhosts[in.ID] = s.Vhosts(in.ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"instances":  instances,
		"vhosts":     vhosts,
		"templates":  s.Templates(),
		"domains":    s.Domains(),
		"dispatches": s.DispatchList(),
		// The XML-RPC API's instances (PaaS), with their vhosts.
		"paas_instances": s.PaasInstances(),
	})
}

// dnsRequest publishes record sets into a zone (POST /_sim/dns), or names
// the record sets to remove (DELETE /_sim/dns: name, and type when only
// that type goes).
type dnsRequest struct {
	Zone    string      `json:"zone"`
	Records []DNSRecord `json:"records,omitempty"`
	Name    string      `json:"name,omitempty"`
	Type    string      `json:"type,omitempty"`
}

// zoneJSON is one zone of GET /_sim/dns.
type zoneJSON struct {
	Zone string `json:"zone"`
	// OrgID holds the domain; "" for a zone held by no simulated account.
	OrgID             string      `json:"org_id"`
	NameserverService string      `json:"nameserver_service"`
	Nameservers       []string    `json:"nameservers"`
	RecordsReadOnly   bool        `json:"records_read_only,omitempty"`
	Records           []DNSRecord `json:"records"`
}

func getDNS(s *Server, w http.ResponseWriter, _ []byte) error {
	domains := s.Domains()
	zones := make([]zoneJSON, 0, len(domains))
	for _, d := range domains {
		zones = append(zones, zoneJSON{Zone: d.FQDN, OrgID: d.OrgID, NameserverService: d.NameserverService,
			Nameservers: d.Nameservers, RecordsReadOnly: d.RecordsReadOnly, Records: d.Records})
	}
	writeJSON(w, http.StatusOK, map[string]any{"zones": zones})
	return nil
}

func postDNS(s *Server, w http.ResponseWriter, body []byte) error {
	var req dnsRequest
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if req.Name != "" || req.Type != "" || len(req.Records) == 0 {
		return fmt.Errorf("POST /_sim/dns takes a zone and its records")
	}
	return orDone(w, s.PublishDNS(req.Zone, req.Records...))
}

func deleteDNS(s *Server, w http.ResponseWriter, body []byte) error {
	var req dnsRequest
	if err := decodeStrict(body, &req); err != nil {
		return err
	}
	if req.Name == "" || len(req.Records) > 0 {
		return fmt.Errorf("DELETE /_sim/dns takes a zone, a record name and optionally a type")
	}
	return orDone(w, s.UnpublishDNS(req.Zone, req.Name, req.Type))
}

// randomJSON is RandomFaults on the control API, durations as Go duration
// strings ("1s", "20ms") like /_sim/timings. Routes lists the route
// templates the configuration is for; none means every route.
type randomJSON struct {
	Routes                []string `json:"routes,omitempty"`
	Seed                  int64    `json:"seed"`
	Rate5xx               float64  `json:"rate_5xx"`
	RateResetBeforeCommit float64  `json:"rate_reset_before_commit"`
	RateResetAfterCommit  float64  `json:"rate_reset_after_commit"`
	Rate429               float64  `json:"rate_429"`
	Statuses5xx           []int    `json:"statuses_5xx,omitempty"`
	RetryAfter            string   `json:"retry_after,omitempty"`
	LatencyMin            string   `json:"latency_min,omitempty"`
	LatencyMax            string   `json:"latency_max,omitempty"`
}

func (rj randomJSON) config() (RandomFaults, error) {
	rf := RandomFaults{
		Seed: rj.Seed, Rate5xx: rj.Rate5xx, RateResetBeforeCommit: rj.RateResetBeforeCommit,
		RateResetAfterCommit: rj.RateResetAfterCommit, Rate429: rj.Rate429, Statuses5xx: rj.Statuses5xx,
	}
	for _, f := range []struct {
		raw string
		dst *time.Duration
	}{{rj.RetryAfter, &rf.RetryAfter}, {rj.LatencyMin, &rf.LatencyMin}, {rj.LatencyMax, &rf.LatencyMax}} {
		if f.raw == "" {
			continue
		}
		d, err := time.ParseDuration(f.raw)
		if err != nil {
			return rf, err
		}
		*f.dst = d
	}
	return rf, nil
}

func toRandomJSON(rf RandomFaults) randomJSON {
	return randomJSON{
		Seed: rf.Seed, Rate5xx: rf.Rate5xx, RateResetBeforeCommit: rf.RateResetBeforeCommit,
		RateResetAfterCommit: rf.RateResetAfterCommit, Rate429: rf.Rate429, Statuses5xx: rf.Statuses5xx,
		RetryAfter: rf.RetryAfter.String(), LatencyMin: rf.LatencyMin.String(), LatencyMax: rf.LatencyMax.String(),
	}
}

// postRandom sets the random mode for the listed routes, or for every
// route. Every route is checked before any is set.
func postRandom(s *Server, w http.ResponseWriter, body []byte) error {
	var rj randomJSON
	if err := decodeStrict(body, &rj); err != nil {
		return err
	}
	rf, err := rj.config()
	if err != nil {
		return err
	}
	if err := rf.withDefaults().validate(); err != nil {
		return err
	}
	for _, route := range rj.Routes {
		if route == "" || !slices.Contains(Routes(), route) {
			return fmt.Errorf("unknown route %q (want a template such as %q)", route, RouteCreateInstance)
		}
	}
	if len(rj.Routes) == 0 {
		return orDone(w, s.SetRandomFaults("", rf))
	}
	for _, route := range rj.Routes {
		if err := s.SetRandomFaults(route, rf); err != nil {
			return err
		}
	}
	return done(w)
}

// getRandom answers {"all": config or null, "routes": {route: config}}.
func getRandom(s *Server, w http.ResponseWriter, _ []byte) error {
	all, perRoute := s.RandomFaultConfig()
	out := map[string]any{"all": nil, "routes": map[string]randomJSON{}}
	if all != nil {
		out["all"] = toRandomJSON(*all)
	}
	routes := map[string]randomJSON{}
	for r, rf := range perRoute {
		routes[r] = toRandomJSON(rf)
	}
	out["routes"] = routes
	writeJSON(w, http.StatusOK, out)
	return nil
}
