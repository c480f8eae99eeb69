package controller

import (
	"context"
	"reflect"
	"sync"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
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
//   - when its list entry changed since its detail was last read (a change
//     made at Gandi behind the operator's back shows in the next list, so
//     it is reported within one poll);
//   - when its detail is older than the detail interval (fields only the
//     detail route has);
//   - when what decides its readiness is only in the detail: a vhost's
//     application status (a failed install shows nowhere else), so a
//     vhost with an application is read at every poll;
//   - when its last known state is transitional (being_created, a running
//     application install…): those objects are looked at every few
//     seconds, and a list a poll old would hide the change they wait for;
//   - when this operator wrote to it since the list was fetched (wrote
//     invalidates what a write touched), or the caller asks for a fresh
//     read (a spec change);
//   - when it is not in the list at all (too new to be listed, or gone:
//     the GET's 404 says which).
//
// A failed list is not an error of any object: each falls back to its own
// GET, as before the observer existed.

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

	mu      sync.Mutex
	by      map[observerKey]*observer
	sweptAt time.Time
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
	if o.by == nil {
		o.by = map[observerKey]*observer{}
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	t := now()
	o.dropIdle(t)
	k := observerKey{client: c, sharingID: sharingID}
	obs := o.by[k]
	if obs == nil {
		maxAge := o.Poll - o.Poll/10
		obs = &observer{api: c, sharingID: sharingID, maxAge: maxAge, detail: o.Detail, now: now,
			instances: listCache[gandi.Instance]{}, vhosts: map[string]*listCache[gandi.Vhost]{},
			seenInstances: map[string]*seen[gandi.Instance]{}, seenVhosts: map[vhostKey]*seen[gandi.Vhost]{},
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

// idleObserverPolls is how many polls an observer is kept unused: every
// settled object asks for its observer once per poll, so three polls
// without a request mean its credential is no longer used.
const idleObserverPolls = 3

// observer is one credential's (and sharing_id's) view of Gandi.
type observer struct {
	api       *gandi.Client
	sharingID string
	maxAge    time.Duration
	detail    time.Duration
	now       func() time.Time
	// lastUsed is when an object last asked for this observer (under
	// Observers.mu).
	lastUsed time.Time

	mu            sync.Mutex
	instances     listCache[gandi.Instance]
	vhosts        map[string]*listCache[gandi.Vhost] // by instance ID
	seenInstances map[string]*seen[gandi.Instance]
	seenVhosts    map[vhostKey]*seen[gandi.Vhost]
	// wrote is when this operator last wrote to an object (by key), or
	// created on an instance: a list fetched before then is not trusted
	// for it.
	wrote map[string]time.Time
}

type vhostKey struct{ instanceID, fqdn string }

// listCache is one list route's last answer. fetch serializes the
// fetches of one list, so that objects reconciled together share one.
type listCache[T any] struct {
	fetch     sync.Mutex
	startedAt time.Time // when the request of the last answer was sent
	items     map[string]T
	ok        bool
}

// seen is what an object's detail GET last returned, and the list entry
// it was compared against.
type seen[T any] struct {
	entry    T
	listed   bool
	detail   *T
	detailAt time.Time
}

func instanceWriteKey(id string) string    { return "i/" + id }
func vhostWriteKey(id, fqdn string) string { return "v/" + id + "/" + fqdn }

func (o *observer) wroteAt(key string) time.Time {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.wrote[key]
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

// fresh reports whether a list started at startedAt may answer for what
// key names: it was sent after this operator's last write to it.
func (o *observer) fresh(startedAt time.Time, key string) bool {
	return startedAt.After(o.wroteAt(key))
}

// refresh returns c's items, fetched again when older than maxAge.
func refresh[T any](o *observer, c *listCache[T], fetch func() ([]T, error), id func(T) string) (map[string]T, time.Time, bool) {
	return refreshSince(o, c, fetch, id, o.maxAge, time.Time{})
}

// refreshSince returns c's items, fetched again when older than maxAge or
// sent before notBefore.
func refreshSince[T any](o *observer, c *listCache[T], fetch func() ([]T, error), id func(T) string, maxAge time.Duration, notBefore time.Time) (map[string]T, time.Time, bool) {
	c.fetch.Lock()
	defer c.fetch.Unlock()
	if c.ok && o.now().Sub(c.startedAt) < maxAge && c.startedAt.After(notBefore) {
		return c.items, c.startedAt, true
	}
	started := o.now()
	items, err := fetch()
	if err != nil {
		c.ok = false
		return nil, time.Time{}, false
	}
	m := make(map[string]T, len(items))
	for _, it := range items {
		m[id(it)] = it
	}
	c.items, c.startedAt, c.ok = m, started, true
	return m, started, true
}

// instance answers the observation of instance id: from the list when
// the rules above allow, else from its GET.
func (o *observer) instance(ctx context.Context, id string, wantFresh bool) (*gandi.Instance, error) {
	var items map[string]gandi.Instance
	var startedAt time.Time
	ok := false
	if !wantFresh {
		items, startedAt, ok = refresh(o, &o.instances, func() ([]gandi.Instance, error) {
			// A list serves every settled object of the poll: a routine
			// request for the IP budget, whichever object triggered it.
			return o.api.ListInstances(gandi.WithPriority(ctx, gandi.PriorityRoutine), gandi.ListInstancesOptions{SharingID: o.sharingID})
		}, func(in gandi.Instance) string { return in.ID })
	}
	entry, listed := items[id]
	o.mu.Lock()
	s := o.seenInstances[id]
	o.mu.Unlock()
	if ok && listed && s != nil && s.detail != nil &&
		o.fresh(startedAt, instanceWriteKey(id)) && !instanceTransitional(s.detail.Status) &&
		o.now().Sub(s.detailAt) < o.detail &&
		(s.listed && reflect.DeepEqual(entry, s.entry) || reflect.DeepEqual(entry, instanceListEntry(*s.detail))) {
		out := *s.detail
		return &out, nil
	}
	inst, err := o.api.GetInstance(ctx, id)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		delete(o.seenInstances, id)
		return nil, err
	}
	kept := *inst
	o.seenInstances[id] = &seen[gandi.Instance]{entry: entry, listed: ok && listed, detail: &kept, detailAt: o.now()}
	return inst, nil
}

// vhost answers the observation of fqdn on instance id, from the
// instance's vhost list when the rules above allow.
func (o *observer) vhost(ctx context.Context, id, fqdn string, wantFresh bool) (*gandi.Vhost, error) {
	o.mu.Lock()
	c := o.vhosts[id]
	if c == nil {
		c = &listCache[gandi.Vhost]{}
		o.vhosts[id] = c
	}
	o.mu.Unlock()
	var items map[string]gandi.Vhost
	var startedAt time.Time
	ok := false
	if !wantFresh {
		items, startedAt, ok = refresh(o, c, func() ([]gandi.Vhost, error) {
			return o.api.ListVhosts(gandi.WithPriority(ctx, gandi.PriorityRoutine), id, gandi.ListVhostsOptions{})
		}, func(v gandi.Vhost) string { return v.FQDN })
	}
	entry, listed := items[fqdn]
	key := vhostKey{instanceID: id, fqdn: fqdn}
	o.mu.Lock()
	s := o.seenVhosts[key]
	o.mu.Unlock()
	if ok && listed && s != nil && s.detail != nil &&
		o.fresh(startedAt, vhostWriteKey(id, fqdn)) && !vhostTransitional(s.detail) && s.detail.Application == nil &&
		o.now().Sub(s.detailAt) < o.detail &&
		(s.listed && reflect.DeepEqual(entry, s.entry) || reflect.DeepEqual(entry, vhostListEntry(*s.detail))) {
		out := *s.detail
		return &out, nil
	}
	vh, err := o.api.GetVhost(ctx, id, fqdn)
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		delete(o.seenVhosts, key)
		return nil, err
	}
	kept := *vh
	o.seenVhosts[key] = &seen[gandi.Vhost]{entry: entry, listed: ok && listed, detail: &kept, detailAt: o.now()}
	return vh, nil
}

// vhostLookup is the lookup of fqdn on instance id before a create: the
// instance's vhost list, fetched again unless it is younger than maxAge
// and was sent after notBefore (this object's create intent) and after
// this operator's last write to the vhost. The vhosts of a new instance,
// woken together when it is Ready, share one list instead of a GET each.
// ok is false when the list failed: look the vhost up with its GET.
func (o *observer) vhostLookup(ctx context.Context, id, fqdn string, maxAge time.Duration, notBefore time.Time) (found *gandi.Vhost, ok bool) {
	o.mu.Lock()
	c := o.vhosts[id]
	if c == nil {
		c = &listCache[gandi.Vhost]{}
		o.vhosts[id] = c
	}
	if w := o.wrote[vhostWriteKey(id, fqdn)]; w.After(notBefore) {
		notBefore = w
	}
	o.mu.Unlock()
	items, _, ok := refreshSince(o, c, func() ([]gandi.Vhost, error) {
		return o.api.ListVhosts(ctx, id, gandi.ListVhostsOptions{})
	}, func(v gandi.Vhost) string { return v.FQDN }, maxAge, notBefore)
	if !ok {
		return nil, false
	}
	if v, listed := items[fqdn]; listed {
		return &v, true
	}
	return nil, true
}

// forget drops what the observer keeps of an instance and its vhosts
// (deleted at Gandi), so that memory follows what exists.
func (o *observer) forget(id string) {
	if o == nil {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.seenInstances, id)
	delete(o.vhosts, id)
	for k := range o.seenVhosts {
		if k.instanceID == id {
			delete(o.seenVhosts, k)
		}
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
}

func (a observedInstances) UpdateInstance(ctx context.Context, id string, req gandi.UpdateInstanceRequest) error {
	a.obs.wroteTo(instanceWriteKey(id))
	return a.instanceAPI.UpdateInstance(ctx, id, req)
}

func (a observedInstances) InstanceAction(ctx context.Context, id, action string) error {
	a.obs.wroteTo(instanceWriteKey(id))
	return a.instanceAPI.InstanceAction(ctx, id, action)
}

func (a observedInstances) DeleteInstance(ctx context.Context, id string) error {
	defer a.obs.forget(id)
	return a.instanceAPI.DeleteInstance(ctx, id)
}

// observedVhosts is the vhostAPI counterpart of observedInstances.
type observedVhosts struct {
	vhostAPI
	obs *observer
}

func (a observedVhosts) CreateVhost(ctx context.Context, instanceID string, req gandi.CreateVhostRequest) error {
	a.obs.wroteTo(vhostWriteKey(instanceID, req.FQDN))
	return a.vhostAPI.CreateVhost(ctx, instanceID, req)
}

func (a observedVhosts) UpdateVhost(ctx context.Context, instanceID, fqdn string, req gandi.UpdateVhostRequest) error {
	a.obs.wroteTo(vhostWriteKey(instanceID, fqdn))
	return a.vhostAPI.UpdateVhost(ctx, instanceID, fqdn, req)
}

func (a observedVhosts) DeleteVhost(ctx context.Context, instanceID, fqdn string) error {
	a.obs.wroteTo(vhostWriteKey(instanceID, fqdn))
	return a.vhostAPI.DeleteVhost(ctx, instanceID, fqdn)
}
