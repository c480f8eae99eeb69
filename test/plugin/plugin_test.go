//go:build e2e

// Package plugin runs the built kubectl-gandi against a real kube-apiserver
// and etcd, the operator's controllers wired as the manager binary wires
// them, and the Gandi simulator (in this process, so its counters can be
// read exactly). Every command is run through the binary, as a user would.
package plugin

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
	"github.com/gandi-operator/gandi-operator/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const (
	namespace = "web"
	token     = "pat_plugin-token-4e7a9c"
	orgID     = "9d3e1f6a-7c1e-11ee-b962-00163e816020"
	shopID    = "0b6d3f5e-0000-4000-8000-00000000a001"
	// apiKey is the legacy account's, for the XML-RPC API.
	apiKey      = "legacy-plugin-apikey-73d1"
	legacyOrgID = "9d3e1f6a-7c1e-11ee-b962-00163e816021"
	blogID      = "0b6d3f5e-0000-4000-8000-00000000a002"
	legacyID    = "0b6d3f5e-0000-4000-8000-00000000a003"
	// eventually bounds every wait for the operator.
	eventually = 30 * time.Second
)

// seed is the account: 3 instances, 5 vhosts, 2 editable templates and
// one of Gandi's public ones (which import leaves out).
var seed = &gandisim.Seed{
	Accounts: []gandisim.Account{{Token: token, User: "pat", Orgs: []gandisim.Org{{ID: orgID, Name: "pat-org", CanBill: true}}}},
	Domains:  []gandisim.SeedDomain{{Org: orgID, FQDN: "example.com"}},
	Instances: []gandisim.SeedInstance{
		{Org: orgID, ID: shopID, Name: "shop", Size: "starter", Location: "FR", Vhosts: []gandisim.SeedVhost{
			{FQDN: "www.example.com", Application: &gandisim.SeedApplication{Name: "wordpress"}},
			{FQDN: "shop.example.com", AllowAlteration: true},
		}},
		{Org: orgID, ID: blogID, Name: "blog", Size: "advanced", Location: "LU",
			Language: gandisim.SeedRuntime{Name: "python"}, Database: gandisim.SeedRuntime{Name: "pgsql"},
			Vhosts: []gandisim.SeedVhost{{FQDN: "blog.example.com"}, {FQDN: "news.example.com"}}},
		{Org: orgID, ID: legacyID, Name: "Legacy Site", Size: "m", Location: "FR", StorageAdditionalSize: 20, SnapshotEnabled: true, Autorenew: true,
			Vhosts: []gandisim.SeedVhost{{FQDN: "old.example.com", HTTPSStrategy: "redirect_HTTP_to_HTTPS", Certificate: true}}},
	},
	Templates: []gandisim.SeedTemplate{
		{Org: orgID, Name: "shop-domain", Description: "records and a mailbox", Payload: map[string]any{
			"dns:records":      map[string]any{"records": []any{map[string]any{"name": "@", "type": "A", "values": []any{"192.0.2.1"}, "ttl": 300}}},
			"domain:mailboxes": map[string]any{"values": []any{map[string]any{"login": "contact"}}},
		}},
		{Org: orgID, Name: "parking", Payload: map[string]any{
			"domain:nameservers": map[string]any{"service": "livedns", "addresses": []any{}},
		}},
		{Public: true, Name: "Gandi default", Payload: map[string]any{"dns:records": map[string]any{"default": true}}},
	},
}

// env is the system under test, for the whole of TestPlugin.
type env struct {
	sim    *gandisim.Server
	simURL string
	k8s    client.Client
	kc     string // admin kubeconfig
	bin    string // the built kubectl-gandi
	paasID int    // the legacy account's PaaS instance
	logs   *testenv.LogBuffer
}

func TestPlugin(t *testing.T) {
	e := start(t)
	g := NewWithT(t)

	if !t.Run("import prints manifests and writes nothing, anywhere", func(t *testing.T) {
		g := NewWithT(t)
		out := e.plugin(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--paas-apikey-secret", "gandi-apikey", "--gandi-xmlrpc-url", e.simURL+gandisim.XMLRPCPath)
		g.Expect(strings.Count(out, "\nkind: HostingInstance\n")).To(Equal(3), out)
		g.Expect(strings.Count(out, "\nkind: Vhost\n")).To(Equal(5), out)
		g.Expect(strings.Count(out, "\nkind: Template\n")).To(Equal(2), out)
		g.Expect(strings.Count(out, "\nkind: PaaSInstance\n")).To(Equal(1), out)
		g.Expect(out).To(ContainSubstring("fqdn: www.legacy-paas.example.org"))
		g.Expect(out).NotTo(ContainSubstring(apiKey))
		g.Expect(out).To(ContainSubstring(hostingv1alpha1.AnnotationExternalID + ": " + shopID))
		g.Expect(out).NotTo(ContainSubstring("Gandi default"), "a public template is not the account's")
		g.Expect(out).NotTo(ContainSubstring(token))
		g.Expect(out).NotTo(ContainSubstring("status:"))
		json := e.plugin(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--paas-apikey-secret", "gandi-apikey", "--gandi-xmlrpc-url", e.simURL+gandisim.XMLRPCPath, "-o", "json")
		g.Expect(json).To(HavePrefix("{"))
		g.Expect(json).To(ContainSubstring(`"kind": "List"`))
		some := e.plugin(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--paas-apikey-secret", "gandi-apikey", "--gandi-xmlrpc-url", e.simURL+gandisim.XMLRPCPath, "--name", "sh*")
		g.Expect(strings.Count(some, "\nkind: HostingInstance\n")).To(Equal(1), some)
		g.Expect(strings.Count(some, "\nkind: Vhost\n")).To(Equal(2), some)
		g.Expect(strings.Count(some, "\nkind: Template\n")).To(Equal(1), some)
		g.Expect(e.count(t)).To(BeZero(), "without --apply nothing reaches the cluster")
		g.Expect(e.sim.Writes()).To(BeZero())
	}) {
		t.FailNow()
	}

	if !t.Run("import --apply: every object Ready, observed, and nothing written to Gandi", func(t *testing.T) {
		g := NewWithT(t)
		out := e.plugin(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--paas-apikey-secret", "gandi-apikey", "--gandi-xmlrpc-url", e.simURL+gandisim.XMLRPCPath, "--apply")
		g.Expect(out).To(ContainSubstring("hostinginstance/legacy-site serverside-applied"))
		g.Expect(e.count(t)).To(Equal(11))
		g.Eventually(e.settled).WithTimeout(eventually).WithPolling(100*time.Millisecond).WithArguments(t, hostingv1alpha1.ReasonObserved).Should(Succeed())
		g.Expect(e.sim.Writes()).To(BeZero())
	}) {
		t.FailNow()
	}

	t.Run("tree shows the instance, its vhosts and the records they need", func(t *testing.T) {
		g := NewWithT(t)
		golden(t, "tree-shop.golden", e.plugin(t, "tree", "hostinginstance/shop"))
		g.Expect(e.plugin(t, "tree", "-A")).To(And(ContainSubstring("NAMESPACE"), ContainSubstring("HostingInstance/blog"), ContainSubstring("HostingInstance/legacy-site")))
		g.Expect(e.plugin(t, "tree", "hi/shop", "-o", "json")).To(ContainSubstring(`"kind": "Vhost"`))
	})

	if !t.Run("import --manage: handed over, and a steady pass writes nothing", func(t *testing.T) {
		g := NewWithT(t)
		e.plugin(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--paas-apikey-secret", "gandi-apikey", "--gandi-xmlrpc-url", e.simURL+gandisim.XMLRPCPath, "--apply", "--manage")
		g.Eventually(e.settled).WithTimeout(eventually).WithPolling(100*time.Millisecond).WithArguments(t, hostingv1alpha1.ReasonUpToDate).Should(Succeed())
		hi := &hostingv1alpha1.HostingInstance{}
		g.Expect(e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "shop"}, hi)).To(Succeed())
		g.Expect(hi.Spec.ManagementPolicy).To(Equal(hostingv1alpha1.ManagementPolicyManage))
		g.Expect(hi.Spec.DeletionPolicy).To(Equal(hostingv1alpha1.DeletionPolicyOrphan))
		// One more pass of everything, asked for, so it is certainly one
		// that ran with Manage.
		for _, ref := range e.refs(t) {
			e.plugin(t, "reconcile", ref)
		}
		g.Expect(e.sim.Writes()).To(BeZero(), "the generated spec is Gandi's: nothing to send")
	}) {
		t.FailNow()
	}

	t.Run("reconcile: one pass, one read of the instance at Gandi", func(t *testing.T) {
		g := NewWithT(t)
		before := e.sim.Requests(gandisim.RouteGetInstance)
		out := e.plugin(t, "reconcile", "hostinginstance/legacy-site")
		g.Expect(out).To(ContainSubstring("hostinginstance/legacy-site reconciled"))
		g.Expect(e.sim.Requests(gandisim.RouteGetInstance)).To(Equal(before+1), "the handled pass read the instance once")
		hi := &hostingv1alpha1.HostingInstance{}
		g.Expect(e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "legacy-site"}, hi)).To(Succeed())
		g.Expect(hi.Status.LastHandledReconcileAt).To(Equal(hi.Annotations[hostingv1alpha1.AnnotationRequestedAt]))
	})

	t.Run("reconcile interrupted: said so, with the request left for the operator", func(t *testing.T) {
		g := NewWithT(t)
		// No pass can read it at Gandi (its credentials Secret does not
		// exist), so only Ctrl-C ends the wait.
		tpl := &hostingv1alpha1.Template{
			ObjectMeta: metav1.ObjectMeta{Name: "unanswered", Namespace: namespace},
			Spec: hostingv1alpha1.TemplateSpec{
				ManagedFields: hostingv1alpha1.ManagedFields{
					CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: "absent"}, DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan,
				},
				Payload: hostingv1alpha1.TemplatePayload{DNSRecords: &hostingv1alpha1.DNSRecordsPayload{Default: gandi.Ptr(true)}},
			},
		}
		g.Expect(e.k8s.Create(t.Context(), tpl)).To(Succeed())
		defer func() { g.Expect(e.k8s.Delete(context.Background(), tpl)).To(Succeed()) }()
		out, err := e.interrupted(t, 2*time.Second, "reconcile", "template/unanswered")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(MatchRegexp(`template/unanswered: interrupted after [0-9.]+m?s, before the operator reported it done; `))
		g.Expect(out).NotTo(ContainSubstring("not done after"))
		g.Expect(out).To(ContainSubstring("the request stays in the object (annotation " + hostingv1alpha1.AnnotationRequestedAt + ": "))
		g.Expect(out).To(ContainSubstring("kubectl get template unanswered -n " + namespace + " -o jsonpath='{.status.lastHandledReconcileAt}'"))
	})

	t.Run("restart: performed once at Gandi", func(t *testing.T) {
		g := NewWithT(t)
		before := e.sim.Requests(gandisim.RouteInstanceAction)
		out := e.plugin(t, "restart", "hostinginstance/shop")
		g.Expect(out).To(ContainSubstring("hostinginstance/shop restarted"))
		g.Expect(e.sim.Actions(shopID)).To(Equal([]string{gandi.ActionRestart}))
		g.Expect(e.sim.Requests(gandisim.RouteInstanceAction)).To(Equal(before + 1))
		// The request field keeps its value: a later pass sends nothing.
		e.plugin(t, "reconcile", "hostinginstance/shop")
		g.Expect(e.sim.Actions(shopID)).To(HaveLen(1))
	})

	t.Run("restart whose answer is lost: reported unconfirmed at once, and sent once", func(t *testing.T) {
		g := NewWithT(t)
		e.sim.CommitThenDrop(gandisim.RouteInstanceAction, 1)
		out, err := e.run(t, "restart", "hostinginstance/shop")
		g.Expect(err).To(HaveOccurred())
		g.Expect(out).To(ContainSubstring("may not have happened"))
		g.Expect(e.sim.Actions(shopID)).To(HaveLen(2), "Gandi restarted it; it is not sent a second time")
		e.plugin(t, "reconcile", "hostinginstance/shop")
		g.Expect(e.sim.Actions(shopID)).To(HaveLen(2))
	})

	t.Run("purge: the vhost's cache purged once", func(t *testing.T) {
		g := NewWithT(t)
		out := e.plugin(t, "purge", "vhost/www.example.com")
		g.Expect(out).To(ContainSubstring("vhost/www.example.com cache purged"))
		g.Expect(e.sim.PurgeCount(shopID, "www.example.com")).To(Equal(1))
		e.plugin(t, "reconcile", "vhost/www.example.com")
		g.Expect(e.sim.PurgeCount(shopID, "www.example.com")).To(Equal(1))
		g.Expect(e.sim.PurgeCount(shopID, "shop.example.com")).To(BeZero())
	})

	t.Run("restart, reset-db-password and console of a PaaS instance: each done once at Gandi", func(t *testing.T) {
		g := NewWithT(t)
		const ref = "paasinstance/legacy-paas"
		g.Expect(e.plugin(t, "restart", ref)).To(ContainSubstring(ref + " restarted"))
		g.Expect(e.plugin(t, "reset-db-password", ref)).To(ContainSubstring(ref + " MySQL root password reset"))
		out := e.plugin(t, "console", ref)
		g.Expect(out).To(ContainSubstring(ref+" console enabled (console."), out)
		g.Expect(out).To(ContainSubstring("it stays open while spec.console is true"))
		view, ok := e.sim.PaasInstance(e.paasID)
		g.Expect(ok).To(BeTrue())
		g.Expect(view.Restarts).To(Equal(1))
		g.Expect(view.MySQLResets).To(Equal(1))
		g.Expect(view.Console).To(BeTrue())
		pi := &hostingv1alpha1.PaaSInstance{}
		g.Expect(e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "legacy-paas"}, pi)).To(Succeed())
		g.Expect(pi.Status.LastRequests).NotTo(BeNil())
		g.Expect(pi.Status.LastRequests.Restart).To(Equal(pi.Spec.RestartRequest))
		g.Expect(pi.Status.LastRequests.ResetMySQLPassword).To(Equal(pi.Spec.ResetMySQLPasswordRequest))
		// The request fields keep their values: a later pass sends nothing.
		e.plugin(t, "reconcile", ref)
		view, _ = e.sim.PaasInstance(e.paasID)
		g.Expect(view.Restarts).To(Equal(1))
		g.Expect(view.MySQLResets).To(Equal(1))
	})

	t.Run("reset-db-password of a PaaS instance without MySQL: refused before any request is recorded", func(t *testing.T) {
		g := NewWithT(t)
		id := e.sim.AddPaasInstance(apiKey, "pg-paas", "php7.3pgsql9.6", "s", 1)
		g.Expect(id).NotTo(BeZero())
		pi := &hostingv1alpha1.PaaSInstance{
			ObjectMeta: metav1.ObjectMeta{Name: "pg-paas", Namespace: namespace,
				Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: strconv.Itoa(id)}},
			Spec: hostingv1alpha1.PaaSInstanceSpec{
				CredentialsRef: &hostingv1alpha1.PaaSCredentialsReference{Name: "gandi-apikey"},
				DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan, ManagementPolicy: hostingv1alpha1.ManagementPolicyManage,
				Name: "pg-paas", DatacenterID: 1, Type: "php7.3pgsql9.6", Size: "s", Duration: "1m",
			},
		}
		g.Expect(e.k8s.Create(t.Context(), pi)).To(Succeed())
		defer func() { g.Expect(e.k8s.Delete(context.Background(), pi)).To(Succeed()) }()
		// Observed first, so that the refusal is not the spec's word alone.
		g.Eventually(func() string {
			got := &hostingv1alpha1.PaaSInstance{}
			_ = e.k8s.Get(t.Context(), client.ObjectKeyFromObject(pi), got)
			return got.Status.Type
		}).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(Equal("php7.3pgsql9.6"))

		out, err := e.run(t, "reset-db-password", "paasinstance/pg-paas")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("reset-db-password of paasinstance/pg-paas refused: its type php7.3pgsql9.6 embeds pgsql, not MySQL"))
		g.Expect(out).To(ContainSubstring("nothing was requested"))
		got := &hostingv1alpha1.PaaSInstance{}
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(pi), got)).To(Succeed())
		g.Expect(got.Spec.ResetMySQLPasswordRequest).To(BeEmpty(), "no request left for the operator to send")
		view, ok := e.sim.PaasInstance(id)
		g.Expect(ok).To(BeTrue())
		g.Expect(view.MySQLResets).To(BeZero())
	})

	t.Run("an action on an observed object is refused, not left waiting", func(t *testing.T) {
		g := NewWithT(t)
		hi := &hostingv1alpha1.HostingInstance{}
		g.Expect(e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "blog"}, hi)).To(Succeed())
		patch := client.MergeFrom(hi.DeepCopy())
		hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyObserve
		g.Expect(e.k8s.Patch(t.Context(), hi, patch)).To(Succeed())
		out, err := e.run(t, "restart", "hostinginstance/blog")
		g.Expect(err).To(HaveOccurred())
		g.Expect(out).To(ContainSubstring("managementPolicy Observe"))
		g.Expect(e.sim.Actions(blogID)).To(BeEmpty())
		patch = client.MergeFrom(hi.DeepCopy())
		hi.Spec.ManagementPolicy = hostingv1alpha1.ManagementPolicyManage
		g.Expect(e.k8s.Patch(t.Context(), hi, patch)).To(Succeed())
	})

	t.Run("suspend holds a change back; resume sends it, once", func(t *testing.T) {
		g := NewWithT(t)
		g.Expect(e.plugin(t, "suspend", "hostinginstance/blog")).To(ContainSubstring("hostinginstance/blog suspended"))
		patches := e.sim.Requests(gandisim.RoutePatchInstance)
		hi := &hostingv1alpha1.HostingInstance{}
		g.Expect(e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "blog"}, hi)).To(Succeed())
		patch := client.MergeFrom(hi.DeepCopy())
		hi.Spec.SnapshotEnabled = gandi.Ptr(true)
		g.Expect(e.k8s.Patch(t.Context(), hi, patch)).To(Succeed())
		// The change wakes the paused object at once (a user change); for
		// as long as it stays paused, nothing may leave for Gandi.
		g.Consistently(func() int { return e.sim.Requests(gandisim.RoutePatchInstance) }).
			WithTimeout(time.Second).WithPolling(50 * time.Millisecond).Should(Equal(patches))
		_, err := e.run(t, "reconcile", "hostinginstance/blog")
		g.Expect(err).To(HaveOccurred(), "a paused object cannot be reconciled")

		g.Expect(e.plugin(t, "resume", "hostinginstance/blog")).To(ContainSubstring("hostinginstance/blog resumed"))
		g.Expect(e.sim.Requests(gandisim.RoutePatchInstance)).To(Equal(patches + 1))
		view, ok := e.sim.Instance(blogID)
		g.Expect(ok).To(BeTrue())
		g.Expect(view.SnapshotEnabled).To(BeTrue())
		e.plugin(t, "reconcile", "hostinginstance/blog")
		g.Expect(e.sim.Requests(gandisim.RoutePatchInstance)).To(Equal(patches+1), "the change was sent once")
	})

	t.Run("import --apply leaves an object of the same name that manages something else", func(t *testing.T) {
		g := NewWithT(t)
		staging := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "staging", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql", Version: "8.0"}})
		// Someone's HostingInstance "staging" of this namespace, buying an
		// instance of its own under another Gandi name, in the same
		// organization with the same create-only fields: nothing in the
		// schema stops an apply over it.
		mine := &hostingv1alpha1.HostingInstance{
			ObjectMeta: metav1.ObjectMeta{Name: "staging", Namespace: namespace},
			Spec: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: hostingv1alpha1.ManagedFields{ManagementPolicy: hostingv1alpha1.ManagementPolicyObserve},
				Name:          "staging-eu", Location: "FR", Size: "starter", DurationMonths: 1,
				SharingID: orgID, Autorenew: gandi.Ptr(false),
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.1"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql", Version: "8.0"},
				},
			},
		}
		g.Expect(e.k8s.Create(t.Context(), mine)).To(Succeed())
		out, err := e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--name", "staging", "--apply")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("hostinginstance/staging exists and records no Gandi ID (it may be creating its own), not " + staging))
		got := &hostingv1alpha1.HostingInstance{}
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(mine), got)).To(Succeed())
		g.Expect(got.Annotations).NotTo(HaveKey(hostingv1alpha1.AnnotationExternalID), "not handed the imported instance")
		g.Expect(got.Spec.Name).To(Equal("staging-eu"))
	})

	t.Run("import --apply: a Vhost of the FQDN on another instance is a conflict naming both, left as it is", func(t *testing.T) {
		g := NewWithT(t)
		promo := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "promo", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql", Version: "8.0"},
			Vhosts: []gandisim.SeedVhost{{FQDN: "promo.example.com"}}})
		// The site used to be served by blog, and this Vhost recorded it
		// there; it has since been made again on instance promo.
		mine := &hostingv1alpha1.Vhost{
			ObjectMeta: metav1.ObjectMeta{Name: "promo.example.com", Namespace: namespace, Annotations: map[string]string{
				hostingv1alpha1.AnnotationExternalID: "promo.example.com", hostingv1alpha1.AnnotationInstanceID: blogID,
			}},
			Spec: hostingv1alpha1.VhostSpec{
				ManagedFields: hostingv1alpha1.ManagedFields{ManagementPolicy: hostingv1alpha1.ManagementPolicyObserve, DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan},
				InstanceRef:   &hostingv1alpha1.LocalObjectReference{Name: "blog"},
				FQDN:          "promo.example.com",
			},
		}
		g.Expect(e.k8s.Create(t.Context(), mine)).To(Succeed())
		defer func() { g.Expect(e.k8s.Delete(context.Background(), mine)).To(Succeed()) }()
		writes := e.sim.Writes()
		out, err := e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--name", "promo", "--apply", "--manage")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("hostinginstance/promo serverside-applied"), "the instance itself is imported")
		g.Expect(out).To(ContainSubstring("vhost/promo.example.com exists and manages the vhost promo.example.com on instance " + blogID +
			", not the one on instance " + promo + " being imported"))
		got := &hostingv1alpha1.Vhost{}
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(mine), got)).To(Succeed())
		g.Expect(got.Spec.InstanceRef).To(Equal(&hostingv1alpha1.LocalObjectReference{Name: "blog"}))
		g.Expect(got.Spec.ManagementPolicy).To(Equal(hostingv1alpha1.ManagementPolicyObserve), "not handed over by the import")
		g.Expect(got.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceID, blogID))
		g.Expect(e.sim.Writes()).To(Equal(writes))
		// Imported with deletionPolicy Orphan: deleting it leaves promo at Gandi.
		hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "promo", Namespace: namespace}}
		g.Expect(e.k8s.Delete(t.Context(), hi)).To(Succeed())
	})

	t.Run("import --apply: a Vhost whose HostingInstance is left is left too, not handed over on the other instance", func(t *testing.T) {
		g := NewWithT(t)
		// The site launch.example.com moved from instance launch-old to a
		// new instance named launch; the cluster's HostingInstance launch
		// and its Vhost still manage the old one.
		launch := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "launch", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql", Version: "8.0"},
			Vhosts: []gandisim.SeedVhost{{FQDN: "launch.example.com"}}})
		old := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "launch-old", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql", Version: "8.0"}})
		observe := hostingv1alpha1.ManagedFields{ManagementPolicy: hostingv1alpha1.ManagementPolicyObserve, DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan,
			CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}}
		hi := &hostingv1alpha1.HostingInstance{
			ObjectMeta: metav1.ObjectMeta{Name: "launch", Namespace: namespace, Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: old}},
			Spec: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: observe, Name: "launch-old", Location: "FR", Size: "starter", DurationMonths: 1,
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.1"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql", Version: "8.0"},
				},
			},
		}
		vh := &hostingv1alpha1.Vhost{
			ObjectMeta: metav1.ObjectMeta{Name: "launch.example.com", Namespace: namespace, Annotations: map[string]string{
				hostingv1alpha1.AnnotationExternalID: "launch.example.com", hostingv1alpha1.AnnotationInstanceID: old,
			}},
			Spec: hostingv1alpha1.VhostSpec{ManagedFields: observe, InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "launch"}, FQDN: "launch.example.com"},
		}
		for _, obj := range []client.Object{hi, vh} {
			g.Expect(e.k8s.Create(t.Context(), obj)).To(Succeed())
			defer func() { g.Expect(e.k8s.Delete(context.Background(), obj)).To(Succeed()) }()
		}
		writes := e.sim.Writes()
		out, err := e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--name", "launch", "--apply", "--manage")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("hostinginstance/launch exists and manages " + old + ", not " + launch))
		g.Expect(out).To(ContainSubstring("vhost/launch.example.com (the vhost launch.example.com on instance " + launch +
			") would name hostinginstance/launch, which is left as it is and is not instance " + launch))
		got := &hostingv1alpha1.Vhost{}
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(vh), got)).To(Succeed())
		g.Expect(got.Spec.ManagementPolicy).To(Equal(hostingv1alpha1.ManagementPolicyObserve), "not handed over by the import")
		g.Expect(got.Annotations).To(HaveKeyWithValue(hostingv1alpha1.AnnotationInstanceID, old))
		g.Expect(e.sim.Writes()).To(Equal(writes))
	})

	t.Run("import --apply: what another namespace's object manages is a conflict naming it, and its vhosts are left too", func(t *testing.T) {
		g := NewWithT(t)
		rivalID := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "rival", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql", Version: "8.0"},
			Vhosts: []gandisim.SeedVhost{{FQDN: "rival.example.com"}}})
		// Team B's HostingInstance, of another name, manages it already.
		theirs := &hostingv1alpha1.HostingInstance{
			ObjectMeta: metav1.ObjectMeta{Name: "their-site", Namespace: e.otherNamespace(t), Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: rivalID}},
			Spec: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: hostingv1alpha1.ManagedFields{ManagementPolicy: hostingv1alpha1.ManagementPolicyObserve, DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan},
				Name:          "rival", Location: "FR", Size: "starter", DurationMonths: 1,
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.1"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql", Version: "8.0"},
				},
			},
		}
		g.Expect(e.k8s.Create(t.Context(), theirs)).To(Succeed())
		defer func() { g.Expect(e.k8s.Delete(context.Background(), theirs)).To(Succeed()) }()
		writes := e.sim.Writes()
		out, err := e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--name", "rival", "--apply", "--manage")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("hostinginstance/rival (instance " + rivalID + ") is already managed by " + theirs.Namespace + "/their-site"))
		g.Expect(out).To(ContainSubstring("vhost/rival.example.com (the vhost rival.example.com on instance " + rivalID + ") would name hostinginstance/rival, which is left as it is"))
		g.Expect(out).NotTo(ContainSubstring("serverside-applied"))
		err = e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "rival"}, &hostingv1alpha1.HostingInstance{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "hostinginstance/rival was applied: %v", err)
		err = e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "rival.example.com"}, &hostingv1alpha1.Vhost{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "vhost/rival.example.com was applied: %v", err)
		g.Expect(e.sim.Writes()).To(Equal(writes))
	})

	t.Run("import --apply: a vhost or a PaaS instance another namespace's object manages is a conflict; the rest is imported", func(t *testing.T) {
		g := NewWithT(t)
		siteID := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "duel", Size: "starter", Location: "FR",
			Language: gandisim.SeedRuntime{Name: "php", Version: "8.1"}, Database: gandisim.SeedRuntime{Name: "mysql", Version: "8.0"},
			Vhosts: []gandisim.SeedVhost{{FQDN: "duel.example.com"}, {FQDN: "free.example.com"}}})
		paasID := e.sim.AddPaasInstance(apiKey, "duel-paas", "php7.3mysql5.7", "s", 1)
		g.Expect(paasID).NotTo(BeZero())
		ns := e.otherNamespace(t)
		observe := hostingv1alpha1.ManagedFields{ManagementPolicy: hostingv1alpha1.ManagementPolicyObserve, DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan}
		// Team B manages the vhost duel.example.com on that instance, and
		// the PaaS instance, under names of its own.
		theirVhost := &hostingv1alpha1.Vhost{
			ObjectMeta: metav1.ObjectMeta{Name: "duel-www", Namespace: ns, Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: "duel.example.com"}},
			Spec:       hostingv1alpha1.VhostSpec{ManagedFields: observe, InstanceID: siteID, FQDN: "duel.example.com"},
		}
		theirPaaS := &hostingv1alpha1.PaaSInstance{
			ObjectMeta: metav1.ObjectMeta{Name: "their-paas", Namespace: ns, Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: strconv.Itoa(paasID)}},
			Spec: hostingv1alpha1.PaaSInstanceSpec{
				CredentialsRef: &hostingv1alpha1.PaaSCredentialsReference{Name: "gandi-apikey"},
				DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan, ManagementPolicy: hostingv1alpha1.ManagementPolicyObserve,
				Name: "duel-paas", DatacenterID: 1, Type: "php7.3mysql5.7", Size: "s", Duration: "1m",
			},
		}
		for _, obj := range []client.Object{theirVhost, theirPaaS} {
			g.Expect(e.k8s.Create(t.Context(), obj)).To(Succeed())
			defer func() { g.Expect(e.k8s.Delete(context.Background(), obj)).To(Succeed()) }()
		}
		writes := e.sim.Writes()
		out, err := e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--paas-apikey-secret", "gandi-apikey",
			"--gandi-xmlrpc-url", e.simURL+gandisim.XMLRPCPath, "--name", "duel*", "--apply")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("2 not imported"))
		g.Expect(out).To(ContainSubstring("vhost/duel.example.com (the vhost duel.example.com on instance " + siteID + ") is already managed by " + ns + "/duel-www"))
		g.Expect(out).To(ContainSubstring("paasinstance/duel-paas (PaaS instance " + strconv.Itoa(paasID) + ") is already managed by " + ns + "/their-paas"))
		g.Expect(out).To(ContainSubstring("hostinginstance/duel serverside-applied"))
		g.Expect(out).To(ContainSubstring("vhost/free.example.com serverside-applied"))
		err = e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "duel.example.com"}, &hostingv1alpha1.Vhost{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "vhost/duel.example.com was applied: %v", err)
		err = e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "duel-paas"}, &hostingv1alpha1.PaaSInstance{})
		g.Expect(apierrors.IsNotFound(err)).To(BeTrue(), "paasinstance/duel-paas was applied: %v", err)
		g.Expect(e.sim.Writes()).To(Equal(writes))
		for _, obj := range []client.Object{
			&hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: "free.example.com", Namespace: namespace}},
			&hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "duel", Namespace: namespace}},
		} {
			g.Expect(e.k8s.Delete(t.Context(), obj)).To(Succeed())
		}
	})

	t.Run("import --apply leaves the HostingInstance, Vhost and Template the operator made, of the same name and ID, as they are", func(t *testing.T) {
		g := NewWithT(t)
		// Bought, created and made by the operator, named as import names
		// them (the Gandi name, the FQDN): they record the very IDs the
		// import finds. The create-only fields are what import writes, so
		// that nothing but the plugin's own rule keeps the apply off them.
		manage := hostingv1alpha1.ManagedFields{ManagementPolicy: hostingv1alpha1.ManagementPolicyManage, DeletionPolicy: hostingv1alpha1.DeletionPolicyDelete,
			CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials", Key: hostingv1alpha1.CredentialsKeyToken}}
		hi := &hostingv1alpha1.HostingInstance{
			ObjectMeta: metav1.ObjectMeta{Name: "made", Namespace: namespace},
			Spec: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: manage, Name: "made", Location: "FR", Size: "starter", DurationMonths: 1,
				SharingID: orgID, Autorenew: gandi.Ptr(false),
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.1"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql", Version: "8.0"},
				},
			},
		}
		vh := &hostingv1alpha1.Vhost{
			ObjectMeta: metav1.ObjectMeta{Name: "made.example.com", Namespace: namespace},
			Spec:       hostingv1alpha1.VhostSpec{ManagedFields: manage, InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "made"}, FQDN: "made.example.com"},
		}
		tpl := &hostingv1alpha1.Template{
			ObjectMeta: metav1.ObjectMeta{Name: "made-records", Namespace: namespace},
			Spec: hostingv1alpha1.TemplateSpec{ManagedFields: manage, Name: "made-records", SharingID: orgID,
				Payload: hostingv1alpha1.TemplatePayload{DNSRecords: &hostingv1alpha1.DNSRecordsPayload{Default: gandi.Ptr(true)}}},
		}
		objs := []client.Object{hi, vh, tpl}
		for _, obj := range objs {
			g.Expect(e.k8s.Create(t.Context(), obj)).To(Succeed())
		}
		for _, obj := range objs {
			g.Eventually(func() string {
				_ = e.k8s.Get(t.Context(), client.ObjectKeyFromObject(obj), obj)
				if c := meta.FindStatusCondition(*obj.(hostingv1alpha1.Conditioned).GetConditions(), hostingv1alpha1.ConditionReady); c != nil {
					return string(c.Status)
				}
				return ""
			}).WithTimeout(eventually).WithPolling(100*time.Millisecond).Should(Equal("True"), "%s/%s", obj.GetObjectKind(), obj.GetName())
		}
		instanceID, templateID := hi.Status.ID, tpl.Status.ID
		g.Expect(instanceID).NotTo(BeEmpty())
		g.Expect(templateID).NotTo(BeEmpty())

		writes := e.sim.Writes()
		out, err := e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--name", "made*", "--apply")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("hostinginstance/made exists and already manages " + instanceID + ", but no import applied it"))
		g.Expect(out).To(ContainSubstring("vhost/made.example.com exists and already manages made.example.com, but no import applied it"))
		g.Expect(out).To(ContainSubstring("template/made-records exists and already manages " + templateID + ", but no import applied it"))
		g.Expect(out).NotTo(ContainSubstring("serverside-applied"))
		for _, obj := range objs {
			g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(obj), obj)).To(Succeed())
		}
		g.Expect([]hostingv1alpha1.ManagedFields{hi.Spec.ManagedFields, vh.Spec.ManagedFields, tpl.Spec.ManagedFields}).To(
			Equal([]hostingv1alpha1.ManagedFields{manage, manage, manage}), "HostingInstance, Vhost, Template: still Manage, Delete and their own credentials")
		g.Expect(e.sim.Writes()).To(Equal(writes))
	})

	t.Run("purge of a Vhost another object holds the site of: refused at once, nothing written; reconcile has it judged again and fails at once on the verdict", func(t *testing.T) {
		g := NewWithT(t)
		// vhost/www.example.com (imported) manages the site; this one names
		// it too, and the operator stops it (OwnedByAnotherObject).
		loser := orphanVhost("www-second", "shop", "www.example.com")
		g.Expect(e.k8s.Create(t.Context(), loser)).To(Succeed())
		defer func() { g.Expect(e.k8s.Delete(context.Background(), loser)).To(Succeed()) }()
		g.Eventually(e.readyReason(t.Context(), loser)).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(Equal(hostingv1alpha1.ReasonOwnedByAnotherObject))
		purges := e.sim.PurgeCount(shopID, "www.example.com")

		start := time.Now()
		out, err := e.run(t, "purge", "vhost/www-second", "--timeout", "5s")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(time.Since(start)).To(BeNumerically("<", 4*time.Second), "it waited for the --timeout: %s", out)
		g.Expect(out).To(ContainSubstring("vhost/www-second reports " + hostingv1alpha1.ReasonOwnedByAnotherObject))
		g.Expect(out).To(ContainSubstring("nothing was requested"))
		g.Expect(out).To(ContainSubstring("`kubectl gandi reconcile vhost/www-second -n "+namespace+"` has the operator judge it again"), "it says how to have the report judged again")
		g.Expect(out).NotTo(ContainSubstring("still performs it"))
		got := &hostingv1alpha1.Vhost{}
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(loser), got)).To(Succeed())
		g.Expect(got.Spec.CachePurgeRequest).To(BeEmpty(), "a request the operator will not perform was written")
		g.Expect(e.sim.PurgeCount(shopID, "www.example.com")).To(Equal(purges))

		// A reconcile is how the report is judged again: it is written. The
		// operator, judging it, still finds the site held: the pass answers
		// the request (lastHandledReconcileAt) with the same report, and the
		// command fails at once on it, not at its --timeout.
		start = time.Now()
		out, err = e.run(t, "reconcile", "vhost/www-second", "--timeout", "30s")
		g.Expect(err).To(HaveOccurred(), out)
		g.Expect(time.Since(start)).To(BeNumerically("<", 20*time.Second), "it waited for the --timeout: %s", out)
		g.Expect(out).NotTo(ContainSubstring("nothing was requested"))
		g.Expect(out).NotTo(ContainSubstring("not done after"))
		g.Expect(out).To(ContainSubstring("vhost/www-second reports " + hostingv1alpha1.ReasonOwnedByAnotherObject + ", judged since the request"))
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(loser), got)).To(Succeed())
		g.Expect(got.Annotations).To(HaveKey(hostingv1alpha1.AnnotationRequestedAt))
		g.Expect(got.Status.LastHandledReconcileAt).To(Equal(got.Annotations[hostingv1alpha1.AnnotationRequestedAt]), "the pass that judged it answered the request")
		g.Expect(got.Status.ObservedGeneration).NotTo(Equal(got.Generation), "nothing was read at Gandi for it")
		g.Expect(e.sim.PurgeCount(shopID, "www.example.com")).To(Equal(purges))
	})

	t.Run("a wait ending on its --timeout says so, after how long, and what the object reports", func(t *testing.T) {
		g := NewWithT(t)
		// Its HostingInstance does not exist: no pass observes it at
		// Gandi, so only the --timeout ends the wait.
		vh := orphanVhost("nowhere", "no-such-instance", "nowhere.example.com")
		g.Expect(e.k8s.Create(t.Context(), vh)).To(Succeed())
		defer func() { g.Expect(e.k8s.Delete(context.Background(), vh)).To(Succeed()) }()
		g.Eventually(e.readyReason(t.Context(), vh)).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(Equal("WaitingForInstance"))
		// A deadline that is a whole number of poll intervals (as the
		// default 2m is): the last read and the deadline come together,
		// and a read under the expiring deadline failed with the client's
		// own error (its rate limiter: "Wait(n=1) would exceed context
		// deadline") about one run in two.
		for range 8 {
			out, err := e.run(t, "reconcile", "vhost/nowhere", "--timeout", "1s")
			g.Expect(err).To(HaveOccurred(), out)
			g.Expect(out).To(And(ContainSubstring("vhost/nowhere: not done after"), ContainSubstring("(--timeout 1s)"), ContainSubstring("WaitingForInstance")))
			g.Expect(out).NotTo(ContainSubstring("rate limiter"))
		}
	})

	t.Run("reconcile of a Vhost whose rival was deleted: written, answered by the pass it asked for, and the rival's report is gone", func(t *testing.T) {
		g := NewWithT(t)
		loser := orphanVhost("www-third", "shop", "www.example.com")
		// The user's word that the site, once free, is this one's.
		loser.Annotations = map[string]string{hostingv1alpha1.AnnotationAdopt: "true"}
		g.Expect(e.k8s.Create(t.Context(), loser)).To(Succeed())
		defer func() { _ = e.k8s.Delete(context.Background(), loser) }()
		g.Eventually(e.readyReason(t.Context(), loser)).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(Equal(hostingv1alpha1.ReasonOwnedByAnotherObject))
		// The rival (imported, deletionPolicy Orphan: the vhost stays at
		// Gandi) is deleted, as the condition advises.
		rival := &hostingv1alpha1.Vhost{}
		g.Expect(e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "www.example.com"}, rival)).To(Succeed())
		g.Expect(e.k8s.Delete(t.Context(), rival)).To(Succeed())
		g.Eventually(func() bool {
			return apierrors.IsNotFound(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(rival), &hostingv1alpha1.Vhost{}))
		}).WithTimeout(eventually).WithPolling(100 * time.Millisecond).Should(BeTrue())

		out, err := e.run(t, "reconcile", "vhost/www-third", "--timeout", "20s")
		g.Expect(out).NotTo(ContainSubstring("nothing was requested"), "refused on a condition naming a rival that no longer exists")
		g.Expect(out).NotTo(ContainSubstring("since the request"), "the wait took the condition written before the request for the answer to it")
		g.Expect(err).NotTo(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("vhost/www-third reconciled"))
		got := &hostingv1alpha1.Vhost{}
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(loser), got)).To(Succeed())
		g.Expect(got.Annotations).To(HaveKey(hostingv1alpha1.AnnotationRequestedAt))
		c := meta.FindStatusCondition(got.Status.Conditions, hostingv1alpha1.ConditionReady)
		g.Expect(c).NotTo(BeNil())
		g.Expect(c.Reason).NotTo(Equal(hostingv1alpha1.ReasonOwnedByAnotherObject), "still judged by its rival, gone: %s", c.Message)
	})

	t.Run("import --apply over an earlier import leaves the fields the user changed since, names them, and --force-conflicts takes them back", func(t *testing.T) {
		g := NewWithT(t)
		// The user took the imported HostingInstance over after the
		// import: a token of its own, and Delete. managedFields record it
		// (another field manager owns those fields now).
		secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "blog-credentials", Namespace: namespace}, StringData: map[string]string{"token": token}}
		g.Expect(e.k8s.Create(t.Context(), secret)).To(Succeed())
		defer func() { _ = e.k8s.Delete(context.Background(), secret) }()
		hi := &hostingv1alpha1.HostingInstance{}
		g.Expect(e.k8s.Get(t.Context(), types.NamespacedName{Namespace: namespace, Name: "blog"}, hi)).To(Succeed())
		base := hi.DeepCopy()
		hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "blog-credentials"}
		hi.Spec.DeletionPolicy = hostingv1alpha1.DeletionPolicyDelete
		g.Expect(e.k8s.Patch(t.Context(), hi, client.MergeFrom(base), client.FieldOwner("kubectl-edit"))).To(Succeed())

		out, err := e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--apply", "--name", "blog")
		g.Expect(err).To(HaveOccurred(), "the fields left are not reported as applied: %s", out)
		g.Expect(out).NotTo(ContainSubstring("hostinginstance/blog serverside-applied"))
		g.Expect(out).To(ContainSubstring(".spec.credentialsRef.name (kubectl-edit)"))
		g.Expect(out).To(ContainSubstring(".spec.deletionPolicy (kubectl-edit)"))
		g.Expect(out).To(ContainSubstring("--force-conflicts"))
		got := &hostingv1alpha1.HostingInstance{}
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(hi), got)).To(Succeed())
		g.Expect(got.Spec.CredentialsRef).NotTo(BeNil())
		g.Expect(got.Spec.CredentialsRef.Name).To(Equal("blog-credentials"),
			"the import took back the credentialsRef the user set since (kubectl-edit owns it): %s", out)
		g.Expect(got.Spec.DeletionPolicy).To(Equal(hostingv1alpha1.DeletionPolicyDelete),
			"the import took back the deletionPolicy the user set since (kubectl-edit owns it): %s", out)

		// Taken back deliberately.
		out, err = e.run(t, "import", "--token-secret", "gandi-credentials", "--gandi-url", e.simURL, "--apply", "--name", "blog", "--force-conflicts")
		g.Expect(err).NotTo(HaveOccurred(), out)
		g.Expect(out).To(ContainSubstring("hostinginstance/blog serverside-applied"))
		g.Expect(e.k8s.Get(t.Context(), client.ObjectKeyFromObject(hi), got)).To(Succeed())
		g.Expect(got.Spec.CredentialsRef.Name).To(Equal("gandi-credentials"))
		g.Expect(got.Spec.DeletionPolicy).To(Equal(hostingv1alpha1.DeletionPolicyOrphan))
	})

	g.Expect(e.logs.String()).NotTo(ContainSubstring(token), "a log line carries the token")
}

// otherNamespace is a second team's namespace, made once.
// orphanVhost is a Vhost of the test's namespace managing fqdn on the
// HostingInstance named instance, left at Gandi when deleted.
func orphanVhost(name, instance, fqdn string) *hostingv1alpha1.Vhost {
	return &hostingv1alpha1.Vhost{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace},
		Spec: hostingv1alpha1.VhostSpec{
			ManagedFields: hostingv1alpha1.ManagedFields{ManagementPolicy: hostingv1alpha1.ManagementPolicyManage, DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan,
				CredentialsRef: &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}},
			InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: instance}, FQDN: fqdn,
		},
	}
}

// readyReason polls obj's Ready reason ("" while it has none).
func (e *env) readyReason(ctx context.Context, obj client.Object) func() string {
	return func() string {
		_ = e.k8s.Get(ctx, client.ObjectKeyFromObject(obj), obj)
		if c := meta.FindStatusCondition(*obj.(hostingv1alpha1.Conditioned).GetConditions(), hostingv1alpha1.ConditionReady); c != nil {
			return c.Reason
		}
		return ""
	}
}

func (e *env) otherNamespace(t *testing.T) string {
	t.Helper()
	const name = "team-b"
	err := e.k8s.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}})
	if err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	return name
}

// start brings up the control plane, the simulator, the controllers and
// the binary, and the namespace with the token Secret.
func start(t *testing.T) *env {
	t.Helper()
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make test`")
	}
	e := &env{logs: &testenv.LogBuffer{}}
	ctrl.SetLogger(zap.New(zap.WriteTo(e.logs)))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- operator log (last 8 KiB) ---\n%s", tail(e.logs.String(), 8192))
		}
	})
	e.build(t)

	cp, err := testenv.StartWithCRDs()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cp.Stop() })
	e.kc = filepath.Join(t.TempDir(), "admin.kubeconfig")
	if err := cp.AdminKubeconfig("plugin-admin", e.kc); err != nil {
		t.Fatal(err)
	}
	scheme, err := testenv.Scheme()
	if err != nil {
		t.Fatal(err)
	}
	if e.k8s, err = client.New(cp.Config, client.Options{Scheme: scheme}); err != nil {
		t.Fatal(err)
	}

	e.sim = gandisim.New(gandisim.Options{Timings: gandisim.FastTimings()})
	if err := e.sim.ApplySeed(seed); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.sim)
	t.Cleanup(srv.Close)
	e.simURL = srv.URL

	ctx := t.Context()
	if err := e.k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}); err != nil {
		t.Fatal(err)
	}
	secret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "gandi-credentials", Namespace: namespace}, StringData: map[string]string{"token": token}}
	if err := e.k8s.Create(ctx, secret); err != nil {
		t.Fatal(err)
	}
	// A legacy account too, with one PaaS instance and its vhost.
	e.sim.AddAccount(gandisim.Account{Token: apiKey, APIKey: true, User: "legacy", Orgs: []gandisim.Org{{ID: legacyOrgID, Name: "legacy-org", CanBill: true}}})
	if e.paasID = e.sim.AddPaasInstance(apiKey, "legacy-paas", "php7.3mysql5.7", "m", 1, "www.legacy-paas.example.org"); e.paasID == 0 {
		t.Fatal("seed the PaaS instance")
	}
	keySecret := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "gandi-apikey", Namespace: namespace}, StringData: map[string]string{"apikey": apiKey}}
	if err := e.k8s.Create(ctx, keySecret); err != nil {
		t.Fatal(err)
	}
	e.startManager(t, cp, scheme)
	return e
}

// startManager runs the operator's controllers as cmd/main.go wires them,
// with a poll interval longer than the test: every pass is one the test
// caused (an import, a command), so the simulator's counters count only
// what the commands did.
func (e *env) startManager(t *testing.T, cp *testenv.ControlPlane, scheme *runtime.Scheme) {
	t.Helper()
	cacheOpts, clientOpts := controller.CacheOptions(nil, types.NamespacedName{})
	mgr, err := ctrl.NewManager(cp.Config, ctrl.Options{
		Scheme: scheme, Cache: cacheOpts, Client: clientOpts,
		Metrics: metricsserver.Options{BindAddress: "0"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := controller.SetupControllers(mgr, controller.Options{
		Gandi:        gandi.Config{BaseURL: e.simURL, ClientOptions: gandi.ClientOptions{MaxRetries: 2, MinBackoff: 10 * time.Millisecond, MaxBackoff: 50 * time.Millisecond}},
		PaaSEndpoint: e.simURL + gandisim.XMLRPCPath,
		Timing:       controller.Timing{Poll: time.Hour, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour},
	}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("manager: %v", err)
		}
	})
}

// build compiles kubectl-gandi as `make build` does.
func (e *env) build(t *testing.T) {
	t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	e.bin = filepath.Join(t.TempDir(), "kubectl-gandi")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-trimpath", "-o", e.bin, "./cmd/kubectl-gandi")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build kubectl-gandi: %v\n%s", err, out)
	}
}

// run runs the binary in the test namespace and returns what it printed
// (stdout then stderr).
func (e *env) run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return e.interrupted(t, 0, args...)
}

// interrupted runs the binary as run does and, after d (0: never), sends
// it SIGINT as Ctrl-C in a terminal does.
func (e *env) interrupted(t *testing.T, d time.Duration, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, append([]string{"--kubeconfig", e.kc, "-n", namespace}, args...)...)
	// No GANDI_TOKEN from the developer's shell.
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return "", err
	}
	if d > 0 {
		timer := time.AfterFunc(d, func() { _ = cmd.Process.Signal(os.Interrupt) })
		defer timer.Stop()
	}
	err := cmd.Wait()
	return stdout.String() + stderr.String(), err
}

// plugin runs the binary and fails the test if it fails.
func (e *env) plugin(t *testing.T, args ...string) string {
	t.Helper()
	out, err := e.run(t, args...)
	if err != nil {
		t.Fatalf("kubectl gandi %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (e *env) lists() []client.ObjectList {
	return []client.ObjectList{&hostingv1alpha1.HostingInstanceList{}, &hostingv1alpha1.VhostList{}, &hostingv1alpha1.TemplateList{}, &hostingv1alpha1.PaaSInstanceList{}}
}

// objects are every imported object.
func (e *env) objects(t *testing.T) []client.Object {
	t.Helper()
	var out []client.Object
	for _, l := range e.lists() {
		if err := e.k8s.List(t.Context(), l, client.InNamespace(namespace)); err != nil {
			t.Fatal(err)
		}
		if err := meta.EachListItem(l, func(o runtime.Object) error {
			out = append(out, o.(client.Object))
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func (e *env) count(t *testing.T) int { return len(e.objects(t)) }

// refs are KIND/NAME of every imported object.
func (e *env) refs(t *testing.T) []string {
	t.Helper()
	objs := e.objects(t)
	refs := make([]string, 0, len(objs))
	for _, o := range objs {
		kind := "hostinginstance"
		switch o.(type) {
		case *hostingv1alpha1.Vhost:
			kind = "vhost"
		case *hostingv1alpha1.Template:
			kind = "template"
		case *hostingv1alpha1.PaaSInstance:
			kind = "paasinstance"
		}
		refs = append(refs, kind+"/"+o.GetName())
	}
	return refs
}

// settled says why not every object is Ready, Synced for syncedReason,
// with its current generation observed.
func (e *env) settled(t *testing.T, syncedReason string) error {
	objs := e.objects(t)
	if len(objs) != 11 {
		return fmt.Errorf("%d objects, want 11", len(objs))
	}
	for _, o := range objs {
		c, _ := o.(hostingv1alpha1.Conditioned)
		conds := *c.GetConditions()
		ready := meta.FindStatusCondition(conds, hostingv1alpha1.ConditionReady)
		synced := meta.FindStatusCondition(conds, hostingv1alpha1.ConditionSynced)
		switch {
		case ready == nil || ready.Status != metav1.ConditionTrue:
			return fmt.Errorf("%s not Ready: %+v", o.GetName(), ready)
		case synced == nil || synced.Reason != syncedReason:
			return fmt.Errorf("%s not Synced %s: %+v", o.GetName(), syncedReason, synced)
		case synced.ObservedGeneration != o.GetGeneration():
			return fmt.Errorf("%s: generation %d not observed yet", o.GetName(), o.GetGeneration())
		}
	}
	return nil
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
