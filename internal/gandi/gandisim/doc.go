// Package gandisim is an in-memory Gandi v5 API over real HTTP, written from
// ../shared/api-docs (gandi-v5-simplehosting.txt, gandi-v5-template.txt) on
// its own: it shares no types with the client in internal/gandi, so a wrong
// JSON name or status code there fails a test instead of being mirrored here.
// It is the yardstick of every controller test, so it is as strict as the
// docs and never kinder.
//
// # Routes
//
//	method  path                                               constant               success                 errors
//	GET     /v5/simplehosting/applications                     RouteListApplications  200 list                400 query
//	GET     /v5/simplehosting/applications/{application_name}  RouteGetApplication    200                     404
//	GET     /v5/simplehosting/instances                        RouteListInstances     200 list                400 query, 403 sharing_id
//	POST    /v5/simplehosting/instances                        RouteCreateInstance    202 + Content-Location  400 fields, 403 billing, 415; Dry-Run: 1 -> 200 {status}
//	GET     /v5/simplehosting/instances/{instance_id}          RouteGetInstance       200                     404, 403 other org
//	PATCH   /v5/simplehosting/instances/{instance_id}          RoutePatchInstance     202 + Content-Location  400 fields, 409 not active, 422 resize/storage
//	DELETE  /v5/simplehosting/instances/{instance_id}          RouteDeleteInstance    204                     409 already being deleted
//	POST    /v5/simplehosting/instances/{instance_id}/action   RouteInstanceAction    202 + Content-Location  204 = NOT performed (inject it), 409
//	GET     /v5/simplehosting/instances/{instance_id}/usage    RouteInstanceUsage     200                     404
//	GET     /v5/simplehosting/instances/{instance_id}/vhosts   RouteListVhosts        200 list                400 query
//	POST    /v5/simplehosting/instances/{instance_id}/vhosts   RouteCreateVhost       202 + Content-Location  400 fields, 409 not active, 422 exists
//	GET       .../vhosts/{vhost_fqdn}                          RouteGetVhost          200                     400 non-ASCII fqdn, 404
//	PATCH     .../vhosts/{vhost_fqdn}                          RoutePatchVhost        200                     400, 409 not running
//	DELETE    .../vhosts/{vhost_fqdn}                          RouteDeleteVhost       204                     409
//	DELETE    .../vhosts/{vhost_fqdn}/cache                    RoutePurgeVhostCache   204                     404
//	GET     /v5/template/templates                             RouteListTemplates     200 list                400 query
//	POST    /v5/template/templates                             RouteCreateTemplate    201 + Location          400 fields, 409 duplicate name
//	GET     /v5/template/templates/{id}                        RouteGetTemplate       200                     404, 403
//	PATCH   /v5/template/templates/{id}                        RoutePatchTemplate     204                     403 public, 409 name
//	DELETE  /v5/template/templates/{id}                        RouteDeleteTemplate    204                     403 public
//	POST    /v5/template/templates/{id}                        RouteApplyTemplate     202 + Location          400, 404/403 domain
//	GET     /v5/template/dispatch/{id}                         RouteGetDispatch       200                     404, 403
//	GET     /v5/domain/domains/{fqdn}                          RouteGetDomain         200                     404 (unknown or not visible)
//
// Every route answers 401 to a missing or malformed Authorization header or a
// wrong API key, and 403 to an unknown, expired or read-only bearer token or
// to another organization's object or sharing_id. Every error carries Gandi's
// body {"code", "message", "object", "cause"}; validation failures add
// {"status": "error", "errors": [{"location", "name", "description"}]}.
// Lists answer Total-Count and, with more than one page, a Link header with
// absolute rel="next" and rel="last" URLs. Content-Location and Location are
// absolute URLs under the base the request reached (scheme + Host).
//
// # Choices where the docs are silent
//
//   - The instance create checks billing rights on sharing_id (403) before
//     the body, so a Dry-Run without billing rights is a 403, not a 200.
//   - Writes to an instance that is not active (PATCH, action, vhost create,
//     patch and delete) answer 409; 422 stays the documented "vhost already
//     exists" and the resize/storage rules.
//   - PATCH language_id must be the "id" the simulator adds to the language
//     items of upgrade_to (the documented items have none).
//   - Request bodies are checked case-sensitively and unknown fields are 400s,
//     so a misspelt JSON name cannot pass unnoticed. A non-JSON Content-Type is
//     415. Dry-Run is honoured on the instance create only (as documented);
//     elsewhere the request is performed.
//   - Dates are RFC 3339 in whole seconds, like Gandi's.
//   - A dispatch runs its namespaces one after another (nameservers, records,
//     webredirs, mailboxes); its global state stays 0 unless the whole
//     dispatch fails, so "done" means every task_status >= 20.
//   - dns:records on a domain not at LiveDNS ends its task at 30; a web
//     redirection onto an existing record without override ends at 30.
//
// # XML-RPC API v3 (PaaS)
//
// POST /xmlrpc/ serves ../shared/api-docs/gandi-xmlrpc-paas-v3.txt: the
// paas.*, paas.vhost.*, paas.snapshot.* and paas.type.* methods, with an
// encoding/xml codec of its own. The first parameter is the API key of an
// Account with APIKey set (a bearer-only account is refused); objects belong
// to the key's own organization. Fault routes are XMLRPCRoute(method), e.g.
// "xmlrpc paas.create": fail answers the HTTP status with a plain body,
// reset and commit-then-drop drop the connection, latency delays. Counters:
// PaasPaidCreates and PaasPaidRenews; Writes counts every non-read call.
//
// Fault codes (the doc gives none; these are stable):
//
//	-32700  parse error: not an XML-RPC methodCall
//	-32601  unknown method
//	-32602  wrong number or type of positional parameters
//	510150  unknown, expired or bearer-only API key (never echoed)
//	510400  a struct member is missing, unknown, of the wrong type or invalid
//	510402  the prepaid account cannot pay (only when injected: no credit model)
//	510404  no such instance, vhost or snapshot for this key
//	510409  the object is not in a state for this (not running, being_*)
//	510422  already exists: a vhost FQDN anywhere, an instance name per owner
//
// Choices where the doc is silent: instances go being_created -> running
// after Timings.InstanceBeingCreated and being_deleted -> gone after
// InstanceBeingDeleted (their vhosts and snapshots with them); a vhost's
// rproxy_update runs VhostBeingCreated/VhostBeingDeleted, for a vhost of
// paas.create counted from when the instance runs. Durations are "<n>m",
// 1 to 120 months; renew adds them to date_end, and fixed sets
// date_end_commitment to the new date_end. paas.update refuses a quantity
// below the current one; snapshot_profile takes an int (1 minimal, 2
// standard, 3 full) or a string, which unsets. Type visibilities: the
// unversioned types and php.5.4mysql.5.5 are deprecated, php7.3mongodb3.2
// and ruby2.3pgsql9.7 beta, the rest all. paas.vhost.list answers an array.
// get_dns_entries answers {name, key, txt}. Dates are dateTime.iso8601
// without a zone (UTC). Snapshots are added with AddPaasSnapshot: the API
// has no method to take one. Every list and count method filters with "~"
// (LIKE with %), "<" and ">" (numbers, dates) and equality (a value or any
// of an array), and every one of them answers a filter its doc entry does
// not give with a 510400.
//
// # Control API
//
// Under /_sim/ on the same handler, without authentication: POST/DELETE
// /_sim/faults, GET/DELETE /_sim/counters, GET /_sim/state, POST
// /_sim/accounts, POST /_sim/seed, POST /_sim/timings, POST /_sim/rate-limit,
// POST /_sim/dispatches. See control.go and cmd/gandisim.
package gandisim
