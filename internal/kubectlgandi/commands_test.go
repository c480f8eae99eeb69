package kubectlgandi

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// runCommand runs kubectl gandi with args against a kubeconfig that does
// not exist: what these tests check is told before any cluster is reached.
func runCommand(t *testing.T, args ...string) error {
	t.Helper()
	var out bytes.Buffer
	cmd := NewCommand(genericiooptions.IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &out})
	cmd.SetArgs(append([]string{"--kubeconfig", filepath.Join(t.TempDir(), "absent"), "-n", "web"}, args...))
	return cmd.ExecuteContext(t.Context())
}

// A NAME given without its kind is answered with the form and an example
// of the kinds that command takes, not another command's.
func TestCommandRefExamples(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"purge", "shop"}, `"shop" is not vhost/NAME (for example vhost/www.example.com)`},
		{[]string{"reconcile", "shop-domain"}, `"shop-domain" is not KIND/NAME (for example hostinginstance/shop)`},
		{[]string{"suspend", "shop"}, `"shop" is not KIND/NAME`},
		{[]string{"tree", "shop"}, `"shop" is not hostinginstance/NAME (for example hostinginstance/shop)`},
		{[]string{"purge", "hostinginstance/shop"}, `"hostinginstance/shop": the kind must be vhost (for example vhost/www.example.com)`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := runCommand(t, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// A missing or extra argument is answered with what the command expects
// and how it is written, not only cobra's count.
func TestCommandArgumentCount(t *testing.T) {
	anyKind := "KIND being hostinginstance, vhost, template, templateapplication or paasinstance"
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"purge"}, "purge needs one vhost: kubectl gandi purge vhost/NAME"},
		{[]string{"purge", "vhost/a", "vhost/b"}, "purge takes one vhost, not 2 (vhost/a vhost/b): kubectl gandi purge vhost/NAME"},
		{[]string{"restart"}, "restart needs one instance: kubectl gandi restart hostinginstance/NAME or paasinstance/NAME"},
		{[]string{"console"}, "console needs one instance: kubectl gandi console hostinginstance/NAME or paasinstance/NAME"},
		{[]string{"reset-db-password"}, "reset-db-password needs one instance: kubectl gandi reset-db-password hostinginstance/NAME or paasinstance/NAME"},
		{[]string{"reconcile"}, "reconcile needs one object: kubectl gandi reconcile KIND/NAME, " + anyKind},
		{[]string{"suspend"}, "suspend needs one object: kubectl gandi suspend KIND/NAME, " + anyKind},
		{[]string{"resume"}, "resume needs one object: kubectl gandi resume KIND/NAME, " + anyKind},
		{[]string{"tree", "hi/a", "hi/b"}, "tree takes at most one instance, not 2 (hi/a hi/b): kubectl gandi tree [hostinginstance/NAME]"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := runCommand(t, tt.args...)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// restart, console and reset-db-password take a PaaSInstance as well as a
// HostingInstance; purge takes a vhost only.
func TestActionKinds(t *testing.T) {
	tests := []struct {
		args    []string
		refused string // "": the kind is taken (the command goes on to the cluster)
	}{
		{args: []string{"restart", "paasinstance/legacy"}},
		{args: []string{"console", "paas/legacy"}},
		{args: []string{"reset-db-password", "paasinstance/legacy"}},
		{args: []string{"restart", "hi/shop"}},
		{args: []string{"restart", "vhost/www.example.com"},
			refused: `"vhost/www.example.com": the kind must be hostinginstance or paasinstance (for example hostinginstance/shop or paasinstance/legacy)`},
		{args: []string{"restart", "shop"},
			refused: `"shop" is not hostinginstance/NAME or paasinstance/NAME (for example hostinginstance/shop or paasinstance/legacy)`},
		{args: []string{"purge", "paasinstance/legacy"}, refused: `the kind must be vhost`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			err := runCommand(t, tt.args...)
			switch {
			case err == nil:
				t.Fatal("want an error: there is no cluster")
			case tt.refused == "" && !strings.Contains(err.Error(), "from the kubeconfig"):
				t.Fatalf("got %v, want the kind taken and the cluster looked for", err)
			case tt.refused != "" && !strings.Contains(err.Error(), tt.refused):
				t.Fatalf("got %v, want %q", err, tt.refused)
			}
		})
	}
}
