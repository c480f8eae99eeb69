package kubectlgandi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// Node is one line of a tree: an object with its conditions, or a DNS
// record a vhost still needs. It is also what -o yaml|json prints.
type Node struct {
	Kind      string     `json:"kind"`
	Namespace string     `json:"namespace,omitempty"`
	Name      string     `json:"name"`
	Synced    *Condition `json:"synced,omitempty"`
	Ready     *Condition `json:"ready,omitempty"`
	// Record is a DNS record to publish, for Kind DNSRecord.
	Record   string `json:"record,omitempty"`
	Children []Node `json:"children,omitempty"`
}

// Condition is a condition's status, reason and message.
type Condition struct {
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message,omitempty"`
}

func condition(obj client.Object, t string) *Condition {
	if c := meta.FindStatusCondition(conditionsOf(obj), t); c != nil {
		return &Condition{Status: string(c.Status), Reason: c.Reason, Message: c.Message}
	}
	return nil
}

func objectNode(kind string, obj client.Object) Node {
	return Node{Kind: kind, Namespace: obj.GetNamespace(), Name: obj.GetName(),
		Synced: condition(obj, hostingv1alpha1.ConditionSynced), Ready: condition(obj, hostingv1alpha1.ConditionReady)}
}

// InstanceTree is the tree of one instance: its vhosts (those naming it by
// instanceRef, or by instanceID once its Gandi ID is known), by name, and
// under each the DNS records it still needs.
func InstanceTree(hi *hostingv1alpha1.HostingInstance, vhosts []hostingv1alpha1.Vhost) Node {
	root := objectNode(kindHostingInstance, hi)
	id := cmp.Or(hi.Annotations[hostingv1alpha1.AnnotationExternalID], hi.Status.ID)
	var mine []hostingv1alpha1.Vhost
	for _, vh := range vhosts {
		if vh.Namespace != hi.Namespace {
			continue
		}
		if (vh.Spec.InstanceRef != nil && vh.Spec.InstanceRef.Name == hi.Name) || (id != "" && vh.Spec.InstanceID == id) {
			mine = append(mine, vh)
		}
	}
	slices.SortFunc(mine, func(a, b hostingv1alpha1.Vhost) int { return cmp.Compare(a.Name, b.Name) })
	for i := range mine {
		n := objectNode(kindVhost, &mine[i])
		for _, r := range neededRecords(mine[i].Status.DNS) {
			n.Children = append(n.Children, Node{Kind: kindDNSRecord, Name: r.name, Record: r.record})
		}
		root.Children = append(root.Children, n)
	}
	return root
}

// kindDNSRecord is the Kind of a tree row that is a DNS record to publish.
const kindDNSRecord = "DNSRecord"

type dnsRecord struct{ name, record string }

// neededRecords are the records status.dns says are still missing: none
// once Gandi found them (altered, livedns_done), as the operator's
// DNSConfigured condition reads it.
func neededRecords(d *hostingv1alpha1.VhostDNSStatus) []dnsRecord {
	if d == nil || d.LastCheckedStatus == "altered" || d.LastCheckedStatus == "livedns_done" {
		return nil
	}
	name := d.Domain
	if d.Key != "" && d.Key != "@" {
		name = d.Key + "." + d.Domain
	}
	var out []dnsRecord
	if d.IsRoot {
		if d.IPv4 != "" {
			out = append(out, dnsRecord{name, "A " + d.IPv4})
		}
		if d.IPv6 != "" {
			out = append(out, dnsRecord{name, "AAAA " + d.IPv6})
		}
	} else if d.CNAME != "" {
		out = append(out, dnsRecord{name, "CNAME " + d.CNAME})
	}
	if d.TXT != "" {
		out = append(out, dnsRecord{name, fmt.Sprintf("TXT %q", d.TXT)})
	}
	return out
}

// PrintTrees writes trees as crossplane beta trace does: one row per node,
// the tree drawn in the NAME column, then SYNCED and READY with their
// reasons, and last (so that a long value widens no other column) STATUS:
// the record a DNS row still needs, or why an object is not Synced or not
// Ready. Nothing in it depends on time or map order.
func PrintTrees(w io.Writer, trees []Node, withNamespace bool) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	header := "NAME\tSYNCED\tREADY\tSTATUS"
	if withNamespace {
		header = "NAMESPACE\t" + header
	}
	// Writes into the tabwriter and the buffer cannot fail.
	_, _ = fmt.Fprintln(tw, header)
	for _, t := range trees {
		printNode(tw, t, t.Namespace, "", "", withNamespace)
	}
	_ = tw.Flush()
	// The padding of an empty STATUS would end the line in blanks.
	var out strings.Builder
	for line := range strings.Lines(buf.String()) {
		out.WriteString(strings.TrimRight(line, " \n") + "\n")
	}
	_, err := io.WriteString(w, out.String())
	return err
}

func printNode(w io.Writer, n Node, namespace, prefix, childPrefix string, withNamespace bool) {
	status := n.Record
	if n.Kind == kindDNSRecord {
		status = "needed: " + n.Record
	} else {
		for _, c := range []*Condition{n.Synced, n.Ready} {
			if c != nil && c.Status != string(metav1.ConditionTrue) {
				status = c.Message
				break
			}
		}
	}
	row := prefix + n.Kind + "/" + n.Name + "\t" + conditionText(n.Synced, n.Kind) + "\t" + conditionText(n.Ready, n.Kind) + "\t" + status
	if withNamespace {
		row = namespace + "\t" + row
	}
	_, _ = fmt.Fprintln(w, row)
	for i, c := range n.Children {
		branch, next := "├─ ", "│  "
		if i == len(n.Children)-1 {
			branch, next = "└─ ", "   "
		}
		printNode(w, c, namespace, childPrefix+branch, childPrefix+next, withNamespace)
	}
}

func conditionText(c *Condition, kind string) string {
	switch {
	case kind == kindDNSRecord:
		return "-"
	case c == nil:
		return "Unknown"
	case c.Reason == "":
		return c.Status
	}
	return c.Status + " (" + c.Reason + ")"
}

func newTreeCommand(r *root) *cobra.Command {
	return &cobra.Command{
		Use:   "tree [hostinginstance/NAME]",
		Short: "Show an instance, its vhosts and the DNS records they still need, with Ready and Synced",
		Long: `Prints a HostingInstance and, below it, its Vhosts and the DNS records each
still needs, with each object's Synced and Ready conditions and their reasons,
as crossplane beta trace does. Without an argument: every instance of the
namespace (of every namespace with -A).`,
		Example: "  kubectl gandi tree hostinginstance/shop -n web\n  kubectl gandi tree -A",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return fmt.Errorf("tree takes at most one instance, not %d (%s): kubectl gandi tree [hostinginstance/NAME]", len(args), strings.Join(args, " "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return r.tree(cmd.Context(), args)
		},
	}
}

func (r *root) tree(ctx context.Context, args []string) error {
	if err := r.validateOutput(); err != nil {
		return err
	}
	// A bad argument is told before the cluster is reached.
	var t target
	if len(args) == 1 {
		if r.allNamespaces {
			return fmt.Errorf("give either hostinginstance/NAME or --all-namespaces")
		}
		var err error
		if t, err = r.target(args[0], kindHostingInstance); err != nil {
			return err
		}
	}
	c, err := r.client()
	if err != nil {
		return err
	}
	ns, err := r.namespace()
	if err != nil {
		return err
	}
	var instances []hostingv1alpha1.HostingInstance
	listNS := ns
	if len(args) == 1 {
		hi := &hostingv1alpha1.HostingInstance{}
		if err := c.Get(ctx, t.key, hi); err != nil {
			return fmt.Errorf("read %s in namespace %s: %w", t, ns, err)
		}
		instances = append(instances, *hi)
	} else {
		if r.allNamespaces {
			listNS = ""
		}
		list := &hostingv1alpha1.HostingInstanceList{}
		if err := c.List(ctx, list, client.InNamespace(listNS)); err != nil {
			return fmt.Errorf("list HostingInstances: %w", err)
		}
		instances = list.Items
	}
	vhosts := &hostingv1alpha1.VhostList{}
	if err := c.List(ctx, vhosts, client.InNamespace(listNS)); err != nil {
		return fmt.Errorf("list Vhosts: %w", err)
	}
	slices.SortFunc(instances, func(a, b hostingv1alpha1.HostingInstance) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	trees := make([]Node, 0, len(instances))
	for i := range instances {
		trees = append(trees, InstanceTree(&instances[i], vhosts.Items))
	}
	switch r.output {
	case outputJSON, outputYAML:
		return r.printTrees(trees)
	}
	return PrintTrees(r.streams.Out, trees, r.allNamespaces)
}

// printTrees prints the trees as data: a JSON array (-o json), or one YAML
// document per tree (-o yaml). They are not API objects (no kind of the
// API), so they are encoded directly rather than by kubectl's printers.
func (r *root) printTrees(trees []Node) error {
	if r.output == outputJSON {
		data, err := json.MarshalIndent(trees, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(r.streams.Out, "%s\n", data)
		return err
	}
	for i, t := range trees {
		data, err := yaml.Marshal(t)
		if err != nil {
			return err
		}
		if i > 0 {
			data = append([]byte("---\n"), data...)
		}
		if _, err := r.streams.Out.Write(data); err != nil {
			return err
		}
	}
	return nil
}
