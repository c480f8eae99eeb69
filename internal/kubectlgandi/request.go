package kubectlgandi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// defaultTimeout bounds every wait for the operator.
const defaultTimeout = 2 * time.Minute

// freshValue is a new request value: the time, which also tells a reader
// when it was asked for.
func freshValue() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// target is the object one command acts on.
type target struct {
	kind kind
	key  types.NamespacedName
}

func (t target) String() string { return strings.ToLower(t.kind.Kind) + "/" + t.key.Name }

func (r *root) target(ref string, allowed ...string) (target, error) {
	k, name, err := parseRef(ref, allowed...)
	if err != nil {
		return target{}, err
	}
	ns, err := r.namespace()
	if err != nil {
		return target{}, err
	}
	return target{kind: k, key: types.NamespacedName{Namespace: ns, Name: name}}, nil
}

// mergePatch sends a JSON merge patch of obj; a nil value removes a key.
func mergePatch(ctx context.Context, c client.Client, obj client.Object, patch map[string]any) error {
	data, err := json.Marshal(patch)
	if err != nil {
		return err
	}
	return c.Patch(ctx, obj, client.RawPatch(types.MergePatchType, data))
}

func annotationsPatch(set map[string]any) map[string]any {
	return map[string]any{"metadata": map[string]any{"annotations": set}}
}

// pending is the request a command wrote, as it stays in the object when
// the wait for its answer ends first: the operator still acts on it.
type pending struct {
	request string // where it is and its value: spec.restartRequest: "…"
	still   string // what the operator still does with it
	path    string // the status field that answers it, as a JSONPath
	want    string // what that field shows once it is done
}

func (p pending) describe(t target) string {
	return fmt.Sprintf("the request stays in the object (%s), so the operator still %s; see whether it has with `kubectl get %s %s -n %s -o jsonpath='{%s}'` (%s once done)",
		p.request, p.still, strings.ToLower(t.kind.Kind), t.key.Name, t.key.Namespace, p.path, p.want)
}

// waitUntil reads the object every pollInterval until done says so, the
// operator reports that it cannot be done, the timeout passes or ctx is
// cancelled (Ctrl-C); the error then says what the object last reported
// and that the request p is still there to be acted on.
func waitUntil(ctx context.Context, c client.Client, t target, timeout time.Duration, p pending, done func(client.Object) (bool, error)) (client.Object, error) {
	obj := t.kind.new()
	start := time.Now()
	// The object is read under the caller's context, not the poll's: a
	// read under the poll's deadline fails as that deadline comes (the
	// client's rate limiter refuses to wait past it: "Wait(n=1) would
	// exceed context deadline"), and that error would stand for the
	// timeout. The poll's own deadline still ends the wait.
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(context.Context) (bool, error) {
		if err := c.Get(ctx, t.key, obj); err != nil {
			return false, fmt.Errorf("read %s: %w", t, err)
		}
		return done(obj)
	})
	switch {
	case err == nil:
		return obj, nil
	case ctx.Err() != nil:
		// wait.Interrupted is true of a cancel too: only the caller's
		// context tells the user's interrupt from the timeout.
		return obj, fmt.Errorf("%s: interrupted after %s, before the operator reported it done; %s; %s",
			t, elapsed(start), describeConditions(obj), p.describe(t))
	case wait.Interrupted(err):
		return obj, fmt.Errorf("%s: not done after %s (--timeout %s); %s; %s",
			t, elapsed(start), timeout, describeConditions(obj), p.describe(t))
	}
	return obj, err
}

// elapsed is the time since start as a user reads it: tenths of a second,
// whole seconds past a minute.
func elapsed(start time.Time) time.Duration {
	d := time.Since(start)
	if d >= time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// describeConditions says what Ready and Synced last reported.
func describeConditions(obj client.Object) string {
	var parts []string
	for _, ct := range []string{hostingv1alpha1.ConditionSynced, hostingv1alpha1.ConditionReady} {
		if c := meta.FindStatusCondition(conditionsOf(obj), ct); c != nil {
			parts = append(parts, fmt.Sprintf("%s is %s (%s): %s", ct, c.Status, c.Reason, c.Message))
		}
	}
	if len(parts) == 0 {
		return "the operator has reported nothing yet (is it running?)"
	}
	return strings.Join(parts, "; ")
}

func isPaused(obj client.Object) bool {
	return obj.GetAnnotations()[hostingv1alpha1.AnnotationPaused] == "true"
}

// errPaused says why a paused object is not acted on.
func errPaused(t target) error {
	return fmt.Errorf("%s is paused (annotation %s): the operator does nothing with it; run `kubectl gandi resume %s` first",
		t, hostingv1alpha1.AnnotationPaused, t)
}

// ownedElsewhere is the condition by which the operator last reported,
// for obj's current generation, that another object manages what obj
// names (OwnedByAnotherObject): it then sends nothing to Gandi for obj,
// so a request written into it is not performed, and a wait for it could
// only end on its --timeout. A report of an older
// generation is not taken: the spec has changed since, and the next pass
// judges it.
func ownedElsewhere(obj client.Object) *metav1.Condition {
	c := meta.FindStatusCondition(conditionsOf(obj), hostingv1alpha1.ConditionSynced)
	if c == nil || c.Reason != hostingv1alpha1.ReasonOwnedByAnotherObject || c.ObservedGeneration != obj.GetGeneration() {
		return nil
	}
	return c
}

// errOwnedElsewhere refuses, before anything is written, a request the
// operator will not act on (ownedElsewhere). The report may be stale (the
// other object deleted since, or pointed elsewhere): a reconcile, which is
// never refused on it, has the operator judge it again.
func errOwnedElsewhere(t target, c *metav1.Condition, what string) error {
	return fmt.Errorf("%s reports %s: %s; the operator sends nothing to Gandi for it while another object manages what it names, so it cannot be %s; nothing was requested (if that object is gone or names something else now, `kubectl gandi reconcile %s -n %s` has the operator judge it again)",
		t, c.Reason, c.Message, what, t, t.key.Namespace)
}

// judgedAgain fails a wait for a pass (requestPass) once the operator
// reports, after the request was written, that another object manages
// what o names: it then reads nothing at Gandi. answered says o's
// lastHandledReconcileAt shows the request: the pass judged it, and a
// report that stands is its verdict. Before that, before is the Synced
// condition o showed right after the write: an OwnedByAnotherObject report
// identical to it may be the stale one the request asked to have judged
// again, so it does not end the wait; only a report written since does.
func judgedAgain(o client.Object, t target, before *metav1.Condition, answered bool) error {
	c := meta.FindStatusCondition(conditionsOf(o), hostingv1alpha1.ConditionSynced)
	if c == nil || c.Reason != hostingv1alpha1.ReasonOwnedByAnotherObject || (!answered && sameReport(c, before)) {
		return nil
	}
	return fmt.Errorf("%s reports %s, judged since the request: %s; the operator sends nothing to Gandi for it while another object manages what it names, so no pass reads it at Gandi; ask again once it reports otherwise",
		t, c.Reason, c.Message)
}

// sameReport reports that two conditions are the same write.
func sameReport(a, b *metav1.Condition) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Status == b.Status && a.Reason == b.Reason && a.Message == b.Message &&
		a.ObservedGeneration == b.ObservedGeneration && a.LastTransitionTime.Equal(&b.LastTransitionTime)
}

// notActedOn fails a wait at once when the operator reports, for the
// generation gen the request was written in or a later one, that another
// object manages what o names: the request stays in the object, but is
// not performed while it is so.
func notActedOn(o client.Object, t target, gen int64) error {
	if c := ownedElsewhere(o); c != nil && c.ObservedGeneration >= gen {
		return fmt.Errorf("%s reports %s: %s; the operator sends nothing to Gandi for it while another object manages what it names, so the request written is not performed; ask again once it reports otherwise",
			t, c.Reason, c.Message)
	}
	return nil
}

// report prints the outcome: a line, or with -o the object as it is now.
func (r *root) report(obj client.Object, line string) error {
	if r.output != "" {
		return r.printObjects([]client.Object{obj}, false)
	}
	_, err := fmt.Fprintln(r.streams.Out, line)
	return err
}

// prepare is what every acting command does first: check the flags, find
// the object, and refuse one the operator would not act on.
func (r *root) prepare(ctx context.Context, ref string, allowed ...string) (client.Client, target, client.Object, error) {
	if err := r.validateOutput(); err != nil {
		return nil, target{}, nil, err
	}
	if r.allNamespaces {
		return nil, target{}, nil, errors.New("KIND/NAME names one object: give its namespace with -n, not --all-namespaces")
	}
	t, err := r.target(ref, allowed...)
	if err != nil {
		return nil, target{}, nil, err
	}
	c, err := r.client()
	if err != nil {
		return nil, target{}, nil, err
	}
	obj := t.kind.new()
	if err := c.Get(ctx, t.key, obj); err != nil {
		return nil, target{}, nil, fmt.Errorf("read %s in namespace %s: %w", t, t.key.Namespace, err)
	}
	return c, t, obj, nil
}

func newReconcileCommand(r *root) *cobra.Command {
	timeout := defaultTimeout
	cmd := &cobra.Command{
		Use:   "reconcile KIND/NAME",
		Short: "Ask the operator for a pass now and wait until it has observed the object at Gandi",
		Long: `Sets the annotation ` + hostingv1alpha1.AnnotationRequestedAt + ` to a new value, which
wakes the object at once, and waits until status.lastHandledReconcileAt shows
that a pass which read the object at Gandi has seen it. An object reporting
OwnedByAnotherObject is asked too: the pass judges that report again, and
the command fails at once, saying so, if the report stands.`,
		Example: "  kubectl gandi reconcile hostinginstance/shop -n web",
		Args:    oneRef("reconcile", "object"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, t, obj, err := r.prepare(ctx, args[0])
			if err != nil {
				return err
			}
			if isPaused(obj) {
				return errPaused(t)
			}
			// Not refused on OwnedByAnotherObject: that report stays until
			// a pass judges the object again, and asking for one is what
			// this command does.
			obj, err = requestPass(ctx, c, obj, t, timeout, nil, "request a reconcile of", "makes a pass that reads it at Gandi")
			if err != nil {
				return err
			}
			return r.report(obj, fmt.Sprintf("%s reconciled (%s)", t, describeConditions(obj)))
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "how long to wait for the operator")
	return cmd
}

// action is something the operator does once when asked, and answers in
// status: for most kinds a request field performed once per new value.
type action struct {
	use, short string
	noun       string         // what it acts on, for the usage line
	targets    []actionTarget // one per kind it acts on
}

// actionTarget is an action on one kind: how it is asked and how the
// status answers it.
type actionTarget struct {
	kind string
	done string // what the report says once it is done
	help string // how it is asked and answered, for --help
	// patch asks for it; value is a fresh request value.
	patch func(value string) map[string]any
	// answered says whether the status shows the request of value done,
	// or why waiting longer cannot help.
	answered func(o client.Object, value string) (bool, error)
	// pending is the request as it stays in the object.
	pending func(value string) pending
	// report, when set, is the line printed once it is done.
	report func(o client.Object, value string) string
	// refuse, when set, says why o cannot be asked at all; it is checked
	// before anything is written, so no request is left in the object.
	refuse func(o client.Object) error
}

func (a action) kinds() []string {
	out := make([]string, 0, len(a.targets))
	for _, tg := range a.targets {
		out = append(out, tg.kind)
	}
	return out
}

func (a action) target(kind string) actionTarget {
	for _, tg := range a.targets {
		if tg.kind == kind {
			return tg
		}
	}
	panic("kubectl gandi " + a.use + ": no target for kind " + kind) // parseRef admits only a.kinds()
}

// requestField is an action asked by a spec field that the operator
// performs once per new value, the value last performed being at the
// status path.
func requestField(kind, field, path, done string, performed func(client.Object) string) actionTarget {
	return actionTarget{
		kind: kind, done: done,
		help: "sets spec." + field + " to a new value, which the operator performs once, and waits until " + path + " reports that value performed.",
		patch: func(v string) map[string]any {
			return map[string]any{"spec": map[string]any{field: v}}
		},
		answered: func(o client.Object, v string) (bool, error) {
			if performed(o) == v {
				return true, nil
			}
			// Not sent again, so waiting longer cannot help.
			if c := meta.FindStatusCondition(conditionsOf(o), hostingv1alpha1.ConditionSynced); c != nil &&
				c.Reason == hostingv1alpha1.ReasonActionUnconfirmed && strings.Contains(c.Message, "for request "+v+" ") {
				return false, errors.New(c.Message)
			}
			return false, nil
		},
		pending: func(v string) pending {
			return pending{request: fmt.Sprintf("spec.%s: %q", field, v), still: "performs it, once", path: path, want: v}
		},
	}
}

// paasConsole opens a PaaSInstance's console. Its spec has no console
// request, only spec.console, a state the operator keeps: Gandi closes a
// console after a while, and the operator opens it again for as long as
// spec.console is true. Nor does its status record a request performed;
// what answers is a read at Gandi made after the change: the write also
// asks for a pass, and the pass that records it handled
// (lastHandledReconcileAt) is one that observed the instance and sent it
// nothing more, so the console it shows is Gandi's answer.
var paasConsole = actionTarget{
	kind: kindPaaSInstance, done: "console enabled",
	help: "sets spec.console: true (a state, not a request: the operator keeps the console open, opening it again when Gandi closes it, until spec.console is false) and asks for a pass in the same write, then waits until a pass that read the instance at Gandi after it shows the console open in status.console.",
	patch: func(v string) map[string]any {
		return map[string]any{
			"metadata": map[string]any{"annotations": map[string]any{hostingv1alpha1.AnnotationRequestedAt: v}},
			"spec":     map[string]any{"console": true},
		}
	},
	answered: func(o client.Object, v string) (bool, error) {
		pi, ok := o.(*hostingv1alpha1.PaaSInstance)
		if !ok || pi.Status.LastHandledReconcileAt != v {
			return false, nil
		}
		if pi.Status.Console != nil && pi.Status.Console.Enabled {
			return true, nil
		}
		return false, fmt.Errorf("the console is closed at Gandi after the request (instance state %q; Gandi changes only a running instance); %s",
			pi.Status.State, describeConditions(o))
	},
	pending: func(v string) pending {
		return pending{request: fmt.Sprintf("spec.console: true, annotation %s: %q", hostingv1alpha1.AnnotationRequestedAt, v),
			still: "opens the console", path: ".status.console.enabled", want: "true"}
	},
	report: func(o client.Object, _ string) string {
		url := ""
		if pi, ok := o.(*hostingv1alpha1.PaaSInstance); ok && pi.Status.Console != nil {
			url = pi.Status.Console.URL
		}
		return fmt.Sprintf("paasinstance/%s console enabled (%s); it stays open while spec.console is true: set it to false to close it", o.GetName(), url)
	},
}

var (
	restartAction = action{
		use: "restart", short: "Restart a Web Hosting or PaaS instance", noun: "instance",
		targets: []actionTarget{
			requestField(kindHostingInstance, "restartRequest", ".status.lastActions.restart", "restarted",
				func(o client.Object) string { return lastActions(o).Restart }),
			requestField(kindPaaSInstance, "restartRequest", ".status.lastRequests.restart", "restarted",
				func(o client.Object) string { return paasLastRequests(o).Restart }),
		},
	}
	consoleAction = action{
		use: "console", short: "Enable the emergency console of an instance (its URL is in status.console)", noun: "instance",
		targets: []actionTarget{
			requestField(kindHostingInstance, "consoleRequest", ".status.lastActions.console", "console enabled",
				func(o client.Object) string { return lastActions(o).Console }),
			paasConsole,
		},
	}
	resetDatabasePasswordAction = action{
		use: "reset-db-password", short: "Reset the database administrator password of an instance (of a PaaS instance: the MySQL root password)", noun: "instance",
		targets: []actionTarget{
			requestField(kindHostingInstance, "resetDatabasePasswordRequest", ".status.lastActions.resetDatabasePassword", "database password reset",
				func(o client.Object) string { return lastActions(o).ResetDatabasePassword }),
			withRefusal(requestField(kindPaaSInstance, "resetMySQLPasswordRequest", ".status.lastRequests.resetMySQLPassword", "MySQL root password reset",
				func(o client.Object) string { return paasLastRequests(o).ResetMySQLPassword }), withoutMySQL),
		},
	}
	purgeAction = action{
		use: "purge", short: "Purge the cache of a vhost", noun: "vhost",
		targets: []actionTarget{
			requestField(kindVhost, "cachePurgeRequest", ".status.lastCachePurge", "cache purged",
				func(o client.Object) string {
					if vh, ok := o.(*hostingv1alpha1.Vhost); ok {
						return vh.Status.LastCachePurge
					}
					return ""
				}),
		},
	}
)

func withRefusal(tg actionTarget, refuse func(client.Object) error) actionTarget {
	tg.refuse = refuse
	return tg
}

// withoutMySQL refuses a MySQL password reset of a PaaSInstance whose type
// embeds another database (paas.MayHaveMySQL, the rule the operator and the
// CRD apply too): Gandi's reset_mysql_password has no MySQL root password
// to reset there. The type is Gandi's (status) once observed, the spec's
// before.
func withoutMySQL(o client.Object) error {
	pi, ok := o.(*hostingv1alpha1.PaaSInstance)
	if !ok {
		return nil
	}
	typ := cmp.Or(pi.Status.Type, pi.Spec.Type)
	if !paas.MayHaveMySQL(typ) {
		return fmt.Errorf("its type %s embeds %s, not MySQL: there is no MySQL root password to reset", typ, paas.TypeDatabase(typ))
	}
	return nil
}

func lastActions(o client.Object) hostingv1alpha1.LastActions {
	if hi, ok := o.(*hostingv1alpha1.HostingInstance); ok && hi.Status.LastActions != nil {
		return *hi.Status.LastActions
	}
	return hostingv1alpha1.LastActions{}
}

func paasLastRequests(o client.Object) hostingv1alpha1.PaaSLastRequests {
	if pi, ok := o.(*hostingv1alpha1.PaaSInstance); ok && pi.Status.LastRequests != nil {
		return *pi.Status.LastRequests
	}
	return hostingv1alpha1.PaaSLastRequests{}
}

func newActionCommand(r *root, a action) *cobra.Command {
	timeout := defaultTimeout
	long := a.short + "."
	examples := make([]string, 0, len(a.targets))
	for _, tg := range a.targets {
		long += "\n\nOf a " + strings.ToLower(tg.kind) + ": " + tg.help
		examples = append(examples, "  kubectl gandi "+a.use+" "+refExample([]string{tg.kind})+" -n web")
	}
	cmd := &cobra.Command{
		Use:     a.use + " " + refForm(a.kinds()),
		Short:   a.short,
		Long:    long,
		Example: strings.Join(examples, "\n"),
		Args:    oneRef(a.use, a.noun, a.kinds()...),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, t, obj, err := r.prepare(ctx, args[0], a.kinds()...)
			if err != nil {
				return err
			}
			tg := a.target(t.kind.Kind)
			if tg.refuse != nil {
				if err := tg.refuse(obj); err != nil {
					return fmt.Errorf("%s of %s refused: %w; nothing was requested", a.use, t, err)
				}
			}
			if isPaused(obj) {
				return errPaused(t)
			}
			if managementPolicyOf(obj) == hostingv1alpha1.ManagementPolicyObserve {
				return fmt.Errorf("%s has managementPolicy Observe: the operator sends nothing to Gandi for it, so it cannot be %s; set it to Manage first", t, tg.done)
			}
			if c := ownedElsewhere(obj); c != nil {
				return errOwnedElsewhere(t, c, tg.done)
			}
			value := freshValue()
			if err := mergePatch(ctx, c, obj, tg.patch(value)); err != nil {
				return fmt.Errorf("request %s of %s: %w", a.use, t, err)
			}
			gen := obj.GetGeneration()
			obj, err = waitUntil(ctx, c, t, timeout, tg.pending(value), func(o client.Object) (bool, error) {
				if !o.GetDeletionTimestamp().IsZero() {
					return false, errors.New(t.String() + " is being deleted")
				}
				if err := notActedOn(o, t, gen); err != nil {
					return false, err
				}
				done, err := tg.answered(o, value)
				if err != nil {
					return false, fmt.Errorf("%s: %w", t, err)
				}
				return done, nil
			})
			if err != nil {
				return err
			}
			line := fmt.Sprintf("%s %s (request %s)", t, tg.done, value)
			if tg.report != nil {
				line = tg.report(obj, value)
			}
			return r.report(obj, line)
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "how long to wait for the operator")
	return cmd
}

func newSuspendCommand(r *root) *cobra.Command {
	timeout := defaultTimeout
	cmd := &cobra.Command{
		Use:   "suspend KIND/NAME",
		Short: "Pause an object: the operator sends nothing to Gandi for it until it is resumed",
		Long: `Sets the annotation ` + hostingv1alpha1.AnnotationPaused + `: "true" and waits until the
operator reports the object paused (Synced False, ReconcilePaused).`,
		Example: "  kubectl gandi suspend hostinginstance/shop -n web",
		Args:    oneRef("suspend", "object"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, t, obj, err := r.prepare(ctx, args[0])
			if err != nil {
				return err
			}
			if err := mergePatch(ctx, c, obj, annotationsPatch(map[string]any{hostingv1alpha1.AnnotationPaused: "true"})); err != nil {
				return fmt.Errorf("pause %s: %w", t, err)
			}
			p := pending{request: fmt.Sprintf("annotation %s: \"true\"", hostingv1alpha1.AnnotationPaused), still: "pauses it",
				path: `.status.conditions[?(@.type=="Synced")].reason`, want: hostingv1alpha1.ReasonReconcilePaused}
			obj, err = waitUntil(ctx, c, t, timeout, p, func(o client.Object) (bool, error) {
				s := meta.FindStatusCondition(conditionsOf(o), hostingv1alpha1.ConditionSynced)
				return s != nil && s.Reason == hostingv1alpha1.ReasonReconcilePaused, nil
			})
			if err != nil {
				return err
			}
			return r.report(obj, t.String()+" suspended")
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "how long to wait for the operator")
	return cmd
}

func newResumeCommand(r *root) *cobra.Command {
	timeout := defaultTimeout
	cmd := &cobra.Command{
		Use:   "resume KIND/NAME",
		Short: "Resume a paused object and wait for the pass that catches up",
		Long: `Removes the annotation ` + hostingv1alpha1.AnnotationPaused + ` and, in the same write, asks
for a reconcile (` + hostingv1alpha1.AnnotationRequestedAt + `), then waits until a pass has observed the
object at Gandi, so that what changed while it was paused has been applied.`,
		Example: "  kubectl gandi resume hostinginstance/shop -n web",
		Args:    oneRef("resume", "object"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, t, obj, err := r.prepare(ctx, args[0])
			if err != nil {
				return err
			}
			obj, err = requestPass(ctx, c, obj, t, timeout, map[string]any{hostingv1alpha1.AnnotationPaused: nil}, "resume",
				"resumes it and makes a pass that catches up")
			if err != nil {
				return err
			}
			return r.report(obj, fmt.Sprintf("%s resumed (%s)", t, describeConditions(obj)))
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", timeout, "how long to wait for the operator")
	return cmd
}

// requestPass sets a fresh requested-at value, with the other annotation
// changes of the same write (nil removes one), and waits until a pass that
// observed the object at Gandi reports it handled.
// still says what the operator does with the request if the wait ends first.
func requestPass(ctx context.Context, c client.Client, obj client.Object, t target, timeout time.Duration, also map[string]any, verb, still string) (client.Object, error) {
	value := freshValue()
	changes := map[string]any{hostingv1alpha1.AnnotationRequestedAt: value}
	for k, v := range also {
		changes[k] = v
	}
	if err := mergePatch(ctx, c, obj, annotationsPatch(changes)); err != nil {
		return nil, fmt.Errorf("%s %s: %w", verb, t, err)
	}
	// The object as the write left it: what its status says was written
	// before the request, and answers nothing of it.
	before := meta.FindStatusCondition(conditionsOf(obj), hostingv1alpha1.ConditionSynced)
	if before != nil {
		before = before.DeepCopy()
	}
	p := pending{request: fmt.Sprintf("annotation %s: %q", hostingv1alpha1.AnnotationRequestedAt, value), still: still,
		path: ".status.lastHandledReconcileAt", want: value}
	return waitUntil(ctx, c, t, timeout, p, func(o client.Object) (bool, error) {
		answered := lastHandledReconcileAt(o) == value
		if err := judgedAgain(o, t, before, answered); err != nil {
			return false, err
		}
		return answered, nil
	})
}
