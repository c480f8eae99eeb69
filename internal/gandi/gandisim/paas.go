package gandisim

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// paasState holds the XML-RPC API's objects, guarded by Server.mu.
type paasState struct {
	instances map[int]*paasInstance
	vhosts    map[string]*paasVhost // by lowercase FQDN
	snapshots map[int]*paasSnapshot
	seq       int
	opSeq     int

	paidCreates int // paas.create calls that created (and billed) an instance
	paidRenews  int // paas.renew calls that moved date_end
	paidUpdates int // accepted paas.update calls carrying size, quantity or snapshot_profile
}

func (p *paasState) init() {
	p.instances = map[int]*paasInstance{}
	p.vhosts = map[string]*paasVhost{}
	p.snapshots = map[int]*paasSnapshot{}
}

type paasInstance struct {
	ID           int
	Org          string // the owner: the key account's own organization
	Handle       string
	Name, Type   string
	Size         string
	DatacenterID int
	State        string
	since        time.Time

	DateStart, DateEnd, DateEndCommitment time.Time
	Quantity                              int
	SnapshotProfile                       int // 0: none
	Console                               bool
	ConsoleEnd                            time.Time
	SSHKeys                               []string
	Keys                                  []int
	NeedUpgrade                           bool
	Autorenew                             bool

	Restarts, Upgrades, MySQLResets, PasswordChanges int
	// password is the last one received (create or update), exactly as
	// sent, for a test to check what the operator sends.
	password string
	// renewals are paid and accepted renewals whose operations still run.
	renewals []paasRenewal
	// updates are accepted paas.update calls whose operations still run.
	updates []paasUpdateOps
}

// paasUpdateOps is an accepted paas.update: its members that paas.info
// shows (name, size, quantity, snapshot_profile, console, need_upgrade
// after an upgrade) show at due.
type paasUpdateOps struct {
	params map[string]any
	due    time.Time
}

// paasRenewal is an accepted paas.renew: date_end moves by months at due.
type paasRenewal struct {
	months int
	fixed  bool
	due    time.Time
}

type paasVhost struct {
	ID        int
	Name      string
	PaasID    int
	State     string
	since     time.Time
	Created   time.Time
	ZoneAlter bool
	Override  bool
}

type paasSnapshot struct {
	ID, PaasID int
	Name, Type string
	Size       int
	Created    time.Time
}

var xmlrpcMethods map[string]xhandler

func init() {
	xmlrpcMethods = map[string]xhandler{
		"paas.count":                 paasCount,
		"paas.create":                paasCreate,
		"paas.delete":                paasDelete,
		"paas.info":                  paasInfo,
		"paas.list":                  paasList,
		"paas.renew":                 paasRenew,
		"paas.restart":               paasRestart,
		"paas.update":                paasUpdate,
		"paas.vhost.count":           countOf((*xcall).listVhosts),
		"paas.vhost.create":          vhostCreate,
		"paas.vhost.delete":          vhostDelete,
		"paas.vhost.get_dns_entries": vhostDNSEntries,
		"paas.vhost.info":            vhostInfo,
		"paas.vhost.list":            listOf((*xcall).listVhosts),
		"paas.snapshot.count":        countOf((*xcall).listSnapshots),
		"paas.snapshot.info":         snapshotInfo,
		"paas.snapshot.list":         listOf((*xcall).listSnapshots),
		"paas.type.count":            countOf((*xcall).listTypes),
		"paas.type.list":             listOf((*xcall).listTypes),
	}
}

// advancePaas moves instances and vhosts through their transitional
// states; it runs under s.mu from advance.
func (s *Server) advancePaas(now time.Time) {
	t := s.timings
	for id, in := range s.paas.instances {
		in.finishRenewals(now)
		in.finishUpdates(now)
		switch in.State {
		case statusBeingCreated:
			if at := in.since.Add(t.InstanceBeingCreated); !now.Before(at) {
				in.State, in.since = statusRunning, at
			}
		case statusBeingDeleted:
			if !now.Before(in.since.Add(t.InstanceBeingDeleted)) {
				delete(s.paas.instances, id)
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
			}
		}
	}
	for fqdn, vh := range s.paas.vhosts {
		in := s.paas.instances[vh.PaasID]
		switch {
		case in == nil:
			delete(s.paas.vhosts, fqdn)
		case vh.State == statusBeingCreated && in.State == statusRunning:
			// The rproxy_update starts once the instance runs.
			start := vh.since
			if in.since.After(start) {
				start = in.since
			}
			if at := start.Add(t.VhostBeingCreated); !now.Before(at) {
				vh.State, vh.since = statusRunning, at
			}
		case vh.State == statusBeingDeleted:
			if !now.Before(vh.since.Add(t.VhostBeingDeleted)) {
				delete(s.paas.vhosts, fqdn)
			}
		}
	}
}

func (c *xcall) operation(typ string, paasID int) map[string]any {
	c.s.paas.opSeq++
	return map[string]any{
		"id": c.s.paas.opSeq, keyType: typ, "step": "WAIT", keyPaasID: paasID,
		keyDateCreated: c.now, "date_updated": c.now,
	}
}

// ownInstance resolves the instance id in the first argument.
func (c *xcall) ownInstance() (*paasInstance, *xfault) {
	id, fe := c.intArg(0)
	if fe != nil {
		return nil, fe
	}
	in := c.s.paas.instances[id]
	if in == nil || in.Org != c.acct.Orgs[0].ID {
		return nil, xerr(faultNotFound, "Error on object : OBJECT_PAAS (CAUSE_NOTFOUND) [PaaS instance "+strconv.Itoa(id)+" does not exist]")
	}
	return in, nil
}

// instanceCall checks the arguments of a method taking an instance id
// and, with params, a struct after it, and resolves them.
func (c *xcall) instanceCall(params bool) (*paasInstance, map[string]any, *xfault) {
	n := 1
	if params {
		n = 2
	}
	if fe := c.arity(n, n); fe != nil {
		return nil, nil, fe
	}
	in, fe := c.ownInstance()
	if fe != nil || !params {
		return in, nil, fe
	}
	p, fe := c.structArg(1, false)
	if fe != nil {
		return nil, nil, fe
	}
	return in, p, nil
}

func requireRunning(in *paasInstance) *xfault {
	if in.State != statusRunning {
		return xerr(faultBadState, "Error on object : OBJECT_PAAS (CAUSE_BADSTATE) [instance is "+in.State+"]")
	}
	return nil
}

var paasDurationRE = regexp.MustCompile(`^([1-9][0-9]?|1[01][0-9]|120)m$`)

func months(d string) (int, bool) {
	if !paasDurationRE.MatchString(d) {
		return 0, false
	}
	n, _ := strconv.Atoi(strings.TrimSuffix(d, "m"))
	return n, true
}

var paasSizes = []string{"s", "s+", "m", "l", "xl", sizeXXL}

// params checks a parameter struct against the doc's table: kinds maps a
// member to kindInt, kindBool, kindString, kindStrings (string or array of
// strings), kindInts (int or array of ints) or "intstring"; required lists
// the mandatory ones.
func checkParams(p map[string]any, kinds map[string]string, required ...string) *xfault {
	for _, r := range required {
		if _, ok := p[r]; !ok {
			return xerr(faultInvalid, "Invalid parameter: "+r+" is mandatory")
		}
	}
	for k, v := range p {
		kind, ok := kinds[k]
		if !ok {
			return xerr(faultInvalid, "Invalid parameter: unknown member "+k)
		}
		if !hasKind(v, kind) {
			return xerr(faultInvalid, "Invalid parameter: "+k+" must be "+kind)
		}
	}
	return nil
}

func hasKind(v any, kind string) bool {
	switch kind {
	case kindInt:
		_, ok := v.(int64)
		return ok
	case kindBool:
		_, ok := v.(bool)
		return ok
	case kindString:
		_, ok := v.(string)
		return ok
	case "intstring":
		return hasKind(v, kindInt) || hasKind(v, kindString)
	case kindStrings, kindInts:
		one := map[string]string{kindStrings: kindString, kindInts: kindInt}[kind]
		if arr, ok := v.([]any); ok {
			for _, e := range arr {
				if !hasKind(e, one) {
					return false
				}
			}
			return true
		}
		return kind == kindStrings && hasKind(v, one)
	}
	return false
}

func strs(v any) []string {
	if s, ok := v.(string); ok {
		return []string{s}
	}
	var out []string
	arr, _ := v.([]any)
	for _, e := range arr {
		out = append(out, e.(string))
	}
	return out
}

func ints(v any) []int {
	arr, _ := v.([]any)
	if len(arr) == 0 {
		return nil
	}
	out := make([]int, 0, len(arr))
	for _, e := range arr {
		out = append(out, int(e.(int64)))
	}
	return out
}

func pInt(p map[string]any, k string) int { n, _ := p[k].(int64); return int(n) }

func pBool(p map[string]any, k string) bool { b, _ := p[k].(bool); return b }

func pString(p map[string]any, k string) string { s, _ := p[k].(string); return s }

var vhostNameRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$`)

func checkVhostName(fqdn string) *xfault {
	if !vhostNameRE.MatchString(fqdn) {
		return xerr(faultInvalid, "Invalid parameter: vhost must be a lowercase ASCII (punycode) FQDN")
	}
	return nil
}

var createKinds = map[string]string{
	keyDatacenterID: kindInt, "duration": kindString, keyName: kindString, "password": kindString,
	keySize: kindString, keyType: kindString, "fixed": kindBool, "keys": kindInts, "override": kindBool,
	"quantity": kindInt, "snapshot_profile": kindInt, "ssh_key": kindStrings, "trial": kindBool,
	"vhosts": kindStrings, "zone_alter": kindBool,
}

func paasCreate(c *xcall) (any, *xfault) {
	if fe := c.arity(1, 1); fe != nil {
		return nil, fe
	}
	p, fe := c.structArg(0, false)
	if fe != nil {
		return nil, fe
	}
	if fe := checkParams(p, createKinds, keyDatacenterID, "duration", keyName, "password", keySize, keyType); fe != nil {
		return nil, fe
	}
	n, vhosts, fe := checkCreate(c, p)
	if fe != nil {
		return nil, fe
	}
	org := c.acct.Orgs[0].ID
	c.s.paas.seq++
	in := &paasInstance{
		ID: 100000 + c.s.paas.seq, Org: org, Handle: strings.ToUpper(c.acct.User) + "-GANDI",
		Name: pString(p, keyName), Type: pString(p, keyType), Size: pString(p, keySize),
		DatacenterID: pInt(p, keyDatacenterID), State: statusBeingCreated, since: c.now,
		DateStart: c.now, DateEnd: c.now.AddDate(0, n, 0), Quantity: pInt(p, "quantity"),
		SnapshotProfile: pInt(p, "snapshot_profile"), SSHKeys: strs(p["ssh_key"]), Keys: ints(p["keys"]),
		password: pString(p, "password"),
	}
	if pBool(p, "fixed") {
		in.DateEndCommitment = in.DateEnd
	}
	c.s.paas.instances[in.ID] = in
	c.s.paas.paidCreates++
	ops := []any{c.operation("paas_vm_create", in.ID), c.operation("paas_disk_create", in.ID)}
	for _, v := range vhosts {
		c.s.paas.seq++
		c.s.paas.vhosts[v] = &paasVhost{ID: c.s.paas.seq, Name: v, PaasID: in.ID, State: statusBeingCreated,
			since: c.now, Created: c.now, ZoneAlter: pBool(p, "zone_alter"), Override: pBool(p, "override")}
	}
	if len(vhosts) > 0 {
		ops = append(ops, c.operation("rproxy_update", in.ID))
	}
	return ops, nil
}

// checkCreate validates paas.create's parameters beyond their kinds and
// returns the duration in months and the vhosts to create.
func checkCreate(c *xcall, p map[string]any) (int, []string, *xfault) {
	n, ok := months(pString(p, "duration"))
	switch {
	case !ok:
		return 0, nil, xerr(faultInvalid, "Invalid parameter: duration must be like 1m or 12m")
	case paasDatacenters[pInt(p, keyDatacenterID)] == nil:
		return 0, nil, xerr(faultInvalid, "Invalid parameter: unknown datacenter_id")
	case !slices.Contains(paasSizes, pString(p, keySize)):
		return 0, nil, xerr(faultInvalid, "Invalid parameter: size must be one of s, s+, m, l, xl, xxl")
	case !knownPaasType(pString(p, keyType)):
		return 0, nil, xerr(faultInvalid, "Invalid parameter: unknown type "+pString(p, keyType))
	case pString(p, keyName) == "":
		return 0, nil, xerr(faultInvalid, "Invalid parameter: name is empty")
	case len(pString(p, "password")) < 8:
		return 0, nil, xerr(faultInvalid, "Invalid parameter: password must have at least 8 characters")
	case pInt(p, "quantity") < 0:
		return 0, nil, xerr(faultInvalid, "Invalid parameter: quantity must not be negative")
	case pBool(p, "override") && !pBool(p, "zone_alter"):
		return 0, nil, xerr(faultInvalid, "Invalid parameter: override needs zone_alter")
	}
	if sp := pInt(p, "snapshot_profile"); sp != 0 && paasSnapshotProfiles[sp] == "" {
		return 0, nil, xerr(faultInvalid, "Invalid parameter: unknown snapshot_profile")
	}
	org := c.acct.Orgs[0].ID
	for _, in := range c.s.paas.instances {
		if in.Org == org && in.namedAs(pString(p, keyName)) {
			return 0, nil, xerr(faultExists, "Error on object : OBJECT_PAAS (CAUSE_EXISTS) [an instance of this name exists]")
		}
	}
	vhosts := strs(p["vhosts"])
	for _, v := range vhosts {
		if fe := checkVhostName(v); fe != nil {
			return 0, nil, fe
		}
		if c.s.paas.vhosts[v] != nil {
			return 0, nil, xerr(faultExists, "Error on object : OBJECT_VHOST (CAUSE_EXISTS) ["+v+" exists]")
		}
	}
	return n, vhosts, nil
}

func paasDelete(c *xcall) (any, *xfault) {
	in, _, fe := c.instanceCall(false)
	if fe != nil {
		return nil, fe
	}
	// The doc does not say what paas.delete answers on an instance already
	// deleted (PaasState "deleted"), nor on one Gandi holds (locked,
	// paused, being migrated): refused, as on one being deleted, which is
	// the stricter reading.
	if in.State != statusRunning {
		return nil, requireRunning(in)
	}
	in.State, in.since = statusBeingDeleted, c.now
	return []any{c.operation("paas_vm_delete", in.ID), c.operation("paas_disk_delete", in.ID)}, nil
}

func paasRenew(c *xcall) (any, *xfault) {
	in, p, fe := c.instanceCall(true)
	if fe != nil {
		return nil, fe
	}
	if fe := checkParams(p, map[string]string{"duration": kindString, "fixed": kindBool}, "duration", "fixed"); fe != nil {
		return nil, fe
	}
	n, ok := months(pString(p, "duration"))
	if !ok {
		return nil, xerr(faultInvalid, "Invalid parameter: duration must be like 1m or 12m")
	}
	if in.State != statusRunning && in.State != statusPaasPaused && in.State != statusPaasLocked {
		return nil, requireRunning(in)
	}
	in.renewals = append(in.renewals, paasRenewal{months: n, fixed: pBool(p, "fixed"), due: c.now.Add(c.s.timings.PaasRenew)})
	c.s.paas.paidRenews++
	return []any{c.operation("paas_vm_renew", in.ID), c.operation("paas_disk_renew", in.ID)}, nil
}

// finishRenewals moves date_end for every renewal whose operations are
// done by now, in the order Gandi accepted them.
func (in *paasInstance) finishRenewals(now time.Time) {
	for len(in.renewals) > 0 && !now.Before(in.renewals[0].due) {
		r := in.renewals[0]
		in.renewals = in.renewals[1:]
		in.DateEnd = in.DateEnd.AddDate(0, r.months, 0)
		if r.fixed {
			in.DateEndCommitment = in.DateEnd
		}
	}
}

func paasRestart(c *xcall) (any, *xfault) {
	in, _, fe := c.instanceCall(false)
	if fe != nil {
		return nil, fe
	}
	if fe := requireRunning(in); fe != nil {
		return nil, fe
	}
	in.Restarts++
	return c.operation("paas_restart", in.ID), nil
}

var updateKinds = map[string]string{
	keyConsole: kindBool, "keys": kindInts, keyName: kindString, "password": kindString, "quantity": kindInt,
	"reset_mysql_password": kindBool, keySize: kindString, "snapshot_profile": "intstring",
	"ssh_key": kindStrings, "upgrade": kindBool,
}

func paasUpdate(c *xcall) (any, *xfault) {
	in, p, fe := c.instanceCall(true)
	if fe != nil {
		return nil, fe
	}
	if fe := checkParams(p, updateKinds); fe != nil {
		return nil, fe
	}
	if fe := requireRunning(in); fe != nil {
		return nil, fe
	}
	if fe := checkUpdate(c, in, p); fe != nil {
		return nil, fe
	}
	if _, ok := p["password"]; ok {
		in.PasswordChanges++
		in.password = pString(p, "password")
	}
	ops := updateOps(c, in, p)
	// The members that start an operation show when their operations
	// finish, Timings.PaasUpdate later: until then paas.info shows the
	// instance as it was.
	in.updates = append(in.updates, paasUpdateOps{params: p, due: c.now.Add(c.s.timings.PaasUpdate)})
	if paidUpdate(p) {
		c.s.paas.paidUpdates++
	}
	if v, ok := p["ssh_key"]; ok {
		in.SSHKeys = append(in.SSHKeys, strs(v)...)
	}
	if v, ok := p["keys"]; ok {
		in.Keys = ints(v)
	}
	if pBool(p, "upgrade") {
		in.Upgrades++
	}
	if pBool(p, "reset_mysql_password") {
		in.MySQLResets++
	}
	if len(ops) == 0 {
		ops = append(ops, c.operation("paas_vm_update", in.ID))
	}
	return ops, nil
}

// paidUpdate says the paas.update members p carry one Gandi bills: size,
// quantity, or snapshot_profile, whose disk counts in datadisk_total_size
// (doc.go).
func paidUpdate(p map[string]any) bool {
	for _, k := range []string{keySize, "quantity", "snapshot_profile"} {
		if _, ok := p[k]; ok {
			return true
		}
	}
	return false
}

// updateOps are the operations the paas.update members p start, compared
// with the instance as the updates already accepted leave it.
func updateOps(c *xcall, in *paasInstance, p map[string]any) []any {
	var ops []any
	will := in.pending()
	if _, ok := p[keySize]; ok && pString(p, keySize) != will.Size {
		ops = append(ops, c.operation("paas_vm_update", in.ID))
	}
	if q, ok := p["quantity"]; ok && int(q.(int64)) != will.Quantity {
		ops = append(ops, c.operation("paas_disk_update", in.ID))
	}
	if _, ok := p["snapshot_profile"]; ok {
		ops = append(ops, c.operation("paas_disk_update", in.ID))
	}
	if _, ok := p[keyConsole]; ok {
		ops = append(ops, c.operation("paas_console", in.ID))
	}
	return ops
}

// finishUpdates applies every update whose operations are done by now,
// in the order Gandi accepted them.
func (in *paasInstance) finishUpdates(now time.Time) {
	for len(in.updates) > 0 && !now.Before(in.updates[0].due) {
		u := in.updates[0]
		in.updates = in.updates[1:]
		in.applyUpdate(u.params, u.due)
	}
}

// pending is the instance as it will be once every accepted update shows.
func (in *paasInstance) pending() paasInstance {
	will := *in
	for _, u := range in.updates {
		will.applyUpdate(u.params, u.due)
	}
	return will
}

// applyUpdate applies the paas.update members that paas.info shows, as
// their operations finish at.
func (in *paasInstance) applyUpdate(p map[string]any, at time.Time) {
	if _, ok := p[keyName]; ok {
		in.Name = pString(p, keyName)
	}
	if _, ok := p[keySize]; ok {
		in.Size = pString(p, keySize)
	}
	if q, ok := p["quantity"]; ok {
		in.Quantity = int(q.(int64))
	}
	if v, ok := p["snapshot_profile"]; ok {
		in.SnapshotProfile = 0
		if n, isInt := v.(int64); isInt {
			in.SnapshotProfile = int(n)
		}
	}
	if v, ok := p[keyConsole]; ok {
		in.Console = v.(bool)
		in.ConsoleEnd = time.Time{}
		if in.Console {
			in.ConsoleEnd = at.Add(time.Hour)
		}
	}
	if pBool(p, "upgrade") {
		in.NeedUpgrade = false
	}
}

// namedAs reports an instance that has name, or will once its accepted
// updates show.
func (in *paasInstance) namedAs(name string) bool {
	return in.Name == name || in.pending().Name == name
}

func checkUpdate(c *xcall, in *paasInstance, p map[string]any) *xfault {
	if v, ok := p[keyName]; ok {
		if v == "" {
			return xerr(faultInvalid, "Invalid parameter: name is empty")
		}
		for _, o := range c.s.paas.instances {
			if o != in && o.Org == in.Org && o.namedAs(pString(p, keyName)) {
				return xerr(faultExists, "Error on object : OBJECT_PAAS (CAUSE_EXISTS) [an instance of this name exists]")
			}
		}
	}
	if v, ok := p["password"]; ok && len(v.(string)) < 8 {
		return xerr(faultInvalid, "Invalid parameter: password must have at least 8 characters")
	}
	if v, ok := p[keySize]; ok && !slices.Contains(paasSizes, v.(string)) {
		return xerr(faultInvalid, "Invalid parameter: size must be one of s, s+, m, l, xl, xxl")
	}
	if v, ok := p["quantity"]; ok && int(v.(int64)) < in.pending().Quantity {
		return xerr(faultInvalid, "Invalid parameter: quantity cannot shrink the additional disk")
	}
	if n, ok := p["snapshot_profile"].(int64); ok && paasSnapshotProfiles[int(n)] == "" {
		return xerr(faultInvalid, "Invalid parameter: unknown snapshot_profile")
	}
	return nil
}

func (s *Server) paasInfoView(in *paasInstance) map[string]any {
	v := s.paasListView(in)
	delete(v, keyDatacenterID)
	v["servers"] = []any{map[string]any{"id": in.ID*10 + 1, "uuid": in.ID*10 + 1, "graph_urls": map[string]any{}}}
	v["autorenew"] = map[string]any{"active": in.Autorenew, "product_id": in.ID}
	v["console_info"] = map[string]any{"enabled": in.Console}
	if in.Console {
		v["console_info"].(map[string]any)["date_end"] = in.ConsoleEnd
	}
	v["datacenter"] = paasDatacenters[in.DatacenterID]
	total := 10240 + in.Quantity*1024
	if in.SnapshotProfile != 0 {
		total += 3072
	}
	v["datadisk_total_size"] = strconv.Itoa(total)
	v["ftp_server"] = "sftp.dc" + strconv.Itoa(in.DatacenterID) + ".gpaas.net"
	v["git_server"] = "git.dc" + strconv.Itoa(in.DatacenterID) + ".gpaas.net"
	v["owner"] = map[string]any{"handle": in.Handle, "id": in.ID % 1000}
	v["user"] = in.ID
	own := s.paasVhostsOf(in.ID)
	vhosts := make([]any, 0, len(own))
	for _, vh := range own {
		vhosts = append(vhosts, map[string]any{keyDateCreation: vh.Created, "id": vh.ID, keyName: vh.Name,
			"paas_entity_id": strconv.Itoa(in.ID), keyState: vh.State})
	}
	v["vhosts"] = vhosts
	return v
}

func (s *Server) paasVhostsOf(id int) []*paasVhost {
	var out []*paasVhost
	for _, vh := range s.paas.vhosts {
		if vh.PaasID == id {
			out = append(out, vh)
		}
	}
	slices.SortFunc(out, func(a, b *paasVhost) int { return a.ID - b.ID })
	return out
}

func (s *Server) paasListView(in *paasInstance) map[string]any {
	v := map[string]any{
		"catalog_name": "paas_" + in.Size, keyConsole: "console.dc" + strconv.Itoa(in.DatacenterID) + ".gpaas.net/" + strconv.Itoa(in.ID),
		"data_disk_additional_size": in.Quantity, keyDatacenterID: in.DatacenterID,
		"date_end": in.DateEnd, "date_start": in.DateStart, "entity_id": strconv.Itoa(in.ID),
		"id": in.ID, keyName: in.Name, "need_upgrade": in.NeedUpgrade,
		"servers": []any{map[string]any{"id": in.ID*10 + 1}}, keySize: in.Size, keyState: in.State, keyType: in.Type,
	}
	if !in.DateEndCommitment.IsZero() {
		v["date_end_commitment"] = in.DateEndCommitment
	}
	if in.SnapshotProfile != 0 {
		v["snapshot_profile"] = map[string]any{"id": in.SnapshotProfile, keyName: paasSnapshotProfiles[in.SnapshotProfile]}
	}
	return v
}

// paasFilterView is what the paas.count/list filters look at.
func (s *Server) paasFilterView(in *paasInstance) map[string]any {
	own := s.paasVhostsOf(in.ID)
	names := make([]any, 0, len(own))
	for _, vh := range own {
		names = append(names, vh.Name)
	}
	return map[string]any{
		"id": int64(in.ID), keyName: in.Name, keyState: in.State, keyType: in.Type, keySize: in.Size,
		keyDatacenterID: int64(in.DatacenterID), "data_disk_additional_size": int64(in.Quantity),
		"date_end": in.DateEnd, "date_start": in.DateStart, "contact": in.Handle, keyVhost: names,
	}
}

var paasFilterKeys = []string{"contact", "data_disk_additional_size", keyDatacenterID, "date_end", "date_start", "id", keyName, keySize, keyState, keyType, keyVhost}

func (c *xcall) listPaas(paged bool) ([]*paasInstance, *xfault) {
	if fe := c.arity(0, 1); fe != nil {
		return nil, fe
	}
	opts, fe := c.structArg(0, true)
	if fe != nil {
		return nil, fe
	}
	lo, fe := parseListOpts(opts, paasFilterKeys, paged)
	if fe != nil {
		return nil, fe
	}
	var views []map[string]any
	byID := map[int64]*paasInstance{}
	for _, in := range c.s.paas.instances {
		if in.Org != c.acct.Orgs[0].ID {
			continue
		}
		if fv := c.s.paasFilterView(in); lo.matches(fv) {
			views = append(views, fv)
			byID[int64(in.ID)] = in
		}
	}
	if paged {
		views = lo.page(views)
	}
	out := make([]*paasInstance, 0, len(views))
	for _, v := range views {
		out = append(out, byID[v["id"].(int64)])
	}
	return out, nil
}

func paasCount(c *xcall) (any, *xfault) {
	l, fe := c.listPaas(false)
	return len(l), fe
}

func paasList(c *xcall) (any, *xfault) {
	l, fe := c.listPaas(true)
	out := make([]any, 0, len(l))
	for _, in := range l {
		out = append(out, c.s.paasListView(in))
	}
	return out, fe
}

func paasInfo(c *xcall) (any, *xfault) {
	in, _, fe := c.instanceCall(false)
	if fe != nil {
		return nil, fe
	}
	return c.s.paasInfoView(in), nil
}

// ownVhost finds a vhost of an instance of the caller's.
func (c *xcall) ownVhost(i int) (*paasVhost, *xfault) {
	fqdn, fe := c.stringArg(i)
	if fe != nil {
		return nil, fe
	}
	vh := c.s.paas.vhosts[strings.ToLower(fqdn)]
	if vh == nil || c.s.paas.instances[vh.PaasID].Org != c.acct.Orgs[0].ID {
		return nil, xerr(faultNotFound, "Error on object : OBJECT_VHOST (CAUSE_NOTFOUND) [vhost does not exist]")
	}
	return vh, nil
}

func vhostView(vh *paasVhost) map[string]any {
	return map[string]any{"cert_id": 0, keyDateCreation: vh.Created, "id": vh.ID, keyName: vh.Name,
		"paas_entity_id": strconv.Itoa(vh.PaasID), keyPaasID: vh.PaasID, keyState: vh.State}
}

func vhostCreate(c *xcall) (any, *xfault) {
	if fe := c.arity(1, 1); fe != nil {
		return nil, fe
	}
	p, fe := c.structArg(0, false)
	if fe != nil {
		return nil, fe
	}
	kinds := map[string]string{keyPaasID: kindInt, keyVhost: kindString, "override": kindBool, "zone_alter": kindBool}
	if fe := checkParams(p, kinds, keyPaasID, keyVhost); fe != nil {
		return nil, fe
	}
	c.params = []any{p[keyPaasID]}
	in, fe := c.ownInstance()
	if fe != nil {
		return nil, fe
	}
	fqdn := pString(p, keyVhost)
	if fe := checkVhostName(fqdn); fe != nil {
		return nil, fe
	}
	if pBool(p, "override") && !pBool(p, "zone_alter") {
		return nil, xerr(faultInvalid, "Invalid parameter: override needs zone_alter")
	}
	if fe := requireRunning(in); fe != nil {
		return nil, fe
	}
	if c.s.paas.vhosts[fqdn] != nil {
		return nil, xerr(faultExists, "Error on object : OBJECT_VHOST (CAUSE_EXISTS) ["+fqdn+" exists]")
	}
	c.s.paas.seq++
	c.s.paas.vhosts[fqdn] = &paasVhost{ID: c.s.paas.seq, Name: fqdn, PaasID: in.ID, State: statusBeingCreated,
		since: c.now, Created: c.now, ZoneAlter: pBool(p, "zone_alter"), Override: pBool(p, "override")}
	return c.operation("rproxy_update", in.ID), nil
}

func vhostDelete(c *xcall) (any, *xfault) {
	if fe := c.arity(1, 1); fe != nil {
		return nil, fe
	}
	vh, fe := c.ownVhost(0)
	if fe != nil {
		return nil, fe
	}
	if vh.State != statusRunning {
		return nil, xerr(faultBadState, "Error on object : OBJECT_VHOST (CAUSE_BADSTATE) [vhost is "+vh.State+"]")
	}
	// The doc is silent on a vhost of an instance Gandi holds (locked,
	// paused, being migrated): its rproxy_update is refused like the
	// instance's own changes (the stricter reading).
	if in := c.s.paas.instances[vh.PaasID]; in != nil {
		if fe := requireRunning(in); fe != nil {
			return nil, fe
		}
	}
	vh.State, vh.since = statusBeingDeleted, c.now
	return c.operation("rproxy_update", vh.PaasID), nil
}

func vhostInfo(c *xcall) (any, *xfault) {
	if fe := c.arity(1, 1); fe != nil {
		return nil, fe
	}
	vh, fe := c.ownVhost(0)
	if fe != nil {
		return nil, fe
	}
	return vhostView(vh), nil
}

func (c *xcall) listVhosts(paged bool) ([]map[string]any, *xfault) {
	if fe := c.arity(0, 1); fe != nil {
		return nil, fe
	}
	opts, fe := c.structArg(0, true)
	if fe != nil {
		return nil, fe
	}
	lo, fe := parseListOpts(opts, []string{keyDateCreation, "id", keyName, keyPaasID, keyState}, true)
	if fe != nil {
		return nil, fe
	}
	var views []map[string]any
	for _, vh := range c.s.paas.vhosts {
		if c.s.paas.instances[vh.PaasID].Org != c.acct.Orgs[0].ID {
			continue
		}
		fv := map[string]any{keyDateCreation: vh.Created, "id": int64(vh.ID), keyName: vh.Name,
			keyPaasID: int64(vh.PaasID), keyState: vh.State, "view": vhostView(vh)}
		if lo.matches(fv) {
			views = append(views, fv)
		}
	}
	if paged {
		views = lo.page(views)
	}
	return views, nil
}

// countOf and listOf make a method's count and list handlers from its
// filtering: the list pages (paged) and answers each match's "view", the
// count counts every match.
func countOf(filter func(*xcall, bool) ([]map[string]any, *xfault)) xhandler {
	return func(c *xcall) (any, *xfault) {
		l, fe := filter(c, false)
		return len(l), fe
	}
}

func listOf(filter func(*xcall, bool) ([]map[string]any, *xfault)) xhandler {
	return func(c *xcall) (any, *xfault) {
		l, fe := filter(c, true)
		out := make([]any, 0, len(l))
		for _, v := range l {
			out = append(out, v["view"])
		}
		return out, fe
	}
}

// vhostDNSEntries answers {keyName, "key", "txt"}: the record name ("@" for
// a domain, the subdomain otherwise, taking the last two labels as the
// domain), the CNAME target and the TXT verification value.
func vhostDNSEntries(c *xcall) (any, *xfault) {
	if fe := c.arity(1, 1); fe != nil {
		return nil, fe
	}
	p, fe := c.structArg(0, false)
	if fe != nil {
		return nil, fe
	}
	if fe := checkParams(p, map[string]string{"datacenter": kindInt, keyVhost: kindString}, "datacenter", keyVhost); fe != nil {
		return nil, fe
	}
	fqdn := pString(p, keyVhost)
	if fe := checkVhostName(fqdn); fe != nil {
		return nil, fe
	}
	dc := pInt(p, "datacenter")
	if paasDatacenters[dc] == nil {
		return nil, xerr(faultInvalid, "Invalid parameter: unknown datacenter")
	}
	labels := strings.Split(fqdn, ".")
	name := "@"
	if len(labels) > 2 {
		name = strings.Join(labels[:len(labels)-2], ".")
	}
	sum := sha256.Sum256([]byte(c.acct.Orgs[0].ID + "/" + fqdn))
	return map[string]any{
		keyName: name,
		"key":   "webredir.dc" + strconv.Itoa(dc) + ".gpaas.net.",
		"txt":   "gandi-paas-verification=" + hex.EncodeToString(sum[:12]),
	}, nil
}

func (c *xcall) listSnapshots(paged bool) ([]map[string]any, *xfault) {
	if fe := c.arity(0, 1); fe != nil {
		return nil, fe
	}
	opts, fe := c.structArg(0, true)
	if fe != nil {
		return nil, fe
	}
	lo, fe := parseListOpts(opts, []string{keyDateCreated, keyName, keyPaasID, keySize, keyType}, true)
	if fe != nil {
		return nil, fe
	}
	var views []map[string]any
	for _, sn := range c.s.paas.snapshots {
		in := c.s.paas.instances[sn.PaasID]
		if in.Org != c.acct.Orgs[0].ID {
			continue
		}
		fv := map[string]any{"id": int64(sn.ID), keyDateCreated: sn.Created, keyName: sn.Name,
			keyPaasID: int64(sn.PaasID), keySize: int64(sn.Size), keyType: sn.Type, "view": c.s.snapshotView(sn)}
		if lo.matches(fv) {
			views = append(views, fv)
		}
	}
	if paged {
		views = lo.page(views)
	}
	return views, nil
}

func (s *Server) snapshotView(sn *paasSnapshot) map[string]any {
	in := s.paas.instances[sn.PaasID]
	return map[string]any{keyDateCreated: sn.Created, keyName: sn.Name, keySize: sn.Size, keyType: sn.Type,
		"source": map[string]any{keyDatacenterID: in.DatacenterID, keyPaasID: in.ID, keyState: in.State}}
}

func snapshotInfo(c *xcall) (any, *xfault) {
	if fe := c.arity(1, 1); fe != nil {
		return nil, fe
	}
	id, fe := c.intArg(0)
	if fe != nil {
		return nil, fe
	}
	sn := c.s.paas.snapshots[id]
	if sn == nil || c.s.paas.instances[sn.PaasID].Org != c.acct.Orgs[0].ID {
		return nil, xerr(faultNotFound, "Error on object : OBJECT_SNAPSHOT (CAUSE_NOTFOUND) [snapshot does not exist]")
	}
	return c.s.snapshotView(sn), nil
}

func (c *xcall) listTypes(paged bool) ([]map[string]any, *xfault) {
	if fe := c.arity(0, 1); fe != nil {
		return nil, fe
	}
	opts, fe := c.structArg(0, true)
	if fe != nil {
		return nil, fe
	}
	lo, fe := parseListOpts(opts, []string{"catalog_prefix", "category", keyDatabase, "id", keyName, "visibility"}, true)
	if fe != nil {
		return nil, fe
	}
	var views []map[string]any
	for i, name := range paasTypeNames {
		view, fv := paasTypeView(i, name)
		fv["view"] = view
		if lo.matches(fv) {
			views = append(views, fv)
		}
	}
	if paged {
		views = lo.page(views)
	}
	return views, nil
}
