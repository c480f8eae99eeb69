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
//	POST    /v5/simplehosting/instances/{instance_id}/vhosts   RouteCreateVhost       202 + Content-Location  400 fields, 409 not active, 422 exists (here or on another instance)
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
//   - dns:records on a domain whose records the organization may not manage
//     (seed records_read_only) ends its task at 30.
//
// # Vhost ownership and the simulated DNS
//
// The docs give a vhost the states waiting_ownership, ownership_validated
// and validation_failed, a "TXT entry that needs to be present in your DNS
// zone to validate domain ownership", CNAME/A/AAAA targets, is_alterable
// ("the zone can be automatically managed by Web Hosting") and
// allow_alteration ("if set to True and your DNS zone is managed by our
// liveDNS platform, you will not have to manually change your DNS
// configuration to validate your vhost ownership"). The simulator models
// them so; where the docs are silent, it chose as marked (choice).
//
//   - Every zone is a domain (dns.go). A domain with an org is held by that
//     organization: at LiveDNS, or at other nameservers. A zone without an
//     org is held by no simulated account (registered elsewhere); the domain
//     API answers 404 for it. A person publishes records in any zone with
//     POST /_sim/dns, PublishDNS or a seed, as at their DNS provider.
//   - is_alterable is true when the vhost's zone (the longest known domain
//     that is its FQDN or a parent of it) is held by the instance's
//     organization, at LiveDNS, and the organization may manage its records
//     (a seed's records_read_only says it may not). Choice: the instance's
//     organization, not any organization of the token, must hold it.
//   - being_created lasts Timings.VhostBeingCreated. Then a vhost on an
//     alterable zone has its ownership proven by holding the zone (choice:
//     with or without allow_alteration) and goes running. Any other goes
//     waiting_ownership.
//   - A waiting vhost is validated once its zone carries, at its key ("@" at
//     the root), a TXT record with the txt value (surrounding quotes
//     ignored) and, when the vhost is for HTTPS (created with_free_ssl, or
//     holding a certificate), records pointing at Web Hosting: a CNAME to
//     the cname target (not at the root) or an A with ipv4 or an AAAA with
//     ipv6. It then spends Timings.VhostOwnershipValidated in
//     ownership_validated and goes running. A zone that becomes alterable
//     (a template moving it to LiveDNS) validates it too. The validation is
//     dated by the zone's last change, so a look after a long pause still
//     honours a record published before the deadline.
//   - Without the proof for Timings.VhostValidationTimeout (choice: 30s in
//     FastTimings, 10m in DefaultTimings) a waiting vhost goes
//     validation_failed, and stays there (choice) even if the record appears
//     later, until a PATCH carrying linked_dns_zone has Gandi check again: it
//     waits anew for a whole timeout. A PATCH of linked_dns_zone also
//     restarts the timeout of a vhost still waiting. Once running, a vhost
//     does not lose its validation when the TXT goes.
//   - The txt value (choice) is "gandi-webhosting-verification=" and the hex
//     of the first 16 bytes of SHA-256("<instance ID> <ASCII FQDN>"): the
//     same FQDN on another instance needs another proof, and a seed can
//     precompute it for a seeded instance ID. The cname (choice) is
//     "<datacenter, lowercase>.webaccel.gpaas.sim.invalid.", ipv4 192.0.2.10
//     and ipv6 2001:db8::10 (documentation ranges).
//   - When a vhost starts running (or a running one is PATCHed with
//     linked_dns_zone) with allow_alteration on an alterable zone, Gandi
//     writes its records, TTL 10800: a CNAME, or A and AAAA at the root
//     (choice: not the TXT, which holding the zone makes needless). A CNAME,
//     A or AAAA already at the key is left alone unless
//     allow_alteration_override (choice: other types do not conflict).
//     Records written stay when the vhost is deleted (choice).
//   - last_checked_status (choice, the docs give only the enum): livedns_done
//     when the zone points at the vhost and Gandi may alter it; altered when
//     the zone points at the vhost otherwise (a person published the
//     records); else unknown without allow_alteration, livedns_error with it
//     on a zone that is not alterable, livedns_conflict when a record at the
//     key blocked the write, unknown before the write. It follows the zone
//     at every look; last_checked_at moves only when it changes (and when
//     the vhost starts running or is PATCHed with linked_dns_zone).
//   - An FQDN is served by one instance at Gandi. A vhost create for an FQDN
//     another instance serves (in any state, being_deleted included, or
//     listed in an instance create still under way) answers 422 (choice: the
//     docs' "vhost already exists" refusal, widened from the instance to
//     Gandi) with object "Vhost" and a message that names no instance; in an
//     instance create it is a 400 on vhosts.N.fqdn; a seed refuses it.
//
// # Control API
//
// Under /_sim/ on the same handler, without authentication: POST/DELETE
// /_sim/faults, GET/DELETE /_sim/counters, GET /_sim/state, POST
// /_sim/accounts, POST /_sim/seed, POST /_sim/timings, POST /_sim/rate-limit,
// POST /_sim/dispatches, GET/POST/DELETE /_sim/dns (list the zones; publish
// {"zone", "records": [{"name", "type", "ttl", "values"}]}, replacing record
// sets by name and type; remove {"zone", "name", "type"}). See control.go
// and cmd/gandisim.
package gandisim
