package gandisim

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
)

// Inspection and mutation for tests. Every method first brings the lifecycles
// up to date, so what a test reads is what a GET would answer now.

func (s *Server) lock() func() {
	s.mu.Lock()
	s.advance(s.now())
	return s.mu.Unlock
}

// Requests counts the requests received per route template, including those
// answered by an injected fault or the rate limit.
func (s *Server) Requests(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[route]
}

// RequestCounts returns a copy of the per-route request counters.
func (s *Server) RequestCounts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests)
}

// Writes counts non-GET requests that got past the fault layer (rate limit,
// FailNext, ResetNext, random 5xx, 429 and resets before commit) to a
// handler, whatever the handler answered, CommitThenDrop and random resets
// after commit included. A steady-state reconcile should add none.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// PaidCreates counts instance POSTs that created an instance (no Dry-Run),
// including those whose answer CommitThenDrop lost.
func (s *Server) PaidCreates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paidCreates
}

// Dispatches counts template applies that created a dispatch.
func (s *Server) Dispatches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.dispatched
}

// PasswordChanges counts instance PATCHes that set a password, whatever
// the password: the one sent with the create is not counted, so for an
// instance whose password never changes it stays 0.
func (s *Server) PasswordChanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.passwordChanges
}

// PaidChanges counts instance PATCHes Gandi accepted that carry a field
// that can induce a payment (size, storage_additional_size, booster,
// booster_options), whether or not it changes anything, including those
// whose answer CommitThenDrop lost: a client that sends a resize twice
// pays twice.
func (s *Server) PaidChanges() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.paidChanges
}

// VhostCreates counts vhost POSTs that created a vhost (not the vhosts of an
// instance create).
func (s *Server) VhostCreates() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.vhostCreates
}

// ResetCounters zeroes Requests, Writes, PaidCreates, Dispatches,
// PasswordChanges, PaidChanges, VhostCreates, FaultCounts, PaasPaidCreates,
// PaasPaidRenews and PaasPaidUpdates (not the per-object counters of the views). The
// random mode's sequences go on where they were.
func (s *Server) ResetCounters() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = map[string]int{}
	s.faultCounts = map[string]int{}
	s.writes, s.paidCreates, s.dispatched = 0, 0, 0
	s.passwordChanges, s.paidChanges, s.vhostCreates = 0, 0, 0
	s.paas.paidCreates, s.paas.paidRenews, s.paas.paidUpdates = 0, 0, 0
	s.resetIPCounters()
}

// PurgeCount counts cache purges of a vhost.
func (s *Server) PurgeCount(instanceID, fqdn string) int {
	defer s.lock()()
	if vh := s.findVhost(instanceID, fqdn); vh != nil {
		return vh.PurgeCount
	}
	return 0
}

func (s *Server) findVhost(instanceID, fqdn string) *vhost {
	in := s.instances[instanceID]
	if in == nil {
		return nil
	}
	return in.findVhost(strings.ToLower(fqdn))
}

// Instances returns every instance, oldest first.
func (s *Server) Instances() []InstanceView {
	defer s.lock()()
	list := slices.Collect(maps.Values(s.instances))
	slices.SortFunc(list, func(a, b *instance) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]InstanceView, len(list))
	for i, in := range list {
		out[i] = in.snapshot()
	}
	return out
}

// Instance returns one instance.
func (s *Server) Instance(id string) (InstanceView, bool) {
	defer s.lock()()
	in := s.instances[id]
	if in == nil {
		return InstanceView{}, false
	}
	return in.snapshot(), true
}

// Vhosts returns an instance's vhosts in creation order.
func (s *Server) Vhosts(instanceID string) []VhostView {
	defer s.lock()()
	in := s.instances[instanceID]
	if in == nil {
		return nil
	}
	out := make([]VhostView, len(in.vhosts))
	for i, vh := range in.vhosts {
		out[i] = vh.snapshot()
	}
	return out
}

// Vhost returns one vhost.
func (s *Server) Vhost(instanceID, fqdn string) (VhostView, bool) {
	defer s.lock()()
	vh := s.findVhost(instanceID, fqdn)
	if vh == nil {
		return VhostView{}, false
	}
	return vh.snapshot(), true
}

// Templates returns every template, public ones included, oldest first.
func (s *Server) Templates() []TemplateView {
	defer s.lock()()
	list := slices.Collect(maps.Values(s.templates))
	slices.SortFunc(list, func(a, b *template) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]TemplateView, len(list))
	for i, t := range list {
		out[i] = t.snapshot()
	}
	return out
}

// Template returns one template.
func (s *Server) Template(id string) (TemplateView, bool) {
	defer s.lock()()
	t := s.templates[id]
	if t == nil {
		return TemplateView{}, false
	}
	return t.snapshot(), true
}

// Domain returns a domain by FQDN, with what applied templates changed.
func (s *Server) Domain(fqdn string) (DomainView, bool) {
	defer s.lock()()
	d := s.domainByFQDN(strings.ToLower(fqdn))
	if d == nil {
		return DomainView{}, false
	}
	return d.snapshot(), true
}

// Domains returns every domain, oldest first.
func (s *Server) Domains() []DomainView {
	defer s.lock()()
	list := slices.Collect(maps.Values(s.domains))
	slices.SortFunc(list, func(a, b *domain) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]DomainView, len(list))
	for i, d := range list {
		out[i] = d.snapshot()
	}
	return out
}

// Dispatch returns one template dispatch.
func (s *Server) Dispatch(id string) (DispatchView, bool) {
	defer s.lock()()
	d := s.dispatches[id]
	if d == nil {
		return DispatchView{}, false
	}
	return d.view(), true
}

// DispatchList returns every dispatch, oldest first.
func (s *Server) DispatchList() []DispatchView {
	defer s.lock()()
	list := slices.Collect(maps.Values(s.dispatches))
	slices.SortFunc(list, func(a, b *dispatch) int { return cmp.Compare(a.seq, b.seq) })
	out := make([]DispatchView, len(list))
	for i, d := range list {
		out[i] = d.view()
	}
	return out
}

// Actions lists the actions performed on an instance, in order.
func (s *Server) Actions(instanceID string) []string {
	defer s.lock()()
	if in := s.instances[instanceID]; in != nil {
		return slices.Clone(in.actions)
	}
	return nil
}

// LastPassword is the password exactly as last received (create or PATCH),
// so a test can assert that a crypt hash, never clear text, was sent.
func (s *Server) LastPassword(instanceID string) string {
	defer s.lock()()
	if in := s.instances[instanceID]; in != nil {
		return in.Password
	}
	return ""
}

// Advance moves the simulator's clock d forward, for what runs in Gandi's
// days rather than Timings (a boost's duration_days and cooldown_days): a
// test of a client outside the package passes them without waiting.
// Everything due by the new time happens as it would have (a boost ends at
// its expires_at, its cooldown counts from there).
func (s *Server) Advance(d time.Duration) {
	defer s.lock()()
	now := s.now
	s.now = func() time.Time { return now().Add(d) }
	s.advance(s.now())
}

// UpdateInstance changes an instance "at Gandi", behind the operator's back.
// f gets a snapshot; ID, Vhosts and PasswordChanges changes are ignored. A
// new Status restarts that status's clock, so a transitional status set here
// still moves on.
func (s *Server) UpdateInstance(id string, f func(*InstanceView)) {
	defer s.lock()()
	in := s.instances[id]
	if in == nil {
		return
	}
	v := in.snapshot()
	f(&v)
	v.ID, v.Vhosts, v.PasswordChanges = in.ID, nil, in.PasswordChanges
	if v.Status != in.Status {
		in.statusSince = s.now()
	}
	booster := v.Booster
	v.Booster = in.Booster
	in.InstanceView = v
	// A booster forced on starts its boost now, forced off its cooldown.
	in.setBooster(booster, s.now())
}

// SetVhostStatus sets a vhost's status (any documented value), restarting its
// clock like UpdateInstance. It is for states the simulator does not model
// (locked): a forced waiting_ownership follows the ownership model from then
// on (its VhostValidationTimeout starts now), so tests of ownership should
// let the model move the vhost instead, with PublishDNS or /_sim/dns.
func (s *Server) SetVhostStatus(instanceID, fqdn, status string) {
	defer s.lock()()
	if vh := s.findVhost(instanceID, fqdn); vh != nil {
		vh.Status, vh.statusSince = status, s.now()
		if status == statusRunning && vh.runningAt.IsZero() {
			vh.runningAt = vh.statusSince
		}
	}
}

// SetApplicationStatus sets the status of a vhost's application (error,
// running, being_created, cancelled).
func (s *Server) SetApplicationStatus(instanceID, fqdn, status string) {
	defer s.lock()()
	if vh := s.findVhost(instanceID, fqdn); vh != nil && vh.Application != "" {
		vh.ApplicationStatus, vh.appSince = status, s.now()
	}
}

// AddCertificate gives a vhost a (non-pending) certificate; from then on its
// https_strategy is reported.
func (s *Server) AddCertificate(instanceID, fqdn string) {
	defer s.lock()()
	if vh := s.findVhost(instanceID, fqdn); vh != nil {
		vh.Certificates = append(vh.Certificates, CertificateView{ID: newID()})
	}
}
