package gandisim

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PaasInstanceView is what tests read of an XML-RPC instance, including
// what the API never shows (how many restarts, upgrades, resets).
type PaasInstanceView struct {
	ID                int       `json:"id"`
	Quantity          int       `json:"quantity"`
	SnapshotProfile   int       `json:"snapshot_profile"`
	Name              string    `json:"name"`
	Type              string    `json:"type"`
	Size              string    `json:"size"`
	State             string    `json:"state"`
	DateEnd           time.Time `json:"date_end"`
	DateEndCommitment time.Time `json:"date_end_commitment"`
	Console           bool      `json:"console"`
	NeedUpgrade       bool      `json:"need_upgrade"`
	SSHKeys           []string  `json:"ssh_keys"`
	// KeyIDs is the list of key IDs the instance uses ("keys"), which the
	// API never shows back.
	KeyIDs          []int    `json:"key_ids"`
	Vhosts          []string `json:"vhosts"`
	Restarts        int      `json:"restarts"`
	Upgrades        int      `json:"upgrades"`
	MySQLResets     int      `json:"mysql_resets"`
	PasswordChanges int      `json:"password_changes"`
}

// PaasInstance returns instance id as it is now.
func (s *Server) PaasInstance(id int) (PaasInstanceView, bool) {
	defer s.lock()()
	in := s.paas.instances[id]
	if in == nil {
		return PaasInstanceView{}, false
	}
	return s.paasView(in), true
}

// PaasVhostOptions returns the zone_alter and override the vhost fqdn was
// created with, which the XML-RPC API never shows (false when there is no
// such vhost).
func (s *Server) PaasVhostOptions(fqdn string) (zoneAlter, override, ok bool) {
	defer s.lock()()
	v := s.paas.vhosts[fqdn]
	if v == nil {
		return false, false, false
	}
	return v.ZoneAlter, v.Override, true
}

// PaasInstances returns every XML-RPC instance, by ID.
func (s *Server) PaasInstances() []PaasInstanceView {
	defer s.lock()()
	out := make([]PaasInstanceView, 0, len(s.paas.instances))
	for _, in := range s.paas.instances {
		out = append(out, s.paasView(in))
	}
	slices.SortFunc(out, func(a, b PaasInstanceView) int { return a.ID - b.ID })
	return out
}

func (s *Server) paasView(in *paasInstance) PaasInstanceView {
	own := s.paasVhostsOf(in.ID)
	vhosts := make([]string, 0, len(own))
	for _, vh := range own {
		vhosts = append(vhosts, vh.Name)
	}
	return PaasInstanceView{
		ID: in.ID, Quantity: in.Quantity, SnapshotProfile: in.SnapshotProfile,
		Name: in.Name, Type: in.Type, Size: in.Size, State: in.State,
		DateEnd: in.DateEnd, DateEndCommitment: in.DateEndCommitment,
		Console: in.Console, NeedUpgrade: in.NeedUpgrade, SSHKeys: append([]string(nil), in.SSHKeys...),
		KeyIDs:   slices.Clone(in.Keys),
		Restarts: in.Restarts, Upgrades: in.Upgrades, MySQLResets: in.MySQLResets, PasswordChanges: in.PasswordChanges,
		Vhosts: vhosts,
	}
}

// DeletePaasInstance deletes instance id as Gandi's admin would, behind
// the API client's back: it is being_deleted, then gone with its vhosts
// and snapshots (Timings.InstanceBeingDeleted). It reports whether there
// was such an instance.
func (s *Server) DeletePaasInstance(id int) bool {
	defer s.lock()()
	in := s.paas.instances[id]
	if in == nil {
		return false
	}
	in.State, in.since = statusBeingDeleted, s.now()
	return true
}

// MarkPaasDeleted puts instance id in the PaaS state "deleted" (PaasState
// lists it), as Gandi shows an instance it deleted instead of forgetting
// it: paas.info and paas.list still show it, its vhosts and snapshots are
// gone, and paas.delete, like every call that needs it running, is refused
// (CAUSE_BADSTATE). It reports whether there was such an instance.
func (s *Server) MarkPaasDeleted(id int) bool {
	defer s.lock()()
	in := s.paas.instances[id]
	if in == nil {
		return false
	}
	in.State, in.since = statusPaasDeleted, s.now()
	for fqdn, vh := range s.paas.vhosts {
		if vh.PaasID == id {
			delete(s.paas.vhosts, fqdn)
		}
	}
	for sid, sn := range s.paas.snapshots {
		if sn.PaasID == id {
			delete(s.paas.snapshots, sid)
		}
	}
	return true
}

// PaasHeldStates are the PaaS states (PaasState) SetPaasState puts an
// instance in: Gandi holds it there (locked by Gandi, paused e.g. when its
// subscription ended, being migrated) and takes no change of it but a
// renewal (paused and locked) until it runs again.
var PaasHeldStates = []string{statusPaasLocked, statusPaasPaused, "being_migrated"}

// SetPaasState puts instance id in one of PaasHeldStates, or releases it
// ("running"), as Gandi would behind the API client's back. Only a running
// or held instance moves: one being created or deleted, or deleted, is
// Gandi's own to move. While held, paas.update, paas.restart, paas.delete,
// paas.vhost.create and paas.vhost.delete of its vhosts are refused
// (CAUSE_BADSTATE); reads and a renewal (paused, locked) are answered.
// Operations Gandi accepted before the hold (a paas.update's, a renewal's,
// a vhost's rproxy_update) still finish.
func (s *Server) SetPaasState(id int, state string) error {
	defer s.lock()()
	in := s.paas.instances[id]
	if in == nil {
		return fmt.Errorf("no PaaS instance %d", id)
	}
	if state != statusRunning && !slices.Contains(PaasHeldStates, state) {
		return fmt.Errorf("state %q: want running or one of %s", state, strings.Join(PaasHeldStates, ", "))
	}
	if in.State != statusRunning && !slices.Contains(PaasHeldStates, in.State) {
		return fmt.Errorf("PaaS instance %d is %s: only a running or held instance is put in another state", id, in.State)
	}
	in.State, in.since = state, s.now()
	return nil
}

// SetPaasNeedUpgrade marks an instance as running an old system image.
func (s *Server) SetPaasNeedUpgrade(id int) {
	defer s.lock()()
	if in := s.paas.instances[id]; in != nil {
		in.NeedUpgrade = true
	}
}

// AddPaasSnapshot adds a snapshot of instance paasID (the API has no method
// to take one) and returns its ID, or 0 when there is no such instance.
func (s *Server) AddPaasSnapshot(paasID int, name, typ string, size int) int {
	defer s.lock()()
	if s.paas.instances[paasID] == nil {
		return 0
	}
	s.paas.seq++
	id := s.paas.seq
	s.paas.snapshots[id] = &paasSnapshot{ID: id, PaasID: paasID, Name: name, Type: typ, Size: size, Created: s.now().UTC().Truncate(time.Second)}
	return id
}

// PaasLastPassword is the password of PaaS instance id exactly as last
// received (paas.create or paas.update), "" for an unknown instance.
func (s *Server) PaasLastPassword(id int) string {
	defer s.lock()()
	if in := s.paas.instances[id]; in != nil {
		return in.password
	}
	return ""
}

// PaasPaidCreates counts paas.create calls that created (and billed) an
// instance, including those whose answer CommitThenDrop lost.
func (s *Server) PaasPaidCreates() int {
	defer s.lock()()
	return s.paas.paidCreates
}

// PaasPaidRenews counts paas.renew calls that moved an instance's date_end.
func (s *Server) PaasPaidRenews() int {
	defer s.lock()()
	return s.paas.paidRenews
}

// PaasPaidUpdates counts the paas.update calls Gandi accepted that carry
// size, quantity or snapshot_profile (billed disk: doc.go), whether or
// not they change anything, including those
// whose answer CommitThenDrop lost: a client that sends a resize twice
// pays twice.
func (s *Server) PaasPaidUpdates() int {
	defer s.lock()()
	return s.paas.paidUpdates
}

// AddPaasInstance adds a running instance, as if bought long ago outside the
// cluster, to the account of apiKey, and returns its ID (0 when there is no
// such account), with running vhosts. It is not counted as a paid create.
func (s *Server) AddPaasInstance(apiKey, name, typ, size string, datacenterID int, vhosts ...string) int {
	defer s.lock()()
	a := s.accounts[apiKey]
	if a == nil || !a.APIKey || len(a.Orgs) == 0 {
		return 0
	}
	now := s.now().UTC().Truncate(time.Second)
	s.paas.seq++
	in := &paasInstance{
		ID: 100000 + s.paas.seq, Org: a.Orgs[0].ID, Handle: strings.ToUpper(a.User) + "-GANDI",
		Name: name, Type: typ, Size: size, DatacenterID: datacenterID, State: statusRunning,
		since: now.AddDate(0, -6, 0), DateStart: now.AddDate(0, -6, 0), DateEnd: now.AddDate(0, 6, 0),
	}
	s.paas.instances[in.ID] = in
	for _, v := range vhosts {
		s.paas.seq++
		s.paas.vhosts[v] = &paasVhost{ID: s.paas.seq, Name: v, PaasID: in.ID, State: statusRunning, since: in.since, Created: in.since}
	}
	return in.ID
}
