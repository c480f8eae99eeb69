package gandisim

import (
	"io"
	"net/http"
	"strconv"
	"time"
)

// XMLRPCPath is where the XML-RPC API v3 (PaaS) is served.
const XMLRPCPath = "/xmlrpc/"

// XMLRPCRoute is the fault and request-count route of an XML-RPC method,
// e.g. XMLRPCRoute("paas.create") == "xmlrpc paas.create".
func XMLRPCRoute(method string) string { return "xmlrpc " + method }

// XML-RPC fault codes (see the package doc).
const (
	faultUnknownMethod = -32601
	faultBadParams     = -32602
	faultParse         = -32700
	faultBadKey        = 510150
	faultInvalid       = 510400
	faultNoCredit      = 510402
	faultNotFound      = 510404
	faultBadState      = 510409
	faultExists        = 510422
)

type xfault struct {
	code int
	msg  string
}

func xerr(code int, msg string) *xfault { return &xfault{code: code, msg: msg} }

// xcall is one XML-RPC call; handlers run with s.mu held.
type xcall struct {
	s      *Server
	acct   *Account
	params []any // after the API key
	now    time.Time
}

type xhandler func(c *xcall) (any, *xfault)

// serveXMLRPC is ServeHTTP for the XML-RPC endpoint: the same fault layer
// (latency, fail, reset, commit-then-drop), keyed by XMLRPCRoute(method).
//
// raw is the connection's own writer, which dropConnection can hijack.
func (s *Server) serveXMLRPC(w, raw http.ResponseWriter, r *http.Request, entry *RequestLog, ipLimit ipVerdict) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "XML-RPC takes POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		http.Error(w, "unreadable request", http.StatusBadRequest)
		return
	}
	method, params, err := parseMethodCall(body)
	if err != nil {
		writeXML(w, encodeFault(faultParse, "Parse error: not a valid XML-RPC methodCall"))
		return
	}
	route := XMLRPCRoute(method)
	entry.Route = route
	h, known := xmlrpcMethods[method]

	s.mu.Lock()
	s.requests[route]++
	delay := s.latency[route]
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if ipLimit.limited {
		// The per-IP limit is an HTTP answer here too (the doc gives no
		// fault code for it), before any scripted fault is spent.
		entry.Fault = s.injected(FaultIPRateLimited)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(ipLimit.retryAfter)))
		http.Error(w, "Too many requests, slow down.", http.StatusTooManyRequests)
		return
	}
	f := s.popFault(route, false)
	switch {
	case f == nil:
	case f.kind == faultFail:
		entry.Fault = "fail"
		if f.retryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(f.retryAfter)))
		}
		http.Error(w, http.StatusText(f.status)+" (injected by gandisim)", f.status)
		return
	case f.kind == faultReset:
		entry.Fault = "reset"
		dropConnection(raw, true)
		return
	case f.kind == faultDropThenCommit:
		// As on the REST API (injectFault): the answer is lost at once,
		// and the call is performed later.
		entry.Fault = s.injected(FaultDropThenCommit)
		if known {
			s.runXMLRPCLater(method, h, params, f.after)
		}
		dropConnection(raw, true)
		return
	}
	if !known {
		writeXML(w, encodeFault(faultUnknownMethod, "Method not found: "+method))
		return
	}
	s.mu.Lock()
	if !isXMLRPCRead(method) {
		s.writes++
	}
	answer := s.runXMLRPC(h, params)
	s.mu.Unlock()
	if f != nil && f.kind == faultCommitThenDrop {
		entry.Fault = "commit_then_drop"
		dropConnection(raw, false)
		return
	}
	writeXML(w, answer)
}

// runXMLRPCLater performs a call whose connection is being dropped after
// d, its answer discarded (DropThenCommitPaid).
func (s *Server) runXMLRPCLater(method string, h xhandler, params []any, d time.Duration) {
	time.AfterFunc(d, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if !isXMLRPCRead(method) {
			s.writes++
		}
		_ = s.runXMLRPC(h, params)
	})
}

func (s *Server) runXMLRPC(h xhandler, params []any) []byte {
	now := s.now()
	s.advance(now)
	if len(params) == 0 {
		return encodeFault(faultBadParams, "Invalid parameters: the API key is missing")
	}
	key, _ := params[0].(string)
	a := s.accounts[key]
	if key == "" || a == nil || !a.APIKey || a.Expired {
		// Never echo the key.
		return encodeFault(faultBadKey, "Error on object : OBJECT_ACCOUNT (CAUSE_NORIGHT) [Invalid API key]")
	}
	c := &xcall{s: s, acct: a, params: params[1:], now: now}
	v, fe := h(c)
	if fe != nil {
		return encodeFault(fe.code, fe.msg)
	}
	return encodeResponse(v)
}

func isXMLRPCRead(method string) bool {
	switch method {
	case "paas.count", "paas.info", "paas.list", "paas.vhost.count", "paas.vhost.info",
		"paas.vhost.list", "paas.vhost.get_dns_entries", "paas.snapshot.count",
		"paas.snapshot.info", "paas.snapshot.list", "paas.type.count", "paas.type.list":
		return true
	}
	return false
}

func writeXML(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// Parameter access: a wrong count or type is the interop -32602.

func (c *xcall) arity(minN, maxN int) *xfault {
	if len(c.params) < minN || len(c.params) > maxN {
		return xerr(faultBadParams, "Invalid parameters: wrong number of arguments")
	}
	return nil
}

func (c *xcall) intArg(i int) (int, *xfault) {
	if i >= len(c.params) {
		return 0, xerr(faultBadParams, "Invalid parameters: wrong number of arguments")
	}
	n, ok := c.params[i].(int64)
	if !ok {
		return 0, xerr(faultBadParams, "Invalid parameters: argument "+strconv.Itoa(i+2)+" must be an int")
	}
	return int(n), nil
}

func (c *xcall) stringArg(i int) (string, *xfault) {
	if i >= len(c.params) {
		return "", xerr(faultBadParams, "Invalid parameters: wrong number of arguments")
	}
	v, ok := c.params[i].(string)
	if !ok {
		return "", xerr(faultBadParams, "Invalid parameters: argument "+strconv.Itoa(i+2)+" must be a string")
	}
	return v, nil
}

// structArg is the struct parameter i; optional ones may be absent.
func (c *xcall) structArg(i int, optional bool) (map[string]any, *xfault) {
	if i >= len(c.params) {
		if optional {
			return map[string]any{}, nil
		}
		return nil, xerr(faultBadParams, "Invalid parameters: wrong number of arguments")
	}
	if c.params[i] == nil && optional {
		return map[string]any{}, nil
	}
	m, ok := c.params[i].(map[string]any)
	if !ok {
		return nil, xerr(faultBadParams, "Invalid parameters: argument "+strconv.Itoa(i+2)+" must be a struct")
	}
	return m, nil
}
