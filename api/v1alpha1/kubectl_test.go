package v1alpha1_test

import (
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// kubectl runs the kubectl built with the control plane against the test
// API server and returns what it printed.
func kubectl(args ...string) (string, error) { return testEnv.Kubectl(args...) }

// oneLine folds the explain text's wrapping so phrases can be matched.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

var _ = Describe("kubectl", func() {
	DescribeTable("explains every field in words a user acts on",
		func(field string, want ...string) {
			// The API server publishes a new CRD's OpenAPI schema a moment
			// after the CRD is established.
			Eventually(kubectl).WithArguments("explain", field).
				WithTimeout(30 * time.Second).WithPolling(200 * time.Millisecond).
				Should(WithTransform(oneLine, And(ContainSubstring(want[0]), ContainSubstring(want[len(want)-1]))))
		},
		Entry(nil, "hostinginstance.spec.size", "legacy size", "up or down"),
		Entry(nil, "hostinginstance.spec.storageAdditionalSizeGB", "may only grow"),
		Entry(nil, "hostinginstance.spec.durationMonths", "first paid period", "1 by default"),
		Entry(nil, "hostinginstance.status.availableUpgrades", "database upgrade cannot be asked here", "create-only"),
		Entry(nil, "hostinginstance.spec.type.database", "upgrades only the language"),
		Entry(nil, "vhost.spec.application", "on a live vhost asks Gandi to install", "no password or other secret"),
		Entry(nil, "hostinginstance.spec.initialVhosts.application.parameters", "no password or other secret"),
		Entry(nil, "template.spec.payload.dnsRecords.records.values", "IPv4", "IPv6"),
		Entry(nil, "templateapplication.spec.reapply.interval", "a day is 24h", "Only with policy"),
		Entry(nil, "vhost.spec.instanceID", "lowercase UUID"),
		Entry(nil, "hostinginstance.spec.deletionPolicy", "Orphan"),
		Entry(nil, "hostinginstance.spec.authentication.passwordSecretRef", "SHA-512 crypt"),
		Entry(nil, "vhost.spec.fqdn", "lowercase", "punycode"),
		Entry(nil, "hostinginstance.spec.freeDomain.fqdn", "sent to Gandi as written", "punycode"),
		Entry(nil, "template.spec.payload.dnsRecords.records.values", "No value may be empty"),
		Entry(nil, "template.spec.payload.mailboxes.login", "Lowercase letters and digits"),
		Entry(nil, "vhost.status.dns", "records"),
		Entry(nil, "hostinginstance.status.lastHandledReconcileAt", "requested-at", "observed the object at Gandi"),
		Entry(nil, "template.spec.payload.dnsRecords", "Exactly one of default: true"),
		Entry(nil, "templateapplication", "changes nothing at Gandi"),
		Entry(nil, "paasinstance.spec.credentialsRef.name", "accepts no personal access token"),
		Entry(nil, "paasinstance.spec.renew", "never renews twice"),
		Entry(nil, "paasinstance.spec.type", "paas.type.list", "deprecated"),
	)

	It("lists objects of all five kinds with `kubectl get gandi`", func() {
		kinds := []string{"HostingInstance", "Vhost", "Template", "TemplateApplication", "PaaSInstance"}
		for _, kind := range kinds {
			obj := newObject(kind, nil)
			obj.SetName("listed-" + strings.ToLower(kind))
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
			DeferCleanup(func(o *unstructured.Unstructured) { _ = k8sClient.Delete(ctx, o) }, obj)
		}
		out, err := kubectl("get", "gandi", "-n", "default")
		Expect(err).NotTo(HaveOccurred())
		for _, kind := range kinds {
			Expect(out).To(ContainSubstring(strings.ToLower(kind) + ".hosting.gandi-operator.dev/listed-" + strings.ToLower(kind)))
		}
		Expect(out).To(ContainSubstring("READY"))
		Expect(out).To(ContainSubstring("STATE"))
	})
})
