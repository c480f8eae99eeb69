//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"cmp"
	"fmt"
	"net/http"
	"strings"
	"time"
)

var applicationSpec = object("application", str("name").req(), free("parameters"))

// linked_dns_zone.allow_alteration is required on the vhost routes (it is
// optional, defaulting to false, only inside an instance create).
var linkedZoneSpec = object("linked_dns_zone", boolean("allow_alteration").req(), boolean("allow_alteration_override"))

// The vhost create body documents no https_strategy: a strategy can only be
// PATCHed afterwards, so an unknown-field error here is deliberate.
var createVhostSchema = []spec{
	str("fqdn").req().checked(checkHostname),
	applicationSpec,
	linkedZoneSpec,
}

var patchVhostSchema = []spec{
	applicationSpec,
	str("https_strategy", httpsStrategies...),
	linkedZoneSpec,
}

func (c *call) vhostURL(instanceID, fqdn string) string {
	return c.instanceURL(instanceID) + "/vhosts/" + fqdn
}

// vhost resolves {instance_id}/vhosts/{vhost_fqdn}. The segment must be ASCII
// (Punycode), as the docs require; a Unicode FQDN is a 400, not a miss.
func (c *call) vhost() (*instance, *vhost, *apiError) {
	in, e := c.instance()
	if e != nil {
		return nil, nil, e
	}
	fqdn := c.r.PathValue("vhost_fqdn")
	if !isASCII(fqdn) {
		return nil, nil, validationError([]fieldError{{Location: "path", Name: "vhost_fqdn", Description: "The FQDN must be encoded in ASCII form (Punycode)"}})
	}
	vh := in.findVhost(strings.ToLower(fqdn))
	if vh == nil {
		return nil, nil, notFound("Vhost")
	}
	return in, vh, nil
}

// applicationRules checks a vhost body's application against the instance
// once the body has passed its schema.
func (in *instance) applicationRules(v *validator, body map[string]any) {
	if len(v.errs) > 0 {
		return
	}
	if app, ok := getObj(body, "application"); ok {
		checkApplication(v, app, "application", in.Language, in.Database, in.Size)
	}
}

func (in *instance) findVhost(fqdn string) *vhost {
	for _, vh := range in.vhosts {
		if vh.FQDN == fqdn {
			return vh
		}
	}
	return nil
}

func (s *Server) newVhost(in *instance, fqdn string, now time.Time) *vhost {
	return &vhost{
		VhostView: VhostView{
			InstanceID: in.ID, FQDN: fqdn, Status: statusBeingCreated, CreatedAt: now,
			HTTPSStrategy: "allow_HTTP_and_HTTPS", LastCheckedStatus: "unknown",
		},
		seq: s.nextSeq(), statusSince: now, appSince: now,
	}
}

func (vh *vhost) setApplication(app map[string]any, now time.Time) {
	vh.Application, _ = getStr(app, "name")
	params, _ := getObj(app, "parameters")
	vh.ApplicationParameters = cloneMap(params)
	vh.ApplicationStatus, vh.appSince = statusBeingCreated, now
}

// setLinkedZone applies a linked_dns_zone object of a request body.
func (vh *vhost) setLinkedZone(z map[string]any) {
	vh.AllowAlteration, _ = getBool(z, "allow_alteration")
	vh.AllowAlterationOverride, _ = getBool(z, "allow_alteration_override")
}

// zoneOf finds the zone a vhost lives in: the longest domain the simulator
// knows that is the FQDN or a parent of it, else the last two labels.
func (s *Server) zoneOf(fqdn string) (string, *domain) {
	labels := strings.Split(fqdn, ".")
	for i := 0; i < len(labels)-1; i++ {
		cand := strings.Join(labels[i:], ".")
		if d := s.domainByFQDN(cand); d != nil {
			return cand, d
		}
	}
	return strings.Join(labels[len(labels)-2:], "."), nil
}

func zoneKey(fqdn, zone string) string {
	if fqdn == zone {
		return "@"
	}
	return strings.TrimSuffix(fqdn, "."+zone)
}

func (vh *vhost) zoneSummary() map[string]any {
	return map[string]any{"allow_alteration": vh.AllowAlteration, "last_checked_status": vh.LastCheckedStatus}
}

// withHTTPS adds https_strategy only while the vhost has a certificate, as the
// docs say; a strategy PATCHed earlier stays stored but unreported.
func (vh *vhost) withHTTPS(m map[string]any) map[string]any {
	if len(vh.Certificates) > 0 {
		m["https_strategy"] = vh.HTTPSStrategy
	}
	return m
}

// brief is the answer to a vhost create or PATCH.
func (vh *vhost) brief() map[string]any {
	return vh.withHTTPS(map[string]any{"fqdn": vh.FQDN, "status": vh.Status, "linked_dns_zone": vh.zoneSummary()})
}

func (c *call) certificates(vh *vhost) []map[string]any {
	out := make([]map[string]any, 0, len(vh.Certificates))
	for _, cert := range vh.Certificates {
		out = append(out, map[string]any{"id": cert.ID, "pending": cert.Pending, "href": c.base() + "/v5/certificate/issued-certs/" + cert.ID})
	}
	return out
}

func (c *call) renderVhost(in *instance, vh *vhost, details bool) map[string]any {
	zone := vh.zoneSummary()
	if !vh.LastCheckedAt.IsZero() {
		zone["last_checked_at"] = ts(vh.LastCheckedAt)
	}
	m := map[string]any{
		"created_at":      ts(vh.CreatedAt),
		"fqdn":            vh.FQDN,
		"is_a_test_vhost": vh.IsATestVhost,
		"status":          vh.Status,
		"linked_dns_zone": zone,
	}
	if vh.Application != "" {
		app := map[string]any{"name": vh.Application}
		if vh.ApplicationParameters != nil {
			app["parameters"] = vh.ApplicationParameters
		}
		if details {
			app["status"] = vh.ApplicationStatus
		}
		m["application"] = app
	}
	if len(vh.Certificates) > 0 {
		m["certificates"] = c.certificates(vh)
	}
	if details {
		t := c.s.targetsOf(in, vh.FQDN)
		zone["domain"] = t.zone
		zone["key"] = t.key
		zone["is_root"] = t.root
		zone["cname"] = t.cname
		zone["ipv4"] = t.ipv4
		zone["ipv6"] = t.ipv6
		zone["txt"] = t.txt
		zone["is_alterable"] = c.s.alterable(in.OrgID, vh.FQDN)
	}
	return vh.withHTTPS(m)
}

var vhostSorts = comparators[*vhost]{
	"created_at": func(a, b *vhost) int { return a.CreatedAt.Compare(b.CreatedAt) },
	"fqdn":       func(a, b *vhost) int { return cmp.Compare(a.FQDN, b.FQDN) },
	"status":     func(a, b *vhost) int { return cmp.Compare(a.Status, b.Status) },
}

func listVhosts(c *call) {
	in, e := c.instance()
	if e != nil {
		c.fail(e)
		return
	}
	q, errs := parseList(c, vhostSorts)
	fqdn, hasFQDN := c.fqdnFilter(&errs)
	status, hasStatus := c.enumFilter("status", vhostStates, &errs)
	if len(errs) > 0 {
		c.invalid(errs)
		return
	}
	var items []*vhost
	for _, vh := range in.vhosts {
		if hasFQDN && !globMatch(strings.ToLower(fqdn), vh.FQDN) || hasStatus && vh.Status != status {
			continue
		}
		items = append(items, vh)
	}
	sortItems(items, q, vhostSorts, func(v *vhost) int64 { return v.seq })
	out := make([]map[string]any, len(items))
	for i, vh := range items {
		out[i] = c.renderVhost(in, vh, false)
	}
	writePage(c, out, q)
}

func createVhost(c *call) {
	in, e := c.instance()
	if e != nil {
		c.fail(e)
		return
	}
	body, ok := c.validBody(createVhostSchema, in.applicationRules)
	if !ok {
		return
	}
	if e := requireActive(in); e != nil {
		c.fail(e)
		return
	}
	fqdn, _ := getStr(body, "fqdn")
	fqdn = strings.ToLower(fqdn)
	if in.findVhost(fqdn) != nil {
		c.fail(newError(http.StatusUnprocessableEntity, "The vhost "+fqdn+" already exists on the instance.").withObject("Vhost"))
		return
	}
	if c.s.servedElsewhere(in.ID, fqdn) {
		c.fail(newError(http.StatusUnprocessableEntity, servedElsewhereMessage(fqdn)).withObject("Vhost"))
		return
	}
	vh := c.s.newVhost(in, fqdn, c.now)
	if app, ok := getObj(body, "application"); ok {
		vh.setApplication(app, c.now)
	}
	if z, ok := getObj(body, "linked_dns_zone"); ok {
		vh.setLinkedZone(z)
	}
	vh.LastCheckedStatus = c.s.zoneStatus(in, vh)
	in.vhosts = append(in.vhosts, vh)
	c.s.vhostCreates++
	c.w.Header().Set("Content-Location", c.vhostURL(in.ID, fqdn))
	c.json(http.StatusAccepted, vh.brief())
}

func getVhost(c *call) {
	in, vh, e := c.vhost()
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, c.renderVhost(in, vh, true))
}

// vhostWritable: a vhost still being created or already being deleted cannot
// be changed (409, like an instance that is not active).
func vhostWritable(in *instance, vh *vhost) *apiError {
	if e := requireActive(in); e != nil {
		return e
	}
	if vh.Status == statusBeingCreated || vh.Status == statusBeingDeleted {
		return newError(http.StatusConflict, fmt.Sprintf("The vhost is %s; it cannot be changed now.", vh.Status)).withObject("Vhost")
	}
	return nil
}

func patchVhost(c *call) {
	in, vh, e := c.vhost()
	if e != nil {
		c.fail(e)
		return
	}
	body, ok := c.validBody(patchVhostSchema, in.applicationRules)
	if !ok {
		return
	}
	if e := vhostWritable(in, vh); e != nil {
		c.fail(e)
		return
	}
	if app, ok := getObj(body, "application"); ok {
		vh.setApplication(app, c.now)
	}
	if hs, ok := getStr(body, "https_strategy"); ok {
		vh.HTTPSStrategy = hs
	}
	if z, ok := getObj(body, "linked_dns_zone"); ok {
		vh.setLinkedZone(z)
		c.s.checkAgain(in, vh, c.now)
	}
	c.json(http.StatusOK, vh.brief())
}

func deleteVhost(c *call) {
	in, vh, e := c.vhost()
	if e != nil {
		c.fail(e)
		return
	}
	if vh.Status == statusBeingDeleted {
		c.fail(newError(http.StatusConflict, "The vhost is already being deleted.").withObject("Vhost"))
		return
	}
	if e := requireActive(in); e != nil {
		c.fail(e)
		return
	}
	vh.Status, vh.statusSince = statusBeingDeleted, c.now
	c.noContent()
}

func purgeVhostCache(c *call) {
	_, vh, e := c.vhost()
	if e != nil {
		c.fail(e)
		return
	}
	vh.PurgeCount++
	c.noContent()
}
