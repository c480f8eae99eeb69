package kubectlgandi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
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
	err := wait.PollUntilContextTimeout(ctx, pollInterval, timeout, true, func(ctx context.Context) (bool, error) {
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
that a pass which read the object at Gandi has seen it.`,
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

// action is a request field the operator performs once per new value.
type action struct {
	use, short, kind, field, done string
	path                          string // of the status value that reports it performed
	noun                          string // what it acts on, for the usage line
	// performed is the status value that reports the request done.
	performed func(client.Object) string
}

var (
	restartAction = action{
		use: "restart", short: "Restart a Web Hosting instance", kind: kindHostingInstance, noun: "instance",
		field: "restartRequest", path: ".status.lastActions.restart", done: "restarted",
		performed: func(o client.Object) string { return lastActions(o).Restart },
	}
	consoleAction = action{
		use: "console", short: "Enable the emergency console of an instance (its URL is in status.console)", kind: kindHostingInstance, noun: "instance",
		field: "consoleRequest", path: ".status.lastActions.console", done: "console enabled",
		performed: func(o client.Object) string { return lastActions(o).Console },
	}
	resetDatabasePasswordAction = action{
		use: "reset-db-password", short: "Reset the database administrator password of an instance", kind: kindHostingInstance, noun: "instance",
		field: "resetDatabasePasswordRequest", path: ".status.lastActions.resetDatabasePassword", done: "database password reset",
		performed: func(o client.Object) string { return lastActions(o).ResetDatabasePassword },
	}
	purgeAction = action{
		use: "purge", short: "Purge the cache of a vhost", kind: kindVhost, noun: "vhost",
		field: "cachePurgeRequest", path: ".status.lastCachePurge", done: "cache purged",
		performed: func(o client.Object) string {
			if vh, ok := o.(*hostingv1alpha1.Vhost); ok {
				return vh.Status.LastCachePurge
			}
			return ""
		},
	}
)

func lastActions(o client.Object) hostingv1alpha1.LastActions {
	if hi, ok := o.(*hostingv1alpha1.HostingInstance); ok && hi.Status.LastActions != nil {
		return *hi.Status.LastActions
	}
	return hostingv1alpha1.LastActions{}
}

func newActionCommand(r *root, a action) *cobra.Command {
	timeout := defaultTimeout
	kindName := strings.ToLower(a.kind)
	cmd := &cobra.Command{
		Use:   a.use + " " + kindName + "/NAME",
		Short: a.short,
		Long: a.short + ` once: sets spec.` + a.field + ` to a new value, which the operator
performs once, and waits until the status reports that value performed.`,
		Example: "  kubectl gandi " + a.use + " " + kindName + "/shop -n web",
		Args:    oneRef(a.use, a.noun, a.kind),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, t, obj, err := r.prepare(ctx, args[0], a.kind)
			if err != nil {
				return err
			}
			if isPaused(obj) {
				return errPaused(t)
			}
			if managementPolicyOf(obj) == hostingv1alpha1.ManagementPolicyObserve {
				return fmt.Errorf("%s has managementPolicy Observe: the operator sends nothing to Gandi for it, so it cannot be %s; set it to Manage first", t, a.done)
			}
			value := freshValue()
			if err := mergePatch(ctx, c, obj, map[string]any{"spec": map[string]any{a.field: value}}); err != nil {
				return fmt.Errorf("request %s of %s: %w", a.use, t, err)
			}
			p := pending{request: fmt.Sprintf("spec.%s: %q", a.field, value), still: "performs it, once", path: a.path, want: value}
			obj, err = waitUntil(ctx, c, t, timeout, p, func(o client.Object) (bool, error) {
				if !o.GetDeletionTimestamp().IsZero() {
					return false, errors.New(t.String() + " is being deleted")
				}
				if a.performed(o) == value {
					return true, nil
				}
				// Not sent again, so waiting longer cannot help.
				if c := meta.FindStatusCondition(conditionsOf(o), hostingv1alpha1.ConditionSynced); c != nil &&
					c.Reason == hostingv1alpha1.ReasonActionUnconfirmed && strings.Contains(c.Message, "for request "+value+" ") {
					return false, fmt.Errorf("%s: %s", t, c.Message)
				}
				return false, nil
			})
			if err != nil {
				return err
			}
			return r.report(obj, fmt.Sprintf("%s %s (request %s)", t, a.done, value))
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
	p := pending{request: fmt.Sprintf("annotation %s: %q", hostingv1alpha1.AnnotationRequestedAt, value), still: still,
		path: ".status.lastHandledReconcileAt", want: value}
	return waitUntil(ctx, c, t, timeout, p, func(o client.Object) (bool, error) {
		return lastHandledReconcileAt(o) == value, nil
	})
}
