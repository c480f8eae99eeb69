package controller

import (
	"context"
	"reflect"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/source"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/promreg"
)

// Batched observation.
//
// Gandi's list routes return most of what a settled object needs: GET
// /instances gives a page of instances with their state, size, storage,
// runtime and dates; GET /instances/{id}/vhosts every vhost of an
// instance. An Observer fetches those lists once per poll, per credential
// (and sharing_id), and answers every settled object from them: a poll of
// N instances with V vhosts each costs ceil(N/per_page) + N requests
// instead of N×(1+V) GETs. An object still gets its own GET (the detail
// route, which alone has access information, upgrade_to, DNS details…):
//   - when its list entry differs from what its last detail shows of the
//     list's fields (a change made at Gandi behind the operator's back
//     shows in the next list, so it is reported within one poll);
//   - when its detail is older than the detail interval (fields only the
//     detail route has);
//   - when what decides its readiness is only in the detail: a vhost's
//     application status (a failed install shows nowhere else), so a
//     vhost with an application is read at every poll;
//   - when its last known state is transitional (being_created, a running
//     application install…): those objects are looked at every few
//     seconds, and a list a poll old would hide the change they wait for;
//   - when this operator wrote to it since the list was sent or its
//     detail read (a read sent while the write was on its way counts as
//     before it: Gandi may have answered it before applying the write),
//     or the caller asks for a fresh read (a spec change). A vhost this
//     operator creates or deletes, or finds gone, counts as a write to
//     its instance too (its detail lists the vhosts and their deploy
//     access; its list entry does not), in every observer that may serve
//     that instance, and its HostingInstance is woken to read it once
//     the vhost changes of a burst settled (the vhosts of an instance are
//     created together: one read, not one per vhost). So does a vhost
//     list that names other vhosts than the instance's detail: a vhost
//     made or deleted at Gandi behind the operator's back shows there
//     first. An instance with no Vhost object has its own pass read that
//     list (one per poll, as its Vhosts' passes would), so it sees such
//     a change within one poll as well; one with Vhost objects leaves it
//     to them. Observers are per client, and a list read with one token
//     is never served to another, which may have other rights;
//   - when it is not in the list at all (too new to be listed, or gone:
//     the GET's 404 says which).
//
// A failed list is not an error of any object: each falls back to its own
// GET, as before the observer existed. The failure serves the poll as an
// answer would: the other objects of that poll go straight to their GETs
// instead of reading the list again (an account whose list keeps changing
// fails every read, three reads of every page each), and the next poll
// reads it again. Each failed read counts in
// gandi_operator_observer_list_failures_total{list}, and a list that
// starts failing, then answers again, is logged.
//
// A list reused for most of a poll would leave a change made just after it
// was fetched unseen for almost two polls by an object that passes just
// before the next fetch. So when a list is fetched again, every settled
// object whose entry changed in it is woken at once (Observers.Source):
// its pass reads its detail and reports the change, within one poll of it.

// Observers holds one observer per Gandi client and sharing_id.
type Observers struct {
	// Poll is the settled poll interval: a list is fetched again once it
	// is this old (less a tenth, so that a requeue jittered early does not
	// find the previous poll's list).
	Poll time.Duration
	// Detail is how often a settled object's detail is read anyway.
	Detail time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Settle is how long a HostingInstance whose vhosts the operator
	// changed waits for no more such change before it is woken (zero:
	// at once). The vhosts of an instance are created together, each a
	// change to its detail: woken at each, it would read the detail once
	// per vhost instead of once (see vhostsChanged).
	Settle time.Duration

	// metrics counts the list reads that failed (nil: not counted).
	metrics *observerMetrics

	mu      sync.Mutex
	by      map[observerKey]*observer
	sweptAt time.Time
	// wakes are the channels of the kinds' wake-up sources, by kind.
	wakes map[observedKind]chan event.GenericEvent
	// settling are the wake-ups waiting for their object's changes to
	// settle (Settle), one per object.
	settling map[settlingKey]*settlingWake
}

type settlingKey struct {
	kind observedKind
	key  types.NamespacedName
}

// settlingWake is a wake-up put off until due, or until first plus
// settleCap times Settle when changes keep coming.
type settlingWake struct {
	first, due time.Time
}

// settleCap bounds how long changes that keep coming put a wake-up off,
// in Settle intervals.
const settleCap = 4

// wakeSettled wakes key with wake once no call for it came for Settle
// (at once when Settle is zero): the calls of a burst make one wake-up.
// Real time, not Now: it paces a timer.
func (o *Observers) wakeSettled(kind observedKind, key types.NamespacedName, wake func(observedKind, types.NamespacedName)) {
	if o == nil || o.Settle <= 0 {
		wake(kind, key)
		return
	}
	k := settlingKey{kind: kind, key: key}
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.settling == nil {
		o.settling = map[settlingKey]*settlingWake{}
	}
	if w := o.settling[k]; w != nil {
		w.due = now.Add(o.Settle)
		if limit := w.first.Add(settleCap * o.Settle); w.due.After(limit) {
			w.due = limit
		}
		return
	}
	o.settling[k] = &settlingWake{first: now, due: now.Add(o.Settle)}
	var fire func()
	fire = func() {
		o.mu.Lock()
		w := o.settling[k]
		if left := time.Until(w.due); left > 0 {
			time.AfterFunc(left, fire)
			o.mu.Unlock()
			return
		}
		delete(o.settling, k)
		o.mu.Unlock()
		wake(kind, key)
	}
	time.AfterFunc(o.Settle, fire)
}

// observedKind names the kinds an observer answers for.
type observedKind int

const (
	kindInstance observedKind = iota
	kindVhost
)

// wakeBuffer is how many wake-ups wait for their controller: a wake-up
// dropped when it is full only leaves the object to its next poll.
const wakeBuffer = 4096

// Source is the wake-up source of kind for its controller: the objects
// whose list entry changed (see the package comment above). Nil when o is.
func (o *Observers) Source(kind observedKind) source.Source {
	if o == nil {
		return nil
	}
	return source.Channel(o.wakeChannel(kind), &handler.EnqueueRequestForObject{})
}

func (o *Observers) wakeChannel(kind observedKind) chan event.GenericEvent {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.wakes == nil {
		o.wakes = map[observedKind]chan event.GenericEvent{}
	}
	ch := o.wakes[kind]
	if ch == nil {
		ch = make(chan event.GenericEvent, wakeBuffer)
		o.wakes[kind] = ch
	}
	return ch
}

// wake asks for a pass of the object named key, without waiting.
func (o *Observers) wake(kind observedKind, key types.NamespacedName) {
	var obj client.Object
	switch kind {
	case kindInstance:
		obj = &hostingv1alpha1.HostingInstance{}
	case kindVhost:
		obj = &hostingv1alpha1.Vhost{}
	}
	obj.SetNamespace(key.Namespace)
	obj.SetName(key.Name)
	select {
	case o.wakeChannel(kind) <- event.GenericEvent{Object: obj}:
	default:
	}
}

type observerKey struct {
	client    *gandi.Client
	sharingID string
}

// For returns the observer of api (and sharingID); nil Observers, a zero
// Detail or Poll interval, or a client that is not a *gandi.Client
// observe nothing (every read a GET).
func (o *Observers) For(api any, sharingID string) *observer {
	c, ok := api.(*gandi.Client)
	if o == nil || !ok || o.Detail <= 0 || o.Poll <= 0 {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.dropIdle(o.clock()())
	return o.get(c, sharingID)
}

func (o *Observers) clock() func() time.Time {
	if o.Now == nil {
		return time.Now
	}
	return o.Now
}

// get is For without the sweep of idle observers: the observer of c and
// sharingID, made if none, marked used. Called with o.mu held.
func (o *Observers) get(c *gandi.Client, sharingID string) *observer {
	if o.by == nil {
		o.by = map[observerKey]*observer{}
	}
	now := o.clock()
	t := now()
	k := observerKey{client: c, sharingID: sharingID}
	obs := o.by[k]
	if obs == nil {
		maxAge := o.Poll - o.Poll/10
		obs = &observer{all: o, api: c, sharingID: sharingID, maxAge: maxAge, detail: o.Detail, now: now, wake: o.wake,
			instances: listCache[gandi.Instance]{list: listInstances}, vhosts: map[string]*listCache[gandi.Vhost]{},
			seenInstances: map[string]*seen[gandi.Instance]{}, seenVhosts: map[string]map[string]*seen[gandi.Vhost]{},
			wrote: map[string]time.Time{}}
		o.by[k] = obs
	}
	obs.lastUsed = t
	return obs
}

// dropIdle forgets the observers no object asked for in idleObserverPolls
// polls: a rotated token gets a new client, and what the old one's
// observer kept (every listed instance and vhost) would otherwise stay in
// memory for the life of the manager. Called with o.mu held.
func (o *Observers) dropIdle(now time.Time) {
	idle := idleObserverPolls * o.Poll
	if now.Sub(o.sweptAt) < o.Poll {
		return
	}
	o.sweptAt = now
	for k, obs := range o.by {
		if now.Sub(obs.lastUsed) > idle {
			delete(o.by, k)
		}
	}
}

// servingInstance are the observers that may serve instance id's detail:
// c's (one per sharing_id, as each HostingInstance names its own) and any
// other that read it (a Vhost may name other credentials than its
// HostingInstance).
func (o *Observers) servingInstance(c *gandi.Client, id string) []*observer {
	o.mu.Lock()
	all := make([]*observer, 0, len(o.by))
	for _, obs := range o.by {
		all = append(all, obs)
	}
	o.mu.Unlock()
	var out []*observer
	for _, obs := range all {
		obs.mu.Lock()
		_, read := obs.seenInstances[id]
		obs.mu.Unlock()
		if obs.api == c || read {
			out = append(out, obs)
		}
	}
	return out
}

// idleObserverPolls is how many polls an observer is kept unused: every
// settled object asks for its observer once per poll, so three polls
// without a request mean its credential is no longer used.
const idleObserverPolls = 3

// observer is one credential's (and sharing_id's) view of Gandi.
type observer struct {
	// all holds every observer: a change to an instance's vhosts is
	// recorded in each one that may serve the instance's detail.
	all       *Observers
	api       *gandi.Client
	sharingID string
	maxAge    time.Duration
	detail    time.Duration
	now       func() time.Time
	wake      func(observedKind, types.NamespacedName)
	// lastUsed is when an object last asked for this observer (under
	// Observers.mu).
	lastUsed time.Time

	mu            sync.Mutex
	instances     listCache[gandi.Instance]
	vhosts        map[string]*listCache[gandi.Vhost] // by instance ID
	seenInstances map[string]*seen[gandi.Instance]
	seenVhosts    map[string]map[string]*seen[gandi.Vhost] // by instance ID, then FQDN
	// wrote is when this operator last wrote to an object (by key), or
	// created on an instance: a list fetched before then is not trusted
	// for it.
	wrote map[string]time.Time
}

// listCache is one list route's last answer. fetch serializes the
// fetches of one list, so that objects reconciled together share one.
type listCache[T any] struct {
	// list names the route in the log and the failures metric
	// (listInstances, listVhosts); instanceID is the instance of a vhost
	// list, for the log.
	list       string
	instanceID string

	fetch     sync.Mutex
	startedAt time.Time // when the request of the last answer was sent
	items     map[string]T
	ok        bool
	pages     int // how many requests the last answer took
	// failedAt is when the request of the last read was sent, if it
	// failed (zero once one answers): the objects that would have shared
	// its answer do not read the list again (see failedWithin).
	failedAt time.Time
	// failures counts the reads that failed since the last answer, so
	// that the log says when a list starts failing and when it is back,
	// not at every poll.
	failures int
}

// The list label of gandi_operator_observer_list_failures_total: a route,
// never an ID.
const (
	listInstances = "instances"
	listVhosts    = "vhosts"
)

// observerMetrics counts what the observers' lists cost that the request
// metrics do not show: a list whose pages do not make one whole list is
// answered 200 every time.
type observerMetrics struct {
	listFailures *prometheus.CounterVec
}

func newObserverMetrics(reg prometheus.Registerer) *observerMetrics {
	m := &observerMetrics{
		listFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gandi_operator_observer_list_failures_total",
			Help: "Reads of a Gandi list that routine observation or a lookup could not use (an error, or pages that did not make one whole list), by list (instances, vhosts): the objects that would have shared it read their own details instead until the next poll.",
		}, []string{"list"}),
	}
	if reg != nil {
		m.listFailures = promreg.Register(reg, m.listFailures)
	}
	return m
}

// seen is what an object's detail GET last returned, whether the list it
// was read beside had the object, and the cluster object that asked (to
// wake).
//
// The list entry itself is not kept: a list serves a whole poll, so the
// one a detail is read beside may be older than that detail, and a change
// made at Gandi between the two, then undone, would leave the next list
// equal to it and the detail of the undone change served (and its owner
// unwoken) for a whole detail interval. What the detail itself shows of
// the list's fields is the reference instead.
type seen[T any] struct {
	listed bool
	detail *T
	// detailAt is when the detail's GET was sent: what it shows may be
	// as old as that.
	detailAt time.Time
	owner    types.NamespacedName
}

func instanceWriteKey(id string) string    { return "i/" + id }
func vhostWriteKey(id, fqdn string) string { return "v/" + id + "/" + fqdn }

// instanceNameWriteKey names the creates of instances called name: a
// lookup by name must not trust a list sent before one.
func instanceNameWriteKey(name string) string { return "n/" + name }

func (o *observer) wroteAt(key string) time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.wrote[key]
}

// writing records a write by this operator to what keys name, about to be
// sent; the func it returns records it again once Gandi answered (defer
// it). A list sent while the write is on its way may be answered before
// Gandi applies the write, so only one sent after the answer is trusted.
func (o *observer) writing(keys ...string) (answered func()) {
	o.wroteTo(keys...)
	return func() { o.wroteTo(keys...) }
}

// wroteTo records a write by this operator to what keys name, sent now.
func (o *observer) wroteTo(keys ...string) {
	if o == nil {
		return
	}
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, k := range keys {
		o.wrote[k] = now
	}
}

// vhostsChanged records that what instance id's detail shows (its vhosts,
// the deploy access of each) changed, by this operator's hand or as a
// vhost list shows (vhostsListed), in every
// observer that may serve that detail: the list of instances does not
// show it, so the detail read before would otherwise be served for a
// whole detail interval. When wake, the HostingInstances that read it are
// woken to read it again once the changes of a burst settled
// (Observers.Settle): the record makes any pass read it afresh, and a
// change recorded after that read makes the next one read it again, but
// the vhosts of an instance, created together, wake it once.
func (o *observer) vhostsChanged(id string, wake bool) {
	o.vhostsChangedExcept(id, wake, nil)
}

// vhostsChangedExcept is vhostsChanged in every observer that may serve
// instance id's detail but reading, whose HostingInstance's pass reads
// that detail itself now: recording it as written there would have the
// instance list that pass was served by, older than the record, refused
// for the rest of the poll, and a wake-up would read the detail twice.
func (o *observer) vhostsChangedExcept(id string, wake bool, reading *observer) {
	if o == nil {
		return
	}
	serving := []*observer{o}
	if o.all != nil {
		serving = o.all.servingInstance(o.api, id)
	}
	for _, obs := range serving {
		if obs == reading {
			continue
		}
		obs.wroteTo(instanceWriteKey(id))
		obs.mu.Lock()
		s := obs.seenInstances[id]
		obs.mu.Unlock()
		if wake && obs.wake != nil && s != nil && s.owner.Name != "" {
			obs.all.wakeSettled(kindInstance, s.owner, obs.wake)
		}
	}
}

// writingVhost is writing for a write that creates or deletes a vhost of
// instance id: the instance's detail is recorded as written too, and its
// HostingInstance woken once Gandi accepted the write. A failed write may
// still have been applied: the detail is then read at that object's next
// pass.
func (o *observer) writingVhost(id, fqdn string) (answered func(err error)) {
	written := o.writing(vhostWriteKey(id, fqdn))
	o.vhostsChanged(id, false)
	return func(err error) {
		written()
		o.vhostsChanged(id, err == nil)
	}
}

// fresh reports whether a read (a list or a detail) sent at startedAt may
// answer for what key names: it was sent after this operator's last write
// to it was answered.
func (o *observer) fresh(startedAt time.Time, key string) bool {
	return startedAt.After(o.wroteAt(key))
}

// listed is a list's answer as refresh gives it.
type listed[T any] struct {
	items     map[string]T
	startedAt time.Time
	// fetched says this call fetched it: the objects whose entry changed
	// are to be woken.
	fetched bool
	ok      bool
}

// refresh returns c's items, fetched again when older than maxAge.
func refresh[T any](ctx context.Context, o *observer, c *listCache[T], fetch func(context.Context) ([]T, error), id func(T) string) listed[T] {
	return refreshSince(ctx, o, c, fetch, id, o.maxAge, time.Time{})
}

// cachedSince returns c's items if younger than maxAge and sent after
// notBefore, without fetching.
func cachedSince[T any](o *observer, c *listCache[T], maxAge time.Duration, notBefore time.Time) listed[T] {
	c.fetch.Lock()
	defer c.fetch.Unlock()
	if c.usable(o.now(), maxAge, notBefore) {
		return listed[T]{items: c.items, startedAt: c.startedAt, ok: true}
	}
	return listed[T]{}
}

// usable reports whether c's answer is younger than maxAge at now and was
// sent after notBefore. Called with c.fetch held.
func (c *listCache[T]) usable(now time.Time, maxAge time.Duration, notBefore time.Time) bool {
	return c.ok && within(c.startedAt, now, maxAge, notBefore)
}

// failedWithin reports whether c's last read failed and would have been
// usable (younger than maxAge, sent after notBefore) had it answered: the
// objects that would have shared its answer share its failure, and go to
// their own GETs, instead of each reading the list again. Called with
// c.fetch held.
func (c *listCache[T]) failedWithin(now time.Time, maxAge time.Duration, notBefore time.Time) bool {
	return !c.failedAt.IsZero() && within(c.failedAt, now, maxAge, notBefore)
}

// within reports whether a read sent at sent is younger than maxAge at now
// and was sent after notBefore.
func within(sent, now time.Time, maxAge time.Duration, notBefore time.Time) bool {
	return now.Sub(sent) < maxAge && sent.After(notBefore)
}

// refreshSince returns c's items, fetched again with ctx when older than
// maxAge or sent before notBefore.
func refreshSince[T any](ctx context.Context, o *observer, c *listCache[T], fetch func(context.Context) ([]T, error), id func(T) string, maxAge time.Duration, notBefore time.Time) listed[T] {
	c.fetch.Lock()
	defer c.fetch.Unlock()
	now := o.now()
	if c.usable(now, maxAge, notBefore) {
		return listed[T]{items: c.items, startedAt: c.startedAt, ok: true}
	}
	if c.failedWithin(now, maxAge, notBefore) {
		return listed[T]{}
	}
	started := now
	pages := 0
	items, err := fetch(gandi.WithPageCount(ctx, &pages))
	if err != nil {
		c.ok = false
		// The caller's own context ending (its pass cancelled, the
		// manager stopping) says nothing of the list: the next caller
		// reads it.
		if ctx.Err() == nil {
			c.readFailed(ctx, o.all, started, err)
		}
		return listed[T]{}
	}
	if c.failures > 0 {
		log.FromContext(ctx).Info("a Gandi list answers again: routine observation uses it", c.logKeys("failedReads", c.failures)...)
	}
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[id(it)] = it
	}
	c.items, c.startedAt, c.ok, c.pages = m, started, true, pages
	c.failedAt, c.failures = time.Time{}, 0
	return listed[T]{items: m, startedAt: started, fetched: true, ok: true}
}

// readFailed records that a read of c sent at started failed with err:
// counted, and logged when the list starts failing. Called with c.fetch
// held.
func (c *listCache[T]) readFailed(ctx context.Context, all *Observers, started time.Time, err error) {
	c.failedAt = started
	c.failures++
	if all != nil && all.metrics != nil {
		all.metrics.listFailures.WithLabelValues(c.list).Inc()
	}
	if c.failures == 1 {
		log.FromContext(ctx).Info("a Gandi list could not be read: the objects of this poll read their own details instead, and the next poll reads it again (gandi_operator_observer_list_failures_total counts the failures)",
			c.logKeys("error", err.Error())...)
	}
}

// logKeys are the key-value pairs that name c in a log line, then kv.
func (c *listCache[T]) logKeys(kv ...any) []any {
	out := []any{"list", c.list}
	if c.instanceID != "" {
		out = append(out, "instance", c.instanceID)
	}
	return append(out, kv...)
}

// servable reports whether s, the last detail of an object, still answers
// for it with entry (listed says the list has one) from a list started at
// startedAt: neither the list nor the detail is older than a write to it
// (a write to what only the detail shows leaves the list entry as it
// was), nothing the list shows changed since the detail was read, the
// detail is young enough and says nothing is about to change (settled).
func servable[T any](o *observer, s *seen[T], entry T, listed bool, startedAt time.Time, writeKey string, settled func(*T) bool, listEntry func(T) T) bool {
	return listed && s != nil && s.detail != nil && o.fresh(startedAt, writeKey) && o.fresh(s.detailAt, writeKey) &&
		settled(s.detail) && o.now().Sub(s.detailAt) < o.detail && unchanged(s, entry, listEntry)
}

// unchanged reports whether entry is what the object's last detail shows
// of the list's fields.
func unchanged[T any](s *seen[T], entry T, listEntry func(T) T) bool {
	return reflect.DeepEqual(entry, listEntry(*s.detail))
}

// wakeChanged wakes the owners of the settled objects of seen whose entry
// in a list just fetched (items) changed or is gone, except the caller's.
// Called with o.mu held.
func wakeChanged[T any](o *observer, kind observedKind, seen map[string]*seen[T], items map[string]T, except string, settled func(*T) bool, listEntry func(T) T) {
	if o.wake == nil {
		return
	}
	for key, s := range seen {
		if key == except || s.detail == nil || s.owner.Name == "" || !settled(s.detail) {
			continue
		}
		entry, ok := items[key]
		if ok && unchanged(s, entry, listEntry) || !ok && !s.listed {
			// Unchanged, or never in the list (read with its GET at each
			// pass anyway): nothing new to report.
			continue
		}
		o.wake(kind, s.owner)
	}
}

// wakeInstances wakes, after a fetch of the instance list, the owners of
// the instances it shows changed (see wakeChanged).
func (o *observer) wakeInstances(items map[string]gandi.Instance, except string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	wakeChanged(o, kindInstance, o.seenInstances, items, except, instanceSettled, instanceListEntry)
}

// wakeVhosts is wakeInstances for the vhost list of instance id, l, just
// fetched; the instance's HostingInstance is woken too when l shows other
// vhosts than the instance's detail (see vhostsDiffer), unless reading
// (the observer of the HostingInstance whose pass fetched l; nil when a
// Vhost's did) says that pass reads it itself.
func (o *observer) wakeVhosts(id string, l listed[gandi.Vhost], except string, reading *observer) {
	o.mu.Lock()
	wakeChanged(o, kindVhost, o.seenVhosts[id], l.items, except, vhostSettled, vhostListEntry)
	o.mu.Unlock()
	o.vhostsListed(id, l, reading)
}

// vhostsListed compares l, a vhost list of instance id just fetched, with
// the detail of the instance each observer that may serve it last read.
// That detail lists the instance's vhosts and their deploy access
// (status.vhosts, status.access.deploy, the connection Secret's sftp_* and
// git_* keys) while its entry in the list of instances shows none of it:
// a vhost made or deleted at Gandi behind the operator's back shows first
// in this list, which the passes of the instance and of its Vhosts fetch
// at every poll anyway (see vhostsAgree). When they differ, the detail is
// treated as written to and its HostingInstance woken: it reads the detail
// again within one poll of the change, not a detail interval later, at the
// cost of one GET per change and none per settled poll. reading, when the
// HostingInstance's own pass fetched l, is left alone: that pass reads the
// detail now.
//
// A detail found to differ is superseded (see supersedeVhosts), so that it
// counts once: an observer the HostingInstance no longer reads through (it
// names other credentials now, and a Vhost keeps the observer alive) would
// otherwise keep a detail that differs from every later list, and cost a
// GET and a wake at every poll for good. A detail counts again once an
// object reads it afresh through that observer.
func (o *observer) vhostsListed(id string, l listed[gandi.Vhost], reading *observer) {
	serving := []*observer{o}
	if o.all != nil {
		serving = o.all.servingInstance(o.api, id)
	}
	differ := false
	for _, obs := range serving {
		if obs.supersedeVhosts(id, l) && obs != reading {
			differ = true
		}
	}
	if differ {
		o.vhostsChangedExcept(id, true, reading)
	}
}

// supersedeVhosts drops the detail of instance id that o keeps when l, a
// vhost list sent after it, shows other vhosts than it (vhostsDiffer), and
// reports whether it did. The record of who read it stays, so that its
// HostingInstance is still woken by vhost changes; the detail itself is
// neither served nor compared again until read again.
func (o *observer) supersedeVhosts(id string, l listed[gandi.Vhost]) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.seenInstances[id]
	if s == nil || s.detail == nil || !vhostsDiffer(s.detail.Vhosts, s.detailAt, l.items, l.startedAt) {
		return false
	}
	// A new record, not s changed in place: a pass may hold s unlocked.
	o.seenInstances[id] = &seen[gandi.Instance]{listed: s.listed, owner: s.owner}
	return true
}

// vhostsDiffer reports whether a vhost list of an instance, sent at
// listAt, shows other vhosts (by FQDN) than the instance's detail, sent at
// detailAt. A detail sent after the list is the newer view: a list that
// differs from it shows nothing new. Both list every vhost whatever its
// state, and the detail names them only, so the FQDNs are what compare.
func vhostsDiffer(detail []gandi.VhostRef, detailAt time.Time, list map[string]gandi.Vhost, listAt time.Time) bool {
	if !detailAt.Before(listAt) {
		return false
	}
	shown := make(map[string]bool, len(detail))
	for _, v := range detail {
		shown[v.FQDN] = true
	}
	if len(shown) != len(list) {
		return true
	}
	for fqdn := range list {
		if !shown[fqdn] {
			return true
		}
	}
	return false
}

func instanceSettled(in *gandi.Instance) bool { return !instanceTransitional(in.Status) }

// boosterDue reports that the booster, which only the detail shows, has
// changed by now as that detail announced: the boost ends at its
// expires_at, the next one is offered at next.available_at. Such a detail
// is read again instead of served until the detail interval, so that the
// end of a boost or of its cooldown is seen within a poll of it.
func boosterDue(in *gandi.Instance, now time.Time) bool {
	b := in.Booster
	if b == nil {
		return false
	}
	if c := b.Current; c != nil && !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt.Time) {
		return true
	}
	n := b.Next
	return n != nil && !n.Available && n.AvailableAt != nil && !n.AvailableAt.IsZero() && !now.Before(n.AvailableAt.Time)
}

// vhostSettled: a vhost with an application is read at every poll anyway
// (its status is only in the detail), so it is not served from the list.
func vhostSettled(v *gandi.Vhost) bool { return !vhostTransitional(v) && v.Application == nil }

// instance answers the observation of instance id for owner: from the
// list when the rules above allow, else from its GET.
//
// readsVhosts: the HostingInstance has no Vhost object to read the
// instance's vhost list at every poll (and wake it when the list names
// other vhosts than its detail), so its own pass reads that list
// (vhostsAgree). With Vhost objects it does not: read before they are
// created (while they wait for the instance), it would be a request more
// per instance on the way to Ready, and one more per poll when the passes
// of a poll straddle the list's freshness.
func (o *observer) instance(ctx context.Context, id string, owner types.NamespacedName, wantFresh, readsVhosts bool) (*gandi.Instance, error) {
	var l listed[gandi.Instance]
	if !wantFresh {
		// A list serves every settled object of the poll: a routine
		// request for the IP budget, whichever object triggered it.
		l = refresh(gandi.WithPriority(ctx, gandi.PriorityRoutine), o, &o.instances, func(ctx context.Context) ([]gandi.Instance, error) {
			return o.api.ListInstances(ctx, gandi.ListInstancesOptions{SharingID: o.sharingID})
		}, func(in gandi.Instance) string { return in.ID })
	}
	if l.fetched {
		o.wakeInstances(l.items, id)
	}
	entry, inList := l.items[id]
	o.mu.Lock()
	s := o.seenInstances[id]
	o.mu.Unlock()
	if l.ok && servable(o, s, entry, inList, l.startedAt, instanceWriteKey(id), instanceSettled, instanceListEntry) && !boosterDue(s.detail, o.now()) &&
		o.vhostsShown(ctx, id, s, readsVhosts) {
		out := *s.detail
		return &out, nil
	}
	sent := o.now()
	inst, err := o.api.GetInstance(ctx, id)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		delete(o.seenInstances, id)
		return nil, err
	}
	kept := *inst
	o.seenInstances[id] = &seen[gandi.Instance]{listed: l.ok && inList, detail: &kept, detailAt: sent, owner: owner}
	return inst, nil
}

// vhostsShown reports whether s, the detail of instance id about to be
// served, may be for the vhosts it shows: checked against the instance's
// vhost list when the instance reads that list itself (readsVhosts,
// vhostsAgree); otherwise its Vhost objects read it, and only a last read
// that failed keeps s from being served: they then read their own vhosts,
// and the instance's detail, the one other place its vhosts show, is read
// too, or a vhost made at Gandi meanwhile would show in its status only a
// detail interval later.
func (o *observer) vhostsShown(ctx context.Context, id string, s *seen[gandi.Instance], readsVhosts bool) bool {
	if readsVhosts {
		return o.vhostsAgree(ctx, id, s)
	}
	vo := o.vhostObserver()
	c := vo.vhostList(id)
	c.fetch.Lock()
	defer c.fetch.Unlock()
	return !c.failedWithin(vo.now(), vo.maxAge, time.Time{})
}

// vhostsAgree reports whether s, the detail of instance id about to be
// served, still shows the vhosts that the instance's vhost list shows
// (vhostsDiffer): the list of instances shows none of them, and without
// this an instance with no Vhost object (vhosts managed by hand, or an
// import of the instance alone) would show a vhost made or deleted at
// Gandi only a detail interval later. It is called only for an instance
// with no Vhost object (observer.instance): the list is the one Vhosts of
// the credential would be served by (vhostObserver), fetched at most once
// per poll. A list that failed is no error of the instance: like any
// object whose list failed, it reads its detail.
func (o *observer) vhostsAgree(ctx context.Context, id string, s *seen[gandi.Instance]) bool {
	vo := o.vhostObserver()
	l := refresh(gandi.WithPriority(ctx, gandi.PriorityRoutine), vo, vo.vhostList(id), vo.listVhosts(id), vhostFQDN)
	if !l.ok {
		return false
	}
	if l.fetched {
		vo.wakeVhosts(id, l, "", o)
	}
	return !vhostsDiffer(s.detail.Vhosts, s.detailAt, l.items, l.startedAt)
}

// vhostObserver is the observer whose vhost lists the Vhosts of o's
// credential are served by: they name no sharing_id (a vhost list has
// none), so it is o itself unless o's HostingInstance names one.
func (o *observer) vhostObserver() *observer {
	if o.sharingID == "" || o.all == nil {
		return o
	}
	o.all.mu.Lock()
	defer o.all.mu.Unlock()
	return o.all.get(o.api, "")
}

// listVhosts fetches the vhost list of instance id, every page.
func (o *observer) listVhosts(id string) func(context.Context) ([]gandi.Vhost, error) {
	return func(ctx context.Context) ([]gandi.Vhost, error) {
		return o.api.ListVhosts(ctx, id, gandi.ListVhostsOptions{})
	}
}

func vhostFQDN(v gandi.Vhost) string { return v.FQDN }

// vhost answers the observation of fqdn on instance id for owner, from
// the instance's vhost list when the rules above allow.
func (o *observer) vhost(ctx context.Context, id, fqdn string, owner types.NamespacedName, wantFresh bool) (*gandi.Vhost, error) {
	c := o.vhostList(id)
	var l listed[gandi.Vhost]
	if !wantFresh {
		l = refresh(gandi.WithPriority(ctx, gandi.PriorityRoutine), o, c, o.listVhosts(id), vhostFQDN)
	}
	if l.fetched {
		o.wakeVhosts(id, l, fqdn, nil)
	}
	entry, inList := l.items[fqdn]
	o.mu.Lock()
	s := o.seenVhosts[id][fqdn]
	o.mu.Unlock()
	if l.ok && servable(o, s, entry, inList, l.startedAt, vhostWriteKey(id, fqdn), vhostSettled, vhostListEntry) {
		out := *s.detail
		return &out, nil
	}
	sent := o.now()
	vh, err := o.api.GetVhost(ctx, id, fqdn)
	if err != nil {
		o.mu.Lock()
		_, known := o.seenVhosts[id][fqdn]
		delete(o.seenVhosts[id], fqdn)
		o.mu.Unlock()
		if known && gandi.IsNotFound(err) {
			// Gone at Gandi (a delete completed, or someone's): the
			// instance's detail no longer shows it.
			o.vhostsChanged(id, true)
		}
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	kept := *vh
	if o.seenVhosts[id] == nil {
		o.seenVhosts[id] = map[string]*seen[gandi.Vhost]{}
	}
	o.seenVhosts[id][fqdn] = &seen[gandi.Vhost]{listed: l.ok && inList, detail: &kept, detailAt: sent, owner: owner}
	return vh, nil
}

// vhostList is the cache of instance id's vhost list.
func (o *observer) vhostList(id string) *listCache[gandi.Vhost] {
	o.mu.Lock()
	defer o.mu.Unlock()
	c := o.vhosts[id]
	if c == nil {
		c = &listCache[gandi.Vhost]{list: listVhosts, instanceID: id}
		o.vhosts[id] = c
	}
	return c
}

// vhostLookup is the lookup of fqdn on instance id before a create: the
// instance's vhost list, fetched again unless window allows the one kept
// (see lookupWindowOf) and it was sent after this operator's last write to
// the vhost. The vhosts of a new instance, woken together when it is
// Ready, share one list instead of a GET each. ok is false when the list
// failed: look the vhost up with its GET.
func (o *observer) vhostLookup(ctx context.Context, id, fqdn string, window lookupWindow) (found *gandi.Vhost, ok bool) {
	c := o.vhostList(id)
	maxAge, notBefore := o.lookupMaxAge(window), laterOf(window.notBefore, o.wroteAt(vhostWriteKey(id, fqdn)))
	l := refreshSince(ctx, o, c, o.listVhosts(id), vhostFQDN, maxAge, notBefore)
	if !l.ok {
		return nil, false
	}
	if l.fetched {
		o.wakeVhosts(id, l, "", nil)
	}
	if v, inList := l.items[fqdn]; inList {
		return &v, true
	}
	return nil, true
}

// instanceLookup is the lookup by name before an instance's create: the
// list of every instance (the one routine observation uses) when window
// allows it (see lookupWindowOf) and it was sent after this operator's
// last create of that name. Otherwise it is fetched again if that costs
// one request (a list of one page), the cost of Gandi's name filter. ok is
// false when neither: look the name up with the filter.
func (o *observer) instanceLookup(ctx context.Context, name string, window lookupWindow) (found []gandi.Instance, ok bool) {
	maxAge, notBefore := o.lookupMaxAge(window), laterOf(window.notBefore, o.wroteAt(instanceNameWriteKey(name)))
	c := &o.instances
	c.fetch.Lock()
	cheap := !c.ok || c.pages <= 1
	c.fetch.Unlock()
	var l listed[gandi.Instance]
	if cheap {
		l = refreshSince(ctx, o, c, func(ctx context.Context) ([]gandi.Instance, error) {
			return o.api.ListInstances(ctx, gandi.ListInstancesOptions{SharingID: o.sharingID})
		}, func(in gandi.Instance) string { return in.ID }, maxAge, notBefore)
	} else {
		l = cachedSince(o, c, maxAge, notBefore)
	}
	if !l.ok {
		return nil, false
	}
	if l.fetched {
		o.wakeInstances(l.items, "")
	}
	for _, in := range l.items {
		if in.Name == name {
			found = append(found, in)
		}
	}
	return found, true
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// lookupMaxAge is how old a kept list may be to answer a lookup in window:
// as old as routine observation trusts, or not at all when it must be
// fresh.
func (o *observer) lookupMaxAge(window lookupWindow) time.Duration {
	if window.fresh {
		return 0
	}
	return o.maxAge
}

// forget drops what the observer keeps of an instance and its vhosts
// (deleted at Gandi), so that memory follows what exists.
func (o *observer) forget(id string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	delete(o.seenInstances, id)
	delete(o.vhosts, id)
	delete(o.seenVhosts, id)
	o.mu.Unlock()
	if o.sharingID == "" || o.all == nil {
		return
	}
	// The vhost list the instance's passes were served (vhostsAgree).
	o.all.mu.Lock()
	vo := o.all.by[observerKey{client: o.api}]
	o.all.mu.Unlock()
	if vo != nil {
		vo.mu.Lock()
		delete(vo.vhosts, id)
		vo.mu.Unlock()
	}
}

// instanceListEntry is what GET /instances shows of an instance whose
// detail is in: the detail less the fields only the detail route has.
// A list entry equal to it means nothing the list shows changed since
// the detail was read.
func instanceListEntry(in gandi.Instance) gandi.Instance {
	in.AccessInformation, in.Console, in.CPU, in.RAM, in.Vhosts = nil, nil, 0, nil, nil
	in.Booster, in.CompatibleApplications, in.UpgradeTo = nil, nil, nil
	return in
}

// vhostListEntry is instanceListEntry's counterpart for a vhost: the list
// has neither the zone's DNS details nor the application's status.
func vhostListEntry(v gandi.Vhost) gandi.Vhost {
	if z := v.LinkedDNSZone; z != nil {
		v.LinkedDNSZone = &gandi.LinkedDNSZone{AllowAlteration: z.AllowAlteration, LastCheckedStatus: z.LastCheckedStatus, LastCheckedAt: z.LastCheckedAt}
	}
	if a := v.Application; a != nil {
		v.Application = &gandi.VhostAppState{Name: a.Name, Parameters: a.Parameters}
	}
	return v
}

func instanceTransitional(state string) bool {
	_, _, _, transitional := instanceReadiness(state)
	return transitional
}

func vhostTransitional(v *gandi.Vhost) bool {
	_, _, _, transitional := vhostReadiness(v)
	return transitional
}

// observedInstances is an instanceAPI whose writes invalidate what the
// observer keeps of the instance, and whose observation (observeInstance)
// the observer answers.
type observedInstances struct {
	instanceAPI
	obs *observer
	// owner is the HostingInstance observing: woken when its entry changes.
	owner types.NamespacedName
	// readsVhosts: owner has no Vhost object (observer.instance).
	readsVhosts bool
}

func (a observedInstances) CreateInstance(ctx context.Context, req gandi.CreateInstanceRequest, opts gandi.CreateOptions) (string, error) {
	defer a.obs.writing(instanceNameWriteKey(req.Name))()
	return a.instanceAPI.CreateInstance(ctx, req, opts)
}

func (a observedInstances) UpdateInstance(ctx context.Context, id string, req gandi.UpdateInstanceRequest) error {
	defer a.obs.writing(instanceWriteKey(id))()
	return a.instanceAPI.UpdateInstance(ctx, id, req)
}

func (a observedInstances) InstanceAction(ctx context.Context, id, action string) error {
	defer a.obs.writing(instanceWriteKey(id))()
	return a.instanceAPI.InstanceAction(ctx, id, action)
}

func (a observedInstances) DeleteInstance(ctx context.Context, id string) error {
	defer a.obs.forget(id)
	return a.instanceAPI.DeleteInstance(ctx, id)
}

// observedVhosts is the vhostAPI counterpart of observedInstances.
type observedVhosts struct {
	vhostAPI
	obs   *observer
	owner types.NamespacedName
}

func (a observedVhosts) CreateVhost(ctx context.Context, instanceID string, req gandi.CreateVhostRequest) error {
	answered := a.obs.writingVhost(instanceID, req.FQDN)
	err := a.vhostAPI.CreateVhost(ctx, instanceID, req)
	answered(err)
	return err
}

func (a observedVhosts) UpdateVhost(ctx context.Context, instanceID, fqdn string, req gandi.UpdateVhostRequest) error {
	defer a.obs.writing(vhostWriteKey(instanceID, fqdn))()
	return a.vhostAPI.UpdateVhost(ctx, instanceID, fqdn, req)
}

func (a observedVhosts) DeleteVhost(ctx context.Context, instanceID, fqdn string) error {
	answered := a.obs.writingVhost(instanceID, fqdn)
	err := a.vhostAPI.DeleteVhost(ctx, instanceID, fqdn)
	answered(err)
	return err
}
