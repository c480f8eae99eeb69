// Package gandi is a typed client for the parts of Gandi's v5 REST API the
// operator uses: Web Hosting (simplehosting), configuration templates and the
// one domain route that turns an FQDN into a domain ID.
//
// The contract is ../shared/api-docs/gandi-v5-simplehosting.txt and
// gandi-v5-template.txt; where they are silent the choice is commented in the
// code. The package knows nothing of Kubernetes.
//
// # Routes
//
// Every documented route and the method that calls it (the route strings are
// also the exported Route* constants, used as the "route" metric label):
//
//	GET    /v5/simplehosting/applications                                       ListApplications
//	GET    /v5/simplehosting/applications/{application_name}                    GetApplication
//	GET    /v5/simplehosting/instances                                          ListInstances
//	POST   /v5/simplehosting/instances                                          CreateInstance, DryRunCreateInstance (Dry-Run: 1)
//	GET    /v5/simplehosting/instances/{instance_id}                            GetInstance
//	PATCH  /v5/simplehosting/instances/{instance_id}                            UpdateInstance
//	DELETE /v5/simplehosting/instances/{instance_id}                            DeleteInstance
//	POST   /v5/simplehosting/instances/{instance_id}/action                     InstanceAction
//	GET    /v5/simplehosting/instances/{instance_id}/usage                      GetInstanceUsage
//	GET    /v5/simplehosting/instances/{instance_id}/vhosts                     ListVhosts
//	POST   /v5/simplehosting/instances/{instance_id}/vhosts                     CreateVhost
//	GET    /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}        GetVhost
//	PATCH  /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}        UpdateVhost
//	DELETE /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}        DeleteVhost
//	DELETE /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}/cache  PurgeVhostCache
//	GET    /v5/template/templates                                               ListTemplates
//	POST   /v5/template/templates                                               CreateTemplate
//	GET    /v5/template/templates/{id}                                          GetTemplate
//	PATCH  /v5/template/templates/{id}                                          UpdateTemplate
//	DELETE /v5/template/templates/{id}                                          DeleteTemplate
//	POST   /v5/template/templates/{id}                                          ApplyTemplate
//	GET    /v5/template/dispatch/{id}                                           GetDispatch
//	GET    /v5/domain/domains/{domain}                                          GetDomain (outside the two docs)
//
// # Behaviour worth knowing
//
//   - Requests are paced by one token bucket per Client; the operator keeps one
//     Client per token, so the bucket is per token. A 429's Retry-After pauses
//     every request of the Client until it has elapsed.
//   - With Config.Budget (budget.go), every Client of the process, of either
//     API, waits for one budget of the egress IP instead (Gandi limits per
//     IP): round-robin among tokens, urgent requests before routine ones
//     (WithPriority on the context; unmarked means urgent), each token's own
//     rate as a second bound, and a 429 pauses every token.
//   - GET, PATCH and DELETE are retried on 429, 5xx, timeouts and connection
//     resets with capped exponential backoff and jitter. POST is never retried:
//     a POST whose answer is lost returns a transient error, and the caller
//     must look before it posts again (an instance costs money). Nor is a
//     request made with a WithoutResend context: every request the
//     operator records as a side effect before sending it (a PATCH that
//     pays for a resize or sets a password; the controller's sendOnceWith
//     hands its send that context), and every cache purge
//     (PurgeVhostCache), which would otherwise happen twice when an
//     answer is lost.
//   - Errors are *APIError (classified by IsNotFound, IsTransient, …) or, for a
//     refused Dry-Run, *ValidationError. No error string, log line or metric
//     label contains the token, and request bodies are never echoed.
//   - List methods return every page as one whole list or an error wrapping
//     ErrIncompleteList (transient): every page's Total-Count must be the
//     same and the items read exactly that many, so that a caller may take
//     an object's absence from a list. A list that changed while it was read
//     is read again, twice at most (pagination.go).
//   - FQDNs in paths and filters are passed through as given: callers convert
//     IDNs to ASCII (punycode) first, as the API requires.
package gandi
