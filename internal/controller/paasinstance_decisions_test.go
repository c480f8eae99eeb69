package controller

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

func TestDecideRenew(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	end := now.AddDate(0, 3, 0)
	want := &hostingv1alpha1.PaaSRenewRequest{Request: "2027", Duration: "12m"}
	sent := renewRecord{Request: "2027", DateEnd: end, SentAt: now.Add(-10 * time.Second)}
	long := sent
	long.SentAt = now.Add(-time.Hour)
	second := &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "1m"}
	third := &hostingv1alpha1.PaaSRenewRequest{Request: "2029", Duration: "1m"}
	back := renewRecord{Request: "2028", DateEnd: end, SentAt: now.Add(-10 * time.Second), Instance: 42, Earlier: []string{"2027"}}
	backLong := back
	backLong.SentAt = now.Add(-time.Hour)
	here, elsewhere := sent, sent
	here.Instance, elsewhere.Instance = 42, 7
	for _, tc := range []struct {
		name      string
		want      *hostingv1alpha1.PaaSRenewRequest
		performed string
		rec       renewRecord
		accepted  bool
		state     string
		dateEnd   time.Time
		expect    renewDecision
	}{
		{"no request", nil, "", renewRecord{}, false, paas.StateRunning, end, renewNothing},
		{"performed", want, "2027", sent, false, paas.StateRunning, end.AddDate(1, 0, 0), renewNothing},
		{"new request", want, "2026", renewRecord{Request: "2026", DateEnd: end}, false, paas.StateRunning, end, renewSend},
		{"new request on a paused (expired) instance", want, "", renewRecord{}, false, paas.StatePaused, end, renewSend},
		{"new request while being created", want, "", renewRecord{}, false, paas.StateBeingCreated, end, renewNotNow},
		{"sent, end date moved: confirmed", want, "", sent, false, paas.StateRunning, end.AddDate(1, 0, 0), renewConfirmed},
		{"sent, status lost in a crash, end date moved", want, "", long, false, paas.StateRunning, end.AddDate(1, 0, 0), renewConfirmed},
		{"sent, end date not moved yet", want, "", sent, false, paas.StateRunning, end, renewWaiting},
		{"accepted, end date not moved yet", want, "", sent, true, paas.StateRunning, end, renewAccepted},
		{"accepted, end date not moved long after the grace: never sent again", want, "", long, true, paas.StateRunning, end, renewAccepted},
		{"accepted, end date moved", want, "", long, true, paas.StateRunning, end.AddDate(1, 0, 0), renewConfirmed},
		{"never seen accepted, end date unmoved after the grace: unconfirmed, never sent again", want, "", long, false, paas.StateRunning, end, renewUnconfirmed},
		{"never seen accepted, end date unmoved, instance being migrated: unconfirmed all the same", want, "", long, false, paas.StateBeingMigrated, end, renewUnconfirmed},
		{"never seen accepted, end date moved long after the grace: confirmed", want, "", long, false, paas.StateRunning, end.AddDate(1, 0, 0), renewConfirmed},
		{"a new request after an unconfirmed one: sent", &hostingv1alpha1.PaaSRenewRequest{Request: "2027b", Duration: "12m"}, "", long, false, paas.StateRunning, end, renewSend},
		{"unreadable record naming the request: never sent again", want, "", renewRecord{Request: "2027"}, false, paas.StateRunning, end.AddDate(1, 0, 0), renewWaiting},
		// A second request while the first one's renewal may still move
		// the end date: sent then, it would take that move for its own.
		{"a second request while the first, accepted, has not moved the end date: held", second, "", sent, true, paas.StateRunning, end, renewHeld},
		{"a second request while the first, accepted long ago, has still not moved it: held", second, "", long, true, paas.StateRunning, end, renewHeld},
		{"a second request while the first's answer is awaited within the grace: held", second, "", sent, false, paas.StateRunning, end, renewHeld},
		{"a second request while the first is pending on an instance being migrated: held", second, "", sent, true, paas.StateBeingMigrated, end, renewHeld},
		{"a second request once the end date shows the first: sent", second, "", sent, true, paas.StateRunning, end.AddDate(1, 0, 0), renewSend},
		{"a second request once status shows the first done: sent", second, "2027", sent, true, paas.StateRunning, end.AddDate(1, 0, 0), renewSend},
		{"a second request after an unreadable record: sent, as it cannot be settled", second, "", renewRecord{Request: "2027"}, false, paas.StateRunning, end, renewSend},
		// A -> B -> A: 2027 renewed, then 2028 recorded, then 2027 again.
		// Never sent again, whatever status says and wherever 2028 stands.
		{"set back to a value asked before, the one after it accepted and not moved yet (status still shows it): not sent", want, "2027", back, true, paas.StateRunning, end, renewAskedBefore},
		{"set back to a value asked before, once the one after it moved the end date (status shows that one): not sent", want, "2028", back, true, paas.StateRunning, end.AddDate(0, 1, 0), renewAskedBefore},
		{"set back to a value asked before, status lost (a restore): not sent", want, "", back, false, paas.StateRunning, end.AddDate(0, 1, 0), renewAskedBefore},
		{"set back to a value asked before, the one after it unconfirmed: not sent", want, "", backLong, false, paas.StateRunning, end, renewAskedBefore},
		{"a new value after A -> B -> A: sent", third, "2028", back, true, paas.StateRunning, end.AddDate(0, 1, 0), renewSend},
		{"a new value while the last recorded one still runs: held", third, "2027", back, true, paas.StateRunning, end, renewHeld},
		// A record made on another instance (a copy with its records, a
		// recreate): its end date there is not this one's.
		{"recorded on another instance, this one's end date later: not taken as done, not sent", want, "", elsewhere, false, paas.StateRunning, end.AddDate(1, 0, 0), renewElsewhere},
		{"recorded on another instance and accepted there: not sent", want, "", elsewhere, true, paas.StateRunning, end, renewElsewhere},
		{"recorded on another instance, status shows it done (there): nothing", want, "2027", elsewhere, false, paas.StateRunning, end, renewNothing},
		{"a new request while a renewal of another instance is pending: sent, nothing here waits for it", second, "", elsewhere, true, paas.StateRunning, end, renewSend},
		{"recorded on this instance, end date moved: confirmed", want, "", here, false, paas.StateRunning, end.AddDate(1, 0, 0), renewConfirmed},
		{"asked before on another instance: not sent here either", want, "", renewRecord{Request: "2028", DateEnd: end, SentAt: now, Instance: 42, Earlier: []string{"2027"}}, false, paas.StateRunning, end.AddDate(1, 0, 0), renewAskedBefore},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decideRenew(tc.want, tc.performed, "", tc.rec, 42, tc.accepted, tc.state, tc.dateEnd, now, time.Minute); got != tc.expect {
				t.Fatalf("decideRenew = %d, want %d", got, tc.expect)
			}
		})
	}
}

// TestRenewRecordNext: the record of a new renewal keeps every value asked
// before it, and the value held on taking hold, once each.
func TestRenewRecordNext(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	end := now.AddDate(0, 3, 0)
	for _, tc := range []struct {
		name     string
		rec      renewRecord
		baseline string
		earlier  []string
	}{
		{name: "the first renewal", earlier: nil},
		{name: "after one", rec: renewRecord{Request: "a"}, earlier: []string{"a"}},
		{name: "after two", rec: renewRecord{Request: "b", Earlier: []string{"a"}}, earlier: []string{"a", "b"}},
		{name: "after a value held on taking hold", baseline: "h", earlier: []string{"h"}},
		{name: "after one recorded beside a held value", rec: renewRecord{Request: "a"}, baseline: "h", earlier: []string{"a", "h"}},
		{name: "an earlier build's record, unreadable: its value kept", rec: parseRenewRecord("old"), earlier: []string{"old"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.rec.next("c", 42, end, now, tc.baseline)
			if got.Request != "c" || got.Instance != 42 || !got.DateEnd.Equal(end) || !got.SentAt.Equal(now) || !slices.Equal(got.Earlier, tc.earlier) {
				t.Fatalf("next = %+v, want request c on 42, earlier %v", got, tc.earlier)
			}
			if parsed := parseRenewRecord(mustJSON(t, got)); !slices.Equal(parsed.requests(), append([]string{"c"}, tc.earlier...)) || parsed.Instance != 42 {
				t.Fatalf("parsed back: %+v", parsed)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseRenewRecordFallsBackToTheRequest(t *testing.T) {
	if got := parseRenewRecord("not json"); got.Request != "not json" || !got.DateEnd.IsZero() {
		t.Fatalf("parseRenewRecord = %+v", got)
	}
}

func TestPaaSChanges(t *testing.T) {
	base := func() (*hostingv1alpha1.PaaSInstance, *paas.PaasReturn) {
		pi := &hostingv1alpha1.PaaSInstance{Spec: hostingv1alpha1.PaaSInstanceSpec{
			Name: "site", DatacenterID: 1, Type: "php7.3mysql5.7", Size: "s",
		}}
		info := &paas.PaasReturn{Name: "site", Size: "s", Type: "php7.3mysql5.7", Datacenter: paas.Datacenter{ID: 1},
			DataDiskAdditionalSize: 10, SnapshotProfile: &paas.SnapshotProfile{ID: 1}}
		return pi, info
	}
	for _, tc := range []struct {
		name     string
		change   func(*hostingv1alpha1.PaaSInstance, *paas.PaasReturn)
		fields   string
		problems string
	}{
		{"in sync: nothing", func(*hostingv1alpha1.PaaSInstance, *paas.PaasReturn) {}, "", ""},
		{"unset optional fields are left as Gandi has them", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.AdditionalDiskGB, pi.Spec.SnapshotProfile, pi.Spec.Console = nil, nil, nil
		}, "", ""},
		{"rename", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) { pi.Spec.Name = "new" }, "name", ""},
		{"resize", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) { pi.Spec.Size = "xl" }, "size", ""},
		{"grow the disk", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.AdditionalDiskGB = gandi.Ptr(int32(20))
		}, "quantity", ""},
		{"shrink the disk: refused, not sent", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.AdditionalDiskGB = gandi.Ptr(int32(5))
		}, "", "cannot shrink"},
		{"remove the snapshot profile", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.SnapshotProfile = gandi.Ptr(int32(0))
		}, "snapshot_profile", ""},
		{"same snapshot profile", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.SnapshotProfile = gandi.Ptr(int32(1))
		}, "", ""},
		{"open the console", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) { pi.Spec.Console = gandi.Ptr(true) }, "console", ""},
		{"another type: refused", func(_ *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) { info.Type = "php5.4mysql" }, "", "cannot change the type, so nothing is sent; set spec.type to php5.4mysql, what Gandi shows"},
		{"another datacenter: refused", func(_ *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) { info.Datacenter.ID = 3 }, "", "cannot move an instance, so nothing is sent; set spec.datacenterID to 3, what Gandi shows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pi, info := base()
			tc.change(pi, info)
			up, fields, problems := paasChanges(pi, info)
			if got := strings.Join(fields, ","); got != tc.fields {
				t.Fatalf("fields = %q, want %q (update %+v)", got, tc.fields, up)
			}
			msgs := make([]string, 0, len(problems))
			for _, p := range problems {
				msgs = append(msgs, p.message)
			}
			if got := strings.Join(msgs, ";"); (tc.problems == "") != (got == "") || !strings.Contains(got, tc.problems) {
				t.Fatalf("problems = %q, want %q", got, tc.problems)
			}
		})
	}
}

func TestCreateVhosts(t *testing.T) {
	v := func(fqdn string, zoneAlter, override bool) hostingv1alpha1.PaaSVhostSpec {
		return hostingv1alpha1.PaaSVhostSpec{FQDN: fqdn, ZoneAlter: zoneAlter, Override: override}
	}
	if _, _, _, ok := createVhosts(nil); ok {
		t.Fatal("no vhosts: nothing goes with the create")
	}
	fqdns, za, ov, ok := createVhosts([]hostingv1alpha1.PaaSVhostSpec{v("www.example.org", true, false), v("café.example.org", true, false)})
	if !ok || !za || ov || strings.Join(fqdns, ",") != "www.example.org,xn--caf-dma.example.org" {
		t.Fatalf("shared flags: %v %v %v %v", fqdns, za, ov, ok)
	}
	if _, _, _, ok := createVhosts([]hostingv1alpha1.PaaSVhostSpec{v("a.example.org", true, false), v("b.example.org", false, false)}); ok {
		t.Fatal("different flags: each vhost is created on its own")
	}
}

func TestClassifyPaaS(t *testing.T) {
	for _, tc := range []struct {
		err        error
		reason     string
		transient  bool
		notApplied bool
	}{
		{&paas.Fault{Code: paas.FaultBadKey}, hostingv1alpha1.ReasonUnauthorized, false, true},
		{&paas.Fault{Code: paas.FaultInvalid}, hostingv1alpha1.ReasonInvalidSpec, false, true},
		{&paas.Fault{Code: paas.FaultNoCredit}, hostingv1alpha1.ReasonWaitingForPayment, false, true},
		{&paas.Fault{Code: paas.FaultNotFound}, hostingv1alpha1.ReasonExternalNotFound, false, true},
		{&paas.Fault{Code: paas.FaultExists}, hostingv1alpha1.ReasonAlreadyExists, false, true},
		{&paas.Fault{Code: paas.FaultBadState}, hostingv1alpha1.ReasonConflict, true, true},
		{fmt.Errorf("wrapped: %w", &paas.HTTPError{StatusCode: http.StatusTooManyRequests, RetryAfter: time.Second}), hostingv1alpha1.ReasonRateLimited, true, true},
		{&paas.HTTPError{StatusCode: http.StatusBadGateway}, hostingv1alpha1.ReasonGandiUnavailable, true, false},
		{fmt.Errorf("x: %w", paas.ErrUndecodable), hostingv1alpha1.ReasonUnexpectedAnswer, false, false},
		{&CredentialsError{Reason: hostingv1alpha1.ReasonAPIKeyRequired}, hostingv1alpha1.ReasonAPIKeyRequired, false, false},
	} {
		t.Run(tc.reason, func(t *testing.T) {
			f := classify(tc.err)
			if f.reason != tc.reason || f.transient != tc.transient {
				t.Fatalf("classify(%v) = %+v, want %s transient=%v", tc.err, f, tc.reason, tc.transient)
			}
			if got := gandi.NotApplied(tc.err); got != tc.notApplied {
				t.Fatalf("gandi.NotApplied(%v) = %v, want %v", tc.err, got, tc.notApplied)
			}
		})
	}
	if !gandi.IsNotFound(&paas.Fault{Code: paas.FaultNotFound}) || gandi.IsNotFound(&paas.Fault{Code: paas.FaultInvalid}) {
		t.Fatal("gandi.IsNotFound must read the not-found fault, and only it")
	}
	if !gandi.IsAlreadyExists(&paas.Fault{Code: paas.FaultExists}) || gandi.IsAlreadyExists(errors.New("x")) {
		t.Fatal("gandi.IsAlreadyExists must read the exists fault")
	}
}

func TestPaaSReadiness(t *testing.T) {
	for state, want := range map[string]struct {
		ready        bool
		reason       string
		transitional bool
	}{
		paas.StateRunning:       {true, hostingv1alpha1.ReasonAvailable, false},
		paas.StateBeingCreated:  {false, hostingv1alpha1.ReasonCreating, true},
		paas.StateBeingMigrated: {false, hostingv1alpha1.ReasonUpdating, true},
		paas.StatePaused:        {false, hostingv1alpha1.ReasonInstancePaused, false},
		paas.StateLocked:        {false, hostingv1alpha1.ReasonLocked, false},
		paas.StateBeingDeleted:  {false, hostingv1alpha1.ReasonDeleting, true},
		"hibernating":           {false, hostingv1alpha1.ReasonUnknownState, false},
	} {
		ready, reason, _, transitional := paasReadiness(state)
		if ready != want.ready || reason != want.reason || transitional != want.transitional {
			t.Errorf("paasReadiness(%s) = %v %s %v, want %+v", state, ready, reason, transitional, want)
		}
	}
}

func TestUntilStateChanges(t *testing.T) {
	tm := Timing{Poll: time.Minute, Transitional: time.Second}
	boom := errors.New("boom")
	for _, tc := range []struct {
		name   string
		wait   time.Duration
		in     result
		lo, hi time.Duration
		err    bool
	}{
		{"settled: the poll interval, jittered", 0, result{}, 54 * time.Second, 66 * time.Second, false},
		{"transitional: after its wait", time.Second, result{}, time.Second, time.Second, false},
		{"a long transitional wait still beats the poll", 40 * time.Second, result{}, 40 * time.Second, 40 * time.Second, false},
		{"a pass that asked for sooner keeps it", 0, result{requeue: 3 * time.Second}, 3 * time.Second, 3 * time.Second, false},
		{"transitional beats a later ask", time.Second, result{requeue: 3 * time.Second}, time.Second, time.Second, false},
		{"a failure's retry wins", time.Second, result{err: boom}, 0, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := untilStateChanges(tm, tc.wait, tc.in)
			if got.requeue < tc.lo || got.requeue > tc.hi || (got.err != nil) != tc.err {
				t.Fatalf("untilStateChanges = %+v, want requeue in [%s, %s], err %v", got, tc.lo, tc.hi, tc.err)
			}
		})
	}
}

// An object Gandi keeps waiting (an unpaid instance, a paid change never
// applied) is read less and less often, up to the poll interval, so that it
// does not spend the request budget every few seconds for days.
func TestRecheckBacksOffWithTheWait(t *testing.T) {
	tm := Timing{Poll: 5 * time.Minute, Transitional: 5 * time.Second}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		since time.Time
		want  time.Duration
	}{
		{"no start known: the transitional interval", time.Time{}, 5 * time.Second},
		{"just begun", now, 5 * time.Second},
		{"30 s in: still the transitional interval", now.Add(-30 * time.Second), 5 * time.Second},
		{"2 minutes in: a tenth of the wait", now.Add(-2 * time.Minute), 12 * time.Second},
		{"20 minutes in", now.Add(-20 * time.Minute), 2 * time.Minute},
		{"three days in: the poll interval, no slower", now.Add(-72 * time.Hour), 5 * time.Minute},
		{"a start in the future (clock skew)", now.Add(time.Hour), 5 * time.Second},
	} {
		if got := tm.recheck(tc.since, now); got != tc.want {
			t.Errorf("%s: recheck = %s, want %s", tc.name, got, tc.want)
		}
	}
	if got := (Timing{Poll: time.Second, Transitional: 5 * time.Second}).recheck(now.Add(-time.Hour), now); got != 5*time.Second {
		t.Errorf("a poll shorter than the transitional interval: recheck = %s, want the transitional 5s", got)
	}
}

func TestWaitingSinceIsWhenTheConditionTurnedFalse(t *testing.T) {
	at := metav1.NewTime(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	hi := &hostingv1alpha1.HostingInstance{}
	if got := waitingSince(hi, hostingv1alpha1.ConditionReady); !got.IsZero() {
		t.Errorf("no condition: waitingSince = %s, want zero", got)
	}
	hi.Status.Conditions = []metav1.Condition{{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionFalse, LastTransitionTime: at}}
	if got := waitingSince(hi, hostingv1alpha1.ConditionReady); !got.Equal(at.Time) {
		t.Errorf("Ready False: waitingSince = %s, want %s", got, at)
	}
	hi.Status.Conditions[0].Status = metav1.ConditionTrue
	if got := waitingSince(hi, hostingv1alpha1.ConditionReady); !got.IsZero() {
		t.Errorf("Ready True: waitingSince = %s, want zero (nothing is awaited)", got)
	}
}

// A PaaS instance that is not running takes no paas.update: the pass still
// says whether the spec differs (reportHeld).
func TestPaaSHeld(t *testing.T) {
	for _, tc := range []struct {
		name   string
		spec   func(*hostingv1alpha1.PaaSInstanceSpec)
		reason string
		says   string
	}{
		{"nothing differs: UpToDate", nil, hostingv1alpha1.ReasonUpToDate, "matches the spec"},
		{"a free member differs", func(s *hostingv1alpha1.PaaSInstanceSpec) { s.Console = ptrTo(true) },
			hostingv1alpha1.ReasonWaitingForState, "while it is paused; not sent until it leaves that state: console"},
		{"a paid member differs", func(s *hostingv1alpha1.PaaSInstanceSpec) { s.Size = "m" },
			hostingv1alpha1.ReasonWaitingForState, "size"},
		{"a new request", func(s *hostingv1alpha1.PaaSInstanceSpec) { s.RestartRequest = "r1" },
			hostingv1alpha1.ReasonWaitingForState, "spec.restartRequest"},
		{"a vhost not created", func(s *hostingv1alpha1.PaaSInstanceSpec) {
			s.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.example.org"}}
		}, hostingv1alpha1.ReasonWaitingForState, "vhost www.example.org"},
		{"what needs the user comes first", func(s *hostingv1alpha1.PaaSInstanceSpec) {
			s.Console = ptrTo(true)
			s.DatacenterID = 2
		}, hostingv1alpha1.ReasonUnsupportedChange, "so that the spec describes the instance; Gandi takes no changes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Generation: 2}, Spec: hostingv1alpha1.PaaSInstanceSpec{
				Type: "phpmysql", Size: "s", DatacenterID: 1,
			}}
			if tc.spec != nil {
				tc.spec(&pi.Spec)
			}
			info := &paas.PaasReturn{ID: 7, Name: "legacy", Size: "s", Type: "phpmysql", State: paas.StatePaused, Datacenter: paas.Datacenter{ID: 1}}
			res := (&paasPass{r: &PaaSInstanceReconciler{}, pi: pi, info: info}).held(t.Context(), result{})
			c := pi.Status.Conditions
			if len(c) != 1 || c[0].Reason != tc.reason || !strings.Contains(c[0].Message, tc.says) || c[0].ObservedGeneration != 2 || res.sent {
				t.Fatalf("Synced = %+v; want %s saying %q", c, tc.reason, tc.says)
			}
		})
	}
}

// A MySQL root password reset is sent only to an instance whose type, as
// Gandi reports it, may have MySQL (paas.MayHaveMySQL): for another
// database the request is refused (InvalidSpec, naming the database), and
// a paused instance reports the same instead of a request waiting for the
// state. The CRD refuses the field beside such a spec.type; this is for
// objects admitted before that rule, or whose spec.type is not Gandi's.
// That runRequests then records and sends nothing is the envtest spec
// "never sends a MySQL root password reset…".
func TestPaaSMySQLResetOnlyForATypeWithMySQL(t *testing.T) {
	reset := paasRequests[slices.IndexFunc(paasRequests, func(q paasRequest) bool { return q.effect == effectResetMySQLPassword })]
	for _, tc := range []struct {
		typ  string
		sent bool
	}{
		{"php7.3mysql5.7", true},
		{"phpmysql", true},
		{"php7.3", true}, // no engine named: nothing says it lacks MySQL
		{"php7.3pgsql9.6", false},
		{"rubypgsql", false},
		{"python3.6mongodb3.2", false},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			info := &paas.PaasReturn{ID: 7, Name: "legacy", Size: "s", Type: tc.typ, State: paas.StatePaused, Datacenter: paas.Datacenter{ID: 1}}
			refused := reset.refusal(info)
			if (refused == nil) != tc.sent {
				t.Fatalf("refusal = %+v; want sent %v", refused, tc.sent)
			}
			for _, q := range paasRequests {
				if q.effect != effectResetMySQLPassword && q.refusal(info) != nil {
					t.Fatalf("%s refused for %s: %+v", q.name, tc.typ, q.refusal(info))
				}
			}
			if tc.sent {
				return
			}
			if refused.reason != hostingv1alpha1.ReasonInvalidSpec || !strings.Contains(refused.message, "embeds "+paas.TypeDatabase(tc.typ)+", not MySQL") {
				t.Fatalf("refusal = %+v; want InvalidSpec naming %s", *refused, paas.TypeDatabase(tc.typ))
			}

			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "web", Generation: 2},
				Spec: hostingv1alpha1.PaaSInstanceSpec{Type: tc.typ, Size: "s", DatacenterID: 1, ResetMySQLPasswordRequest: "r1"}}
			(&paasPass{r: &PaaSInstanceReconciler{}, pi: pi, info: info}).held(t.Context(), result{})
			synced := pi.Status.Conditions[0]
			if synced.Reason != hostingv1alpha1.ReasonInvalidSpec || strings.Contains(synced.Message, "not sent until it leaves that state") {
				t.Fatalf("paused: Synced = %+v; want InvalidSpec and no request waiting for the state", synced)
			}
		})
	}
}

// TestDecideRenewBaseline: the renewal a spec held when its object took
// hold of the instance (baselineRecords) is not bought; a new one is.
func TestDecideRenewBaseline(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	end := now.AddDate(0, 3, 0)
	want := &hostingv1alpha1.PaaSRenewRequest{Request: "2028", Duration: "12m"}
	for _, tc := range []struct {
		name     string
		want     *hostingv1alpha1.PaaSRenewRequest
		baseline string
		rec      renewRecord
		expect   renewDecision
	}{
		{"held when taken hold of: not sent", want, "2028", renewRecord{}, renewNothing},
		{"held, beside a record of an earlier renewal: not sent", want, "2028", renewRecord{Request: "2027", DateEnd: end}, renewNothing},
		{"a new request after the held one: sent", &hostingv1alpha1.PaaSRenewRequest{Request: "2029", Duration: "12m"}, "2028", renewRecord{}, renewSend},
		{"recorded as sent: followed by its end date, not taken for held", want, "2028", renewRecord{Request: "2028", DateEnd: end, SentAt: now}, renewWaiting},
		// The write that records another value ends the baseline and
		// keeps the held value among those never sent (renewRecord.next).
		{"the held value asked again after another was recorded: never sent", want, "", renewRecord{Request: "2029", DateEnd: end, SentAt: now, Earlier: []string{"2028"}}, renewAskedBefore},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decideRenew(tc.want, "", tc.baseline, tc.rec, 42, false, paas.StateRunning, end, now, time.Minute); got != tc.expect {
				t.Fatalf("decideRenew = %d, want %d", got, tc.expect)
			}
		})
	}
}

// Gandi refuses paas.delete on an instance it is creating, deleting or
// shows deleted (CAUSE_BADSTATE), and takes no change of one it holds
// (locked, paused, being migrated): finalize sends it in no such state.
func TestDecidePaaSDelete(t *testing.T) {
	for state, want := range map[string]paasDeleteStep{
		paas.StateRunning:       paasDeleteSend,
		paas.StatePaused:        paasDeleteHeld,
		paas.StateLocked:        paasDeleteHeld,
		paas.StateBeingMigrated: paasDeleteHeld,
		"some_new_state":        paasDeleteSend,
		paas.StateBeingCreated:  paasDeleteAfterCreate,
		paas.StateBeingDeleted:  paasDeleteUnderWay,
		paas.StateDeleted:       paasDeleteGone,
	} {
		if got := decidePaaSDelete(state); got != want {
			t.Errorf("decidePaaSDelete(%s) = %d, want %d", state, got, want)
		}
	}
}

// An instance Gandi holds (locked, paused) takes no change; Synced must
// not say UpToDate while a change the next running pass sends is pending:
// the delete of a vhost this object created that spec.vhosts dropped, or
// a new revision of the password Secret.
func TestPaaSHeldNamesEveryPendingChange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(*hostingv1alpha1.PaaSInstance, *paas.PaasReturn)
		reason string
		says   string
	}{
		{"a vhost it created, dropped from spec.vhosts", func(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) {
			pi.Annotations = effectRecord(effectPaaSVhosts, "old.example.org")
			info.Vhosts = []paas.PaasVHostShortReturn{{Name: "old.example.org", State: paas.StateRunning}}
		}, hostingv1alpha1.ReasonWaitingForState, "the delete of vhost old.example.org"},
		{"a vhost it created, dropped while Gandi creates it", func(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) {
			pi.Annotations = effectRecord(effectPaaSVhosts, "old.example.org")
			info.Vhosts = []paas.PaasVHostShortReturn{{Name: "old.example.org", State: paas.StateBeingCreated}}
		}, hostingv1alpha1.ReasonWaitingForState, "the delete of vhost old.example.org"},
		{"a listed vhost Gandi deletes", func(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) {
			pi.Spec.Vhosts = []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.example.org"}}
			info.Vhosts = []paas.PaasVHostShortReturn{{Name: "www.example.org", State: paas.StateBeingDeleted}}
		}, hostingv1alpha1.ReasonWaitingForState, "vhost www.example.org (Gandi is deleting it"},
		{"an SSH key list set back to the one Gandi accepted, after a list whose answer was lost", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.SSHKeyIDs = []int32{101}
			pi.Annotations = acceptedRecord(effectSSHKeys, sshKeysVersion(pi.Spec))
			maps.Copy(pi.Annotations, effectRecord(effectSSHKeys, sshKeysVersion(hostingv1alpha1.PaaSInstanceSpec{SSHKeyIDs: []int32{202}})))
		}, hostingv1alpha1.ReasonWaitingForState, "spec.sshKeys"},
		{"an SSH key dropped from spec.sshKeys, which Gandi may still authorize", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.SSHKeys = []string{opsKey}
			pi.Annotations = acceptedRecord(effectSSHKeys, sshKeysVersion(pi.Spec))
			maps.Copy(pi.Annotations, effectRecord(effectSSHKeysAppended, appendedSSHKeysWith("", []string{opsKey, contractorKey})))
		}, hostingv1alpha1.ReasonUnsupportedChange, sshKeyFingerprint(contractorKey)},
		{"an SSH key list whose answer was lost", func(pi *hostingv1alpha1.PaaSInstance, _ *paas.PaasReturn) {
			pi.Spec.SSHKeyIDs = []int32{202}
			pi.Annotations = acceptedRecord(effectSSHKeys, sshKeysVersion(hostingv1alpha1.PaaSInstanceSpec{SSHKeyIDs: []int32{101}}))
			maps.Copy(pi.Annotations, effectRecord(effectSSHKeys, sshKeysVersion(pi.Spec)))
		}, hostingv1alpha1.ReasonActionUnconfirmed, "SSH key list"},
	} {
		for _, state := range []string{paas.StateLocked, paas.StatePaused} {
			t.Run(tc.name+" ("+state+")", func(t *testing.T) {
				pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "web", Generation: 2},
					Spec: hostingv1alpha1.PaaSInstanceSpec{Type: "phpmysql", Size: "s", DatacenterID: 1}}
				info := &paas.PaasReturn{ID: 7, Name: "legacy", Size: "s", Type: "phpmysql", State: state, Datacenter: paas.Datacenter{ID: 1}}
				tc.edit(pi, info)
				(&paasPass{r: &PaaSInstanceReconciler{}, pi: pi, info: info}).held(t.Context(), result{})
				c := pi.Status.Conditions
				if len(c) != 1 || c[0].Reason != tc.reason || !strings.Contains(c[0].Message, tc.says) {
					t.Fatalf("Synced = %+v; want %s naming %q", c, tc.reason, tc.says)
				}
			})
		}
	}
}

// TestSSHKeysDecision: a PaaSInstance's SSH key lists follow the
// password's rule (decideRotation): after a list whose answer was lost,
// the list set back to the one Gandi last accepted is sent, since Gandi
// may hold the lost one. Gandi replaces the key IDs whole; the key strings
// it only appends (TestSSHKeysDropped).
func TestSSHKeysDecision(t *testing.T) {
	a := []int32{101}
	b := []int32{202}
	version := func(ids []int32) string { return sshKeysVersion(hostingv1alpha1.PaaSInstanceSpec{SSHKeyIDs: ids}) }
	// accepted is a at Gandi, then lost: b recorded, its answer lost.
	lost := func() map[string]string {
		r := acceptedRecord(effectSSHKeys, version(a))
		maps.Copy(r, effectRecord(effectSSHKeys, version(b)))
		return r
	}
	for _, tc := range []struct {
		name        string
		ids         []int32
		annotations map[string]string
		expect      rotationDecision
	}{
		{"no list in the spec", nil, lost(), rotationAccepted},
		{"the list Gandi accepted", a, acceptedRecord(effectSSHKeys, version(a)), rotationAccepted},
		{"a new list", b, acceptedRecord(effectSSHKeys, version(a)), rotationSend},
		{"the list whose answer was lost: not sent again", b, lost(), rotationUnconfirmed},
		{"set back to the list Gandi accepted after a lost one: sent", a, lost(), rotationSend},
		{"a third list after a lost one", []int32{303}, lost(), rotationSend},
		{"an earlier build's record, with no confirmation", a, effectRecord(effectSSHKeys, version(a)), rotationAccepted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Annotations: tc.annotations},
				Spec: hostingv1alpha1.PaaSInstanceSpec{SSHKeyIDs: tc.ids}}
			if _, got := sshKeysDecision(pi); got != tc.expect {
				t.Fatalf("sshKeysDecision = %d, want %d", got, tc.expect)
			}
		})
	}
}

// Two public keys (valid base64 blobs) and the same key as the first
// under another comment.
const (
	opsKey        = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOps ops@example.org"
	opsKeyRenamed = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOps ops-laptop"
	contractorKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICon contractor@example.org"
)

// TestSSHKeysDropped: paas.update's ssh_key only appends, and paas.info
// does not show the keys, so every key this object sent stays recorded,
// and a key the spec no longer lists is reported (never up to date) until
// the user edits the record (having removed it at Gandi) or lists it
// again. A key is its blob: a new comment is the same key.
func TestSSHKeysDropped(t *testing.T) {
	ops, contractor := sshKeyFingerprint(opsKey), sshKeyFingerprint(contractorKey)
	both := appendedSSHKeysWith("", []string{opsKey, contractorKey})
	for _, tc := range []struct {
		name          string
		record        string
		spec          []string
		dropped, kept []string
	}{
		{"nothing sent", "", []string{opsKey}, nil, nil},
		{"every key sent still listed", both, []string{contractorKey, opsKey}, nil, []string{contractor, ops}},
		{"a key dropped", both, []string{opsKey}, []string{contractor}, []string{ops}},
		{"every key dropped", both, nil, []string{contractor, ops}, nil},
		{"a key listed again under another comment", appendedSSHKeysWith("", []string{opsKey}), []string{opsKeyRenamed}, nil, []string{ops}},
		{"the record edited by the user once the key is gone at Gandi", ops, []string{opsKey}, nil, []string{ops}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dropped, kept := droppedSSHKeys(tc.record, tc.spec)
			slices.Sort(tc.dropped)
			slices.Sort(tc.kept)
			if !slices.Equal(dropped, tc.dropped) || !slices.Equal(kept, tc.kept) {
				t.Fatalf("droppedSSHKeys = %v, %v; want %v, %v", dropped, kept, tc.dropped, tc.kept)
			}
		})
	}

	// Sending a list removes no key: the record only grows.
	if got := appendedSSHKeysWith(appendedSSHKeysWith("", []string{contractorKey}), []string{opsKey}); got != both {
		t.Errorf("record after sending ops over contractor = %q, want %q", got, both)
	}
	if sshKeyFingerprint(opsKey) != sshKeyFingerprint(opsKeyRenamed) || ops == contractor {
		t.Errorf("fingerprints: a key is its blob, whatever its comment")
	}

	// The report names the key and says how to remove it and how to say so.
	pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Name: "site", Namespace: "web",
		Annotations: effectRecord(effectSSHKeysAppended, both)}, Spec: hostingv1alpha1.PaaSInstanceSpec{SSHKeys: []string{opsKey}}}
	prob := sshKeysDroppedProblem(pi)
	if prob == nil || prob.reason != hostingv1alpha1.ReasonUnsupportedChange {
		t.Fatalf("sshKeysDroppedProblem = %+v, want UnsupportedChange", prob)
	}
	for _, says := range []string{contractor, "only append", "by hand", "spec.sshKeyIDs",
		"kubectl annotate -n web paasinstance site --overwrite " + effectAnnotationPrefix + effectSSHKeysAppended + "=" + ops} {
		if !strings.Contains(prob.message, says) {
			t.Errorf("message %q does not say %q", prob.message, says)
		}
	}
	pi.Spec.SSHKeys = nil
	if prob := sshKeysDroppedProblem(pi); prob == nil || !strings.Contains(prob.message, effectAnnotationPrefix+effectSSHKeysAppended+"-") {
		t.Errorf("every key dropped: %+v, want the annotation removed", prob)
	}
	pi.Spec.SSHKeys = []string{opsKey, contractorKey}
	if prob := sshKeysDroppedProblem(pi); prob != nil {
		t.Errorf("every key listed: %+v, want none", prob)
	}
}

// TestPasswordPending pins what a held PaaSInstance names of its password
// Secret: a revision the next running pass sends, never the password.
func TestPasswordPending(t *testing.T) {
	pw := passwordRevision{version: "uid-2/5", value: []byte("second-password")}
	for _, tc := range []struct {
		name        string
		annotations map[string]string
		err         error
		same        bool
		field       string
		reason      string
	}{
		{name: "the revision Gandi accepted", annotations: acceptedRecord(effectPassword, "uid-2/5")},
		{name: "a new revision", annotations: acceptedRecord(effectPassword, "uid-1/1"), field: "password Secret revision uid-2/5"},
		{name: "a new revision holding the value Gandi has: only the record moves", annotations: acceptedRecord(effectPassword, "uid-1/1"), same: true},
		{name: "a revision whose acceptance was never seen", annotations: func() map[string]string {
			a := acceptedRecord(effectPassword, "uid-1/1")
			maps.Copy(a, effectRecord(effectPassword, "uid-2/5"))
			return a
		}(), reason: hostingv1alpha1.ReasonActionUnconfirmed},
		{name: "a Secret that is gone", err: &CredentialsError{Reason: hostingv1alpha1.ReasonPasswordNotFound, Message: "password Secret web/pw not found"},
			reason: hostingv1alpha1.ReasonPasswordNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Name: "legacy", Namespace: "web", Annotations: tc.annotations}}
			field, prob := passwordPending(pi, pw, tc.err, tc.same)
			if field != tc.field {
				t.Errorf("field = %q, want %q", field, tc.field)
			}
			switch {
			case tc.reason == "" && prob != nil:
				t.Errorf("problem %+v, want none", *prob)
			case tc.reason != "" && (prob == nil || prob.reason != tc.reason):
				t.Errorf("problem %+v, want reason %s", prob, tc.reason)
			case prob != nil && strings.Contains(prob.message, "second-password"):
				t.Errorf("the problem names the password: %s", prob.message)
			}
		})
	}
}
