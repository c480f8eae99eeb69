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
//	PATCH     .../vhosts/{vhost_fqdn}                          RoutePatchVhost        200                     400, 409 being created or deleted
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
// Lists answer Total-Count and, on every page but the last, a Link header
// with absolute rel="next" and rel="last" URLs; the last page has no Link.
// Content-Location and Location are absolute URLs under the base the request
// reached (scheme + Host).
//
// # Choices where the docs are silent
//
// Where the docs say nothing, the simulator chose. Every choice is listed
// here with the doc line it extends, quoted in typographic double quotes
// exactly as the docs have it (TestDocQuotes checks them against
// ../shared/api-docs), so that a test passing on one of them is known to
// rest on an invention. The
// operator must not depend on an invented code: a state conflict may reach
// it as another 4xx (see internal/controller/stateconflict.go).
//
// Invented status codes:
//
//   - 409 to a write on an instance that is not active: PATCH, action,
//     vhost create, vhost PATCH and vhost DELETE (language_id is checked
//     first, a 400; the resize and storage rules after, 422). The instance
//     routes document only 202, 401 and 403; the states are “One of:
//     "waiting_bill", "being_created", "active", "paused", "locked",
//     "being_deleted"”.
//   - 409 to a vhost PATCH while the vhost is being_created or
//     being_deleted, and to a DELETE of an instance or a vhost already
//     being deleted. Other vhost states (locked, waiting_ownership…) take a
//     PATCH. Extends “Instance is deleted” and “Vhost is deleted”, the only
//     documented answers besides 401/403.
//   - 422 to a resize of an instance that is not of a legacy size:
//     “Resize the instance (triggering a payment). Only supported for s,
//     s+, m, l, xl, and xxl instances.” The only documented 422 is the
//     vhost create's “The vhost already exist on the instance and the
//     creation cannot be performed.” The docs give no direction, where the
//     storage beside it says “Note that only increases are supported.”: a
//     legacy instance is resized down as well as up (l to m), to any of
//     the PATCH's targets (s+, m, l, xxl). The CRD's spec.size allows the
//     same.
//   - 422 to a lower storage_additional_size: “Additional storage amount
//     for the instance in GB. Note that only increases are supported.”
//   - 400 above 1004 GB on PATCH: the create's “Maximum: 1004” applied to
//     the PATCH field, which documents no maximum.
//   - 400 with {"status": "error", "errors": [{location, name,
//     description}]} for any invalid request (body, query, path, header):
//     the shape of the Dry-Run answer, “A list of all the errors
//     encountered during validation.”, sent as an error. No route
//     documents a 400. This covers page or per_page below “Minimum: 1”, an
//     unknown sort_by field (the sortable fields of each list are the
//     simulator's: “Indicate the field used to sort the results.”), a
//     non-ASCII fqdn filter or vhost_fqdn (“The FQDN must be encoded in
//     ASCII form (Punycode).”), unknown or misspelt body fields, and, on
//     the instance create, a Dry-Run header other than 0 or 1.
//   - 404 for an unknown instance, vhost, application, template, dispatch,
//     domain or URL: no route documents a 404. An object of another
//     organization is a 403 (“Access to the resource is denied. Mainly due
//     to a lack of permissions to access it.”), except a domain on GET
//     /v5/domain/domains/{fqdn}, which is a 404 like an unknown one.
//   - 409 to a template create or rename onto a name the organization
//     already uses: “Template's name. Please note that this name must be
//     unique within an organization.”
//   - 403 to a PATCH or DELETE of a public template: “Some items in the list
//     might be marked as editable: false and be accompanied by an empty
//     orgname.”
//   - 404 when an apply names an unknown domain, 403 another
//     organization's: “You must send the parameter object_type to domain
//     and the object_id to a domain id, that you'll find in the domain
//     list.”
//   - 415 to a body that is not application/json, 413 above 1 MiB, 405
//     (with Allow) to a known path with another method, 429 with
//     Retry-After from the rate limits (per token, per IP; see Rate
//     limits). None is documented in these API docs.
//   - 204 to POST .../action only when a test injects it: “An internal error
//     has occurred and the action cannot be performed.”
//
// Invented fields and values:
//
//   - upgrade_to[].id on the language items (a stable UUID per language and
//     version), and PATCH language_id must be one of them: “UUID of the
//     language to upgrade to. This value can be found in the upgrade_to
//     field of the return of a GET of this instance (which lists the
//     available upgrades).” The documented items have only name, status,
//     type and version. Their status is "available"; the instance's
//     language and database status is "running" (free strings).
//   - The error body's values: code is the HTTP status, cause its text,
//     object the kind ("Instance", "Vhost"…) or "HTTP" + the status text.
//   - The Link header: absolute rel="next" and rel="last" URLs on every page
//     but the last, none on the last (“Links to next and last page.”); the
//     page size without per_page is 100 (“How many items to display per
//     page.”); the template list takes no sort_by and keeps creation order.
//   - GET /v5/domain/domains/{fqdn} is a route of the domain API, outside
//     both documents; its answer is {id, fqdn, fqdn_unicode, nameservers}.
//   - certificates[].href points at /v5/certificate/issued-certs/{id}, which
//     the simulator does not serve.
//   - https_strategy is stored when PATCHed without a certificate but, as
//     documented, reported only with one (“This field is only present if
//     you have a certificate.”), also in the create and PATCH answers,
//     which list it without “Optional”.
//   - linked_dns_zone.last_checked_status is livedns_done when the zone is
//     at LiveDNS in the same organization and alteration is allowed,
//     livedns_conflict when a record exists without override, livedns_error
//     when the zone cannot be altered, unknown without alteration.
//   - Booster figures (7 days, 30 days of cooldown, twice the CPU and RAM),
//     sizes' CPU, RAM and storage, language and database versions,
//     datacenter names, host names under .sim.invalid.
//
// Invented behaviour:
//
//   - The booster runs out and cools down, as booster.current (expires_at)
//     and booster.next (available, available_at, duration_days 7,
//     cooldown_days 30) report it: a boost starts when its PATCH
//     booster:true is applied and ends at expires_at (current goes away,
//     the instance's booster is off), or when a PATCH booster:false is
//     applied. next.available is false while a boost is current and until
//     available_at, the end of the last boost plus cooldown_days (choice:
//     counted from the end, and available_at given only during the
//     cooldown, not while a boost is current, whose end is not known
//     yet). current.status is always active (choice: being_created and
//     being_deleted are not modelled; the boost shows when the PATCH is
//     applied). A PATCH booster:true while the next boost is not available,
//     or while a PATCH carrying booster is accepted and not applied yet,
//     is refused with 409 Conflict and object "Instance" (choice: the docs
//     give no code; 409 as for an instance that is not active, a state the
//     caller can wait out) and is not a paid change; booster:false is
//     always accepted. The days are Gandi's, not Timings: tests move a fake
//     clock past them (Server.Advance from outside the package). UpdateInstance forcing Booster on starts a boost
//     then, forcing it off starts the cooldown.
//   - An instance PATCH is accepted, not done: the docs answer it with a
//     202 and warn “Be mindful that it can induce a payment, typically if
//     the instance size or storage additional size is modified.”, and say
//     nothing of when the change shows. Every field of it (choice: the free
//     ones, name, snapshot_enabled, password and language_id, as well as
//     the paid ones, size, storage_additional_size, booster and
//     booster_options, since one 202 covers them all) is applied
//     Timings.InstanceUpdate after the answer (50ms in FastTimings, 10s in
//     DefaultTimings), PATCHes in the order they were accepted; until then
//     a GET or a list shows the instance as it was. A client must not take
//     the old value in a GET right after a 202 for a change that did not
//     happen: sending a resize again pays twice. The PATCH's rules are
//     checked at acceptance; the resize and storage ones (only up) against
//     the size and storage the instance has once the PATCHes already
//     accepted are applied (choice). A PATCH not yet applied when the
//     instance is deleted is dropped. PaidChanges (paid_changes in
//     /_sim/counters) counts the accepted PATCHes that carry a paid field,
//     whether or not they change anything; PasswordChanges those that carry
//     a password.
//   - An organization's objects are its members' only: a token sees those
//     of the organizations its Account lists. Another organization's
//     instance is a 403 on its own route and on every route under it
//     (usage, action, its vhosts and theirs), as its template or dispatch
//     is (choice: “Access to the resource is denied. Mainly due to a lack
//     of permissions to access it.” is on every route, with no word on
//     which objects it is for), while the same token's instance list
//     without sharing_id is answered, with its own organizations'
//     instances (maybe none). Membership is what the account was last
//     registered with: AddAccount on a token already known replaces its
//     organizations at once, so a test takes a member out of an
//     organization (the docs say nothing of when a change of membership
//     shows) and what that organization holds is a 403 to the same token
//     from its next request on.
//   - The instance create checks billing rights on sharing_id (403) before
//     the body, so a Dry-Run without billing rights is a 403, not a 200.
//     Dry-Run is honoured on the instance create only (as documented);
//     elsewhere the request is performed.
//   - Request bodies are checked case-sensitively and unknown fields are
//     400s, so a misspelt JSON name cannot pass unnoticed.
//   - Dates are RFC 3339 in whole seconds, like Gandi's.
//   - The vhosts of an instance create appear once the instance is active.
//   - A dispatch runs its namespaces one after another (nameservers, records,
//     webredirs, mailboxes); its global state stays 0 unless the whole
//     dispatch fails, so "done" means every task_status >= 20.
//   - dns:records on a domain not at LiveDNS ends its task at 30; a web
//     redirection onto an existing record without override ends at 30.
//   - dns:records on a domain whose records the organization may not manage
//     (seed records_read_only) ends its task at 30.
//   - The XML-RPC API is not simulated, so it has no fault codes yet.
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
//   - An instance create refuses a vhost asking allow_alteration on a zone
//     that is not alterable for the instance's organization, as documented
//     (“can only be set if related domain is managed by LiveDNS and you
//     have the rights to manage the domain records”): a 400 on
//     vhosts.N.linked_dns_zone.allow_alteration, and {"status": "error"}
//     with the same field under Dry-Run. Choice: a vhost in the domain the
//     same create registers (domain.fqdn) counts as alterable, since Gandi
//     registers it at LiveDNS for that organization. The vhost create and
//     PATCH routes accept allow_alteration on any zone: their docs set no
//     such condition (“If set to True and your DNS zone is managed by our
//     liveDNS platform, you will not have to manually change your DNS
//     configuration”); such a vhost reports livedns_error.
//   - An FQDN is served by one instance at Gandi. A vhost create for an FQDN
//     another instance serves (in any state, being_deleted included, or
//     listed in an instance create still under way) answers 422 (choice: the
//     docs' "vhost already exists" refusal, widened from the instance to
//     Gandi) with object "Vhost" and a message that names no instance; in an
//     instance create it is a 400 on vhosts.N.fqdn; a seed refuses it.
//
// # Rate limits
//
// Gandi limits its API to 1,000 requests per minute per IP (the figure of
// ../shared/DESIGN.md; the API docs in ../shared/api-docs give no rate
// limit text, so nothing here can be quoted from them). The simulator
// keeps two limits, both off unless set (Options, SetRateLimit,
// SetIPRateLimit, POST /_sim/rate-limit {"per_minute", "per_ip_per_minute"},
// the binary's -rate-limit and -ip-rate-limit):
//
//   - Per IP, as Gandi documents it: every API request from one client IP,
//     whatever its token (or none), v5 and XML-RPC alike, counts in a
//     sliding window of the last minute; past the limit the answer is 429
//     with Retry-After, the whole seconds (rounded up) until the window has
//     room. Choices, each the stricter reading of "N requests per minute":
//     the window slides (a fixed minute would let 2N through across its
//     edge); a refused request counts too (it is a request), so a client
//     that does not honour Retry-After stays refused; a request with no
//     route, or an XML-RPC call, counts like any other, and the XML-RPC
//     endpoint answers the 429 over HTTP, with a plain body, as its fault
//     layer does. Requests are counted per IP even with the limit off:
//     RequestsByIP and PeakPerMinuteByIP (the most requests in any sliding
//     minute), in GET /_sim/counters as requests_by_ip and
//     peak_per_minute_by_ip. ResetCounters zeroes the totals and peaks but
//     keeps the window, so a reset never lets a client past the limit; a
//     new limit (SetIPRateLimit) starts every window afresh, as a new
//     per-token limit does.
//   - Per token (not documented; for tests of Retry-After): a fixed
//     one-minute window per Authorization value, refused requests not
//     counted.
//
// The per-IP limit is checked first; its 429 is FaultIPRateLimited, the
// per-token one FaultRateLimited.
//
// # Faults
//
// Scripted faults (FailNext, ResetNext, CommitThenDrop, DropThenCommitPaid,
// SetLatency) apply to the next requests of a route, in the order they
// were queued. DropThenCommitPaid loses the answer at once and performs
// the request later, so that for a while neither the answer nor a list
// shows it: the docs are silent on how long Gandi takes to list what a
// create made, and a client may not assume it is at once. It applies to
// XML-RPC methods (XMLRPCRoute) as to REST routes. The
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
// # XML-RPC API v3 (PaaS)
//
// POST /xmlrpc/ serves ../shared/api-docs/gandi-xmlrpc-paas-v3.txt: the
// paas.*, paas.vhost.*, paas.snapshot.* and paas.type.* methods, with an
// encoding/xml codec of its own. The first parameter is the API key of an
// Account with APIKey set (a bearer-only account is refused); objects belong
// to the key's own organization. Fault routes are XMLRPCRoute(method), e.g.
// "xmlrpc paas.create": fail answers the HTTP status with a plain body,
// reset and commit-then-drop drop the connection, latency delays. Counters:
// PaasPaidCreates, PaasPaidRenews and PaasPaidUpdates (paas_paid_creates,
// paas_paid_renews and paas_paid_updates in /_sim/counters); Writes counts
// every non-read call.
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
// 1 to 120 months; renew is paid when accepted and adds them to date_end
// when its operations finish, Timings.PaasRenew later (they are
// asynchronous), and fixed then sets date_end_commitment to the new
// date_end. paas.update, which the doc calls "not a free operation" and
// answers with operations (paas_vm_update, paas_disk_update, paas_console),
// is likewise applied when its operations finish, Timings.PaasUpdate after
// the answer (50ms in FastTimings, 5s in DefaultTimings), updates in the
// order they were accepted: until then paas.info and paas.list show the
// instance as it was. Choice: every member that shows in paas.info (name,
// size, quantity, snapshot_profile, console, and need_upgrade cleared by
// upgrade) waits so, the name too (it comes with a paas_vm_update);
// password, ssh_key, keys and reset_mysql_password, which paas.info does
// not show, take effect (and upgrade is counted) at acceptance. A client
// must not take the old size
// in a paas.info right after the answer for a change that did not happen:
// sending it again pays twice. PaasPaidUpdates counts the accepted
// paas.update calls that carry size, quantity or snapshot_profile,
// whether or not they change anything, including those whose answer was
// lost. Choice: snapshot_profile is paid, as the operator takes it: the
// doc calls paas.update not free and counts the profile's disk in
// datadisk_total_size, the disk Gandi bills; counting it free would let a
// profile sent twice pass unseen. paas.update
// refuses a quantity below the one the instance has once the updates
// already accepted are applied, and a name another instance of the owner
// has or will have (choice); snapshot_profile takes an int (1 minimal, 2
// standard, 3 full) or a string, which unsets. Type visibilities: the
// unversioned types and php.5.4mysql.5.5 are deprecated, php7.3mongodb3.2
// and ruby2.3pgsql9.7 beta, the rest all. paas.vhost.list answers an array.
// get_dns_entries answers {name, key, txt}. Dates are dateTime.iso8601
// without a zone (UTC). Operations (the doc names their types only) carry
// id, type, step, paas_id, date_created and date_updated, as Gandi's
// operation API does. Snapshots are added with AddPaasSnapshot: the API
// has no method to take one; AddPaasInstance adds an instance bought
// outside the cluster (not counted as a paid create), DeletePaasInstance
// deletes one behind the client's back, and MarkPaasDeleted (POST
// /_sim/paas-deleted) leaves one in
// the state "deleted" (PaasState has it; the doc does not say when Gandi
// shows it), still listed, its vhosts gone, paas.delete on it refused
// (CAUSE_BADSTATE: the doc does not say). SetPaasState (POST
// /_sim/paas-state) puts a running instance in a state Gandi holds it in,
// locked, paused or being_migrated (PaasState lists them; the doc says
// neither when Gandi enters them nor what it refuses in them), and
// releases it to running. Choices, each the stricter reading: while held,
// every change of the instance is refused with 510409 (CAUSE_BADSTATE),
// as in any state but running: paas.update (password, ssh_key, keys,
// upgrade and reset_mysql_password included), paas.restart, paas.delete,
// paas.vhost.create on it and paas.vhost.delete of its vhosts; reads
// (info, list, count, vhost info and list, get_dns_entries, snapshots)
// are answered; paas.renew is taken while paused or locked (how an
// expired instance comes back) but not while being_migrated, and does not
// release it (only the control route does). Operations accepted before
// the hold (an update's, a renewal's, a vhost's rproxy_update) still
// finish; a vhost being created waits for the instance to run again.
// /_sim/state lists the
// instances under paas_instances. Every list and count method filters with "~"
// (LIKE with %), "<" and ">" (numbers, dates) and equality (a value or any
// of an array), and every one of them answers a filter its doc entry does
// not give with a 510400.
//
// # Control API
//
// Under /_sim/ on the same handler, without authentication: POST/DELETE
// /_sim/faults, GET/DELETE /_sim/counters, GET /_sim/state, POST
// /_sim/accounts, POST /_sim/seed, POST /_sim/timings, POST /_sim/rate-limit,
// GET /_sim/rate-limit, POST /_sim/dispatches, GET/POST/DELETE /_sim/dns (list the zones; publish
// {"zone", "records": [{"name", "type", "ttl", "values"}]}, replacing record
// sets by name and type; remove {"zone", "name", "type"}), POST
// /_sim/renewal ({"instance_id", "expire_at", "autorenew",
// "subscription_cancelled"}, each but the ID optional: an instance's
// subscription as its owner would change it at Gandi), POST
// /_sim/paas-deleted ({"paas_id"}: a PaaS instance put in the state
// "deleted", as MarkPaasDeleted does; an unknown ID is a 400), POST
// /_sim/paas-state ({"paas_id", "state"}: "locked", "paused" or
// "being_migrated" holds a running instance, "running" releases it, as
// SetPaasState does; an unknown ID or state, or an instance neither
// running nor held, is a 400). See
// control.go and cmd/gandisim.
// /_sim/faults, POST/GET/DELETE /_sim/random, GET/DELETE /_sim/counters
// (requests, writes, paid_creates, paid_changes, password_changes,
// dispatches, faults by kind, paas_paid_creates, paas_paid_renews,
// paas_paid_updates), GET
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
