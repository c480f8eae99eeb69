package gandisim

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The conformance test holds the simulator to the two documents it was
// written from, route by route, over plain net/http: the documented success
// status, the headers (absolute Content-Location/Location that lead to the
// object, Total-Count, Link on every page but the last), Gandi's error body
// {cause, code, message, object} for an error of each route and for the 401
// and 403 every route documents, and every documented enum of the answers.
// The enum values below are copied from the docs, not from the simulator's
// own tables, so that a wrong table there fails here.

var (
	docSizes          = []string{"s", "s+", "m", "l", "xl", "xxl", "starter", "advanced", "pro", "business"}
	docInstanceStates = []string{"waiting_bill", "being_created", "active", "paused", "locked", "being_deleted"}
	docDatacenters    = []string{"FR-SD3", "FR-SD5", "FR-SD6", "LU-BI1"}
	docRegions        = []string{"FR", "LU"}
	docUnits          = []string{"MB", "GB"}
	docDurationTypes  = []string{"m"}
	docDBAdmins       = []string{"phpMyAdmin", "phpPgAdmin", "Adminer"}
	docBoosterStates  = []string{"being_created", "active", "being_deleted"}
	docVhostStates    = []string{"being_created", "running", "being_deleted", "locked", "waiting_ownership", "ownership_validated", "validation_failed"}
	docZoneChecks     = []string{"altered", "livedns_conflict", "livedns_done", "livedns_error", "unknown"}
	docHTTPS          = []string{"HTTP_only", "allow_HTTP_and_HTTPS", "redirect_HTTP_to_HTTPS"}
	docAppStates      = []string{"error", "running", "being_created", "cancelled"}
	docDryRunStatus   = []string{"success", "error"}
	docFieldLocations = []string{"header", "path", "querystring", "body"}
	docDispatchStates = []string{"0", "10", "20", "30"}
	docRecordTypes    = []string{"A", "AAAA", "ALIAS", "CAA", "CDS", "CNAME", "DNAME", "DS", "KEY", "LOC", "MX", "NAPTR", "NS", "OPENPGPKEY", "PTR", "RP", "SPF", "SRV", "SSHFP", "TLSA", "TXT", "WKS"}
	docNSServices     = []string{"custom", "livedns"}
	docRedirTypes     = []string{"cloak", "http301", "http302"}
	docRedirProtocols = []string{"http", "https", "httpsonly"}
	// "The possible values are the keys of a template's payload".
	docNamespaces  = []string{"dns:records", "domain:mailboxes", "domain:nameservers", "domain:webredirs"}
	docTargetTypes = []string{"domain"}
	// upgrade_to[].type: "Indicate whether the available upgrade is a
	// database or a language upgrade" (prose, no enum).
	docUpgradeTypes = []string{"database", "language"}
)

// presence says how a documented field may be missing from an answer.
type presence int

const (
	// required: in every object that should hold it (the docs list it
	// before "Optional"), and the fixture makes it appear at least once.
	required presence = iota
	// somewhere: documented Optional; the fixture makes it appear at least
	// once in this answer.
	somewhere
	// ifPresent: documented Optional or conditional, and this answer
	// cannot show it; checked when it is there.
	ifPresent
)

// field is one documented field of an answer. Path segments are keys,
// "key[]" for every item of an array, "*" for every value of an object. A
// nil enum checks presence only.
type field struct {
	path string
	enum []string
	when presence
}

func enum(path string, values []string) field { return field{path: path, enum: values} }
func has(path string) field                   { return field{path: path} }
func optional(path string, values []string) field {
	return field{path: path, enum: values, when: somewhere}
}
func conditional(path string, values []string) field {
	return field{path: path, enum: values, when: ifPresent}
}

// probe is one request and what its answer must be.
type probe struct {
	name   string
	send   func(f *fixture) resp
	status int
	// location names the header that must hold an absolute URL under the
	// base, whose path matches target and which a GET answers with 200.
	location string
	target   func(f *fixture) string // a regexp
	// list: the body is an array and fields apply to each item.
	list   bool
	fields []field
}

// routeCase is one documented route.
type routeCase struct {
	route string
	// path is a concrete path of the route, for the auth probes.
	path func(f *fixture) string
	ok   []probe
	// fail is an error of the route itself (besides 401 and 403).
	fail probe
	// pages is the list path whose pagination headers are checked.
	pages func(f *fixture) string
}

// fixture is one route's fresh world: alice's active instance with two
// vhosts (one with a certificate, an HTTPS strategy and an application),
// booster on, autorenew and a password; a paused instance; a domain; a
// template using every namespace; a public template.
type fixture struct {
	*env
	inst, paused     string
	tpl, public, dom string
}

const (
	confVhost      = "www.example.com"
	confOtherVhost = "shop.example.com"
	unknownID      = "00000000-0000-4000-8000-000000000000"
)

func newFixture(t *testing.T) *fixture {
	t.Helper()
	e := newEnv(t)
	f := &fixture{env: e}
	f.inst = e.activeInstance(orgAlice, SeedInstance{
		Name: "conf", Size: "starter", Autorenew: true, Password: sha512Hash,
		Language: SeedRuntime{Name: "php", Version: "8.1"},
		Vhosts: []SeedVhost{
			{FQDN: confVhost, Certificate: true, HTTPSStrategy: "redirect_HTTP_to_HTTPS", Application: &SeedApplication{Name: "wordpress"}},
			{FQDN: confOtherVhost},
		},
	})
	expectStatus(t, e.patch(f.instPath(), map[string]any{"booster": true}), http.StatusAccepted)
	e.applied(f.inst)
	f.paused = e.activeInstance(orgAlice, SeedInstance{Name: "paused", Status: "paused"})
	f.dom = e.sim.AddDomain(orgAlice, "example.com")
	var err error
	if f.tpl, err = e.sim.AddTemplate(orgAlice, SeedTemplate{Name: "every-namespace", Payload: everyNamespace()}); err != nil {
		t.Fatal(err)
	}
	if f.public, err = e.sim.AddTemplate("", SeedTemplate{Public: true, Name: "public", Payload: map[string]any{"dns:records": map[string]any{"default": true}}}); err != nil {
		t.Fatal(err)
	}
	return f
}

func everyNamespace() map[string]any {
	return map[string]any{
		"domain:nameservers": map[string]any{"addresses": []any{}, "service": "livedns"},
		"dns:records": map[string]any{"records": []any{
			map[string]any{"name": "@", "type": "A", "values": []any{"203.0.113.1"}},
			map[string]any{"name": "www", "type": "CNAME", "ttl": 10800, "values": []any{"example.net."}},
		}},
		"domain:mailboxes": map[string]any{"values": []any{map[string]any{"login": "alice"}}},
		"domain:webredirs": map[string]any{"values": []any{
			map[string]any{"type": "http301", "host": "old.example.com", "url": "https://www.example.net/", "protocol": "https"},
		}},
	}
}

func (f *fixture) instPath() string { return "/v5/simplehosting/instances/" + f.inst }
func (f *fixture) vhostPath() string {
	return f.instPath() + "/vhosts/" + confVhost
}
func (f *fixture) tplPath() string { return templatesPath + "/" + f.tpl }

// apply applies the fixture's template to its domain and returns the
// dispatch ID, once the dispatch has a history entry to show.
func (f *fixture) apply() string {
	f.t.Helper()
	r := f.post(f.tplPath(), map[string]any{"object_type": "domain", "object_id": f.dom})
	expectStatus(f.t, r, http.StatusAccepted)
	id := strings.TrimPrefix(r.header.Get("Location"), f.srv.URL+"/v5/template/dispatch/")
	eventually(f.t, "a dispatch task to finish", func() bool {
		h, _ := f.get("/v5/template/dispatch/" + id).obj(f.t)["task_history"].([]any)
		return len(h) > 0
	})
	return id
}

func exactly(p string) string { return "^" + regexp.QuoteMeta(p) + "$" }

const uuidPattern = `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`

var instanceFields = []field{
	enum("datacenter.code", docDatacenters), enum("datacenter.region", docRegions),
	enum("size", docSizes), enum("status", docInstanceStates),
	enum("storage.additional.unit", docUnits), enum("storage.base.unit", docUnits), enum("storage.total.unit", docUnits),
	optional("autorenew.duration_type", docDurationTypes),
	has("available_upgrade"), has("created_at"), has("database.name"), has("expire_at"), has("id"),
	has("language.name"), has("language.single_application"), has("name"), has("sharing_space.id"), has("snapshot_enabled"),
}

var instanceDetailFields = append(slices.Clone(instanceFields),
	enum("ram.unit", docUnits),
	enum("access_information.database.admins[].type", docDBAdmins),
	optional("booster.current.ram_override.unit", docUnits),
	optional("booster.current.size_override", docSizes),
	optional("booster.current.status", docBoosterStates),
	optional("booster.next.default_ram_override.unit", docUnits),
	optional("upgrade_to[].type", docUpgradeTypes),
	has("console.enabled"), has("cpu"), has("vhosts[].fqdn"), has("vhosts[].href"),
)

var vhostListFields = []field{
	enum("status", docVhostStates),
	enum("linked_dns_zone.last_checked_status", docZoneChecks),
	optional("https_strategy", docHTTPS),
	has("created_at"), has("fqdn"), has("is_a_test_vhost"), has("linked_dns_zone.allow_alteration"),
}

// vhostBrief is the answer of a vhost create or PATCH. https_strategy is
// listed without "Optional" but "only present if you have a certificate".
var vhostBrief = []field{
	enum("status", docVhostStates),
	enum("linked_dns_zone.last_checked_status", docZoneChecks),
	conditional("https_strategy", docHTTPS),
	has("fqdn"), has("linked_dns_zone.allow_alteration"),
}

func payloadFields(prefix string) []field {
	return []field{
		optional(prefix+"dns:records.records[].type", docRecordTypes),
		optional(prefix+"domain:nameservers.service", docNSServices),
		optional(prefix+"domain:webredirs.values[].type", docRedirTypes),
		optional(prefix+"domain:webredirs.values[].protocol", docRedirProtocols),
	}
}

var templateSummaryFields = []field{
	enum("namespaces[]", docNamespaces),
	has("description"), has("editable"), has("href"), has("id"), has("name"), has("orgname"),
}

func message() []field { return []field{has("message")} }

func conformanceCases() []routeCase {
	instanceURL := func(f *fixture) string { return exactly(f.instPath()) }
	return []routeCase{
		{
			route: RouteListApplications,
			path:  func(*fixture) string { return "/v5/simplehosting/applications" },
			ok: []probe{{name: "list", status: http.StatusOK, list: true,
				send:   func(f *fixture) resp { return f.get("/v5/simplehosting/applications") },
				fields: []field{has("name"), has("name_label"), has("requirements[].instance_minimum_size"), has("requirements[].language.single_application")}}},
			fail:  probe{status: http.StatusBadRequest, send: func(f *fixture) resp { return f.get("/v5/simplehosting/applications?per_page=0") }},
			pages: func(*fixture) string { return "/v5/simplehosting/applications" },
		},
		{
			route: RouteGetApplication,
			path:  func(*fixture) string { return "/v5/simplehosting/applications/wordpress" },
			ok: []probe{{name: "details", status: http.StatusOK,
				send:   func(f *fixture) resp { return f.get("/v5/simplehosting/applications/wordpress") },
				fields: []field{has("name"), has("name_label"), has("requirements[].database.name")}}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.get("/v5/simplehosting/applications/joomla") }},
		},
		{
			route: RouteListInstances,
			path:  func(*fixture) string { return "/v5/simplehosting/instances" },
			ok: []probe{{name: "list", status: http.StatusOK, list: true, fields: instanceFields,
				send: func(f *fixture) resp { return f.get("/v5/simplehosting/instances") }}},
			fail:  probe{status: http.StatusForbidden, send: func(f *fixture) resp { return f.get("/v5/simplehosting/instances?sharing_id=" + orgBob) }},
			pages: func(*fixture) string { return "/v5/simplehosting/instances" },
		},
		{
			route: RouteCreateInstance,
			path:  func(*fixture) string { return "/v5/simplehosting/instances" },
			ok: []probe{
				{name: "create", status: http.StatusAccepted, fields: message(),
					location: "Content-Location", target: func(*fixture) string { return "^/v5/simplehosting/instances/" + uuidPattern + "$" },
					send: func(f *fixture) resp { return f.post("/v5/simplehosting/instances", validCreate()) }},
				{name: "Dry-Run accepted", status: http.StatusOK, fields: []field{enum("status", docDryRunStatus)},
					send: func(f *fixture) resp { return f.post("/v5/simplehosting/instances", validCreate(), "Dry-Run", "1") }},
				{name: "Dry-Run refused", status: http.StatusOK,
					fields: []field{enum("status", docDryRunStatus), enum("errors[].location", docFieldLocations), has("errors[].name"), has("errors[].description")},
					send: func(f *fixture) resp {
						return f.post("/v5/simplehosting/instances", map[string]any{"size": "huge"}, "Dry-Run", "1")
					}},
			},
			fail: probe{status: http.StatusBadRequest, send: func(f *fixture) resp { return f.post("/v5/simplehosting/instances", map[string]any{}) }},
		},
		{
			route: RouteGetInstance,
			path:  func(f *fixture) string { return f.instPath() },
			ok: []probe{{name: "details", status: http.StatusOK, fields: instanceDetailFields,
				send: func(f *fixture) resp { return f.get(f.instPath()) }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.get("/v5/simplehosting/instances/" + unknownID) }},
		},
		{
			route: RoutePatchInstance,
			path:  func(f *fixture) string { return f.instPath() },
			ok: []probe{{name: "modify", status: http.StatusAccepted, fields: message(), location: "Content-Location", target: instanceURL,
				send: func(f *fixture) resp { return f.patch(f.instPath(), map[string]any{"snapshot_enabled": true}) }}},
			fail: probe{status: http.StatusConflict, send: func(f *fixture) resp {
				return f.patch("/v5/simplehosting/instances/"+f.paused, map[string]any{"snapshot_enabled": true})
			}},
		},
		{
			route: RouteDeleteInstance,
			path:  func(f *fixture) string { return f.instPath() },
			ok: []probe{{name: "delete", status: http.StatusNoContent,
				send: func(f *fixture) resp { return f.del(f.instPath()) }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.del("/v5/simplehosting/instances/" + unknownID) }},
		},
		{
			route: RouteInstanceAction,
			path:  func(f *fixture) string { return f.instPath() + "/action" },
			ok: []probe{
				{name: "restart", status: http.StatusAccepted, fields: message(), location: "Content-Location", target: instanceURL,
					send: func(f *fixture) resp { return f.post(f.instPath()+"/action", map[string]any{"action": "restart"}) }},
				{name: "not performed (documented 204, injected)", status: http.StatusNoContent,
					send: func(f *fixture) resp {
						f.sim.FailNext(RouteInstanceAction, 1, http.StatusNoContent, 0)
						return f.post(f.instPath()+"/action", map[string]any{"action": "console"})
					}},
			},
			fail: probe{status: http.StatusBadRequest, send: func(f *fixture) resp {
				return f.post(f.instPath()+"/action", map[string]any{"action": "reboot"})
			}},
		},
		{
			route: RouteInstanceUsage,
			path:  func(f *fixture) string { return f.instPath() + "/usage" },
			ok: []probe{{name: "usage", status: http.StatusOK, fields: []field{has("disk_size_bytes")},
				send: func(f *fixture) resp { return f.get(f.instPath() + "/usage") }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.get("/v5/simplehosting/instances/" + unknownID + "/usage") }},
		},
		{
			route: RouteListVhosts,
			path:  func(f *fixture) string { return f.instPath() + "/vhosts" },
			ok: []probe{{name: "list", status: http.StatusOK, list: true, fields: vhostListFields,
				send: func(f *fixture) resp { return f.get(f.instPath() + "/vhosts") }}},
			fail:  probe{status: http.StatusBadRequest, send: func(f *fixture) resp { return f.get(f.instPath() + "/vhosts?status=up") }},
			pages: func(f *fixture) string { return f.instPath() + "/vhosts" },
		},
		{
			route: RouteCreateVhost,
			path:  func(f *fixture) string { return f.instPath() + "/vhosts" },
			ok: []probe{{name: "create", status: http.StatusAccepted, fields: vhostBrief, location: "Content-Location",
				target: func(f *fixture) string { return exactly(f.instPath() + "/vhosts/new.example.com") },
				send: func(f *fixture) resp {
					return f.post(f.instPath()+"/vhosts", map[string]any{"fqdn": "new.example.com", "linked_dns_zone": map[string]any{"allow_alteration": false}})
				}}},
			// The documented 422: "The vhost already exist on the instance".
			fail: probe{status: http.StatusUnprocessableEntity, send: func(f *fixture) resp {
				return f.post(f.instPath()+"/vhosts", map[string]any{"fqdn": confVhost, "linked_dns_zone": map[string]any{"allow_alteration": false}})
			}},
		},
		{
			route: RouteGetVhost,
			path:  func(f *fixture) string { return f.vhostPath() },
			ok: []probe{{name: "details", status: http.StatusOK,
				fields: append(slices.Clone(vhostListFields),
					optional("application.status", docAppStates), has("application.name"),
					has("linked_dns_zone.cname"), has("linked_dns_zone.domain"), has("linked_dns_zone.ipv4"), has("linked_dns_zone.ipv6"),
					has("linked_dns_zone.is_alterable"), has("linked_dns_zone.is_root"), has("linked_dns_zone.key"), has("linked_dns_zone.txt"),
					has("certificates[].href"), has("certificates[].id"), has("certificates[].pending")),
				send: func(f *fixture) resp { return f.get(f.vhostPath()) }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.get(f.instPath() + "/vhosts/nope.example.com") }},
		},
		{
			route: RoutePatchVhost,
			path:  func(f *fixture) string { return f.vhostPath() },
			ok: []probe{{name: "update", status: http.StatusOK,
				fields: append(slices.Clone(vhostBrief[:2]), optional("https_strategy", docHTTPS), has("fqdn")),
				send:   func(f *fixture) resp { return f.patch(f.vhostPath(), map[string]any{"https_strategy": "HTTP_only"}) }}},
			fail: probe{status: http.StatusBadRequest, send: func(f *fixture) resp {
				return f.patch(f.vhostPath(), map[string]any{"https_strategy": "always"})
			}},
		},
		{
			route: RouteDeleteVhost,
			path:  func(f *fixture) string { return f.vhostPath() },
			ok: []probe{{name: "delete", status: http.StatusNoContent,
				send: func(f *fixture) resp { return f.del(f.vhostPath()) }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.del(f.instPath() + "/vhosts/nope.example.com") }},
		},
		{
			route: RoutePurgeVhostCache,
			path:  func(f *fixture) string { return f.vhostPath() + "/cache" },
			ok: []probe{{name: "purge", status: http.StatusNoContent,
				send: func(f *fixture) resp { return f.del(f.vhostPath() + "/cache") }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.del(f.instPath() + "/vhosts/nope.example.com/cache") }},
		},
		{
			route: RouteListTemplates,
			path:  func(*fixture) string { return templatesPath },
			ok: []probe{{name: "list", status: http.StatusOK, list: true, fields: templateSummaryFields,
				send: func(f *fixture) resp { return f.get(templatesPath) }}},
			fail:  probe{status: http.StatusBadRequest, send: func(f *fixture) resp { return f.get(templatesPath + "?page=0") }},
			pages: func(*fixture) string { return templatesPath },
		},
		{
			route: RouteCreateTemplate,
			path:  func(*fixture) string { return templatesPath },
			ok: []probe{{name: "create", status: http.StatusCreated, fields: message(), location: "Location",
				target: func(*fixture) string { return "^" + templatesPath + "/" + uuidPattern + "$" },
				send: func(f *fixture) resp {
					return f.post(templatesPath, map[string]any{"name": "new", "payload": everyNamespace()})
				}}},
			fail: probe{status: http.StatusBadRequest, send: func(f *fixture) resp {
				return f.post(templatesPath, map[string]any{"payload": map[string]any{}})
			}},
		},
		{
			route: RouteGetTemplate,
			path:  func(f *fixture) string { return f.tplPath() },
			ok: []probe{{name: "details", status: http.StatusOK,
				fields: append(append(slices.Clone(templateSummaryFields), has("variables"), has("payload")), payloadFields("payload.")...),
				send:   func(f *fixture) resp { return f.get(f.tplPath()) }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.get(templatesPath + "/" + unknownID) }},
		},
		{
			route: RoutePatchTemplate,
			path:  func(f *fixture) string { return f.tplPath() },
			ok: []probe{{name: "edit", status: http.StatusNoContent,
				send: func(f *fixture) resp { return f.patch(f.tplPath(), map[string]any{"description": "edited"}) }}},
			fail: probe{status: http.StatusForbidden, send: func(f *fixture) resp {
				return f.patch(templatesPath+"/"+f.public, map[string]any{"description": "mine now"})
			}},
		},
		{
			route: RouteDeleteTemplate,
			path:  func(f *fixture) string { return f.tplPath() },
			ok: []probe{{name: "delete", status: http.StatusNoContent,
				send: func(f *fixture) resp { return f.del(f.tplPath()) }}},
			fail: probe{status: http.StatusForbidden, send: func(f *fixture) resp { return f.del(templatesPath + "/" + f.public) }},
		},
		{
			route: RouteApplyTemplate,
			path:  func(f *fixture) string { return f.tplPath() },
			ok: []probe{{name: "apply", status: http.StatusAccepted, location: "Location",
				target: func(*fixture) string { return "^/v5/template/dispatch/" + uuidPattern + "$" },
				fields: append([]field{enum("target_type", docTargetTypes), has("dispatch_href"), has("message"), has("payload"), has("target_id")},
					payloadFields("payload.")...),
				send: func(f *fixture) resp {
					return f.post(f.tplPath(), map[string]any{"object_type": "domain", "object_id": f.dom})
				}}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp {
				return f.post(f.tplPath(), map[string]any{"object_type": "domain", "object_id": unknownID})
			}},
		},
		{
			route: RouteGetDispatch,
			path:  func(*fixture) string { return "/v5/template/dispatch/" + unknownID },
			ok: []probe{{name: "details", status: http.StatusOK,
				fields: append([]field{
					enum("state", docDispatchStates), enum("task_history[].status", docDispatchStates), enum("task_status.*.status", docDispatchStates),
					has("attempt"), has("created_at"), has("id"), has("payload"), has("sharing_id"), has("target.name"), has("target.type"),
					has("target_id"), has("task_history[].date"), has("task_history[].message"), has("task_history[].namespace"),
				}, payloadFields("payload.")...),
				send: func(f *fixture) resp { return f.get("/v5/template/dispatch/" + f.apply()) }}},
			fail: probe{status: http.StatusNotFound, send: func(f *fixture) resp { return f.get("/v5/template/dispatch/" + unknownID) }},
		},
	}
}

// undocumented are the routes the simulator serves that neither document
// describes, with why they exist.
var undocumented = map[string]string{
	RouteGetDomain: "the domain API (a domain's ID from its FQDN, which the apply needs), outside both documents",
}

func TestConformance(t *testing.T) {
	cases := conformanceCases()
	t.Run("every documented route has a case", func(t *testing.T) {
		covered := map[string]bool{}
		for _, c := range cases {
			if covered[c.route] {
				t.Errorf("%s has two cases", c.route)
			}
			covered[c.route] = true
		}
		for _, r := range registeredRoutes(t) {
			_, skip := undocumented[r]
			switch {
			case skip && covered[r]:
				t.Errorf("%s is both undocumented and in the table", r)
			case !skip && !covered[r]:
				t.Errorf("the simulator serves %s but the conformance table has no case for it", r)
			}
		}
		for r := range covered {
			if !slices.Contains(Routes(), r) {
				t.Errorf("the table has %s, which the simulator does not serve", r)
			}
		}
		if docs, ok := documentedRoutes(); ok {
			t.Logf("routes covered: %d/%d documented", len(covered), len(docs))
		}
	})
	t.Run("the table is the docs' list of routes", func(t *testing.T) {
		docs, ok := documentedRoutes()
		if !ok {
			t.Skipf("the API documents are not in %s; set GANDI_API_DOCS", docsDir())
		}
		table := make([]string, 0, len(cases))
		for _, c := range cases {
			table = append(table, c.route)
		}
		slices.Sort(table)
		if !slices.Equal(docs, table) {
			t.Errorf("docs list %d routes:\n%s\ntable has %d:\n%s", len(docs), strings.Join(docs, "\n"), len(table), strings.Join(table, "\n"))
		}
	})
	for _, c := range cases {
		t.Run(c.route, func(t *testing.T) {
			f := newFixture(t)
			before := f.sim.Requests(c.route)
			for _, p := range c.ok {
				checkProbe(t, f, p)
			}
			if f.sim.Requests(c.route) == before {
				t.Errorf("no probe reached %s", c.route)
			}
			c.fail.name = "error"
			checkProbe(t, f, c.fail)
			method, _, _ := strings.Cut(c.route, " ")
			path := c.path(f)
			checkError(t, f.request(method, path, "", nil), http.StatusUnauthorized)
			checkError(t, f.request(method, path, bearer(tokExpired), nil), http.StatusForbidden)
			if c.pages != nil {
				checkPages(t, f, c.pages(f))
			}
		})
	}
}

func checkProbe(t *testing.T, f *fixture, p probe) {
	t.Helper()
	r := p.send(f)
	if r.status != p.status {
		t.Fatalf("%s: status %d, want %d: %s", p.name, r.status, p.status, r.body)
	}
	switch {
	case p.status >= 400:
		checkError(t, r, p.status)
		return
	case p.status == http.StatusNoContent:
		if len(r.body) != 0 {
			t.Errorf("%s: a 204 with a body: %s", p.name, r.body)
		}
	default:
		checkJSON(t, p.name, r)
	}
	if p.location != "" {
		checkLocation(t, f, p, r.header.Get(p.location))
	}
	if len(p.fields) == 0 {
		return
	}
	var items []any
	if p.list {
		items = r.arr(t)
		if len(items) == 0 {
			t.Fatalf("%s: an empty list proves nothing", p.name)
		}
	} else {
		items = []any{decodeAny(t, r.body)}
	}
	for _, fd := range p.fields {
		checkField(t, p.name, items, fd)
	}
}

func checkJSON(t *testing.T, name string, r resp) {
	t.Helper()
	if mt := r.header.Get("Content-Type"); !strings.HasPrefix(mt, "application/json") {
		t.Errorf("%s: Content-Type %q", name, mt)
	}
}

// checkLocation: absolute, under the base the request reached, naming the
// object (target), and leading to it.
func checkLocation(t *testing.T, f *fixture, p probe, loc string) {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil || !u.IsAbs() || u.Scheme+"://"+u.Host != f.srv.URL {
		t.Fatalf("%s: %s %q is not an absolute URL under %s", p.name, p.location, loc, f.srv.URL)
	}
	if !regexp.MustCompile(p.target(f)).MatchString(u.Path) {
		t.Fatalf("%s: %s %q does not name %s", p.name, p.location, loc, p.target(f))
	}
	if got := f.get(u.RequestURI()); got.status != http.StatusOK {
		t.Fatalf("%s: GET %s (the %s) answered %d", p.name, loc, p.location, got.status)
	}
}

// checkError: Gandi's error body, with code equal to the status; the field
// errors of a validation failure use the documented locations.
func checkError(t *testing.T, r resp, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	checkJSON(t, "error", r)
	m := r.obj(t)
	for _, k := range []string{"cause", "message", "object"} {
		if s, ok := m[k].(string); !ok || s == "" {
			t.Errorf("error %d: %q is %v, want a non-empty string: %s", status, k, m[k], r.body)
		}
	}
	if code, ok := asInt(m["code"]); !ok || int(code) != status {
		t.Errorf("error %d: code is %v: %s", status, m["code"], r.body)
	}
	if _, ok := m["errors"]; ok {
		checkField(t, "error", []any{m}, enum("errors[].location", docFieldLocations))
		checkField(t, "error", []any{m}, has("errors[].description"))
	}
}

// checkPages: Total-Count on every page; on the first page of several, a
// Link with absolute next and last URLs under the base that keep the
// query and lead to pages; no Link on the last page nor past it.
func checkPages(t *testing.T, f *fixture, path string) {
	t.Helper()
	first := f.get(path + "?per_page=1")
	expectStatus(t, first, http.StatusOK)
	total, err := strconv.Atoi(first.header.Get("Total-Count"))
	if err != nil || total < 2 {
		t.Fatalf("Total-Count %q: the fixture needs two items at least", first.header.Get("Total-Count"))
	}
	links := map[string]string{}
	for _, part := range strings.Split(first.header.Get("Link"), ",") {
		m := regexp.MustCompile(`^\s*<([^>]+)>;\s*rel="(next|last)"\s*$`).FindStringSubmatch(part)
		if m == nil {
			t.Fatalf("Link %q: %q is not <url>; rel=\"next|last\"", first.header.Get("Link"), part)
		}
		links[m[2]] = m[1]
	}
	for rel, page := range map[string]int{"next": 2, "last": total} {
		want := fmt.Sprintf("%s%s?page=%d&per_page=1", f.srv.URL, path, page)
		if links[rel] != want {
			t.Errorf("rel=%q is %q, want %q", rel, links[rel], want)
		}
		u, _ := url.Parse(links[rel])
		r := f.get(u.RequestURI())
		if r.status != http.StatusOK || len(r.arr(t)) != 1 || r.header.Get("Total-Count") != strconv.Itoa(total) {
			t.Errorf("GET rel=%q: %d, %s, Total-Count %q", rel, r.status, r.body, r.header.Get("Total-Count"))
		}
		if rel == "last" && r.header.Values("Link") != nil {
			t.Errorf("the last page carries Link %q", r.header.Values("Link"))
		}
	}
	past := f.get(fmt.Sprintf("%s?per_page=1&page=%d", path, total+1))
	if string(bytes.TrimSpace(past.body)) != "[]" || past.header.Values("Link") != nil || past.header.Get("Total-Count") != strconv.Itoa(total) {
		t.Errorf("past the end: %s, Link %q, Total-Count %q", past.body, past.header.Values("Link"), past.header.Get("Total-Count"))
	}
}

func checkField(t *testing.T, name string, items []any, fd field) {
	t.Helper()
	var found []any
	missing := 0
	for _, it := range items {
		f, m := walk(it, strings.Split(fd.path, "."))
		found, missing = append(found, f...), missing+m
	}
	if fd.when == required && missing > 0 {
		t.Errorf("%s: %s is missing from %d object(s)", name, fd.path, missing)
	}
	if fd.when != ifPresent && len(found) == 0 {
		t.Errorf("%s: the answer never shows %s", name, fd.path)
	}
	if fd.enum == nil {
		return
	}
	for _, v := range found {
		if s := scalar(v); !slices.Contains(fd.enum, s) {
			t.Errorf("%s: %s is %q, not one of the documented %q", name, fd.path, s, fd.enum)
		}
	}
}

// walk returns the values at path under v, and how many objects on the
// way lacked the key they should hold.
func walk(v any, path []string) ([]any, int) {
	if len(path) == 0 {
		return []any{v}, 0
	}
	seg, rest := path[0], path[1:]
	var next []any
	m, isObj := v.(map[string]any)
	switch {
	case seg == "*":
		for _, k := range sortedKeys(m) {
			next = append(next, m[k])
		}
	case !isObj:
		return nil, 1
	default:
		key, each := strings.CutSuffix(seg, "[]")
		val, ok := m[key]
		if !ok {
			return nil, 1
		}
		if !each {
			next = []any{val}
		} else if arr, ok := val.([]any); ok {
			next = arr
		} else {
			return nil, 1
		}
	}
	var out []any
	missing := 0
	for _, n := range next {
		f, miss := walk(n, rest)
		out, missing = append(out, f...), missing+miss
	}
	return out, missing
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return fmt.Sprintf("%v", v)
}

func decodeAny(t *testing.T, body []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, body)
	}
	return v
}

// registeredRoutes reads, from the package's source, every route template
// passed to s.handle: what the server registers, not what Routes() claims.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	consts := map[string]string{}
	var handled []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[id.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "handle" && len(n.Args) == 2 {
					if id, ok := n.Args[0].(*ast.Ident); ok {
						handled = append(handled, id.Name)
					} else {
						t.Errorf("%s: s.handle with a route that is not a constant", fset.Position(n.Pos()))
					}
				}
			}
			return true
		})
	}
	out := make([]string, 0, len(handled))
	for _, name := range handled {
		route, ok := consts[name]
		if !ok {
			t.Fatalf("s.handle(%s): no such string constant", name)
		}
		out = append(out, route)
	}
	if len(out) == 0 {
		t.Fatal("found no s.handle call")
	}
	return out
}

// TestDocQuotes holds the package doc's quotations of the API documents to
// the documents: each “…” must appear in one of them, whitespace aside, so
// that an invented behaviour is never pinned to a line the docs lack.
func TestDocQuotes(t *testing.T) {
	var docs strings.Builder
	for _, name := range []string{"gandi-v5-simplehosting.txt", "gandi-v5-template.txt"} {
		data, err := os.ReadFile(filepath.Join(docsDir(), name))
		if err != nil {
			t.Skipf("the API documents are not in %s; set GANDI_API_DOCS", docsDir())
		}
		docs.WriteString(collapse(string(data)))
		docs.WriteString(" ")
	}
	src, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var comment strings.Builder
	for _, line := range strings.Split(string(src), "\n") {
		if text, ok := strings.CutPrefix(strings.TrimSpace(line), "//"); ok {
			comment.WriteString(text)
			comment.WriteString(" ")
		}
	}
	quotes := regexp.MustCompile(`“([^”]*)”`).FindAllStringSubmatch(comment.String(), -1)
	if len(quotes) < 10 {
		t.Fatalf("doc.go quotes the docs %d times; the list of choices is gone?", len(quotes))
	}
	for _, q := range quotes {
		if !strings.Contains(docs.String(), collapse(q[1])) {
			t.Errorf("doc.go quotes %q, which the API documents do not say", collapse(q[1]))
		}
	}
	t.Logf("%d quotations checked", len(quotes))
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// docsDir is ../shared/api-docs from the repository root; GANDI_API_DOCS
// points elsewhere. The documents are not part of the repository.
func docsDir() string {
	if d := os.Getenv("GANDI_API_DOCS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "..", "shared", "api-docs")
}

// documentedRoutes lists "METHOD /path" for every route of the two
// documents, read from their "https://api.gandi.net/..." section lines and
// the "get ...", "post ...", "patch ...", "delete ..." lines under them.
// ok is false when the documents cannot be read.
func documentedRoutes() (routes []string, ok bool) {
	var out []string
	method := regexp.MustCompile(`^(get|post|patch|delete|put)( |$)`)
	for _, name := range []string{"gandi-v5-simplehosting.txt", "gandi-v5-template.txt"} {
		data, err := os.ReadFile(filepath.Join(docsDir(), name))
		if err != nil {
			return nil, false
		}
		section := ""
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if p, ok := strings.CutPrefix(line, "https://api.gandi.net"); ok && !strings.Contains(p, " ") {
				section = strings.TrimSuffix(p, "/")
				continue
			}
			if m := method.FindStringSubmatch(line); m != nil && section != "" {
				out = append(out, strings.ToUpper(m[1])+" "+section)
			}
		}
	}
	slices.Sort(out)
	return out, true
}
