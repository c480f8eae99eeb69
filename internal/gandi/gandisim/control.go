package gandisim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
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
	ApplicationBeingCreated string `json:"application_being_created,omitempty"`
	DispatchStep            string `json:"dispatch_step,omitempty"`
}

// controlHandler serves one control route; an error is the caller's (400).
type controlHandler func(s *Server, w http.ResponseWriter, body []byte) error

var controlRoutes = map[string]controlHandler{
	"POST /_sim/faults":     postFaults,
	"DELETE /_sim/faults":   func(s *Server, w http.ResponseWriter, _ []byte) error { s.ClearFaults(); return done(w) },
	"GET /_sim/counters":    getCounters,
	"DELETE /_sim/counters": func(s *Server, w http.ResponseWriter, _ []byte) error { s.ResetCounters(); return done(w) },
	"GET /_sim/state":       func(s *Server, w http.ResponseWriter, _ []byte) error { s.writeState(w); return nil },
	"POST /_sim/accounts":   postAccounts,
	"POST /_sim/seed":       func(s *Server, w http.ResponseWriter, body []byte) error { return orDone(w, s.LoadSeed(body)) },
	"POST /_sim/timings":    postTimings,
	"POST /_sim/rate-limit": postRateLimit,
	"POST /_sim/dispatches": postDispatches,
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
		"vhost_creates":     s.VhostCreates(),
		"paas_paid_creates": s.PaasPaidCreates(),
		"paas_paid_renews":  s.PaasPaidRenews(),
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

func postRateLimit(s *Server, w http.ResponseWriter, body []byte) error {
	var rl struct {
		PerMinute int `json:"per_minute"`
	}
	if err := decodeStrict(body, &rl); err != nil {
		return err
	}
	s.SetRateLimit(rl.PerMinute)
	return done(w)
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

func controlError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]any{"error": err.Error()})
}

func (s *Server) applyFault(f faultRequest) error {
	if !slices.Contains(Routes(), f.Route) {
		return fmt.Errorf("unknown route %q (want a template such as %q)", f.Route, RouteCreateInstance)
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
		{tj.ApplicationBeingCreated, &t.ApplicationBeingCreated},
		{tj.DispatchStep, &t.DispatchStep},
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
	})
}
