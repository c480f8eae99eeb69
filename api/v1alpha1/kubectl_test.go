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

// column is the value under header in a one-object `kubectl get` table:
// kubectl starts each value where its header starts.
func column(table, header string) string {
	lines := strings.Split(strings.TrimRight(table, "\n"), "\n")
	Expect(lines).To(HaveLen(2), table)
	// In the header line padded with a blank each side, " HEADER " starts
	// one blank before the header, which is where it starts unpadded.
	at := strings.Index(" "+lines[0]+" ", " "+header+" ")
	Expect(at).To(BeNumerically(">=", 0), "no column %s in %s", header, lines[0])
	value, _, _ := strings.Cut(lines[1][at:], " ")
	return value
}

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
		Entry(nil, "templateapplication", "has one manager", "OwnedByAnotherObject", "share a domain"),
		Entry(nil, "templateapplication.status.namespaces", "dns:records", "No other TemplateApplication"),
		Entry(nil, "paasinstance.spec.credentialsRef.name", "accepts no personal access token"),
		Entry(nil, "paasinstance.spec.renew", "never renews twice"),
		Entry(nil, "paasinstance.spec.type", "paas.type.list", "deprecated"),
	)

	DescribeTable("prints, by default, what Gandi reports and what names the object's target",
		func(kind string, changes []edit, status string, want map[string]string) {
			obj := createdWithStatus(kind, changes, status)
			out, err := kubectl("get", strings.ToLower(kind), obj.GetName(), "-n", "default")
			Expect(err).NotTo(HaveOccurred())
			for header, value := range want {
				Expect(column(out, header)).To(Equal(value), "column %s of\n%s", header, out)
			}
		},
		Entry("an instance's size as Gandi reports it", "HostingInstance", edits(set("spec.size", "m")),
			"size: l", map[string]string{"SIZE": "l"}),
		Entry("a PaaS instance's size as Gandi reports it", "PaaSInstance", edits(set("spec.size", "s")),
			"size: m", map[string]string{"SIZE": "m"}),
		Entry("the HostingInstance a vhost is on", "Vhost", nil, "", map[string]string{"INSTANCE": "shop"}),
		Entry("the Gandi instance a vhost is on, though the spec names its HostingInstance", "Vhost", nil,
			"instanceID: 7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b",
			map[string]string{"INSTANCE": "shop", "INSTANCE ID": "7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b"}),
		Entry("a template application's Synced", "TemplateApplication", nil,
			"conditions: [{type: Synced, status: \"False\", reason: DomainNotFound, message: x, lastTransitionTime: \"2026-01-01T00:00:00Z\"}]",
			map[string]string{"TEMPLATE": "shop-domain", "DOMAIN": "example.com", "SYNCED": "False"}),
		Entry("the Gandi template an application applies, though the spec names its Template", "TemplateApplication", nil,
			"templateID: 881f8c9a-fe7d-11ea-b2fe-00163e7504b8\ndomainID: ba1167be-2f76-11e9-9dfb-00163ec4cb00",
			map[string]string{"TEMPLATE": "shop-domain", "TEMPLATE ID": "881f8c9a-fe7d-11ea-b2fe-00163e7504b8", "DOMAIN": "example.com"}),
	)

	// The template's Gandi ID is a default column when the spec gives it
	// by ID; the domain must be too: an application given spec.domainID
	// otherwise lists no domain at all, and `kubectl get gta` cannot tell
	// which domain it rewrites.
	It("prints, by default, the domain an application applies to when the spec gives its Gandi ID", func() {
		const domainID = "ba1167be-2f76-11e9-9dfb-00163ec4cb00"
		obj := createdWithStatus("TemplateApplication", edits(unset("spec.domain"), set("spec.domainID", domainID)),
			"templateID: 881f8c9a-fe7d-11ea-b2fe-00163e7504b8\ndomainID: "+domainID)
		out, err := kubectl("get", "templateapplication", obj.GetName(), "-n", "default")
		Expect(err).NotTo(HaveOccurred())
		Expect(out).To(ContainSubstring(domainID), "no column names the domain:\n%s", out)
	})

	It("gives every kind's REASON column the Ready reason", func() {
		status := `conditions:
- {type: Ready, status: "False", reason: ReadyReason, message: x, lastTransitionTime: "2026-01-01T00:00:00Z"}
- {type: Synced, status: "False", reason: SyncedReason, message: x, lastTransitionTime: "2026-01-01T00:00:00Z"}`
		for _, kind := range []string{"HostingInstance", "Vhost", "Template", "TemplateApplication", "PaaSInstance"} {
			obj := createdWithStatus(kind, nil, status)
			out, err := kubectl("get", strings.ToLower(kind), obj.GetName(), "-n", "default", "-o", "wide")
			Expect(err).NotTo(HaveOccurred())
			Expect(column(out, "REASON")).To(Equal("ReadyReason"), kind)
		}
	})

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
