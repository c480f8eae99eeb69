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
// # Faults
//
// Scripted faults (FailNext, ResetNext, CommitThenDrop, SetLatency) apply
// to the next requests of a route, in the order they were queued. The
// seeded random mode (SetRandomFaults, POST /_sim/random, the binary's
// -fault-* flags) draws a decision for every request of a route, or of
// every route: a 5xx, a connection reset before commit (nothing done), a
// reset after commit (the request performed in full, its answer lost), a
// 429 with Retry-After, or nothing, each at its own rate; plus a latency
// drawn uniformly from [min, max]. Random 5xx and 429 answers carry Gandi's
// error body, so a client may count them as "not performed", which they
// are; only a reset after commit has done anything.
//
// "The same seed gives the same sequence" means: each route has its own
// generator, seeded from (seed, route template), and draws exactly one
// decision per request in the order requests of that route reach the fault
// layer, whatever that decision is and whatever else answers the request
// (a scripted fault or the per-token rate limit come first, and the random
// decision is then spent unused). So the n-th request of a route, counted
// from when its configuration was set, gets the same decision in every run
// with the same configuration; traffic on other routes never shifts it.
// Under concurrency, which request is the n-th of its route is up to the
// arrival order, so a replay of an operator run replays the faults of
// every route, not necessarily which object got them. RequestLog carries
// RandomSeq (n) and the fault; FaultCounts counts injected faults by kind.
//
// # Control API
//
// Under /_sim/ on the same handler, without authentication: POST/DELETE
// /_sim/faults, POST/GET/DELETE /_sim/random, GET/DELETE /_sim/counters
// (requests, writes, paid_creates, dispatches, faults by kind), GET
// /_sim/state, POST /_sim/accounts, POST /_sim/seed, POST /_sim/timings,
// POST /_sim/rate-limit, POST /_sim/dispatches. See control.go and
// cmd/gandisim. The random mode takes
//
//	{"routes": ["POST /v5/simplehosting/instances"],   // omitted: every route
//	 "seed": 42, "rate_5xx": 0.1, "statuses_5xx": [500, 503],
//	 "rate_reset_before_commit": 0.025, "rate_reset_after_commit": 0.025,
//	 "rate_429": 0.05, "retry_after": "1s",
//	 "latency_min": "5ms", "latency_max": "50ms"}
package gandisim
