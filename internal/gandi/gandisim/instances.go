//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

var contactFields = []spec{
	str("country").req().checked(checkCountry),
	str("email").req().checked(checkEmail),
	str("family").req().checked(checkNonEmpty),
	str("given").req().checked(checkNonEmpty),
	str("streetaddr").req().checked(checkNonEmpty),
	str("type", contactTypes...).req(),
	str("brand_number"), str("city"), boolean("data_obfuscated"), free("extra_parameters"), str("fax"),
	str("jo_announce_number"), str("jo_announce_page"), str("jo_declaration_date"), str("jo_publication_date"),
	str("lang", contactLangs...), boolean("mail_obfuscated"), str("mobile"), str("orgname"), str("phone"),
	str("siren"), str("state"), str("validation", validations...), str("zip"),
}

var createInstanceSchema = []spec{
	str("location", "FR", "LU").req(),
	str("size", createSizes...).req(),
	object("type",
		object("database", str("name", databaseNames...).req(), str("version")).req(),
		object("language", str("name", languageNames...).req(), str("version")).req(),
	).req(),
	object("authentication",
		str("password").req().checked(checkPassword),
		array("keys", str("").checked(checkUUID)),
		array("ssh_keys", str("").checked(checkSSHKey)),
	),
	boolean("autorenew"),
	object("domain",
		str("fqdn").req().checked(checkHostname),
		object("owner", contactFields...).req(),
		object("admin", contactFields...),
		object("bill", contactFields...),
		free("extra_parameters"),
		str("lang"),
		object("tech", contactFields...),
	),
	integer("duration").atLeast(1),
	str("duration_unit", "m"),
	str("name").checked(checkNonEmpty),
	boolean("snapshot_enabled"),
	integer("storage_additional_size").between(0, 1004),
	array("vhosts", object("",
		str("fqdn").req().checked(checkHostname),
		object("application", str("name").req(), free("parameters")),
		str("https_strategy", httpsStrategies...),
		object("linked_dns_zone", boolean("allow_alteration"), boolean("allow_alteration_override")),
		boolean("with_free_ssl"),
	)),
}

var patchInstanceSchema = []spec{
	boolean("booster"),
	object("booster_options", str("size", boosterSizes...)),
	str("language_id"),
	str("name").checked(checkNonEmpty),
	str("password").checked(checkPassword),
	str("size", resizeTargets...),
	boolean("snapshot_enabled"),
	integer("storage_additional_size").between(0, 1004),
}

var actionSchema = []spec{str("action", instanceActions...).req()}

func (c *call) instanceURL(id string) string {
	return c.base() + "/v5/simplehosting/instances/" + id
}

// instance resolves {instance_id}: 404 when unknown, 403 when it belongs to an
// organization the caller is not a member of.
func (c *call) instance() (*instance, *apiError) {
	in := c.s.instances[c.r.PathValue("instance_id")]
	if in == nil {
		return nil, notFound("Instance")
	}
	if !c.p.member(in.OrgID) {
		return nil, forbidden("You do not have access to this instance.")
	}
	return in, nil
}

// requireActive: the docs are silent on writes to an instance that is not
// active; the simulator answers 409 Conflict, a state problem the caller can
// wait out, distinct from 422 (the documented "vhost already exists").
func requireActive(in *instance) *apiError {
	if in.Status != statusActive {
		return newError(http.StatusConflict, fmt.Sprintf("The instance is %s; this operation needs an active instance.", in.Status)).withObject("Instance")
	}
	return nil
}

var instanceSorts = comparators[*instance]{
	"created_at": func(a, b *instance) int { return a.CreatedAt.Compare(b.CreatedAt) },
	"expire_at":  func(a, b *instance) int { return a.ExpireAt.Compare(b.ExpireAt) },
	"name":       func(a, b *instance) int { return cmp.Compare(a.Name, b.Name) },
	"size":       func(a, b *instance) int { return cmp.Compare(a.Size, b.Size) },
	"status":     func(a, b *instance) int { return cmp.Compare(a.Status, b.Status) },
	"id":         func(a, b *instance) int { return cmp.Compare(a.ID, b.ID) },
}

func listInstances(c *call) {
	orgs, e := c.sharingFilter()
	if e != nil {
		c.fail(e)
		return
	}
	q, errs := parseList(c, instanceSorts)
	name, hasName := c.filter("name")
	fqdn, hasFQDN := c.fqdnFilter(&errs)
	size, hasSize := c.enumFilter("size", allSizes, &errs)
	status, hasStatus := c.enumFilter("status", instanceStates, &errs)
	if len(errs) > 0 {
		c.invalid(errs)
		return
	}
	var items []*instance
	for _, in := range c.s.instances {
		if !slices.Contains(orgs, in.OrgID) ||
			hasName && !globMatch(name, in.Name) ||
			hasSize && in.Size != size ||
			hasStatus && in.Status != status ||
			hasFQDN && !slices.ContainsFunc(in.vhosts, func(v *vhost) bool { return globMatch(strings.ToLower(fqdn), v.FQDN) }) {
			continue
		}
		items = append(items, in)
	}
	sortItems(items, q, instanceSorts, func(in *instance) int64 { return in.seq })
	out := make([]map[string]any, len(items))
	for i, in := range items {
		out[i] = c.s.renderInstance(c, in, false)
	}
	writePage(c, out, q)
}

func isASCII(s string) bool {
	for _, r := range s {
		if r > 127 {
			return false
		}
	}
	return true
}

// dryRun reads the Dry-Run header: "1" checks only, "0" or absent performs.
func (c *call) dryRun() (bool, []fieldError) {
	v, ok := c.r.Header["Dry-Run"]
	if !ok {
		return false, nil
	}
	switch strings.TrimSpace(v[0]) {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, []fieldError{{Location: "header", Name: "Dry-Run", Description: "Must be the integer 0 or 1"}}
}

func createInstance(c *call) {
	org, e := c.billingOrg()
	if e != nil {
		c.fail(e)
		return
	}
	dry, errs := c.dryRun()
	body, bodyErrs, e := c.checkBody(createInstanceSchema, c.s.createInstanceRules(org))
	if e != nil {
		c.fail(e)
		return
	}
	errs = append(errs, bodyErrs...)
	if dry {
		// A dry run answers 200 either way; a refusal is {"status": "error"}.
		if len(errs) > 0 {
			c.json(http.StatusOK, map[string]any{"status": statusError, "errors": errs})
		} else {
			c.json(http.StatusOK, map[string]any{"status": "success"})
		}
		return
	}
	if len(errs) > 0 {
		c.invalid(errs)
		return
	}
	in := c.s.newInstance(org, body, c.now)
	c.s.paidCreates++
	c.w.Header().Set("Content-Location", c.instanceURL(in.ID))
	c.json(http.StatusAccepted, map[string]any{"message": "The instance is being created."})
}

// createInstanceRules runs checkCreateInstance, for an instance of org, once
// the body has passed its schema.
func (s *Server) createInstanceRules(org string) bodyCheck {
	return func(v *validator, body map[string]any) {
		if len(v.errs) == 0 {
			v.errs = append(v.errs, s.checkCreateInstance(org, body)...)
		}
	}
}

// checkCreateInstance holds the rules the schema cannot express: versions from
// the catalog, applications compatible with the instance, contact org names,
// one vhost per FQDN and none another instance serves, allow_alteration only
// on a zone Gandi may alter, a free domain that is still available.
func (s *Server) checkCreateInstance(org string, body map[string]any) []fieldError {
	v := &validator{}
	typ, _ := getObj(body, "type")
	lang, _ := getObj(typ, "language")
	db, _ := getObj(typ, "database")
	langName, _ := getStr(lang, "name")
	dbName, _ := getStr(db, "name")
	if ver, ok := getStr(lang, "version"); ok && !slices.Contains(languages[langName].versions, ver) {
		v.body("type.language.version", fmt.Sprintf("%q is not an available %s version (one of %s)", ver, langName, quoteAll(languages[langName].versions)))
	}
	if ver, ok := getStr(db, "version"); ok && !slices.Contains(databases[dbName].versions, ver) {
		v.body("type.database.version", fmt.Sprintf("%q is not an available %s version (one of %s)", ver, dbName, quoteAll(databases[dbName].versions)))
	}
	size, _ := getStr(body, "size")
	newDomain := ""
	if dom, ok := getObj(body, "domain"); ok {
		for _, role := range []string{"owner", "admin", "bill", "tech"} {
			if ct, ok := getObj(dom, role); ok {
				checkContact(v, ct, "domain."+role)
			}
		}
		fqdn, _ := getStr(dom, "fqdn")
		if s.domainByFQDN(strings.ToLower(fqdn)) != nil {
			v.body("domain.fqdn", "This domain name is not available for registration")
		} else {
			newDomain = strings.ToLower(fqdn)
		}
	}
	vhosts, _ := getArr(body, "vhosts")
	seen := map[string]bool{}
	for i, it := range vhosts {
		vh := it.(map[string]any)
		p := fmt.Sprintf("vhosts.%d", i)
		fqdn, _ := getStr(vh, "fqdn")
		fqdn = strings.ToLower(fqdn)
		if seen[fqdn] {
			v.body(p+".fqdn", fmt.Sprintf("The vhost %s is listed twice", fqdn))
		} else if s.servedElsewhere("", fqdn) {
			v.body(p+".fqdn", servedElsewhereMessage(fqdn))
		}
		seen[fqdn] = true
		if z, ok := getObj(vh, "linked_dns_zone"); ok {
			if allow, _ := getBool(z, "allow_alteration"); allow && !s.alterableAtCreate(org, fqdn, newDomain) {
				v.body(p+".linked_dns_zone.allow_alteration", fmt.Sprintf("Can only be set if the domain of %s is managed by LiveDNS and you have the rights to manage its records", fqdn))
			}
		}
		if app, ok := getObj(vh, "application"); ok {
			checkApplication(v, app, p+".application", langName, dbName, size)
		}
	}
	return v.errs
}

func checkContact(v *validator, ct map[string]any, path string) {
	typ, _ := getStr(ct, "type")
	if _, ok := getStr(ct, "orgname"); typ != "individual" && !ok {
		v.body(path+".orgname", "Required when the contact type is not individual")
	}
}

func checkApplication(v *validator, app map[string]any, path, lang, db, size string) {
	name, _ := getStr(app, "name")
	a, ok := findApplication(name)
	if !ok {
		v.body(path+".name", fmt.Sprintf("Unknown application %q", name))
		return
	}
	if !a.compatible(lang, db, size) {
		v.body(path+".name", fmt.Sprintf("The application %s is not compatible with a %s instance using %s and %s", name, size, lang, db))
	}
}

func (s *Server) newInstance(org string, body map[string]any, now time.Time) *instance {
	id := uuid.NewString()
	typ, _ := getObj(body, "type")
	lang, _ := getObj(typ, "language")
	db, _ := getObj(typ, "database")
	langName, _ := getStr(lang, "name")
	dbName, _ := getStr(db, "name")
	langVer, ok := getStr(lang, "version")
	if !ok {
		langVer = languages[langName].recommended
	}
	dbVer, ok := getStr(db, "version")
	if !ok {
		dbVer = databases[dbName].recommended
	}
	location, _ := getStr(body, "location")
	size, _ := getStr(body, "size")
	name, ok := getStr(body, "name")
	if !ok {
		name = "webhosting-" + id[:8]
	}
	duration, ok := getInt(body, "duration")
	if !ok {
		duration = 1
	}
	storage, _ := getInt(body, "storage_additional_size")
	snap, _ := getBool(body, "snapshot_enabled")
	renew, _ := getBool(body, "autorenew")
	in := &instance{
		InstanceView: InstanceView{
			ID: id, OrgID: org, Name: name, Size: size, Status: statusWaitingBill,
			Location: location, Datacenter: defaultDatacenter[location],
			Language: langName, LanguageVersion: langVer, Database: dbName, DatabaseVersion: dbVer,
			StorageAdditionalSize: storage, SnapshotEnabled: snap, Autorenew: renew, Duration: duration,
			CreatedAt: now, ExpireAt: now.AddDate(0, duration, 0),
		},
		seq: s.nextSeq(), statusSince: now,
	}
	if auth, ok := getObj(body, "authentication"); ok {
		in.Password, _ = getStr(auth, "password")
		in.PasswordUpdatedAt = now
		keys, _ := getArr(auth, "keys")
		in.SSHKeyIDs = strList(keys)
		sshKeys, _ := getArr(auth, "ssh_keys")
		in.SSHKeys = strList(sshKeys)
	}
	if dom, ok := getObj(body, "domain"); ok {
		fqdn, _ := getStr(dom, "fqdn")
		in.Domain = strings.ToLower(fqdn)
		s.addDomainLocked(org, in.Domain)
	}
	vhosts, _ := getArr(body, "vhosts")
	for _, it := range vhosts {
		spec := it.(map[string]any)
		fqdn, _ := getStr(spec, "fqdn")
		vh := s.newVhost(in, strings.ToLower(fqdn), now)
		if app, ok := getObj(spec, "application"); ok {
			vh.setApplication(app, now)
		}
		if hs, ok := getStr(spec, "https_strategy"); ok {
			vh.HTTPSStrategy = hs
		}
		if z, ok := getObj(spec, "linked_dns_zone"); ok {
			vh.setLinkedZone(z)
		}
		vh.withFreeSSL, _ = getBool(spec, "with_free_ssl")
		vh.LastCheckedStatus = s.zoneStatus(in, vh)
		in.pending = append(in.pending, vh)
	}
	s.instances[id] = in
	return in
}

func getInstance(c *call) {
	in, e := c.instance()
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, c.s.renderInstance(c, in, true))
}

func patchInstance(c *call) {
	in, e := c.instance()
	if e != nil {
		c.fail(e)
		return
	}
	body, ok := c.validBody(patchInstanceSchema)
	if !ok {
		return
	}
	langVersion, e := checkInstancePatch(in, body, c.now)
	if e != nil {
		c.fail(e)
		return
	}
	// 202: accepted, not done. The change shows Timings.InstanceUpdate
	// later (advanceInstance), so a GET in between shows the instance as
	// it was.
	in.updates = append(in.updates, instanceUpdate{body: body, langVersion: langVersion, due: c.now.Add(c.s.timings.InstanceUpdate)})
	if _, ok := getStr(body, "password"); ok {
		c.s.passwordChanges++
		in.PasswordChanges++
	}
	if carriesPayment(body) {
		c.s.paidChanges++
	}
	c.w.Header().Set("Content-Location", c.instanceURL(in.ID))
	c.json(http.StatusAccepted, map[string]any{"message": "The instance is being updated."})
}

// paidPatchFields are the PATCH fields that can induce a payment: “Be
// mindful that it can induce a payment, typically if the instance size or
// storage additional size is modified.” The booster (a temporary boost of
// the instance's resources) is counted with them.
var paidPatchFields = []string{"size", "storage_additional_size", "booster", "booster_options"}

func carriesPayment(body map[string]any) bool {
	for _, f := range paidPatchFields {
		if _, ok := body[f]; ok {
			return true
		}
	}
	return false
}

// instanceUpdate is a PATCH Gandi accepted and applies at due.
type instanceUpdate struct {
	body        map[string]any
	langVersion string
	due         time.Time
}

// applyUpdates applies the accepted PATCHes due by now, in the order they
// were accepted, each at its due time. An instance being deleted drops
// them.
func (in *instance) applyUpdates(now time.Time) {
	if in.Status == statusBeingDeleted {
		in.updates = nil
		return
	}
	for len(in.updates) > 0 && !now.Before(in.updates[0].due) {
		u := in.updates[0]
		in.updates = in.updates[1:]
		in.expireBooster(u.due)
		applyInstancePatch(in, u.body, u.langVersion, u.due)
	}
	in.expireBooster(now)
}

// paidFor is the size and additional storage the instance has once every
// accepted PATCH is applied: what a new resize or storage change is
// checked against, so that one accepted before it cannot be undone by it.
func (in *instance) paidFor() (size string, storage int) {
	size, storage = in.Size, in.StorageAdditionalSize
	for _, u := range in.updates {
		if s, ok := getStr(u.body, "size"); ok {
			size = s
		}
		if st, ok := getInt(u.body, "storage_additional_size"); ok {
			storage = st
		}
	}
	return size, storage
}

// checkInstancePatch holds the PATCH rules beyond the schema, in the order a
// caller can act on them: a bad language_id (400), an instance that is not
// active (409), the resize and storage rules (422), then a booster that is
// not available (409). It returns the language version language_id
// selects.
func checkInstancePatch(in *instance, body map[string]any, now time.Time) (string, *apiError) {
	// language_id: the docs say to take it from upgrade_to, whose documented
	// items carry no ID. The simulator's language items add "id" (agreed with
	// the client's author) and only those IDs are accepted.
	var langVersion string
	if lid, ok := getStr(body, "language_id"); ok {
		for _, u := range languageUpgrades(in) {
			if u.id == lid {
				langVersion = u.version
			}
		}
		if langVersion == "" {
			return "", validationError([]fieldError{{Location: "body", Name: "language_id", Description: "Not an available language upgrade for this instance (see the id of the language items of upgrade_to)"}})
		}
	}
	if e := requireActive(in); e != nil {
		return "", e
	}
	curSize, curStorage := in.paidFor()
	// The docs limit a resize by the instance's size and the target (the
	// schema's enum), not by direction: a smaller target is taken too.
	if size, ok := getStr(body, "size"); ok && size != curSize && !slices.Contains(legacyOrder, curSize) {
		return "", newError(http.StatusUnprocessableEntity, fmt.Sprintf("Resizing is only supported for s, s+, m, l, xl and xxl instances; this instance is %s.", curSize)).withObject("Instance")
	}
	if st, ok := getInt(body, "storage_additional_size"); ok && st < curStorage {
		return "", newError(http.StatusUnprocessableEntity, fmt.Sprintf("Only increases of storage_additional_size are supported (current %d GB, asked %d GB).", curStorage, st)).withObject("Instance")
	}
	if on, _ := getBool(body, "booster"); on {
		if e := in.boosterRefusal(now); e != nil {
			return "", e
		}
	}
	return langVersion, nil
}

func applyInstancePatch(in *instance, body map[string]any, langVersion string, now time.Time) {
	if name, ok := getStr(body, "name"); ok {
		in.Name = name
	}
	if size, ok := getStr(body, "size"); ok {
		in.Size = size
	}
	if st, ok := getInt(body, "storage_additional_size"); ok {
		in.StorageAdditionalSize = st
	}
	if snap, ok := getBool(body, "snapshot_enabled"); ok {
		in.SnapshotEnabled = snap
	}
	if b, ok := getBool(body, "booster"); ok {
		in.setBooster(b, now)
	}
	if opts, ok := getObj(body, "booster_options"); ok {
		if size, ok := getStr(opts, "size"); ok {
			in.BoosterSize = size
		}
	}
	if pw, ok := getStr(body, "password"); ok {
		in.Password, in.PasswordUpdatedAt = pw, now
	}
	if langVersion != "" {
		in.LanguageVersion = langVersion
	}
}

func deleteInstance(c *call) {
	in, e := c.instance()
	if e != nil {
		c.fail(e)
		return
	}
	if in.Status == statusBeingDeleted {
		c.fail(newError(http.StatusConflict, "The instance is already being deleted.").withObject("Instance"))
		return
	}
	in.Status, in.statusSince = statusBeingDeleted, c.now
	in.pending = nil
	for _, vh := range in.vhosts {
		if vh.Status != statusBeingDeleted {
			vh.Status, vh.statusSince = statusBeingDeleted, c.now
		}
	}
	c.noContent()
}

func instanceAction(c *call) {
	in, e := c.instance()
	if e != nil {
		c.fail(e)
		return
	}
	body, ok := c.validBody(actionSchema)
	if !ok {
		return
	}
	if e := requireActive(in); e != nil {
		c.fail(e)
		return
	}
	action, _ := getStr(body, "action")
	in.actions = append(in.actions, action)
	if action == "console" {
		in.ConsoleEnabled = true
	}
	c.w.Header().Set("Content-Location", c.instanceURL(in.ID))
	c.json(http.StatusAccepted, map[string]any{"message": "The action " + action + " is being performed."})
}

func instanceUsage(c *call) {
	in, e := c.instance()
	if e != nil {
		c.fail(e)
		return
	}
	total := int64(sizes[in.Size].baseGB+in.StorageAdditionalSize) << 30
	c.json(http.StatusOK, map[string]any{"disk_size_bytes": total, "disk_used_bytes": min(in.DiskUsedBytes, total)})
}
