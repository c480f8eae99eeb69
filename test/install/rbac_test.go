package install_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	rbacv1 "k8s.io/api/rbac/v1"
)

// managerRules are the rules controller-gen generates from the RBAC markers
// (config/rbac/role.yaml).
func managerRules(t *testing.T) []rbacv1.PolicyRule {
	t.Helper()
	role, err := os.ReadFile(filepath.Join(root, "config/rbac/role.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var generated rbacv1.ClusterRole
	parse(t, role).one(t, "ClusterRole").into(t, &generated)
	if len(generated.Rules) == 0 {
		t.Fatal("config/rbac/role.yaml has no rules")
	}
	return generated.Rules
}

func inNamespace(objs objects, kind, ns string) objects {
	var out objects
	for _, o := range objs.ofKind(kind) {
		if o.Namespace == ns {
			out = append(out, o)
		}
	}
	return out
}

// TestChartNamespacedRBAC renders the chart with watchNamespaces: the
// manager's rules become a Role and RoleBinding in each watched namespace,
// nothing is granted cluster-wide, and the release namespace grants only
// leader election and, when objects may use it, the default token Secret
// by name.
func TestChartNamespacedRBAC(t *testing.T) {
	rules := managerRules(t)
	const sa = releaseName + "-controller-manager"

	for _, c := range []struct {
		name         string
		sets         []string
		watched      []string
		defaultToken bool // a Role for the default token Secret in the release namespace
	}{
		{"two namespaces, default token allowed", []string{"watchNamespaces={shop,blog}", "credentials.allowDefault=true"}, []string{"shop", "blog"}, true},
		{"two namespaces, no default token", []string{"watchNamespaces={shop,blog}"}, []string{"shop", "blog"}, false},
		{"the release namespace among them", []string{"watchNamespaces={shop," + namespace + "}", "credentials.allowDefault=true", "credentials.existingSecret=my-token"}, []string{"shop", namespace}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			objs := parse(t, renderChart(t, c.sets...))
			if n := len(objs.ofKind("ClusterRole")) + len(objs.ofKind("ClusterRoleBinding")); n != 0 {
				t.Errorf("the chart renders %d ClusterRoles and ClusterRoleBindings with watchNamespaces: %v", n,
					append(objs.ofKind("ClusterRole").keys(), objs.ofKind("ClusterRoleBinding").keys()...))
			}
			args := flags(t, deployment(t, objs).Spec.Template.Spec.Containers[0].Args)
			if got := strings.Split(args["watch-namespaces"], ","); !slices.Equal(got, c.watched) {
				t.Errorf("--watch-namespaces=%v, want %v", got, c.watched)
			}

			for _, ns := range c.watched {
				var role rbacv1.Role
				var found bool
				for _, o := range inNamespace(objs, "Role", ns) {
					if o.Name == releaseName+"-manager-role" {
						o.into(t, &role)
						found = true
					}
				}
				if !found {
					t.Errorf("no manager Role in namespace %s; Roles: %v", ns, objs.ofKind("Role").keys())
					continue
				}
				if d := cmp.Diff(rules, role.Rules); d != "" {
					t.Errorf("Role %s/%s rules are not config/rbac/role.yaml's (-role.yaml +chart):\n%s", ns, role.Name, d)
				}
				checkBinding(t, objs, ns, releaseName+"-manager-rolebinding", role.Name, sa)
			}

			// The release namespace: leader election, and the default token
			// Secret by name when objects may use it; nothing else.
			roles := inNamespace(objs, "Role", namespace)
			names := make([]string, 0, len(roles))
			for _, o := range roles {
				names = append(names, o.Name)
			}
			want := []string{releaseName + "-leader-election-role"}
			if c.defaultToken {
				want = append(want, releaseName+"-default-credentials-role")
			}
			if slices.Contains(c.watched, namespace) {
				want = append(want, releaseName+"-manager-role")
			}
			slices.Sort(names)
			slices.Sort(want)
			if !slices.Equal(names, want) {
				t.Errorf("Roles in the release namespace: %v, want %v", names, want)
			}
			if c.defaultToken {
				o := find(inNamespace(objs, "Role", namespace), "Role", releaseName+"-default-credentials-role")
				if o == nil {
					t.Fatal("no default token Role")
				}
				var role rbacv1.Role
				o.into(t, &role)
				wantRules := []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"secrets"}, ResourceNames: []string{"gandi-credentials"}, Verbs: []string{"get", "list", "watch"}}}
				if d := cmp.Diff(wantRules, role.Rules); d != "" {
					t.Errorf("default token Role rules (-want +chart):\n%s", d)
				}
				checkBinding(t, objs, namespace, releaseName+"-default-credentials-rolebinding", role.Name, sa)
			}

			// Every namespace the chart grants something in is watched or
			// is the release namespace.
			for _, kind := range []string{"Role", "RoleBinding"} {
				for _, o := range objs.ofKind(kind) {
					if o.Namespace != namespace && !slices.Contains(c.watched, o.Namespace) {
						t.Errorf("%s in an unwatched namespace", o.key())
					}
				}
			}
		})
	}

	t.Run("a bad or repeated namespace is refused", func(t *testing.T) {
		for _, set := range []string{"watchNamespaces={Shop}", "watchNamespaces={shop,shop}", "watchNamespaces={shop_1}"} {
			if _, _, err := tryRun(t, nil, helmBin(t), "template", releaseName, chartDir, "--namespace", namespace, "--set", set); err == nil {
				t.Errorf("helm template with %s succeeded", set)
			}
		}
	})
}

func checkBinding(t *testing.T, objs objects, ns, name, role, sa string) {
	t.Helper()
	o := find(inNamespace(objs, "RoleBinding", ns), "RoleBinding", name)
	if o == nil {
		t.Errorf("no RoleBinding %s/%s", ns, name)
		return
	}
	var b rbacv1.RoleBinding
	o.into(t, &b)
	if b.RoleRef != (rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "Role", Name: role}) {
		t.Errorf("RoleBinding %s/%s roleRef %v", ns, name, b.RoleRef)
	}
	wantSubjects := []rbacv1.Subject{{Kind: "ServiceAccount", Name: sa, Namespace: namespace}}
	if d := cmp.Diff(wantSubjects, b.Subjects); d != "" {
		t.Errorf("RoleBinding %s/%s subjects (-want +chart):\n%s", ns, name, d)
	}
}
