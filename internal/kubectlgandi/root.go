// Package kubectlgandi is the kubectl plugin `kubectl gandi`: import what
// a Gandi account holds, ask the operator for a pass or an action and wait
// until it is done, pause and resume objects, and show an instance's tree.
// It talks to the cluster as kubectl does (the same kubeconfig flags) and,
// for import only, to Gandi with the operator's own client.
package kubectlgandi

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/cli-runtime/pkg/printers"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/version"
)

// FieldManager is the field manager of every write the plugin makes.
const FieldManager = "kubectl-gandi"

// Output formats of -o, and the kinds commands are restricted to.
const (
	outputJSON          = "json"
	outputYAML          = "yaml"
	kindHostingInstance = "HostingInstance"
	kindVhost           = "Vhost"
	kindPaaSInstance    = "PaaSInstance"
)

// root holds what every subcommand shares: the kubeconfig flags, -A, -o
// and the streams.
type root struct {
	flags         *genericclioptions.ConfigFlags
	streams       genericiooptions.IOStreams
	output        string
	allNamespaces bool
	scheme        *runtime.Scheme
}

// NewCommand returns `kubectl gandi` with its subcommands.
func NewCommand(streams genericiooptions.IOStreams) *cobra.Command {
	r := &root{flags: genericclioptions.NewConfigFlags(true), streams: streams, scheme: runtime.NewScheme()}
	utilruntime.Must(clientgoscheme.AddToScheme(r.scheme))
	utilruntime.Must(hostingv1alpha1.AddToScheme(r.scheme))
	cmd := &cobra.Command{
		Use:   "kubectl-gandi",
		Short: "Work with gandi-operator objects and the Gandi account behind them",
		Annotations: map[string]string{
			// Shown as "kubectl gandi" in the usage text.
			cobra.CommandDisplayNameAnnotation: "kubectl gandi",
		},
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	// Defined here so that cobra adds no -v: kubectl keeps -v for verbosity.
	cmd.Flags().Bool("version", false, "print the version of kubectl gandi")
	pf := cmd.PersistentFlags()
	r.flags.AddFlags(pf)
	pf.StringVarP(&r.output, "output", "o", "", "output format: yaml or json")
	pf.BoolVarP(&r.allNamespaces, "all-namespaces", "A", false, "act on every namespace (tree)")
	cmd.AddCommand(
		newImportCommand(r),
		newReconcileCommand(r),
		newActionCommand(r, restartAction),
		newActionCommand(r, consoleAction),
		newActionCommand(r, resetDatabasePasswordAction),
		newActionCommand(r, purgeAction),
		newSuspendCommand(r),
		newResumeCommand(r),
		newTreeCommand(r),
	)
	return cmd
}

func (r *root) validateOutput() error {
	switch r.output {
	case "", outputYAML, outputJSON:
		return nil
	}
	return fmt.Errorf("unknown output format %q: use yaml or json", r.output)
}

// client is a client of the cluster the kubeconfig flags name.
func (r *root) client() (client.Client, error) {
	cfg, err := r.flags.ToRESTConfig()
	if err != nil {
		return nil, fmt.Errorf("read the kubeconfig: %w", err)
	}
	c, err := client.New(cfg, client.Options{Scheme: r.scheme})
	if err != nil {
		return nil, fmt.Errorf("connect to the cluster: %w", err)
	}
	return client.WithFieldOwner(c, FieldManager), nil
}

// namespace is -n, or the kubeconfig context's namespace, as in kubectl.
func (r *root) namespace() (string, error) {
	ns, _, err := r.flags.ToRawKubeConfigLoader().Namespace()
	if err != nil {
		return "", fmt.Errorf("read the namespace from the kubeconfig: %w", err)
	}
	return ns, nil
}

// printObjects prints objs as manifests (status and server-set metadata
// left out): YAML documents by default, or, with -o json, one v1 List as
// kubectl prints several objects.
func (r *root) printObjects(objs []client.Object, manifests bool) error {
	items := make([]unstructured.Unstructured, 0, len(objs))
	for _, obj := range objs {
		u, err := r.unstructured(obj, manifests)
		if err != nil {
			return err
		}
		items = append(items, *u)
	}
	if r.output == outputJSON {
		list := &unstructured.UnstructuredList{Object: map[string]any{"apiVersion": "v1", "kind": "List", "metadata": map[string]any{}}, Items: items}
		return (&printers.JSONPrinter{}).PrintObj(list, r.streams.Out)
	}
	p := &printers.YAMLPrinter{}
	for i := range items {
		if err := p.PrintObj(&items[i], r.streams.Out); err != nil {
			return err
		}
	}
	return nil
}

func (r *root) unstructured(obj client.Object, manifest bool) (*unstructured.Unstructured, error) {
	if obj.GetObjectKind().GroupVersionKind().Empty() {
		gvks, _, err := r.scheme.ObjectKinds(obj)
		if err != nil || len(gvks) == 0 {
			return nil, fmt.Errorf("no kind for %T: %w", obj, err)
		}
		obj.GetObjectKind().SetGroupVersionKind(gvks[0])
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("convert %s: %w", obj.GetName(), err)
	}
	u := &unstructured.Unstructured{Object: m}
	if manifest {
		delete(u.Object, "status")
		unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	}
	return u, nil
}

// applyObject server-side applies a manifest. Without force, a field
// another field manager set since (the user took a credentialsRef or
// deletionPolicy over after an earlier import) is a conflict the API server
// refuses, and nothing of the object is written (fieldConflicts reads which
// fields); with force (--force-conflicts), the import takes them back, as
// kubectl apply --server-side --force-conflicts does.
func applyObject(ctx context.Context, c client.Client, obj client.Object, force bool) error {
	u := &unstructured.Unstructured{}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return fmt.Errorf("convert %s: %w", obj.GetName(), err)
	}
	u.Object = m
	delete(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	opts := []client.ApplyOption{client.FieldOwner(FieldManager)}
	if force {
		opts = append(opts, client.ForceOwnership)
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), opts...); err != nil {
		return fmt.Errorf("apply %s: %w", objectRef(u), err)
	}
	return nil
}

// pollInterval is how often a wait looks at the object again.
const pollInterval = 250 * time.Millisecond
