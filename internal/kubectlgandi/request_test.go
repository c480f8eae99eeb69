package kubectlgandi

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Each action lands on its kind's own spec field and is answered by that
// kind's own status: a HostingInstance's status.lastActions, a
// PaaSInstance's status.lastRequests, or, for a PaaS console (a state, not
// a request), a pass after the write that shows it open.
func TestActionTargets(t *testing.T) {
	const v = "2026-01-02T03:04:05Z"
	hi := func(o client.Object) *hostingv1alpha1.HostingInstance { return o.(*hostingv1alpha1.HostingInstance) }
	pi := func(o client.Object) *hostingv1alpha1.PaaSInstance { return o.(*hostingv1alpha1.PaaSInstance) }
	tests := []struct {
		action action
		kind   string
		// asked says the patch set what the operator reads.
		asked func(client.Object) bool
		// answer makes the status report it done.
		answer func(client.Object)
	}{
		{restartAction, kindHostingInstance,
			func(o client.Object) bool { return hi(o).Spec.RestartRequest == v },
			func(o client.Object) { hi(o).Status.LastActions = &hostingv1alpha1.LastActions{Restart: v} }},
		{restartAction, kindPaaSInstance,
			func(o client.Object) bool { return pi(o).Spec.RestartRequest == v },
			func(o client.Object) { pi(o).Status.LastRequests = &hostingv1alpha1.PaaSLastRequests{Restart: v} }},
		{resetDatabasePasswordAction, kindHostingInstance,
			func(o client.Object) bool { return hi(o).Spec.ResetDatabasePasswordRequest == v },
			func(o client.Object) {
				hi(o).Status.LastActions = &hostingv1alpha1.LastActions{ResetDatabasePassword: v}
			}},
		{resetDatabasePasswordAction, kindPaaSInstance,
			func(o client.Object) bool { return pi(o).Spec.ResetMySQLPasswordRequest == v },
			func(o client.Object) {
				pi(o).Status.LastRequests = &hostingv1alpha1.PaaSLastRequests{ResetMySQLPassword: v}
			}},
		{consoleAction, kindHostingInstance,
			func(o client.Object) bool { return hi(o).Spec.ConsoleRequest == v },
			func(o client.Object) { hi(o).Status.LastActions = &hostingv1alpha1.LastActions{Console: v} }},
		{consoleAction, kindPaaSInstance,
			func(o client.Object) bool {
				c := pi(o).Spec.Console
				return c != nil && *c && o.GetAnnotations()[hostingv1alpha1.AnnotationRequestedAt] == v
			},
			func(o client.Object) {
				pi(o).Status.LastHandledReconcileAt = v
				pi(o).Status.Console = &hostingv1alpha1.PaaSConsoleStatus{Enabled: true, URL: "console.example"}
			}},
		{purgeAction, kindVhost,
			func(o client.Object) bool { return o.(*hostingv1alpha1.Vhost).Spec.CachePurgeRequest == v },
			func(o client.Object) { o.(*hostingv1alpha1.Vhost).Status.LastCachePurge = v }},
	}
	for _, tt := range tests {
		t.Run(tt.action.use+" "+tt.kind, func(t *testing.T) {
			k, _, err := parseRef(strings.ToLower(tt.kind)+"/x", tt.action.kinds()...)
			if err != nil {
				t.Fatalf("%s refuses %s: %v", tt.action.use, tt.kind, err)
			}
			tg := tt.action.target(k.Kind)
			// The merge patch, as the API server applies it to the typed
			// object: a field name the kind does not have is lost.
			obj := k.new()
			data, err := json.Marshal(tg.patch(v))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, obj); err != nil {
				t.Fatal(err)
			}
			if !tt.asked(obj) {
				t.Fatalf("the patch %s does not ask for it", data)
			}
			if done, err := tg.answered(obj, v); done || err != nil {
				t.Fatalf("answered before the status says so: %v, %v", done, err)
			}
			tt.answer(obj)
			if done, err := tg.answered(obj, v); !done || err != nil {
				t.Fatalf("not answered once the status says so: %v, %v", done, err)
			}
			if done, _ := tg.answered(obj, "another request"); done {
				t.Fatal("answered for a request that was not made")
			}
		})
	}
}

// A pass after the write that still shows the PaaS console closed is an
// answer: Gandi did not open it (the instance is not running), and waiting
// longer cannot help.
func TestPaaSConsoleClosedAfterThePass(t *testing.T) {
	const v = "2026-01-02T03:04:05Z"
	pi := &hostingv1alpha1.PaaSInstance{}
	pi.Status.LastHandledReconcileAt, pi.Status.State = v, "paused"
	pi.Status.Console = &hostingv1alpha1.PaaSConsoleStatus{}
	done, err := paasConsole.answered(pi, v)
	if done || err == nil || !strings.Contains(err.Error(), `the console is closed at Gandi after the request (instance state "paused"`) {
		t.Fatalf("got %v, %v; want an error saying the console is closed", done, err)
	}
}

// reset-db-password of a PaaSInstance is refused when its type embeds
// another database than MySQL, by Gandi's word (status) once observed, by
// the spec's before; a HostingInstance (MySQL or PostgreSQL, both reset)
// and the other actions are never refused so.
func TestResetMySQLPasswordRefusedWithoutMySQL(t *testing.T) {
	paasOf := func(spec, status string) client.Object {
		pi := &hostingv1alpha1.PaaSInstance{}
		pi.Spec.Type, pi.Status.Type = spec, status
		return pi
	}
	tests := []struct {
		name    string
		action  action
		kind    string
		obj     client.Object
		refused string // "": asked
	}{
		{"mysql type", resetDatabasePasswordAction, kindPaaSInstance, paasOf("php7.3mysql5.7", ""), ""},
		{"unversioned mysql type", resetDatabasePasswordAction, kindPaaSInstance, paasOf("phpmysql", "phpmysql"), ""},
		{"pgsql type", resetDatabasePasswordAction, kindPaaSInstance, paasOf("php7.3pgsql9.6", ""), "its type php7.3pgsql9.6 embeds pgsql, not MySQL"},
		{"mongodb type, observed", resetDatabasePasswordAction, kindPaaSInstance, paasOf("python3.6mongodb3.2", "python3.6mongodb3.2"), "embeds mongodb, not MySQL"},
		{"Gandi's type wins", resetDatabasePasswordAction, kindPaaSInstance, paasOf("php7.3mysql5.7", "php7.3pgsql9.6"), "embeds pgsql"},
		{"no engine in the name", resetDatabasePasswordAction, kindPaaSInstance, paasOf("custom", ""), ""},
		{"restart of a pgsql type", restartAction, kindPaaSInstance, paasOf("php7.3pgsql9.6", ""), ""},
		{"hosting instance with pgsql", resetDatabasePasswordAction, kindHostingInstance, &hostingv1alpha1.HostingInstance{
			Spec: hostingv1alpha1.HostingInstanceSpec{Type: hostingv1alpha1.InstanceType{Database: hostingv1alpha1.InstanceDatabase{Name: "pgsql"}}},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := tt.action.target(tt.kind)
			var err error
			if tg.refuse != nil {
				err = tg.refuse(tt.obj)
			}
			switch {
			case tt.refused == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refused != "" && (err == nil || !strings.Contains(err.Error(), tt.refused)):
				t.Fatalf("got %v, want a refusal saying %q", err, tt.refused)
			}
		})
	}
}

// A request-writing command is refused before anything is written when
// the operator reports, for the object's current generation, that another
// object manages what it names (OwnedByAnotherObject): it sends nothing to
// Gandi for it and handles no pass, so the request would only wait out
// the --timeout. A report of an older generation (the spec changed since)
// is left to the next pass; during the wait, only a report for the
// generation the request was written in counts.
func TestRequestRefusedWhenOwnedByAnotherObject(t *testing.T) {
	vhost := func(generation, observed int64, reason string) client.Object {
		vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: "www-b", Namespace: "web", Generation: generation}}
		if reason != "" {
			vh.Status.Conditions = []metav1.Condition{{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionFalse, Reason: reason,
				Message: "web/www-a already names the vhost www.example.com", ObservedGeneration: observed}}
		}
		return vh
	}
	tg := vhostTarget(t, "www-b")
	tests := []struct {
		name    string
		obj     client.Object
		refused bool
		// writtenIn is the generation a request was written in, for the
		// wait's check.
		writtenIn int64
		failed    bool
	}{
		{name: "owned by another object, reported for this generation", obj: vhost(2, 2, hostingv1alpha1.ReasonOwnedByAnotherObject), refused: true, writtenIn: 2, failed: true},
		{name: "reported before the spec changed", obj: vhost(3, 2, hostingv1alpha1.ReasonOwnedByAnotherObject), writtenIn: 3},
		{name: "reported before the request was written", obj: vhost(2, 2, hostingv1alpha1.ReasonOwnedByAnotherObject), refused: true, writtenIn: 3},
		{name: "synced", obj: vhost(2, 2, hostingv1alpha1.ReasonUpToDate), writtenIn: 2},
		{name: "nothing reported yet", obj: vhost(1, 0, ""), writtenIn: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c := ownedElsewhere(tt.obj); (c != nil) != tt.refused {
				t.Fatalf("refused: %v, want %v", c != nil, tt.refused)
			} else if c != nil {
				err := errOwnedElsewhere(tg, c, "cache purged")
				if !strings.Contains(err.Error(), "vhost/www-b reports OwnedByAnotherObject: web/www-a already names") || !strings.Contains(err.Error(), "nothing was requested") ||
					!strings.Contains(err.Error(), "`kubectl gandi reconcile vhost/www-b -n web` has the operator judge it again") {
					t.Fatalf("the refusal does not say why: %v", err)
				}
			}
			if err := notActedOn(tt.obj, tg, tt.writtenIn); (err != nil) != tt.failed {
				t.Fatalf("the wait failed: %v, want %v", err, tt.failed)
			}
		})
	}
}

// A wait that ends on its --timeout says so, after how long and with what
// the object reports, even when its last read of the object comes as the
// deadline does: read under the poll's deadline, that read failed with the
// client's own error (its rate limiter refuses to wait past a deadline:
// "Wait(n=1) would exceed context deadline"), which was all the user saw.
func TestWaitUntilTimeoutReportedAsTheTimeout(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := hostingv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: "www", Namespace: "web"},
		Status: hostingv1alpha1.VhostStatus{Conditions: []metav1.Condition{{Type: hostingv1alpha1.ConditionReady, Status: metav1.ConditionFalse, Reason: "WaitingForInstance", Message: "no instance"}}}}
	const timeout = 500 * time.Millisecond
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(vh).WithStatusSubresource(vh).WithInterceptorFuncs(interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			// What client-go's rate limiter does when its next token comes
			// after the context's deadline.
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < 300*time.Millisecond {
				return errors.New("client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline")
			}
			return c.Get(ctx, key, obj, opts...)
		},
	}).Build()
	tg := vhostTarget(t, "www")
	p := pending{request: `annotation x: "v"`, still: "makes a pass", path: ".status.lastHandledReconcileAt", want: "v"}
	_, err := waitUntil(t.Context(), c, tg, timeout, p, func(client.Object) (bool, error) { return false, nil })
	if err == nil {
		t.Fatal("the wait ended without an error")
	}
	for _, want := range []string{"vhost/www: not done after", "(--timeout 500ms)", "WaitingForInstance"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
}

// vhostTarget is vhost/name in namespace web, as a command finds it.
func vhostTarget(t *testing.T, name string) target {
	t.Helper()
	k, name, err := parseRef("vhost/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return target{kind: k, key: types.NamespacedName{Namespace: "web", Name: name}}
}

// A reconcile is written whatever the object reports (a stale
// OwnedByAnotherObject is what it asks to have judged again), and its wait
// takes for the answer only what the operator wrote after the request:
// lastHandledReconcileAt set to the value written, or a report of
// OwnedByAnotherObject written since. The report the object showed when
// the request was written answers nothing, until a pass has judged it
// again (lastHandledReconcileAt): then it is the verdict, and the wait
// fails at once on it.
func TestReconcileWaitAnsweredOnlyAfterTheRequest(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := hostingv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	stale := metav1.Condition{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionFalse, Reason: hostingv1alpha1.ReasonOwnedByAnotherObject,
		Message: "web/www-a already names the vhost www.example.com", ObservedGeneration: 1, LastTransitionTime: metav1.NewTime(time.Now().Add(-time.Hour).Truncate(time.Second))}
	tests := []struct {
		name string
		// pass is what the operator writes once it sees the request.
		pass     func(vh *hostingv1alpha1.Vhost, requested string)
		done     bool
		errorHas string
	}{
		{name: "no pass: the stale report is no answer, the wait ends on its timeout", pass: func(*hostingv1alpha1.Vhost, string) {},
			errorHas: "not done after"},
		{name: "a pass with the rival gone answers the request", pass: func(vh *hostingv1alpha1.Vhost, requested string) {
			vh.Status.LastHandledReconcileAt = requested
			vh.Status.Conditions = []metav1.Condition{{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionTrue, Reason: hostingv1alpha1.ReasonUpToDate,
				ObservedGeneration: 1, LastTransitionTime: metav1.Now()}}
		}, done: true},
		{name: "a pass that finds another object holding it ends the wait at once", pass: func(vh *hostingv1alpha1.Vhost, _ string) {
			vh.Status.Conditions = []metav1.Condition{{Type: hostingv1alpha1.ConditionSynced, Status: metav1.ConditionFalse, Reason: hostingv1alpha1.ReasonOwnedByAnotherObject,
				Message: "other/www-c already names the vhost www.example.com", ObservedGeneration: 1, LastTransitionTime: stale.LastTransitionTime}}
		}, errorHas: "reports OwnedByAnotherObject, judged since the request: other/www-c"},
		{name: "a pass that judges the same report again answers the request: the wait ends at once on it", pass: func(vh *hostingv1alpha1.Vhost, requested string) {
			vh.Status.LastHandledReconcileAt = requested
		}, errorHas: "reports OwnedByAnotherObject, judged since the request: web/www-a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: "www-b", Namespace: "web", Generation: 1},
				Status: hostingv1alpha1.VhostStatus{Conditions: []metav1.Condition{stale}}}
			c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(vh).WithStatusSubresource(vh).WithInterceptorFuncs(interceptor.Funcs{
				// The operator: a pass once the request is there.
				Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
					if err := c.Get(ctx, key, obj, opts...); err != nil {
						return err
					}
					got, ok := obj.(*hostingv1alpha1.Vhost)
					if requested := got.Annotations[hostingv1alpha1.AnnotationRequestedAt]; ok && requested != "" {
						tt.pass(got, requested)
					}
					return nil
				},
			}).Build()
			obj := &hostingv1alpha1.Vhost{}
			if err := c.Get(t.Context(), client.ObjectKeyFromObject(vh), obj); err != nil {
				t.Fatal(err)
			}
			_, err := requestPass(t.Context(), c, obj, vhostTarget(t, "www-b"), time.Second, nil, "request a reconcile of", "makes a pass")
			if tt.done {
				if err != nil {
					t.Fatalf("the answer was not taken: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.errorHas) {
				t.Fatalf("the wait ended with %v, want an error saying %q", err, tt.errorHas)
			}
		})
	}
}
