// Package paas is a typed client for Gandi's legacy XML-RPC API v3, the
// PaaS (Simple Hosting) methods of ../shared/api-docs/gandi-xmlrpc-paas-v3.txt:
//
//	paas.count paas.create paas.delete paas.info paas.list paas.renew
//	paas.restart paas.update
//	paas.vhost.count paas.vhost.create paas.vhost.delete
//	paas.vhost.get_dns_entries paas.vhost.info paas.vhost.list
//	paas.snapshot.count paas.snapshot.info paas.snapshot.list
//	paas.type.count paas.type.list
//
// Parameter and return types carry the doc's names (PaasCreateParams,
// PaasReturn, ...). The API key is the first parameter of every call; this
// API takes no personal access token.
//
// # Transport
//
// github.com/kolo/xmlrpc only encodes and decodes: the HTTP exchange is this
// package's, with the v5 client's pieces (internal/gandi): its metrics
// (gandi_api_requests_total with the XML-RPC method name as route), its
// backoff and its HTTP client defaults. Requests are paced by a token bucket
// per Client, and the operator keeps one Client per API key.
//
// Only read methods (*.info, *.list, *.count, paas.vhost.get_dns_entries,
// paas.type.*, paas.snapshot.*) are retried, on HTTP 429/5xx and transient
// network errors. A write whose answer is lost returns a transient error and
// is never resent: paas.create and paas.renew cost money, so the caller must
// look (paas.list by name, paas.info's date_end) before it calls again.
//
// # Asynchronous operations
//
// paas.create, delete, renew, restart, update and paas.vhost.create/delete
// return operations (paas_vm_create, rproxy_update, ...) that Gandi runs
// after answering. The doc gives no method to follow an operation, so
// progress is followed through the objects' states: paas.info
// (being_created -> running, being_deleted -> gone) and paas.vhost.info.
//
// # Errors
//
// An XML-RPC fault is a *Fault (faultCode, faultString); callers use the
// classifiers (IsNotFound, IsInvalid, NotApplied, ...) rather than the codes,
// which the doc does not give (the simulator's are in gandisim's package
// doc). No error, log line or metric label carries the API key or a password.
package paas
