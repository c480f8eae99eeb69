package controller

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/types"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// An observer no object asked for in three polls is dropped (its
// credential was rotated away); one in use is kept, whatever the age of
// the others.
func TestObserversDropIdle(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	o := &Observers{Poll: time.Minute, Detail: time.Hour, Now: func() time.Time { return now }}
	client := func(token string) *gandi.Client {
		c, err := gandi.New(gandi.Config{BaseURL: "http://127.0.0.1:1", Credential: gandi.Credential{Token: token}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old, kept := client("pat_old"), client("pat_kept")
	first := o.For(old, "")
	o.For(kept, "")
	for range 4 { // four polls: kept is asked for at each, old never
		now = now.Add(time.Minute)
		o.For(kept, "")
	}
	if got := len(o.by); got != 1 {
		t.Fatalf("observers kept after 4 idle polls: %d, want 1 (the one in use)", got)
	}
	if o.For(old, "") == first {
		t.Fatal("the idle observer was not dropped: the same one came back")
	}
	now = now.Add(90 * time.Second) // within three polls: nothing dropped
	o.For(kept, "")
	if got := len(o.by); got != 2 {
		t.Fatalf("observers after 1.5 polls: %d, want 2", got)
	}
}

// When a list is fetched again, the settled objects whose entry changed
// are woken at once, and only those: one that passes just before the next
// fetch would otherwise report a change made just after the previous one
// almost two polls late. The caller itself is not woken (it is already in
// its pass), and a transitional object is not either (it is looked at
// every few seconds anyway).
func TestObserverWakesChangedObjects(t *testing.T) {
	sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, "org-wake")
	now := time.Now()
	o := &Observers{Poll: time.Minute, Detail: time.Hour, Now: func() time.Time { return now }}
	var woken []types.NamespacedName
	obs := o.For(api, "")
	obs.wake = func(kind observedKind, key types.NamespacedName) {
		if kind != kindInstance {
			t.Errorf("woke a %v for an instance list", kind)
		}
		woken = append(woken, key)
	}
	seed := func(name, status string) (string, types.NamespacedName) {
		return sim.AddInstance("org-wake", gandisim.SeedInstance{Name: name, Size: "s+", Status: status}), types.NamespacedName{Namespace: "ns", Name: name}
	}
	ctx := context.Background()
	a, ownerA := seed("a", "")
	b, ownerB := seed("b", "")
	c, ownerC := seed("c", "")
	creating, ownerCreating := seed("creating", "being_created")
	for id, owner := range map[string]types.NamespacedName{a: ownerA, b: ownerB, c: ownerC, creating: ownerCreating} {
		if _, err := obs.instance(ctx, id, owner, false, true); err != nil {
			t.Fatal(err)
		}
	}
	if len(woken) != 0 {
		t.Fatalf("woken before anything changed: %v", woken)
	}
	// Behind the operator's back: b is locked, c and the transitional
	// instance are renamed; then, a poll later, a's pass fetches the list.
	sim.UpdateInstance(b, func(v *gandisim.InstanceView) { v.Status = "locked" })
	sim.UpdateInstance(c, func(v *gandisim.InstanceView) { v.Name = "c-renamed" })
	sim.UpdateInstance(creating, func(v *gandisim.InstanceView) { v.Name = "creating-renamed" })
	sim.UpdateInstance(a, func(v *gandisim.InstanceView) { v.Name = "a-renamed" })
	now = now.Add(time.Minute)
	if _, err := obs.instance(ctx, a, ownerA, false, true); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(woken, func(x, y types.NamespacedName) int { return strings.Compare(x.Name, y.Name) })
	if want := []types.NamespacedName{ownerB, ownerC}; !slices.Equal(woken, want) {
		t.Fatalf("woken: %v, want %v (changed and settled, not the caller)", woken, want)
	}
	// Served from the list until it is fetched again: no second wake-up.
	woken = nil
	if _, err := obs.instance(ctx, b, ownerB, false, true); err != nil {
		t.Fatal(err)
	}
	if len(woken) != 0 {
		t.Fatalf("woken again without a new list: %v", woken)
	}
}

// The lookup by name before an instance's create shares the list of every
// instance among the objects applied together, but only a list sent after
// the object was applied (what existed then is always seen), and never a
// kept one for an object with a create intent, nor one sent before this
// operator's last create of that name.
func TestObserverInstanceLookup(t *testing.T) {
	sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, "org-lookup")
	now := time.Now()
	o := &Observers{Poll: time.Minute, Detail: time.Hour, Now: func() time.Time { return now }}
	obs := o.For(api, "")
	ctx := context.Background()
	lists := func() int { return sim.Requests(gandisim.RouteListInstances) }
	lookup := func(name string, w lookupWindow) []gandi.Instance {
		t.Helper()
		found, ok := obs.instanceLookup(ctx, name, w)
		if !ok {
			t.Fatal("the list failed")
		}
		return found
	}
	applied := lookupWindow{notBefore: now.Add(-time.Second)}
	sim.AddInstance("org-lookup", gandisim.SeedInstance{Name: "taken", Size: "s+"})
	if got := lookup("taken", applied); len(got) != 1 {
		t.Fatalf("found %d instances named taken, want 1", len(got))
	}
	first := lists()
	now = now.Add(10 * time.Second)
	if got := lookup("free", applied); len(got) != 0 || lists() != first {
		t.Fatalf("an object applied before the list: found %v with %d more lists, want none with the list reused", got, lists()-first)
	}
	// Applied after the list was sent: the list cannot show what existed
	// then, so it is fetched again, and shows it.
	sim.AddInstance("org-lookup", gandisim.SeedInstance{Name: "made-by-hand", Size: "s+"})
	if got := lookup("made-by-hand", lookupWindow{notBefore: now}); len(got) != 1 || lists() != first+1 {
		t.Fatalf("an object applied after the list: found %d with %d more lists, want 1 with one more", len(got), lists()-first)
	}
	// A create intent: a list for this lookup, every time, however young
	// the kept one.
	now = now.Add(time.Millisecond)
	pending := lookupWindow{notBefore: applied.notBefore, fresh: true}
	lookup("free", pending)
	lookup("free", pending)
	if lists() != first+3 {
		t.Fatalf("two lookups with an intent: %d more lists, want 2 more", lists()-first-1)
	}
	// This operator creates "new": a list sent before that is not trusted
	// for the name.
	obs.wroteTo(instanceNameWriteKey("new"))
	now = now.Add(time.Millisecond)
	lookup("new", applied)
	if lists() != first+4 {
		t.Fatalf("after a create of the name: %d more lists, want 4", lists()-first)
	}
	// Older than routine observation trusts: fetched again.
	now = now.Add(time.Minute)
	lookup("free", applied)
	if lists() != first+5 {
		t.Fatalf("after a poll: %d more lists, want 5", lists()-first)
	}
}

// A list of every instance that takes more than one request is not
// fetched again for a lookup (Gandi's name filter costs one): a kept one
// still answers, an older one, or any for an object with an intent, leaves
// the lookup to the filter.
func TestObserverInstanceLookupLongList(t *testing.T) {
	sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings(), DefaultPerPage: 2}, "org-pages")
	for _, name := range []string{"a", "b", "c"} {
		sim.AddInstance("org-pages", gandisim.SeedInstance{Name: name, Size: "s+"})
	}
	now := time.Now()
	o := &Observers{Poll: time.Minute, Detail: time.Hour, Now: func() time.Time { return now }}
	obs := o.For(api, "")
	ctx := context.Background()
	applied := lookupWindow{notBefore: now.Add(-time.Second)}
	if found, ok := obs.instanceLookup(ctx, "c", applied); !ok || len(found) != 1 {
		t.Fatalf("first lookup: ok %v, found %d, want the list fetched and c in it", ok, len(found))
	}
	pages := sim.Requests(gandisim.RouteListInstances)
	if pages != 2 {
		t.Fatalf("the list took %d requests, want 2 pages", pages)
	}
	if found, ok := obs.instanceLookup(ctx, "a", applied); !ok || len(found) != 1 {
		t.Fatalf("a kept list answers: ok %v, found %d", ok, len(found))
	}
	if _, ok := obs.instanceLookup(ctx, "a", lookupWindow{notBefore: applied.notBefore, fresh: true}); ok {
		t.Fatal("with an intent, a kept list of two pages was used or fetched again; the lookup should fall back to the name filter")
	}
	now = now.Add(time.Minute)
	if _, ok := obs.instanceLookup(ctx, "a", applied); ok {
		t.Fatal("an old list of two pages was used or fetched again; the lookup should fall back to the name filter")
	}
	if got := sim.Requests(gandisim.RouteListInstances); got != pages {
		t.Fatalf("%d more list requests, want none", got-pages)
	}
}

// simClient is a client of a fresh simulator (opts) with one account,
// whose organization is org.
func simClient(t *testing.T, opts gandisim.Options, org string) (*gandisim.Server, *gandi.Client) {
	t.Helper()
	sim := gandisim.New(opts)
	sim.AddAccount(gandisim.Account{Token: "pat_" + org, User: "alice", Orgs: []gandisim.Org{{ID: org, Name: "alice", CanBill: true}}})
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	api, err := gandi.New(gandi.Config{BaseURL: srv.URL, Credential: gandi.Credential{Token: "pat_" + org}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
	if err != nil {
		t.Fatal(err)
	}
	return sim, api
}

// A detail that announced a booster change now due is read again, not
// served until the detail interval.
func TestBoosterDue(t *testing.T) {
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	at := func(d time.Duration) gandi.Time { return gandi.Time{Time: now.Add(d)} }
	atp := func(d time.Duration) *gandi.Time { t := at(d); return &t }
	for _, tc := range []struct {
		name    string
		booster *gandi.Booster
		due     bool
	}{
		{name: "no booster shown", booster: nil},
		{name: "never boosted, offered", booster: &gandi.Booster{Next: &gandi.BoosterNext{Available: true}}},
		{name: "a boost runs", booster: &gandi.Booster{Current: &gandi.BoosterCurrent{ExpiresAt: at(time.Hour)}, Next: &gandi.BoosterNext{}}},
		{name: "a boost past its expires_at", booster: &gandi.Booster{Current: &gandi.BoosterCurrent{ExpiresAt: at(-time.Second)}, Next: &gandi.BoosterNext{}}, due: true},
		{name: "in its cooldown", booster: &gandi.Booster{Next: &gandi.BoosterNext{AvailableAt: atp(time.Hour)}}},
		{name: "the cooldown over", booster: &gandi.Booster{Next: &gandi.BoosterNext{AvailableAt: atp(0)}}, due: true},
	} {
		if got := boosterDue(&gandi.Instance{Booster: tc.booster}, now); got != tc.due {
			t.Errorf("%s: boosterDue = %v, want %v", tc.name, got, tc.due)
		}
	}
}

// A list entry older than the detail read beside it does not stand for
// that detail. Another object's poll fetches the list; Gandi changes an
// object; its detail interval runs out and its GET shows the change; Gandi
// undoes it. The next list shows the object as in the first one: the
// detail of the undone change must not be served from it, nor its owner
// left unwoken, for a whole detail interval. Both ways (a lock undone:
// Ready false while Gandi shows it active; an unlock undone: Ready while
// Gandi shows it locked), for an instance and for a vhost.
func TestObserverServesNoUndoneChange(t *testing.T) {
	const org = "org-undone"
	ctx := context.Background()
	// object is one observed object: its status as observed, and a way to
	// set it at Gandi.
	type object struct {
		observe func(owner types.NamespacedName) (string, error)
		set     func(status string)
	}
	instances := func(sim *gandisim.Server, obs *observer, before string) (a, b object, settled string) {
		instanceOf := func(name, status string) object {
			id := sim.AddInstance(org, gandisim.SeedInstance{Name: name, Size: "s+", Status: status})
			return object{
				observe: func(owner types.NamespacedName) (string, error) {
					in, err := obs.instance(ctx, id, owner, false, true)
					if err != nil {
						return "", err
					}
					return in.Status, nil
				},
				set: func(status string) { sim.UpdateInstance(id, func(v *gandisim.InstanceView) { v.Status = status }) },
			}
		}
		return instanceOf("a", before), instanceOf("b", ""), gandi.InstanceActive
	}
	vhosts := func(sim *gandisim.Server, obs *observer, before string) (a, b object, settled string) {
		id := sim.AddInstance(org, gandisim.SeedInstance{Name: "site", Size: "s+", Vhosts: []gandisim.SeedVhost{
			{FQDN: "a.example.com", Status: before}, {FQDN: "b.example.com"},
		}})
		vhostOf := func(fqdn string) object {
			return object{
				observe: func(owner types.NamespacedName) (string, error) {
					v, err := obs.vhost(ctx, id, fqdn, owner, false)
					if err != nil {
						return "", err
					}
					return v.Status, nil
				},
				set: func(status string) { sim.SetVhostStatus(id, fqdn, status) },
			}
		}
		return vhostOf("a.example.com"), vhostOf("b.example.com"), gandi.VhostRunning
	}
	for _, tc := range []struct {
		name           string
		objects        func(*gandisim.Server, *observer, string) (object, object, string)
		before, during string
	}{
		{name: "instance locked then unlocked", objects: instances, before: gandi.InstanceActive, during: gandi.InstanceLocked},
		{name: "instance unlocked then locked", objects: instances, before: gandi.InstanceLocked, during: gandi.InstanceActive},
		{name: "vhost locked then unlocked", objects: vhosts, before: gandi.VhostRunning, during: gandi.VhostLocked},
		{name: "vhost unlocked then locked", objects: vhosts, before: gandi.VhostLocked, during: gandi.VhostRunning},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, org)
			now := time.Now()
			o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return now }}
			obs := o.For(api, "")
			var woken []types.NamespacedName
			obs.wake = func(_ observedKind, key types.NamespacedName) { woken = append(woken, key) }
			a, b, settled := tc.objects(sim, obs, tc.before)
			ownerA, ownerB := types.NamespacedName{Namespace: "ns", Name: "a"}, types.NamespacedName{Namespace: "ns", Name: "b"}
			mustStatus := func(x object, owner types.NamespacedName, want string) {
				t.Helper()
				got, err := x.observe(owner)
				if err != nil {
					t.Fatal(err)
				}
				if got != want {
					t.Fatalf("observed %s: status %q, Gandi shows %q", owner.Name, got, want)
				}
			}
			mustStatus(a, ownerA, tc.before) // a list, and a's detail
			mustStatus(b, ownerB, settled)
			// A detail interval later, b's poll fetches the list (a
			// unchanged in it); Gandi changes a, whose detail interval
			// runs out a second after that list: its GET shows the change.
			now = now.Add(30 * time.Minute)
			mustStatus(b, ownerB, settled)
			a.set(tc.during)
			now = now.Add(time.Second)
			mustStatus(a, ownerA, tc.during)
			// Gandi undoes it. The next poll's list shows a as the list
			// before the change did: b's fetch wakes a, which reads what
			// Gandi shows.
			a.set(tc.before)
			now = now.Add(time.Minute)
			woken = nil
			mustStatus(b, ownerB, settled)
			if !slices.Contains(woken, ownerA) {
				t.Errorf("a list showing a's change undone did not wake a (woken: %v)", woken)
			}
			mustStatus(a, ownerA, tc.before)
		})
	}
}

// slowWrite is an instanceAPI whose UpdateInstance runs during (what
// happens while the write is on its way to Gandi), then lands (Gandi
// applies it).
type slowWrite struct {
	instanceAPI
	during, lands func()
}

func (w slowWrite) UpdateInstance(context.Context, string, gandi.UpdateInstanceRequest) error {
	w.during()
	w.lands()
	return nil
}

// What the operator wrote is observed, never a read older than the write:
// neither a list sent while the write was on its way (it may predate the
// write at Gandi), nor a detail read before the write, even beside a list
// sent after it (a write to what only the detail shows leaves the list
// entry as it was).
func TestObserverServesNothingOlderThanAWrite(t *testing.T) {
	const org = "org-write"
	ctx := context.Background()
	setup := func(t *testing.T) (sim *gandisim.Server, obs *observer, a, b string, now *time.Time) {
		sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, org)
		clock := time.Now()
		o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return clock }}
		obs = o.For(api, "")
		obs.wake = nil
		a = sim.AddInstance(org, gandisim.SeedInstance{Name: "a", Size: "s+"})
		b = sim.AddInstance(org, gandisim.SeedInstance{Name: "b", Size: "s+"})
		for _, id := range []string{a, b} {
			if _, err := obs.instance(ctx, id, types.NamespacedName{Namespace: "ns", Name: id}, false, true); err != nil {
				t.Fatal(err)
			}
		}
		return sim, obs, a, b, &clock
	}
	owner := types.NamespacedName{Namespace: "ns", Name: "a"}

	t.Run("a list sent while the write was on its way", func(t *testing.T) {
		sim, obs, a, b, now := setup(t)
		api := observedInstances{obs: obs, owner: owner, instanceAPI: slowWrite{instanceAPI: obs.api,
			during: func() {
				// A poll later, b's pass fetches the list before the
				// write reaches Gandi.
				*now = now.Add(time.Minute)
				if _, err := obs.instance(ctx, b, types.NamespacedName{Namespace: "ns", Name: "b"}, false, true); err != nil {
					t.Fatal(err)
				}
				*now = now.Add(time.Millisecond)
			},
			lands: func() { sim.UpdateInstance(a, func(v *gandisim.InstanceView) { v.SnapshotEnabled = true }) },
		}}
		if err := api.UpdateInstance(ctx, a, gandi.UpdateInstanceRequest{SnapshotEnabled: gandi.Ptr(true)}); err != nil {
			t.Fatal(err)
		}
		*now = now.Add(time.Millisecond)
		in, err := obs.instance(ctx, a, owner, false, true)
		if err != nil {
			t.Fatal(err)
		}
		if !in.SnapshotEnabled {
			t.Fatal("observed snapshot_enabled false after the write: served from a list sent before the write reached Gandi")
		}
	})

	t.Run("a detail read before the write", func(t *testing.T) {
		sim, obs, a, _, now := setup(t)
		api := observedInstances{instanceAPI: obs.api, obs: obs, owner: owner}
		*now = now.Add(time.Millisecond)
		if err := api.InstanceAction(ctx, a, "console"); err != nil {
			t.Fatal(err)
		}
		if in, _ := sim.Instance(a); !in.ConsoleEnabled {
			t.Fatal("the console action did not enable the console at Gandi")
		}
		// The next poll's list (the console is not in it) is sent after
		// the write.
		*now = now.Add(time.Minute)
		in, err := obs.instance(ctx, a, owner, false, true)
		if err != nil {
			t.Fatal(err)
		}
		if in.Console == nil || !in.Console.Enabled {
			t.Fatalf("observed console %+v after the console action: the detail read before it was served", in.Console)
		}
	})
}

// A vhost the operator creates or deletes changes its instance's detail
// (its vhosts, their deploy access) and not the instance's list entry.
// The HostingInstance reading it, through the observer of its own
// sharing_id, is woken once the create is accepted and once the vhost is
// gone, and reads the detail again then; afterwards it is served from the
// list again (one GET per change, none per poll).
func TestObserverVhostChangesWakeTheirInstance(t *testing.T) {
	const org = "org-vhosts"
	sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, org)
	now := time.Now()
	o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	id := sim.AddInstance(org, gandisim.SeedInstance{Name: "site", Size: "s+"})
	site, www := types.NamespacedName{Namespace: "ns", Name: "site"}, types.NamespacedName{Namespace: "ns", Name: "www"}
	// The HostingInstance names its sharing_id, the Vhost none: two
	// observers of one client.
	forInstance, forVhost := o.For(api, org), o.For(api, "")
	woken := instanceWakes(forInstance)
	forVhost.wake = nil
	gets := func() int { return sim.Requests(gandisim.RouteGetInstance) }
	vhostsOf := func() []string { t.Helper(); return servedVhosts(ctx, t, forInstance, id, site, false) }
	vhostsOf()
	vapi := observedVhosts{vhostAPI: api, obs: forVhost, owner: www}

	now = now.Add(time.Millisecond)
	if err := vapi.CreateVhost(ctx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(*woken, []types.NamespacedName{site}) {
		t.Fatalf("woken by the vhost's create: %v, want the HostingInstance", *woken)
	}
	now = now.Add(time.Millisecond)
	before := gets()
	if got := vhostsOf(); !slices.Equal(got, []string{"www.example.com"}) {
		t.Fatalf("vhosts of the instance after the create: %v", got)
	}
	// The next polls: served from the list, with the vhost.
	for range 2 {
		now = now.Add(time.Minute)
		if got := vhostsOf(); !slices.Equal(got, []string{"www.example.com"}) {
			t.Fatalf("vhosts of the instance a poll after the create: %v", got)
		}
	}
	if got := gets() - before; got != 1 {
		t.Fatalf("GETs of the instance after the create: %d, want 1 (the woken pass), then the list", got)
	}

	*woken = nil
	now = now.Add(time.Millisecond)
	if err := vapi.DeleteVhost(ctx, id, "www.example.com"); err != nil {
		t.Fatal(err)
	}
	// The Vhost's deletion waits for the vhost to be gone.
	if _, err := forVhost.vhost(ctx, id, "www.example.com", www, true); err != nil {
		t.Fatalf("the vhost being deleted: %v", err)
	}
	sim.Advance(time.Hour)
	*woken = nil
	if _, err := forVhost.vhost(ctx, id, "www.example.com", www, true); !gandi.IsNotFound(err) {
		t.Fatalf("the vhost an hour after its delete: %v, want a 404", err)
	}
	if !slices.Equal(*woken, []types.NamespacedName{site}) {
		t.Fatalf("woken when the vhost was gone: %v, want the HostingInstance", *woken)
	}
	now = now.Add(time.Millisecond)
	if got := vhostsOf(); len(got) != 0 {
		t.Fatalf("vhosts of the instance once the vhost is gone: %v", got)
	}
	// A poll later, and a vhost still gone: nothing more.
	*woken = nil
	now = now.Add(time.Minute)
	if _, err := forVhost.vhost(ctx, id, "www.example.com", www, false); !gandi.IsNotFound(err) {
		t.Fatalf("the vhost a poll later: %v, want a 404", err)
	}
	if len(*woken) != 0 {
		t.Fatalf("woken again by a vhost already known gone: %v", *woken)
	}
}

// The vhosts of an instance are created together: their HostingInstance
// is woken once the burst settled, and reads its detail once, showing
// them all; a vhost created after that read wakes it again, and is read
// again once.
func TestObserverVhostBurstWakesItsInstanceOnce(t *testing.T) {
	const org = "org-burst"
	sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, org)
	now := time.Now()
	const settle = 50 * time.Millisecond
	o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Settle: settle, Now: func() time.Time { return now }}
	ctx := context.Background()
	id := sim.AddInstance(org, gandisim.SeedInstance{Name: "site", Size: "s+"})
	site := types.NamespacedName{Namespace: "ns", Name: "site"}
	forInstance, forVhost := o.For(api, org), o.For(api, "")
	woken := make(chan types.NamespacedName, 16)
	forInstance.wake = func(kind observedKind, key types.NamespacedName) {
		if kind == kindInstance {
			woken <- key
		}
	}
	forVhost.wake = nil
	gets := func() int { return sim.Requests(gandisim.RouteGetInstance) }
	vhostsOf := func() []string { t.Helper(); return servedVhosts(ctx, t, forInstance, id, site, false) }
	// wakes waits out the settle interval (and a margin) and returns the
	// wake-ups it brought.
	wakes := func() []types.NamespacedName {
		time.Sleep(settleCap*settle + 100*time.Millisecond)
		var out []types.NamespacedName
		for {
			select {
			case k := <-woken:
				out = append(out, k)
			default:
				return out
			}
		}
	}
	vhostsOf()
	vapi := observedVhosts{vhostAPI: api, obs: forVhost, owner: types.NamespacedName{Namespace: "ns", Name: "www"}}
	create := func(fqdn string) {
		t.Helper()
		now = now.Add(time.Millisecond)
		if err := vapi.CreateVhost(ctx, id, gandi.CreateVhostRequest{FQDN: fqdn}); err != nil {
			t.Fatal(err)
		}
	}

	for _, fqdn := range []string{"a.example.com", "b.example.com", "c.example.com"} {
		create(fqdn)
	}
	if got := wakes(); !slices.Equal(got, []types.NamespacedName{site}) {
		t.Fatalf("woken by three vhost creates: %v, want the HostingInstance once", got)
	}
	now = now.Add(time.Millisecond)
	before := gets()
	want := make([]string, 0, 4)
	want = append(want, "a.example.com", "b.example.com", "c.example.com")
	if got := vhostsOf(); !slices.Equal(got, want) {
		t.Fatalf("vhosts of the woken instance: %v, want %v", got, want)
	}
	// The next poll: served from the list, with the vhosts.
	now = now.Add(time.Minute)
	if got := vhostsOf(); !slices.Equal(got, want) {
		t.Fatalf("vhosts of the instance a poll later: %v, want %v", got, want)
	}
	if got := gets() - before; got != 1 {
		t.Fatalf("GETs of the instance for the burst: %d, want 1", got)
	}

	create("d.example.com")
	if got := wakes(); !slices.Equal(got, []types.NamespacedName{site}) {
		t.Fatalf("woken by a vhost created after the read: %v, want the HostingInstance", got)
	}
	now = now.Add(time.Millisecond)
	before = gets()
	want = append(want, "d.example.com")
	if got := vhostsOf(); !slices.Equal(got, want) {
		t.Fatalf("vhosts after a later create: %v, want %v", got, want)
	}
	if got := gets() - before; got != 1 {
		t.Fatalf("GETs of the instance for the later create: %d, want 1", got)
	}
}

// settledSite adds to sim an instance "site" of org serving
// www.example.com (made through api), both settled, and returns its ID.
func settledSite(ctx context.Context, t *testing.T, sim *gandisim.Server, api *gandi.Client, org string) string {
	t.Helper()
	id := sim.AddInstance(org, gandisim.SeedInstance{Name: "site", Size: "s+"})
	if err := api.CreateVhost(ctx, id, gandi.CreateVhostRequest{FQDN: "www.example.com"}); err != nil {
		t.Fatal(err)
	}
	sim.Advance(time.Hour)
	return id
}

// servedVhosts are the FQDNs, sorted, of the vhosts o serves in instance
// id's detail to owner.
func servedVhosts(ctx context.Context, t *testing.T, o *observer, id string, owner types.NamespacedName, readsVhosts bool) []string {
	t.Helper()
	in, err := o.instance(ctx, id, owner, false, readsVhosts)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(in.Vhosts))
	for _, v := range in.Vhosts {
		out = append(out, v.FQDN)
	}
	slices.Sort(out)
	return out
}

// An instance's detail is read again when a vhost list shows other vhosts
// than it, and only a list sent after that detail: an older list has
// nothing new to say.
func TestVhostsDiffer(t *testing.T) {
	detailAt := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	refs := func(fqdns ...string) []gandi.VhostRef {
		out := make([]gandi.VhostRef, 0, len(fqdns))
		for _, f := range fqdns {
			out = append(out, gandi.VhostRef{FQDN: f, Href: "https://api.example/" + f})
		}
		return out
	}
	list := func(vhosts ...gandi.Vhost) map[string]gandi.Vhost {
		out := make(map[string]gandi.Vhost, len(vhosts))
		for _, v := range vhosts {
			out[v.FQDN] = v
		}
		return out
	}
	www := gandi.Vhost{FQDN: "www.example.com", Status: "running"}
	api := gandi.Vhost{FQDN: "api.example.com", Status: "running"}
	for _, tc := range []struct {
		name   string
		detail []gandi.VhostRef
		list   map[string]gandi.Vhost
		listAt time.Duration // after the detail was sent
		want   bool
	}{
		{"same vhosts", refs("www.example.com", "api.example.com"), list(api, www), time.Minute, false},
		{"same vhosts, one of them changing state", refs("www.example.com"), list(gandi.Vhost{FQDN: "www.example.com", Status: "locked"}), time.Minute, false},
		{"none in either", nil, list(), time.Minute, false},
		{"one added", refs("www.example.com"), list(www, api), time.Minute, true},
		{"the first one added", nil, list(www), time.Minute, true},
		{"one gone", refs("www.example.com", "api.example.com"), list(www), time.Minute, true},
		{"the last one gone", refs("www.example.com"), list(), time.Minute, true},
		{"one replaced by another", refs("www.example.com"), list(api), time.Minute, true},
		{"one added, but the list is older than the detail", refs("www.example.com"), list(www, api), -time.Second, false},
		{"one gone, list and detail sent together", refs("www.example.com", "api.example.com"), list(www), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := vhostsDiffer(tc.detail, detailAt, tc.list, detailAt.Add(tc.listAt)); got != tc.want {
				t.Fatalf("vhostsDiffer = %v, want %v", got, tc.want)
			}
		})
	}
}

// A vhost made, then deleted, at Gandi behind the operator's back shows in
// the vhost list a Vhost of the instance fetches at its poll, not in the
// list of instances: the HostingInstance, through the observer of its own
// sharing_id, is woken by that list and reads its detail again, once per
// change; a settled poll costs no GET of the instance and wakes nothing.
func TestObserverVhostListWakesItsInstance(t *testing.T) {
	const org = "org-handmade"
	sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, org)
	now := time.Now()
	o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	id := settledSite(ctx, t, sim, api, org)
	site, www := types.NamespacedName{Namespace: "ns", Name: "site"}, types.NamespacedName{Namespace: "ns", Name: "www"}
	forInstance, forVhost := o.For(api, org), o.For(api, "")
	woken := instanceWakes(forInstance)
	forVhost.wake = nil
	gets := func() int { return sim.Requests(gandisim.RouteGetInstance) }
	vhostsOf := func() []string { t.Helper(); return servedVhosts(ctx, t, forInstance, id, site, false) }
	// poll is one poll of both objects: the Vhost's pass, then the
	// HostingInstance's, each fetching its list.
	poll := func() []string {
		t.Helper()
		now = now.Add(time.Minute)
		if _, err := forVhost.vhost(ctx, id, "www.example.com", www, false); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Millisecond)
		return vhostsOf()
	}
	byHand := func(change func() error) {
		t.Helper()
		if err := change(); err != nil {
			t.Fatal(err)
		}
		sim.Advance(time.Hour)
	}
	if got := vhostsOf(); !slices.Equal(got, []string{"www.example.com"}) {
		t.Fatalf("vhosts of the instance: %v", got)
	}
	poll()
	*woken = nil
	before := gets()
	if got := poll(); !slices.Equal(got, []string{"www.example.com"}) || len(*woken) != 0 || gets() != before {
		t.Fatalf("a settled poll: vhosts %v, woken %v, %d GETs of the instance; want www only, nothing woken, no GET", got, *woken, gets()-before)
	}

	byHand(func() error { return api.CreateVhost(ctx, id, gandi.CreateVhostRequest{FQDN: "api.example.com"}) })
	if got := poll(); !slices.Equal(got, []string{"api.example.com", "www.example.com"}) {
		t.Fatalf("vhosts a poll after one was made by hand: %v, want both", got)
	}
	if !slices.Equal(*woken, []types.NamespacedName{site}) || gets()-before != 1 {
		t.Fatalf("a vhost made by hand: woken %v, %d GETs of the instance; want the HostingInstance once, one GET", *woken, gets()-before)
	}
	*woken = nil
	before = gets()
	if got := poll(); !slices.Equal(got, []string{"api.example.com", "www.example.com"}) || len(*woken) != 0 || gets() != before {
		t.Fatalf("the poll after: vhosts %v, woken %v, %d GETs of the instance; want both, nothing woken, no GET", got, *woken, gets()-before)
	}

	byHand(func() error { return api.DeleteVhost(ctx, id, "api.example.com") })
	if got := poll(); !slices.Equal(got, []string{"www.example.com"}) {
		t.Fatalf("vhosts a poll after one was deleted by hand: %v, want www only", got)
	}
	if !slices.Equal(*woken, []types.NamespacedName{site}) || gets()-before != 1 {
		t.Fatalf("a vhost deleted by hand: woken %v, %d GETs of the instance; want the HostingInstance once, one GET", *woken, gets()-before)
	}
}

// An observer the HostingInstance no longer reads through (its
// credentialsRef names another Secret now) is kept alive by a Vhost of the
// instance that still uses the old one, and with it the instance's detail
// it read once. A vhost made at Gandi makes the Vhost's list differ from
// that detail: the change is seen once (one GET, through the observer the
// HostingInstance reads through now), then the stale detail is superseded
// and settled polls cost no GET and wake nothing, instead of comparing it
// with every later list for good.
func TestObserverVhostListSupersedesAStaleDetail(t *testing.T) {
	const org = "org-stale"
	sim := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	for _, tok := range []string{"pat_old", "pat_new"} {
		sim.AddAccount(gandisim.Account{Token: tok, User: "alice", Orgs: []gandisim.Org{{ID: org, Name: "alice", CanBill: true}}})
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	client := func(tok string) *gandi.Client {
		c, err := gandi.New(gandi.Config{BaseURL: srv.URL, Credential: gandi.Credential{Token: tok}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	oldAPI, newAPI := client("pat_old"), client("pat_new")
	now := time.Now()
	o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return now }}
	ctx := context.Background()
	id := settledSite(ctx, t, sim, oldAPI, org)
	site, www := types.NamespacedName{Namespace: "ns", Name: "site"}, types.NamespacedName{Namespace: "ns", Name: "www"}
	var woken []types.NamespacedName
	wake := func(kind observedKind, key types.NamespacedName) {
		if kind == kindInstance {
			woken = append(woken, key)
		}
	}
	// Both objects named the old Secret: one observer read both.
	shared := o.For(oldAPI, "")
	shared.wake = wake
	servedVhosts(ctx, t, shared, id, site, false)
	if _, err := shared.vhost(ctx, id, "www.example.com", www, false); err != nil {
		t.Fatal(err)
	}
	gets := func() int { return sim.Requests(gandisim.RouteGetInstance) }
	// poll is one poll once the HostingInstance names the new Secret: the
	// Vhost's pass through the old observer, then the HostingInstance's
	// through the new one.
	poll := func() []string {
		t.Helper()
		now = now.Add(time.Minute)
		if _, err := o.For(oldAPI, "").vhost(ctx, id, "www.example.com", www, false); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Millisecond)
		forInstance := o.For(newAPI, "")
		forInstance.wake = wake
		return servedVhosts(ctx, t, forInstance, id, site, false)
	}
	poll()
	settled := gets()
	if got := poll(); !slices.Equal(got, []string{"www.example.com"}) || gets() != settled {
		t.Fatalf("a settled poll before any change: vhosts %v, %d GETs of the instance; want www only, no GET", got, gets()-settled)
	}
	// A vhost made at Gandi (by hand, or by another Vhost).
	if err := oldAPI.CreateVhost(ctx, id, gandi.CreateVhostRequest{FQDN: "api.example.com"}); err != nil {
		t.Fatal(err)
	}
	sim.Advance(time.Hour)
	woken = nil
	before := gets()
	if got := poll(); !slices.Equal(got, []string{"api.example.com", "www.example.com"}) || gets()-before != 1 || len(woken) == 0 {
		t.Fatalf("the poll after a vhost was made at Gandi: vhosts %v, %d GETs of the instance, woken %v; want both, one GET, the HostingInstance woken", got, gets()-before, woken)
	}
	woken = nil
	before = gets()
	for range 5 {
		poll()
	}
	if got := gets() - before; got != 0 || len(woken) != 0 {
		t.Fatalf("5 settled polls after one vhost made at Gandi: %d GETs of the instance, woken %v; want none (the stale detail of the observer the HostingInstance left must not count again)", got, woken)
	}
}

// Which details of an instance a vhost list of it counts against: each
// one it differs from is superseded and wakes the HostingInstance once; a
// superseded detail (in an observer nobody reads it through any more)
// never counts again, and one that agrees is kept and served.
func TestObserverVhostListCountsADetailOnce(t *testing.T) {
	const id = "inst-1"
	site := types.NamespacedName{Namespace: "ns", Name: "site"}
	t0 := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	refs := func(fqdns ...string) *gandi.Instance {
		in := &gandi.Instance{ID: id}
		for _, f := range fqdns {
			in.Vhosts = append(in.Vhosts, gandi.VhostRef{FQDN: f})
		}
		return in
	}
	both := listed[gandi.Vhost]{items: map[string]gandi.Vhost{"www.example.com": {FQDN: "www.example.com"}, "api.example.com": {FQDN: "api.example.com"}}, startedAt: t0.Add(time.Hour), ok: true}
	for _, tc := range []struct {
		name string
		// what the observer of the list (the Vhost's, the old credentials)
		// and the HostingInstance's (the new ones) keep of the instance;
		// nil: nothing read.
		stale, current *gandi.Instance
		// wantWoken after one list, then after the same list again (each
		// observer that read the instance wakes it: Observers.Settle
		// makes them one); wantSuperseded: whose details the first drops.
		wantWoken                           [2]bool
		wantStaleSuperseded, wantSuperseded bool
	}{
		{"both agree", refs("www.example.com", "api.example.com"), refs("api.example.com", "www.example.com"), [2]bool{false, false}, false, false},
		{"only the stale one differs", refs("www.example.com"), refs("www.example.com", "api.example.com"), [2]bool{true, false}, true, false},
		{"both differ", refs("www.example.com"), refs("www.example.com"), [2]bool{true, false}, true, true},
		{"only the current one differs", refs("www.example.com", "api.example.com"), refs(), [2]bool{true, false}, false, true},
		{"the stale one already superseded", nil, refs("www.example.com", "api.example.com"), [2]bool{false, false}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return t0.Add(2 * time.Hour) }}
			client := func(tok string) *gandi.Client {
				c, err := gandi.New(gandi.Config{BaseURL: "http://127.0.0.1:1", Credential: gandi.Credential{Token: tok}})
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			forVhost, forInstance := o.For(client("pat_old"), ""), o.For(client("pat_new"), "")
			wakes := 0
			for _, obs := range []*observer{forVhost, forInstance} {
				obs.wake = func(kind observedKind, key types.NamespacedName) {
					if kind == kindInstance && key == site {
						wakes++
					}
				}
			}
			keep := func(obs *observer, detail *gandi.Instance) {
				s := &seen[gandi.Instance]{listed: true, owner: site}
				if detail != nil {
					s.detail, s.detailAt = detail, t0
				}
				obs.seenInstances[id] = s
			}
			keep(forVhost, tc.stale)
			keep(forInstance, tc.current)
			for i, want := range tc.wantWoken {
				wakes = 0
				forVhost.vhostsListed(id, both, nil)
				if woken := wakes > 0; woken != want {
					t.Fatalf("list %d: the HostingInstance woken = %v, want %v", i+1, woken, want)
				}
				if i > 0 {
					continue
				}
				for _, c := range []struct {
					obs  *observer
					kept *gandi.Instance
					want bool
				}{{forVhost, tc.stale, tc.wantStaleSuperseded}, {forInstance, tc.current, tc.wantSuperseded}} {
					s := c.obs.seenInstances[id]
					if got := c.kept != nil && s.detail == nil; got != c.want {
						t.Fatalf("superseded = %v, want %v", got, c.want)
					}
					if s.owner != site {
						t.Fatalf("the record of who read it was lost: %+v", s)
					}
				}
			}
		})
	}
}

// A list read that failed serves its poll as an answer would: an account
// whose instance list changes at every read (another tool creating
// instances) makes every read of a two-page list an ErrIncompleteList,
// three reads of each page. The first object of the poll pays them, the
// others go straight to their own GETs instead of reading the list again
// (60 list requests for 10 objects), the next poll reads the list again,
// and each failed read is counted. Once the list is whole again, the poll
// is served by it.
func TestObserverFailedListServesItsPoll(t *testing.T) {
	const org = "org-busy"
	sim := gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	sim.AddAccount(gandisim.Account{Token: "pat_" + org, User: "alice", Orgs: []gandisim.Org{{ID: org, Name: "alice", CanBill: true}}})
	ids := make([]string, 0, 150)
	for i := range 150 {
		ids = append(ids, sim.AddInstance(org, gandisim.SeedInstance{Name: "site-" + strconv.Itoa(i), Size: "s+"}))
	}
	busy := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if busy && r.Method == http.MethodGet && r.URL.Path == gandi.RouteInstances && r.URL.Query().Get("page") == "2" {
			// The other tool creates one more before every second page.
			sim.AddInstance(org, gandisim.SeedInstance{Name: "other-" + strconv.Itoa(sim.Requests(gandisim.RouteListInstances)), Size: "s+"})
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	api, err := gandi.New(gandi.Config{BaseURL: srv.URL, Credential: gandi.Credential{Token: "pat_" + org}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	o := &Observers{Poll: time.Minute, Detail: time.Hour, Now: func() time.Time { return now }, metrics: newObserverMetrics(prometheus.NewRegistry())}
	ctx := context.Background()
	const objects = 10
	// poll is one poll of the objects; it returns the list requests and
	// GETs of instances it sent.
	poll := func() (lists, gets int) {
		t.Helper()
		now = now.Add(time.Minute)
		lists0, gets0 := sim.Requests(gandisim.RouteListInstances), sim.Requests(gandisim.RouteGetInstance)
		obs := o.For(api, "")
		for i := range objects {
			in, err := obs.instance(ctx, ids[i], types.NamespacedName{Namespace: "ns", Name: "site-" + strconv.Itoa(i)}, false, true)
			if err != nil {
				t.Fatal(err)
			}
			if in.ID != ids[i] {
				t.Fatalf("object %d answered with instance %s, want %s", i, in.ID, ids[i])
			}
		}
		return sim.Requests(gandisim.RouteListInstances) - lists0, sim.Requests(gandisim.RouteGetInstance) - gets0
	}
	failures := func() float64 { return testutil.ToFloat64(o.metrics.listFailures.WithLabelValues(listInstances)) }
	poll()
	if lists, gets := poll(); lists != 2 || gets != 0 {
		t.Fatalf("a settled poll of %d objects in a quiet account: %d list requests, %d GETs; want 2 (one read of two pages), none", objects, lists, gets)
	}
	busy = true
	for p := range 2 {
		if lists, gets := poll(); lists != 6 || gets != objects {
			t.Fatalf("busy poll %d of %d objects: %d list requests, %d GETs; want 6 (one object's three reads of two pages, the next poll reading it again), one GET per object", p+1, objects, lists, gets)
		}
		if got := failures(); got != float64(p+1) {
			t.Fatalf("failed list reads counted after busy poll %d: %v, want %d", p+1, got, p+1)
		}
	}
	busy = false
	if lists, gets := poll(); lists != 2 || gets != 0 {
		t.Fatalf("the first quiet poll after: %d list requests, %d GETs; want 2, none (the details the GETs read agree with the list)", lists, gets)
	}
}

// The objects that would have shared a list's answer share its failure:
// within the window in which an answer would be reused (younger than
// maxAge, sent after notBefore), the list is not read again. A failure of
// the caller's own context says nothing of the list and is not kept.
func TestListCacheSharesAFailureLikeAnAnswer(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)
	const maxAge = 54 * time.Second
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		// the failed read: sent at t0 with failCtx (nil: Background)
		failCtx context.Context
		// the next caller: at t0+after, with maxAge and notBefore
		after     time.Duration
		maxAge    time.Duration
		notBefore time.Time
		wantRead  bool
	}{
		{"the same poll", nil, 10 * time.Second, maxAge, time.Time{}, false},
		{"the same instant", nil, 0, maxAge, time.Time{}, false},
		{"the next poll", nil, maxAge, maxAge, time.Time{}, true},
		{"a lookup that wants a fresh list", nil, time.Second, 0, time.Time{}, true},
		{"a lookup of a write sent after the failed read", nil, 2 * time.Second, maxAge, t0.Add(time.Second), true},
		{"a lookup of a write sent before the failed read", nil, 2 * time.Second, maxAge, t0.Add(-time.Second), false},
		{"the failed read's own context ended", cancelled, time.Second, maxAge, time.Time{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := t0
			o := &observer{now: func() time.Time { return now }}
			c := &listCache[string]{list: listInstances}
			reads := 0
			fetch := func(ctx context.Context) ([]string, error) {
				reads++
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				return nil, gandi.ErrIncompleteList
			}
			failCtx := tc.failCtx
			if failCtx == nil {
				failCtx = context.Background()
			}
			if l := refreshSince(failCtx, o, c, fetch, func(s string) string { return s }, maxAge, time.Time{}); l.ok || reads != 1 {
				t.Fatalf("the failing read: ok %v, %d reads", l.ok, reads)
			}
			now = t0.Add(tc.after)
			l := refreshSince(context.Background(), o, c, fetch, func(s string) string { return s }, tc.maxAge, tc.notBefore)
			if l.ok {
				t.Fatal("a failed list answered ok")
			}
			if got := reads == 2; got != tc.wantRead {
				t.Fatalf("the list read again = %v, want %v", got, tc.wantRead)
			}
		})
	}
}

// instanceWakes records the HostingInstances obs wakes, in order.
func instanceWakes(obs *observer) *[]types.NamespacedName {
	var woken []types.NamespacedName
	obs.wake = func(kind observedKind, key types.NamespacedName) {
		if kind == kindInstance {
			woken = append(woken, key)
		}
	}
	return &woken
}

// What a settled poll costs, by what an instance has: a vhost made or
// deleted at Gandi behind the operator's back shows in the instance's
// vhost list, not in the list of instances. Its Vhosts' passes read that
// list; a HostingInstance with no Vhost object reads it in its own pass.
// So each instance costs one vhost list per poll whether it has Vhost
// objects or not, in whichever order the passes come and whatever
// sharing_id the HostingInstance names, plus its share of the pages of
// instances; no GET, no wake-up. A vhost made, then deleted, by hand costs
// one GET of the instance per change and shows in the HostingInstance's
// status within the poll that lists it (at its pass woken by that list,
// when its Vhosts come after it in the poll); the poll after is settled
// again.
func TestObserverSettledPollCost(t *testing.T) {
	for _, tc := range []struct {
		name string
		// vhosts is how many Vhost objects each instance has (it has three
		// vhosts at Gandi either way).
		vhosts int
		// sharing: the HostingInstance names a sharing_id (its Vhosts
		// cannot); vhostsFirst: the Vhosts' passes come before the
		// HostingInstance's in each poll.
		sharing, vhostsFirst bool
	}{
		{name: "no Vhost object", vhosts: 0},
		{name: "no Vhost object, a sharing_id", vhosts: 0, sharing: true},
		{name: "three Vhost objects, the HostingInstance first", vhosts: 3},
		{name: "three Vhost objects, the Vhosts first", vhosts: 3, vhostsFirst: true},
		{name: "three Vhost objects, a sharing_id", vhosts: 3, sharing: true},
		{name: "three Vhost objects, a sharing_id, the Vhosts first", vhosts: 3, sharing: true, vhostsFirst: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const org, instances = "org-cost", 3
			sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, org)
			now := time.Now()
			o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return now }}
			ctx := context.Background()
			fqdns := []string{"www.example.com", "api.example.com", "shop.example.com"}
			ids := make([]string, instances)
			for i := range ids {
				ids[i] = sim.AddInstance(org, gandisim.SeedInstance{Name: "site-" + strconv.Itoa(i), Size: "s+"})
				for _, f := range fqdns {
					if err := api.CreateVhost(ctx, ids[i], gandi.CreateVhostRequest{FQDN: strconv.Itoa(i) + "." + f}); err != nil {
						t.Fatal(err)
					}
				}
			}
			sim.Advance(time.Hour)
			sharingID := ""
			if tc.sharing {
				sharingID = org
			}
			site := func(i int) types.NamespacedName {
				return types.NamespacedName{Namespace: "ns", Name: "site-" + strconv.Itoa(i)}
			}
			var woken []types.NamespacedName
			wake := func(kind observedKind, key types.NamespacedName) {
				if kind == kindInstance {
					woken = append(woken, key)
				}
			}
			type cost struct{ instancePages, vhostLists, instanceGETs, vhostGETs int }
			count := func() cost {
				return cost{sim.Requests(gandisim.RouteListInstances), sim.Requests(gandisim.RouteListVhosts),
					sim.Requests(gandisim.RouteGetInstance), sim.Requests(gandisim.RouteGetVhost)}
			}
			// poll is one poll of every object; it returns what it cost and
			// the vhosts the first instance's HostingInstance shows.
			poll := func() (cost, []string) {
				t.Helper()
				now = now.Add(time.Minute)
				before := count()
				forInstance, forVhost := o.For(api, sharingID), o.For(api, "")
				forInstance.wake, forVhost.wake = wake, wake
				var shown []string
				for i, id := range ids {
					vhostPasses := func() {
						for _, f := range fqdns[:tc.vhosts] {
							fqdn := strconv.Itoa(i) + "." + f
							if _, err := forVhost.vhost(ctx, id, fqdn, types.NamespacedName{Namespace: "ns", Name: fqdn}, false); err != nil {
								t.Fatal(err)
							}
							now = now.Add(time.Millisecond) // a pass takes time
						}
					}
					if tc.vhostsFirst {
						vhostPasses()
					}
					if got := servedVhosts(ctx, t, forInstance, id, site(i), tc.vhosts == 0); i == 0 {
						shown = got
					}
					now = now.Add(time.Millisecond)
					if !tc.vhostsFirst {
						vhostPasses()
					}
				}
				after := count()
				return cost{after.instancePages - before.instancePages, after.vhostLists - before.vhostLists,
					after.instanceGETs - before.instanceGETs, after.vhostGETs - before.vhostGETs}, shown
			}
			byHand := func(change func() error) {
				t.Helper()
				if err := change(); err != nil {
					t.Fatal(err)
				}
				sim.Advance(time.Hour)
			}
			settled := cost{instancePages: 1, vhostLists: instances}
			poll() // every object reads its detail once
			woken = nil
			for p := range 2 {
				if got, _ := poll(); got != settled || len(woken) != 0 {
					t.Fatalf("settled poll %d of %d instances: %+v, woken %v; want %+v (one page of instances, one vhost list per instance), nothing woken", p+1, instances, got, woken, settled)
				}
			}

			// A change is one GET of its instance. Without Vhost objects the
			// HostingInstance's own pass reads the list and the detail,
			// within the poll; with them, a Vhost's list wakes it, and it
			// reads the detail in its pass after that list (within the poll
			// when the Vhosts come first, at its woken pass otherwise).
			changed := cost{instancePages: 1, vhostLists: instances, instanceGETs: 1}
			seesChange := func(what string, before, after []string) {
				t.Helper()
				wantWoken := []types.NamespacedName(nil)
				if tc.vhosts > 0 {
					wantWoken = []types.NamespacedName{site(0)}
				}
				if tc.vhosts > 0 && !tc.vhostsFirst {
					listed := cost{instancePages: 1, vhostLists: instances}
					if got, shown := poll(); got != listed || !slices.Equal(shown, before) || !slices.Equal(woken, wantWoken) {
						t.Fatalf("the poll after a vhost was %s: %+v, vhosts shown %v, woken %v; want %+v, %v, woken %v", what, got, shown, woken, listed, before, wantWoken)
					}
					woken, wantWoken = nil, nil
				}
				if got, shown := poll(); got != changed || !slices.Equal(shown, after) || !slices.Equal(woken, wantWoken) {
					t.Fatalf("the poll that shows a vhost %s: %+v, vhosts shown %v, woken %v; want %+v, %v, woken %v", what, got, shown, woken, changed, after, wantWoken)
				}
				woken = nil
				if got, shown := poll(); got != settled || !slices.Equal(shown, after) || len(woken) != 0 {
					t.Fatalf("the poll after that: %+v, vhosts shown %v, woken %v; want %+v, %v, nothing woken", got, shown, woken, settled, after)
				}
			}
			left := []string{"0.api.example.com", "0.shop.example.com", "0.www.example.com"}
			all := []string{"0.api.example.com", "0.hand.example.com", "0.shop.example.com", "0.www.example.com"}
			byHand(func() error {
				return api.CreateVhost(ctx, ids[0], gandi.CreateVhostRequest{FQDN: "0.hand.example.com"})
			})
			seesChange("made by hand", left, all)
			byHand(func() error { return api.DeleteVhost(ctx, ids[0], "0.hand.example.com") })
			seesChange("deleted by hand", all, left)
		})
	}
}

// What a settled poll costs when an instance's Vhosts use other
// credentials than its HostingInstance (another token of the same
// organization): lists are not shared across credentials (observers are
// per client; another token may have other rights), but a HostingInstance
// with Vhost objects does not read the vhost list itself, so the instance
// costs one vhost list per poll either way, the one its Vhosts read.
func TestObserverSettledPollCostPerCredential(t *testing.T) {
	for _, tc := range []struct {
		name      string
		otherCred bool
		lists     int
	}{
		{"vhost with the instance's credential", false, 1},
		{"vhost with another credential", true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const org = "org-creds"
			sim, api := simClient(t, gandisim.Options{Timings: gandisim.FastTimings()}, org)
			vhostAPI := api
			if tc.otherCred {
				sim.AddAccount(gandisim.Account{Token: "pat_other", User: "bob", Orgs: []gandisim.Org{{ID: org, Name: "alice", CanBill: true}}})
				other, err := gandi.New(gandi.Config{BaseURL: api.BaseURL(), Credential: gandi.Credential{Token: "pat_other"}, ClientOptions: gandi.ClientOptions{RequestsPerMinute: -1}})
				if err != nil {
					t.Fatal(err)
				}
				vhostAPI = other
			}
			now := time.Now()
			o := &Observers{Poll: time.Minute, Detail: 30 * time.Minute, Now: func() time.Time { return now }}
			ctx := context.Background()
			id := settledSite(ctx, t, sim, api, org)
			poll := func() int {
				now = now.Add(time.Minute)
				before := sim.Requests(gandisim.RouteListVhosts)
				servedVhosts(ctx, t, o.For(api, ""), id, types.NamespacedName{Namespace: "a", Name: "site"}, false)
				now = now.Add(time.Millisecond)
				if _, err := o.For(vhostAPI, "").vhost(ctx, id, "www.example.com", types.NamespacedName{Namespace: "b", Name: "www"}, false); err != nil {
					t.Fatal(err)
				}
				return sim.Requests(gandisim.RouteListVhosts) - before
			}
			poll()
			for p := range 2 {
				if got := poll(); got != tc.lists {
					t.Errorf("settled poll %d: %d vhost lists of one instance, want %d", p+1, got, tc.lists)
				}
			}
		})
	}
}
