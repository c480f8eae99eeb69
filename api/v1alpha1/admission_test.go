package v1alpha1_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// edit changes one field of a manifest: set it to a YAML value, or remove it.
type edit struct {
	path   []string
	value  any
	remove bool
}

func set(path, value string) edit {
	var v any
	if err := yaml.Unmarshal([]byte(value), &v); err != nil {
		panic(fmt.Sprintf("bad YAML value %q: %v", value, err))
	}
	return edit{path: strings.Split(path, "."), value: v}
}

func unset(path string) edit { return edit{path: strings.Split(path, "."), remove: true} }

func edits(e ...edit) []edit { return e }

// freeDomain is a complete spec.freeDomain for fqdn, so that a case can break
// the name alone.
func freeDomain(fqdn string) edit {
	return set("spec.freeDomain", fmt.Sprintf("{fqdn: %q, owner: {type: individual, given: A, family: B, email: a@example.com, streetaddr: 1 rue, country: FR}}", fqdn))
}

// Statuses the operator writes: after a refused create, while a create is
// on its way, and a refusal it never reports on Synced alone.
const (
	createRefused = `conditions:
- {type: Ready, status: "False", reason: CreateRefused, message: Gandi refused the create, lastTransitionTime: "2026-01-01T00:00:00Z"}
- {type: Synced, status: "False", reason: InvalidSpec, message: Gandi refused the create, lastTransitionTime: "2026-01-01T00:00:00Z"}`
	creating = `conditions:
- {type: Ready, status: "False", reason: Creating, message: sending the create again, lastTransitionTime: "2026-01-01T00:00:00Z"}`
	refusedOnSyncedOnly = `conditions:
- {type: Synced, status: "False", reason: CreateRefused, message: x, lastTransitionTime: "2026-01-01T00:00:00Z"}`
)

// Statuses of an object that took hold of a Gandi object whose create-only
// fields differ from the spec's (validSpecs), as the operator writes them.
const (
	heldInstance = `id: 7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b
size: starter
datacenter: {code: LU-BI1, region: LU}
language: {name: python, version: "3.12"}
database: {name: pgsql, version: "16"}
conditions:
- {type: Ready, status: "True", reason: Available, message: the instance is active, lastTransitionTime: "2026-01-01T00:00:00Z"}
- {type: Synced, status: "False", reason: UnsupportedChange, message: "spec.size is advanced but the instance is starter", lastTransitionTime: "2026-01-01T00:00:00Z"}`
	heldPaaS = `id: "4242"
type: php7.2mysql5.7
datacenter: {id: 3, code: LU-BI1}
conditions:
- {type: Ready, status: "True", reason: Available, message: running, lastTransitionTime: "2026-01-01T00:00:00Z"}
- {type: Synced, status: "False", reason: UnsupportedChange, message: "spec.type is php7.3mysql5.7 but the instance is php7.2mysql5.7", lastTransitionTime: "2026-01-01T00:00:00Z"}`
)

// withKeys is an authentication with SSH keys, and the password Gandi
// needs with them at the create; bought is the status of an instance
// Gandi has whose password Secret is gone.
var withKeys = set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeys: ['ssh-ed25519 AAAAC3Nza alice@host']}")

const bought = `id: 7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b
conditions:
- {type: Ready, status: "True", reason: Available, message: the instance is active, lastTransitionTime: "2026-01-01T00:00:00Z"}
- {type: Synced, status: "False", reason: PasswordNotFound, message: password Secret default/pw not found, lastTransitionTime: "2026-01-01T00:00:00Z"}`

// heldWithoutID is a held status without its Gandi ID: what it shows
// describes no object this one holds.
func heldWithoutID(status string) string {
	lines := strings.Split(status, "\n")
	return strings.Join(lines[1:], "\n")
}

// sshPrivateKey is the shape of an OpenSSH private key pasted on one line
// where a public key belongs: the spec would keep it readable, and Gandi
// would install it.
const sshPrivateKey = "-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW QyNTUxOQAAACBvX2hY4s= -----END OPENSSH PRIVATE KEY-----"

var nameSeq atomic.Int64

// validSpecs are minimal valid specs of each kind, the base every bad
// manifest below breaks in exactly one place.
var validSpecs = map[string]string{
	"HostingInstance": `
location: FR
size: starter
type:
  language: {name: php, version: "8.2"}
  database: {name: mysql}
storageAdditionalSizeGB: 10
`,
	"Vhost": `
instanceRef: {name: shop}
fqdn: www.example.com
`,
	"Template": `
payload:
  nameservers: {service: livedns}
  dnsRecords:
    records:
    - {name: "@", type: A, values: ["203.0.113.1"]}
`,
	"TemplateApplication": `
templateRef: {name: shop-domain}
domain: example.com
`,
	"PaaSInstance": `
datacenterID: 1
type: php7.3mysql5.7
size: s
passwordSecretRef: {name: legacy-password, key: password}
vhosts:
- {fqdn: www.example.org}
`,
}

func newObject(kind string, changes []edit) *unstructured.Unstructured {
	var spec map[string]any
	Expect(yaml.Unmarshal([]byte(validSpecs[kind]), &spec)).To(Succeed())
	obj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "hosting.gandi-operator.dev/v1alpha1",
		"kind":       kind,
		"metadata": map[string]any{
			"name":      fmt.Sprintf("%s-%d", strings.ToLower(kind), nameSeq.Add(1)),
			"namespace": "default",
		},
		"spec": spec,
	}}
	apply(obj, changes)
	return obj
}

// createdWithStatus creates a kind object with changes, deleted after the
// spec, and then writes status (YAML) as the operator would; none when
// status is empty. A create never carries a status: the API server drops
// it.
func createdWithStatus(kind string, changes []edit, status string) *unstructured.Unstructured {
	obj := newObject(kind, changes)
	Expect(k8sClient.Create(ctx, obj)).To(Succeed())
	DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
	if status != "" {
		var st map[string]any
		Expect(yaml.Unmarshal([]byte(status), &st)).To(Succeed())
		obj.Object["status"] = st
		Expect(k8sClient.Status().Update(ctx, obj)).To(Succeed())
	}
	return obj
}

func apply(obj *unstructured.Unstructured, changes []edit) {
	for _, c := range changes {
		if c.remove {
			unstructured.RemoveNestedField(obj.Object, c.path...)
			continue
		}
		Expect(unstructured.SetNestedField(obj.Object, c.value, c.path...)).To(Succeed())
	}
}

// changeUnderStatus creates a kind's object from base, gives it the status
// the operator would write (none when status is empty), then applies
// changes: the API server must take them when allowed, and otherwise refuse
// them saying each of wantInError.
func changeUnderStatus(kind string, base []edit, status string, changes []edit, allowed bool, wantInError ...string) {
	obj := createdWithStatus(kind, base, status)
	apply(obj, changes)
	err := k8sClient.Update(ctx, obj)
	if allowed {
		Expect(err).NotTo(HaveOccurred())
		return
	}
	Expect(err).To(HaveOccurred(), "the API server accepted the change to %v", obj.Object["spec"])
	for _, want := range wantInError {
		Expect(err.Error()).To(ContainSubstring(want))
	}
}

var _ = Describe("Admission", func() {
	DescribeTable("refuses a bad manifest on create, naming the field",
		func(kind string, changes []edit, wantInError ...string) {
			obj := newObject(kind, changes)
			err := k8sClient.Create(ctx, obj)
			Expect(err).To(HaveOccurred(), "the API server accepted %v", obj.Object["spec"])
			for _, want := range wantInError {
				Expect(err.Error()).To(ContainSubstring(want))
			}
		},
		// HostingInstance
		Entry("instance without location", "HostingInstance", edits(unset("spec.location")), "spec.location", "Required"),
		Entry("instance in an unknown location", "HostingInstance", edits(set("spec.location", "DE")), "spec.location", `supported values: "FR", "LU"`),
		Entry("instance of an unknown size", "HostingInstance", edits(set("spec.size", "huge")), "spec.size", "Unsupported value"),
		Entry("instance with an unknown language", "HostingInstance", edits(set("spec.type.language.name", "perl")), "spec.type.language.name"),
		Entry("instance with an unknown database", "HostingInstance", edits(set("spec.type.database.name", "oracle")), "spec.type.database.name"),
		Entry("instance with too much storage", "HostingInstance", edits(set("spec.storageAdditionalSizeGB", "1005")), "spec.storageAdditionalSizeGB", "1004"),
		Entry("instance with negative storage", "HostingInstance", edits(set("spec.storageAdditionalSizeGB", "-1")), "spec.storageAdditionalSizeGB"),
		Entry("instance bought for 0 months", "HostingInstance", edits(set("spec.durationMonths", "0")), "spec.durationMonths"),
		// The first period is billed at once; the PaaS kind caps its own at
		// 120 months, this one has no bound at all.
		Entry("instance bought for 1200 months, a century billed at once", "HostingInstance", edits(set("spec.durationMonths", "1200")), "spec.durationMonths"),
		Entry("instance bought for 121 months, one past the cap", "HostingInstance", edits(set("spec.durationMonths", "121")), "spec.durationMonths", "120"),
		Entry("instance with an unknown deletion policy", "HostingInstance", edits(set("spec.deletionPolicy", "Keep")), "spec.deletionPolicy"),
		Entry("instance with an unknown management policy", "HostingInstance", edits(set("spec.managementPolicy", "ReadOnly")), "spec.managementPolicy"),
		Entry("instance with an unknown credentials key", "HostingInstance", edits(set("spec.credentialsRef", "{name: creds, key: password}")), "spec.credentialsRef.key"),
		Entry("instance with a connection Secret name that is no Secret name", "HostingInstance",
			edits(set("spec.writeConnectionSecretToRef", "{name: UPPER_case}")), "spec.writeConnectionSecretToRef.name"),
		Entry("instance with a credentials Secret name that is no Secret name", "HostingInstance",
			edits(set("spec.credentialsRef", "{name: gandi_credentials}")), "spec.credentialsRef.name"),
		Entry("instance with a password Secret name that is no Secret name", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: My.Password, key: password}}")), "spec.authentication.passwordSecretRef.name"),
		Entry("instance with an unknown booster size", "HostingInstance", edits(set("spec.booster", "{enabled: true, size: huge}")), "spec.booster.size"),
		Entry("instance with a bad initial vhost HTTPS strategy", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: www.example.com, httpsStrategy: HTTPS_always}]")), "spec.initialVhosts[0].httpsStrategy"),
		Entry("instance with a free domain owner of unknown type", "HostingInstance",
			edits(set("spec.freeDomain", "{fqdn: example.com, owner: {type: robot, given: A, family: B, email: a@example.com, streetaddr: 1 rue, country: FR}}")),
			"spec.freeDomain.owner.type"),
		Entry("instance with a free domain owner without email", "HostingInstance",
			edits(set("spec.freeDomain", "{fqdn: example.com, owner: {type: individual, given: A, family: B, streetaddr: 1 rue, country: FR}}")),
			"spec.freeDomain.owner.email", "Required"),
		Entry("instance whose initial vhost FQDN is uppercase", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: WWW.example.com}]")), "spec.initialVhosts[0].fqdn"),
		Entry("instance whose initial vhost FQDN has an underscore", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: a_b.example.com}]")), "spec.initialVhosts[0].fqdn"),
		Entry("instance whose initial vhost FQDN has a label ending with a dash", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: www-.example.com}]")), "spec.initialVhosts[0].fqdn"),
		Entry("instance with SSH keys and no password", "HostingInstance",
			edits(set("spec.authentication", "{sshKeys: ['ssh-ed25519 AAAAC3Nza user@host']}")), "passwordSecretRef is required with sshKeys or sshKeyIDs"),
		Entry("instance with SSH key IDs and no password", "HostingInstance",
			edits(set("spec.authentication", "{sshKeyIDs: [3f7b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b]}")), "passwordSecretRef is required with sshKeys or sshKeyIDs"),
		// A create never shows status (the API server drops it), so the
		// manifest of an instance that dropped its password once bought is
		// refused when restored; the message says the way through.
		Entry("instance with SSH keys and no password, restored (its external-id names the instance)", "HostingInstance",
			edits(set("metadata.annotations", "{hosting.gandi-operator.dev/external-id: 3f7b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b}"),
				set("spec.authentication", "{sshKeys: ['ssh-ed25519 AAAAC3Nza user@host']}")),
			"passwordSecretRef is required with sshKeys or sshKeyIDs", "drop sshKeys and sshKeyIDs from its manifest too"),
		Entry("instance with an SSH key ID that is no UUID", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeyIDs: [my-key]}")), "spec.authentication.sshKeyIDs[0]"),
		Entry("instance with an SSH key not in OpenSSH format", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeys: [ssh-ed25519, hello]}")), "spec.authentication.sshKeys[0]", "spec.authentication.sshKeys[1]"),
		Entry("instance with an SSH private key in its public keys", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeys: ['"+sshPrivateKey+"']}")), "spec.authentication.sshKeys[0]"),
		Entry("instance with a key pair pasted whole on one line (public key, then its private key)", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9fY alice@host "+sshPrivateKey+"']}")),
			"spec.authentication.sshKeys[0]", "private key material"),
		Entry("instance with a key pair pasted whole on several lines", "HostingInstance",
			edits(set("spec.authentication", `{passwordSecretRef: {name: pw, key: password}, sshKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9fY alice@host\n-----BEGIN OPENSSH KEY-----"]}`)),
			"spec.authentication.sshKeys[0]"),
		Entry("instance with a free domain owner email without @", "HostingInstance",
			edits(freeDomain("example.com"), set("spec.freeDomain.owner.email", "nobody")), "spec.freeDomain.owner.email"),
		Entry("instance with a free domain owner email with a blank", "HostingInstance",
			edits(freeDomain("example.com"), set("spec.freeDomain.owner.email", "no body@example.com")), "spec.freeDomain.owner.email"),
		Entry("instance billed to an organization that is no UUID", "HostingInstance", edits(set("spec.sharingID", "my org")), "spec.sharingID"),
		Entry("instance with a blank name", "HostingInstance", edits(set("spec.name", `"   "`)), "spec.name must not be blank"),
		Entry("instance listing an initial vhost twice", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: www.example.com}, {fqdn: www.example.com}]")), "spec.initialVhosts[1]", "Duplicate"),
		Entry("instance whose initial vhost has a 64-character label", "HostingInstance",
			edits(set("spec.initialVhosts", fmt.Sprintf("[{fqdn: %s.example.com}]", strings.Repeat("a", 64)))), "spec.initialVhosts[0].fqdn"),
		Entry("instance whose initial vhost is an IP address", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: 203.0.113.10}]")), "spec.initialVhosts[0].fqdn", "not an IP address"),
		Entry("instance whose initial vhost application has a blank name", "HostingInstance",
			edits(set("spec.initialVhosts", `[{fqdn: www.example.com, application: {name: " "}}]`)), "spec.initialVhosts[0].application.name", "must not be blank"),
		Entry("instance with a free domain that is an IP address", "HostingInstance", edits(freeDomain("203.0.113.10")), "spec.freeDomain.fqdn", "not an IP address"),
		Entry("instance with an uppercase free domain", "HostingInstance", edits(freeDomain("Example.com")), "spec.freeDomain.fqdn"),
		Entry("instance with a free domain with an underscore", "HostingInstance", edits(freeDomain("exa_mple.com")), "spec.freeDomain.fqdn"),
		Entry("instance with a free domain label starting with a dash", "HostingInstance", edits(freeDomain("-example.com")), "spec.freeDomain.fqdn"),
		Entry("instance with a free domain in Unicode", "HostingInstance", edits(freeDomain("café.fr")), "spec.freeDomain.fqdn"),
		Entry("instance with a single-label free domain", "HostingInstance", edits(freeDomain("example")), "spec.freeDomain.fqdn"),
		Entry("instance with a free domain with a trailing dot", "HostingInstance", edits(freeDomain("example.com.")), "spec.freeDomain.fqdn"),
		// Vhost
		Entry("vhost with both instanceRef and instanceID", "Vhost", edits(set("spec.instanceID", "9a7d0e5c-0000-4000-8000-000000000000")), "exactly one of spec.instanceRef or spec.instanceID"),
		Entry("vhost with neither instanceRef nor instanceID", "Vhost", edits(unset("spec.instanceRef")), "exactly one of spec.instanceRef or spec.instanceID"),
		Entry("vhost whose FQDN is not a host name", "Vhost", edits(set("spec.fqdn", "not a host")), "spec.fqdn"),
		Entry("vhost whose FQDN has a single label", "Vhost", edits(set("spec.fqdn", "localhost")), "spec.fqdn"),
		Entry("vhost whose FQDN is uppercase", "Vhost", edits(set("spec.fqdn", "WWW.example.com")), "spec.fqdn"),
		Entry("vhost whose international FQDN is uppercase", "Vhost", edits(set("spec.fqdn", "cafÉ.example.com")), "spec.fqdn"),
		Entry("vhost whose FQDN has an underscore", "Vhost", edits(set("spec.fqdn", "a_b.example.com")), "spec.fqdn"),
		Entry("vhost whose FQDN has punctuation", "Vhost", edits(set("spec.fqdn", "www!.example.com")), "spec.fqdn"),
		Entry("vhost whose FQDN has an ideographic full stop", "Vhost", edits(set("spec.fqdn", "www。example.com")), "spec.fqdn"),
		Entry("vhost whose FQDN has a no-break space", "Vhost", edits(set("spec.fqdn", `"www\u00a0.example.com"`)), "spec.fqdn"),
		Entry("vhost whose FQDN label starts with a dash", "Vhost", edits(set("spec.fqdn", "-www.example.com")), "spec.fqdn"),
		Entry("vhost whose FQDN label ends with a dash", "Vhost", edits(set("spec.fqdn", "www-.example.com")), "spec.fqdn"),
		Entry("vhost whose FQDN is an IPv4 address", "Vhost", edits(set("spec.fqdn", "203.0.113.10")), "spec.fqdn", "not an IP address"),
		Entry("vhost whose FQDN is an IPv6 address", "Vhost", edits(set("spec.fqdn", `"2001:db8::1"`)), "spec.fqdn"),
		Entry("vhost on an instance ID that would climb the URL path", "Vhost",
			edits(unset("spec.instanceRef"), set("spec.instanceID", `".."`)), "spec.instanceID"),
		Entry("vhost on an instance ID with a blank", "Vhost",
			edits(unset("spec.instanceRef"), set("spec.instanceID", `"my instance"`)), "spec.instanceID"),
		Entry("vhost on an instance ID in uppercase", "Vhost",
			edits(unset("spec.instanceRef"), set("spec.instanceID", "7F3B6A52-0C1D-4E8F-9A2B-3C4D5E6F7A8B")), "spec.instanceID"),
		Entry("vhost whose application has a blank name", "Vhost", edits(set("spec.application", `{name: " "}`)), "spec.application.name", "must not be blank"),
		Entry("vhost whose instanceRef is no object name", "Vhost", edits(set("spec.instanceRef", "{name: Shop}")), "spec.instanceRef.name"),
		Entry("vhost with an unknown HTTPS strategy", "Vhost", edits(set("spec.httpsStrategy", "HTTPS_always")), "spec.httpsStrategy"),
		Entry("vhost whose linked zone lacks allowAlteration", "Vhost", edits(set("spec.linkedDNSZone", "{allowAlterationOverride: true}")), "spec.linkedDNSZone.allowAlteration", "Required"),
		// Template
		Entry("template with records and default", "Template", edits(set("spec.payload.dnsRecords.default", "true")), "exactly one of default: true or records"),
		Entry("template with neither records nor default", "Template", edits(set("spec.payload.dnsRecords", "{default: false}")), "exactly one of default: true or records"),
		Entry("template record with a TTL under 300", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: "@", type: A, values: ["203.0.113.1"], ttl: 299}]`)), "spec.payload.dnsRecords.records[0].ttl", "300"),
		Entry("template record with a TTL over 2592000", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: "@", type: A, values: ["203.0.113.1"], ttl: 2592001}]`)), "spec.payload.dnsRecords.records[0].ttl", "2592000"),
		Entry("template record of an unknown type", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: "@", type: FOO, values: ["x"]}]`)), "spec.payload.dnsRecords.records[0].type"),
		Entry("template record name starting with a dash", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: "-www", type: A, values: ["203.0.113.1"]}]`)), "spec.payload.dnsRecords.records[0].name"),
		Entry("template record name with a trailing dot", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: "www.", type: A, values: ["203.0.113.1"]}]`)), "spec.payload.dnsRecords.records[0].name"),
		Entry("template record without values", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: www, type: A, values: []}]`)), "spec.payload.dnsRecords.records[0].values"),
		Entry("template record with an empty value", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: www, type: A, values: [""]}]`)), "spec.payload.dnsRecords.records[0].values[0]"),
		Entry("template record with a blank value", "Template", edits(set("spec.payload.dnsRecords.records", `[{name: www, type: A, values: ["  "]}]`)), "spec.payload.dnsRecords.records[0].values[0]"),
		Entry("template record with an empty second value", "Template",
			edits(set("spec.payload.dnsRecords.records", `[{name: www, type: A, values: ["203.0.113.1", ""]}]`)), "spec.payload.dnsRecords.records[0].values[1]"),
		Entry("template mailbox login with a space and an @", "Template", edits(set("spec.payload.mailboxes", `[{login: "a b@evil"}]`)), "spec.payload.mailboxes[0].login"),
		Entry("template mailbox login that is an address", "Template", edits(set("spec.payload.mailboxes", "[{login: alice@example.com}]")), "spec.payload.mailboxes[0].login"),
		Entry("template mailbox login in uppercase", "Template", edits(set("spec.payload.mailboxes", "[{login: Alice}]")), "spec.payload.mailboxes[0].login"),
		Entry("template mailbox login starting with a dot", "Template", edits(set("spec.payload.mailboxes", "[{login: .alice}]")), "spec.payload.mailboxes[0].login"),
		Entry("template mailbox login with two dots in a row", "Template", edits(set("spec.payload.mailboxes", "[{login: a..b}]")), "spec.payload.mailboxes[0].login"),
		Entry("template mailbox login with punctuation", "Template", edits(set("spec.payload.mailboxes", `[{login: "al!ce"}]`)), "spec.payload.mailboxes[0].login"),
		Entry("template second mailbox login with a space", "Template", edits(set("spec.payload.mailboxes", `[{login: alice}, {login: "bob "}]`)), "spec.payload.mailboxes[1].login"),
		Entry("template with three mailboxes", "Template", edits(set("spec.payload.mailboxes", "[{login: a}, {login: b}, {login: c}]")), "spec.payload.mailboxes", "at most 2"),
		Entry("template with livedns nameservers and addresses", "Template", edits(set("spec.payload.nameservers", "{service: livedns, addresses: [ns1.example.net]}")), "addresses must be empty when service is livedns"),
		Entry("template with custom nameservers and no addresses", "Template", edits(set("spec.payload.nameservers", "{service: custom}")), "set when service is custom"),
		Entry("template with an unknown nameserver service", "Template", edits(set("spec.payload.nameservers", "{service: route53}")), "spec.payload.nameservers.service"),
		Entry("template with an uppercase nameserver", "Template",
			edits(set("spec.payload.nameservers", "{service: custom, addresses: [NS1.example.net]}")), "spec.payload.nameservers.addresses[0]"),
		Entry("template with a nameserver with an underscore", "Template",
			edits(set("spec.payload.nameservers", "{service: custom, addresses: [ns1.example.net, ns_2.example.net]}")), "spec.payload.nameservers.addresses[1]"),
		Entry("template with a nameserver with a port", "Template",
			edits(set("spec.payload.nameservers", `{service: custom, addresses: ["ns1.example.net:53"]}`)), "spec.payload.nameservers.addresses[0]"),
		Entry("template with an empty nameserver", "Template",
			edits(set("spec.payload.nameservers", `{service: custom, addresses: [""]}`)), "spec.payload.nameservers.addresses[0]"),
		Entry("template with an unknown redirection type", "Template", edits(set("spec.payload.webRedirects", "[{type: http303, url: 'https://example.com/'}]")), "spec.payload.webRedirects[0].type"),
		Entry("template with an unknown redirection protocol", "Template", edits(set("spec.payload.webRedirects", "[{type: http301, url: 'https://example.com/', protocol: ftp}]")), "spec.payload.webRedirects[0].protocol"),
		Entry("template redirection to a URL without a scheme", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http301, url: www.example.com}]")), "spec.payload.webRedirects[0].url", "http or https URL"),
		Entry("template redirection to an ftp URL", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http301, url: 'ftp://example.com/'}]")), "spec.payload.webRedirects[0].url", "http or https URL"),
		Entry("template redirection to a URL without a host", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http301, url: 'https://'}]")), "spec.payload.webRedirects[0].url", "http or https URL"),
		Entry("template with two records of one name and type", "Template",
			edits(set("spec.payload.dnsRecords.records", `[{name: www, type: A, values: ["203.0.113.1"]}, {name: www, type: A, values: ["203.0.113.2"]}]`)),
			"spec.payload.dnsRecords.records[1]", "Duplicate"),
		Entry("template with a blank name", "Template", edits(set("spec.name", `"  "`)), "spec.name must not be blank"),
		Entry("template of an organization that is no UUID", "Template", edits(set("spec.sharingID", "fe0b931c")), "spec.sharingID"),
		Entry("template redirection without a URL", "Template", edits(set("spec.payload.webRedirects", "[{type: http301}]")), "spec.payload.webRedirects[0].url", "Required"),
		Entry("template redirection from an uppercase host", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http301, url: 'https://example.com/', host: WWW.example.com}]")), "spec.payload.webRedirects[0].host"),
		Entry("template redirection from a host with an underscore", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http301, url: 'https://example.com/', host: a_b.example.com}]")), "spec.payload.webRedirects[0].host"),
		Entry("template redirection from a URL instead of a host", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http301, url: 'https://example.com/', host: 'https://www.example.com/'}]")), "spec.payload.webRedirects[0].host"),
		Entry("template with an empty payload", "Template", edits(set("spec.payload", "{}")), "spec.payload"),
		// TemplateApplication
		Entry("application with templateRef and templateID", "TemplateApplication", edits(set("spec.templateID", "881f8c9a")), "exactly one of spec.templateRef or spec.templateID"),
		Entry("application with neither templateRef nor templateID", "TemplateApplication", edits(unset("spec.templateRef")), "exactly one of spec.templateRef or spec.templateID"),
		Entry("application with domain and domainID", "TemplateApplication", edits(set("spec.domainID", "ba1167be")), "exactly one of spec.domain or spec.domainID"),
		Entry("application with neither domain nor domainID", "TemplateApplication", edits(unset("spec.domain")), "exactly one of spec.domain or spec.domainID"),
		Entry("application to an uppercase domain", "TemplateApplication", edits(set("spec.domain", "Example.com")), "spec.domain"),
		// PaaSInstance
		Entry("PaaS instance without a type", "PaaSInstance", edits(unset("spec.type")), "spec.type", "Required"),
		Entry("PaaS instance of a new-platform size", "PaaSInstance", edits(set("spec.size", "starter")), "spec.size", "Unsupported value"),
		Entry("PaaS instance with a password Secret name that is no Secret name", "PaaSInstance", edits(set("spec.passwordSecretRef", "{name: My_Password, key: password}")), "spec.passwordSecretRef.name"),
		Entry("PaaS instance bought for 0 months", "PaaSInstance", edits(set("spec.duration", "0m")), "spec.duration"),
		Entry("PaaS instance bought for a year written 1y", "PaaSInstance", edits(set("spec.duration", "1y")), "spec.duration"),
		Entry("PaaS instance with an upper-case type", "PaaSInstance", edits(set("spec.type", "PHP7")), "spec.type"),
		Entry("PaaS vhost written as a URL", "PaaSInstance", edits(set("spec.vhosts", `[{fqdn: "http://www.example.org"}]`)), "spec.vhosts[0].fqdn"),
		Entry("PaaS vhost with a path", "PaaSInstance", edits(set("spec.vhosts", `[{fqdn: "www.example.org/blog"}]`)), "spec.vhosts[0].fqdn"),
		Entry("PaaS vhost with a single label", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: localhost}]")), "spec.vhosts[0].fqdn"),
		Entry("PaaS vhost with an underscore", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: a_b.example.org}]")), "spec.vhosts[0].fqdn"),
		Entry("PaaS vhost label starting with a dash", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: -www.example.org}]")), "spec.vhosts[0].fqdn"),
		Entry("PaaS vhost with an uppercase international letter", "PaaSInstance", edits(set("spec.vhosts", `[{fqdn: "cafÉ.example.org"}]`)), "spec.vhosts[0].fqdn"),
		Entry("PaaS vhost that is an IP address", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: 203.0.113.10}]")), "spec.vhosts[0].fqdn", "not an IP address"),
		Entry("PaaS SSH key ID 0", "PaaSInstance", edits(set("spec.sshKeyIDs", "[0]")), "spec.sshKeyIDs[0]"),
		Entry("PaaS SSH key ID below 0", "PaaSInstance", edits(set("spec.sshKeyIDs", "[12, -1]")), "spec.sshKeyIDs[1]"),
		Entry("PaaS empty SSH key", "PaaSInstance", edits(set("spec.sshKeys", `[""]`)), "spec.sshKeys[0]"),
		Entry("PaaS blank SSH key", "PaaSInstance", edits(set("spec.sshKeys", `["ssh-ed25519 AAAAC3Nza a@b", "  "]`)), "spec.sshKeys[1]"),
		Entry("PaaS SSH key not in OpenSSH format", "PaaSInstance", edits(set("spec.sshKeys", `["ssh-ed25519 AAAAC3Nza a@b", "hello"]`)), "spec.sshKeys[1]"),
		Entry("PaaS SSH private key", "PaaSInstance", edits(set("spec.sshKeys", "['"+sshPrivateKey+"']")), "spec.sshKeys[0]"),
		Entry("PaaS key pair pasted whole on one line", "PaaSInstance",
			edits(set("spec.sshKeys", "['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG9fY alice@host "+sshPrivateKey+"']")), "spec.sshKeys[0]", "private key material"),
		Entry("PaaS instance with a blank name", "PaaSInstance", edits(set("spec.name", `"  "`)), "spec.name must not be blank"),
		Entry("PaaS vhost overriding records without zoneAlter", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: www.example.org, override: true}]")), "override needs zoneAlter"),
		Entry("PaaS vhost in upper case", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: WWW.example.org}]")), "fqdn must be lower case"),
		Entry("PaaS vhost listed twice", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: www.example.org}, {fqdn: www.example.org}]")), "spec.vhosts[1]", "Duplicate"),
		Entry("PaaS renewal without a request", "PaaSInstance", edits(set("spec.renew", "{duration: 12m}")), "spec.renew.request", "Required"),
		Entry("PaaS credentials Secret name that is no Secret name", "PaaSInstance", edits(set("spec.credentialsRef", "{name: Gandi_Key}")), "spec.credentialsRef.name"),
		Entry("application to a domain with an underscore", "TemplateApplication", edits(set("spec.domain", "exa_mple.com")), "spec.domain"),
		Entry("application to a domain with punctuation", "TemplateApplication", edits(set("spec.domain", "example!.com")), "spec.domain"),
		Entry("application to a domain label starting with a dash", "TemplateApplication", edits(set("spec.domain", "-example.com")), "spec.domain"),
		Entry("application re-applying on an interval without one", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval}")), "spec.reapply.interval is required"),
		Entry("application re-applying every 10s", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval, interval: 10s}")), "spec.reapply.interval", "from 1m to 8760h"),
		Entry("application re-applying every 9000h, past a year", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval, interval: 9000h}")),
			"spec.reapply.interval", "from 1m to 8760h"),
		// Past what a duration holds (about 2562047h) CEL's conversion
		// failed, and the API server said "type conversion error … must be
		// at least 1m".
		Entry("application re-applying every 3000000h, more than a duration holds", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval, interval: 3000000h}")),
			"spec.reapply.interval", "from 1m to 8760h"),
		Entry("application with an unknown re-apply policy", "TemplateApplication", edits(set("spec.reapply", "{policy: Always}")), "spec.reapply.policy"),
		Entry("application re-applying every 1d", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval, interval: 1d}")),
			"spec.reapply.interval", "a day is 24h"),
		Entry("application with an interval and policy OnChange, which ignores it", "TemplateApplication", edits(set("spec.reapply", "{policy: OnChange, interval: 1h}")),
			"spec.reapply.interval is for policy Interval only"),
		Entry("application with an interval and the default policy", "TemplateApplication", edits(set("spec.reapply", "{interval: 1h}")),
			"spec.reapply.interval is for policy Interval only"),
		Entry("application of a template ID that would climb the URL path", "TemplateApplication",
			edits(unset("spec.templateRef"), set("spec.templateID", `".."`)), "spec.templateID"),
		Entry("application to a domain ID that is no UUID", "TemplateApplication",
			edits(unset("spec.domain"), set("spec.domainID", "example.com")), "spec.domainID"),
		Entry("application to an IP address", "TemplateApplication", edits(set("spec.domain", "203.0.113.10")), "spec.domain", "not an IP address"),
		Entry("application to a domain with a trailing dot", "TemplateApplication", edits(set("spec.domain", "example.com.")), "spec.domain"),
	)

	DescribeTable("accepts a manifest at the edge of the rules",
		func(kind string, changes []edit) {
			obj := newObject(kind, changes)
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
			DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
		},
		Entry("vhost with a punycode FQDN", "Vhost", edits(set("spec.fqdn", "xn--caf-dma.example.com"))),
		Entry("vhost with a Unicode FQDN", "Vhost", edits(set("spec.fqdn", "café.example.com"))),
		Entry("vhost with a Unicode FQDN in a script without case", "Vhost", edits(set("spec.fqdn", "例え.テスト"))),
		Entry("vhost with inner dashes, digits and one-letter labels", "Vhost", edits(set("spec.fqdn", "my-shop-2.a.b.co"))),
		Entry("vhost with a 63-character label", "Vhost", edits(set("spec.fqdn", strings.Repeat("a", 63)+".example.com"))),
		Entry("instance with punycode and Unicode initial vhosts", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: xn--caf-dma.example.com}, {fqdn: www.café.example.com}]"))),
		Entry("instance with a punycode free domain", "HostingInstance", edits(freeDomain("xn--caf-dma.fr"), set("spec.freeDomain.lang", "fre"))),
		Entry("application to a punycode domain", "TemplateApplication", edits(set("spec.domain", "xn--caf-dma.fr"))),
		Entry("application to a Unicode domain", "TemplateApplication", edits(set("spec.domain", "café.fr"))),
		Entry("template with a TXT value of spaces and quotes and a wildcard record", "Template",
			edits(set("spec.payload.dnsRecords.records", `[{name: "@", type: TXT, values: ['"v=spf1 include:_mailcust.gandi.net ?all"']}, {name: "*", type: CNAME, values: [webredir.vip.gandi.net.]}]`))),
		Entry("template with dotted and dashed mailbox logins", "Template", edits(set("spec.payload.mailboxes", "[{login: first.last}, {login: no-reply}]"))),
		Entry("template with underscored and one-letter mailbox logins", "Template", edits(set("spec.payload.mailboxes", "[{login: info_fr}, {login: a}]"))),
		Entry("template with nameservers with and without a trailing dot", "Template",
			edits(set("spec.payload.nameservers", "{service: custom, addresses: [ns1.example.net, ns2.example.net.]}"))),
		Entry("instance with SSH keys of each family, key IDs and a password", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeys: ['ssh-ed25519 AAAAC3Nza alice@host', 'ecdsa-sha2-nistp256 AAAAE2Vj', 'sk-ssh-ed25519@openssh.com AAAAGnNr bob'], sshKeyIDs: [3f7b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b]}"))),
		Entry("instance with a sub-addressed owner email on a second-level domain", "HostingInstance",
			edits(freeDomain("example.com"), set("spec.freeDomain.owner.email", "first.last+web@example.co.uk"))),
		Entry("instance bought for 36 months", "HostingInstance", edits(set("spec.durationMonths", "36"))),
		Entry("instance bought for 120 months, the cap", "HostingInstance", edits(set("spec.durationMonths", "120"))),
		Entry("vhost on an instance given by its Gandi ID", "Vhost",
			edits(unset("spec.instanceRef"), set("spec.instanceID", "7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b"))),
		Entry("vhost with a digit-only label below the top level", "Vhost", edits(set("spec.fqdn", "2024.example.com"))),
		Entry("template with A and AAAA records of one name", "Template",
			edits(set("spec.payload.dnsRecords.records", `[{name: www, type: A, values: ["203.0.113.1"]}, {name: www, type: AAAA, values: ["2001:db8::1"]}]`))),
		Entry("template redirection to an http URL with a path and a query", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http302, url: 'http://www.example.com/shop?from=old'}]"))),
		Entry("application of a template and to a domain given by Gandi ID", "TemplateApplication",
			edits(unset("spec.templateRef"), set("spec.templateID", "881f8c9a-fe7d-11ea-b2fe-00163e7504b8"),
				unset("spec.domain"), set("spec.domainID", "ba1167be-2f76-11e9-9dfb-00163ec4cb00"))),
		Entry("application re-applying every 1h30m", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval, interval: 1h30m}"))),
		Entry("application re-applying once a year", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval, interval: 8760h}"))),
		Entry("application re-applying every 1.5h", "TemplateApplication", edits(set("spec.reapply", "{policy: Interval, interval: 1.5h}"))),
		Entry("PaaS vhosts in punycode and in Unicode", "PaaSInstance",
			edits(set("spec.vhosts", "[{fqdn: xn--caf-dma.example.org}, {fqdn: www.café.example.org}]"))),
		Entry("PaaS SSH keys and key IDs", "PaaSInstance", edits(set("spec.sshKeys", "['ssh-rsa AAAAB3Nza a@b']"), set("spec.sshKeyIDs", "[12]"))),
		Entry("template redirection from a bare label, as in Gandi's example", "Template",
			edits(set("spec.payload.webRedirects", "[{type: http301, url: 'https://www.gandi.net/', host: www}]"))),
	)

	DescribeTable("refuses a change Gandi cannot make, naming the field",
		func(kind string, base, changes []edit, wantInError ...string) {
			obj := newObject(kind, base)
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
			DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
			apply(obj, changes)
			err := k8sClient.Update(ctx, obj)
			Expect(err).To(HaveOccurred(), "the API server accepted the change to %v", obj.Object["spec"])
			for _, want := range wantInError {
				Expect(err.Error()).To(ContainSubstring(want))
			}
		},
		Entry("moving an instance", "HostingInstance", nil, edits(set("spec.location", "LU")), "spec.location is create-only"),
		Entry("shrinking storage", "HostingInstance", nil, edits(set("spec.storageAdditionalSizeGB", "5")), "spec.storageAdditionalSizeGB may only grow"),
		Entry("resizing a new-size instance", "HostingInstance", nil, edits(set("spec.size", "pro")), "spec.size can only change from a legacy size"),
		Entry("resizing a legacy instance to xl", "HostingInstance", edits(set("spec.size", "m")), edits(set("spec.size", "xl")), "spec.size can only change from a legacy size"),
		Entry("changing the language", "HostingInstance", nil, edits(set("spec.type.language.name", "python")), "spec.type.language.name is create-only"),
		Entry("changing the database", "HostingInstance", nil, edits(set("spec.type.database.name", "pgsql")), "spec.type.database is create-only"),
		Entry("upgrading the database, which Gandi's PATCH cannot", "HostingInstance", nil, edits(set("spec.type.database.version", `"8.0"`)), "its PATCH upgrades only the language"),
		Entry("changing the duration", "HostingInstance", nil, edits(set("spec.durationMonths", "12")), "spec.durationMonths is create-only"),
		Entry("changing autorenew", "HostingInstance", nil, edits(set("spec.autorenew", "true")), "spec.autorenew is create-only"),
		Entry("changing the billing organization", "HostingInstance", nil, edits(set("spec.sharingID", "fe0b931c-18c5-11e9-b9b5-00163ec4cb00")), "spec.sharingID is create-only"),
		Entry("adding a free domain", "HostingInstance", nil,
			edits(set("spec.freeDomain", "{fqdn: example.com, owner: {type: individual, given: A, family: B, email: a@example.com, streetaddr: 1 rue, country: FR}}")),
			"spec.freeDomain is create-only"),
		Entry("adding initial vhosts", "HostingInstance", nil, edits(set("spec.initialVhosts", "[{fqdn: www.example.com}]")), "spec.initialVhosts is create-only"),
		Entry("adding SSH keys", "HostingInstance", nil, edits(set("spec.authentication", "{sshKeys: ['ssh-ed25519 AAAA user@host']}")), "sshKeys and sshKeyIDs are create-only"),
		Entry("moving a PaaS instance", "PaaSInstance", nil, edits(set("spec.datacenterID", "3")), "spec.datacenterID is create-only"),
		// A request value renews once: the renewal asked under it is the
		// duration first set, whatever the spec says later.
		Entry("changing the duration of a PaaS renewal under the same request value", "PaaSInstance",
			edits(set("spec.renew", "{request: '2027', duration: 1m}")), edits(set("spec.renew.duration", "12m")), "spec.renew.request"),
		Entry("taking a commitment with a PaaS renewal under the same request value", "PaaSInstance",
			edits(set("spec.renew", "{request: '2027', duration: 12m}")), edits(set("spec.renew.fixed", "true")), "spec.renew.request"),
		Entry("changing a PaaS instance's type", "PaaSInstance", nil, edits(set("spec.type", "php7.2mysql5.7")), "spec.type is create-only"),
		Entry("changing a PaaS instance's first duration", "PaaSInstance", nil, edits(set("spec.duration", "12m")), "use spec.renew"),
		Entry("turning zoneAlter on for a listed PaaS vhost, which Gandi takes only at its create", "PaaSInstance", nil,
			edits(set("spec.vhosts", "[{fqdn: www.example.org, zoneAlter: true}]")),
			"zoneAlter and override of a listed vhost cannot change", "remove the vhost from spec.vhosts, wait until status.vhosts no longer lists it"),
		Entry("turning override off for a listed PaaS vhost", "PaaSInstance", edits(set("spec.vhosts", "[{fqdn: www.example.org, zoneAlter: true, override: true}]")),
			edits(set("spec.vhosts", "[{fqdn: www.example.org, zoneAlter: true}]")), "zoneAlter and override of a listed vhost cannot change"),
		Entry("shrinking a PaaS data disk", "PaaSInstance", edits(set("spec.additionalDiskGB", "10")), edits(set("spec.additionalDiskGB", "5")), "may only grow"),
		// Left out, the amount is not managed; left out after being set,
		// it would let the next edit set any lower amount: two edits
		// shrinking what one may not.
		Entry("leaving out storage once set", "HostingInstance", nil, edits(unset("spec.storageAdditionalSizeGB")), "spec.storageAdditionalSizeGB may only grow"),
		Entry("leaving out a PaaS data disk once set", "PaaSInstance", edits(set("spec.additionalDiskGB", "10")), edits(unset("spec.additionalDiskGB")), "spec.additionalDiskGB may only grow"),
		Entry("renaming a vhost", "Vhost", nil, edits(set("spec.fqdn", "shop.example.com")), "spec.fqdn is create-only"),
		Entry("moving a vhost to another instance", "Vhost", nil, edits(set("spec.instanceRef.name", "other")), "spec.instanceRef and spec.instanceID are create-only"),
		Entry("moving a template to another organization", "Template", nil, edits(set("spec.sharingID", "fe0b931c-18c5-11e9-b9b5-00163ec4cb00")), "spec.sharingID is create-only"),
	)

	DescribeTable("accepts a change Gandi can make",
		func(kind string, base, changes []edit) {
			obj := newObject(kind, base)
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
			DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
			apply(obj, changes)
			Expect(k8sClient.Update(ctx, obj)).To(Succeed())
		},
		Entry("growing storage", "HostingInstance", nil, edits(set("spec.storageAdditionalSizeGB", "20"))),
		Entry("resizing a legacy instance to l", "HostingInstance", edits(set("spec.size", "m")), edits(set("spec.size", "l"))),
		Entry("resizing a legacy instance down, l to m (Gandi's docs give a resize no direction)", "HostingInstance", edits(set("spec.size", "l")), edits(set("spec.size", "m"))),
		Entry("upgrading the language version", "HostingInstance", nil, edits(set("spec.type.language.version", `"8.3"`))),
		Entry("renaming the instance at Gandi", "HostingInstance", nil, edits(set("spec.name", "shop-renamed"))),
		Entry("turning the booster on", "HostingInstance", nil, edits(set("spec.booster", "{enabled: true}"))),
		Entry("changing a vhost's HTTPS strategy", "Vhost", nil, edits(set("spec.httpsStrategy", "redirect_HTTP_to_HTTPS"))),
		Entry("changing a template's records", "Template", nil, edits(set("spec.payload.dnsRecords", "{default: true}"))),
		Entry("pointing an application at another template", "TemplateApplication", nil, edits(set("spec.templateRef.name", "other"))),
		Entry("resizing and renaming a PaaS instance", "PaaSInstance", nil, edits(set("spec.size", "xl"), set("spec.name", "legacy-renamed"))),
		Entry("growing a PaaS data disk", "PaaSInstance", edits(set("spec.additionalDiskGB", "10")), edits(set("spec.additionalDiskGB", "20"))),
		Entry("giving storage to an instance whose storage was left alone", "HostingInstance", edits(unset("spec.storageAdditionalSizeGB")), edits(set("spec.storageAdditionalSizeGB", "5"))),
		Entry("giving a data disk to a PaaS instance whose disk was left alone", "PaaSInstance", nil, edits(set("spec.additionalDiskGB", "5"))),
		Entry("renewing a PaaS instance again under a new request value, for another duration", "PaaSInstance",
			edits(set("spec.renew", "{request: '2027', duration: 12m, fixed: true}")), edits(set("spec.renew", "{request: '2028', duration: 24m}"))),
		Entry("renewing a PaaS instance for a year with a commitment", "PaaSInstance", nil, edits(set("spec.renew", "{request: '2027', duration: 12m, fixed: true}"))),
		Entry("adding a PaaS vhost that overrides records", "PaaSInstance", nil, edits(set("spec.vhosts", "[{fqdn: www.example.org}, {fqdn: blog.example.org, zoneAlter: true, override: true}]"))),
		Entry("listing another PaaS vhost with zoneAlter in place of one", "PaaSInstance", nil, edits(set("spec.vhosts", "[{fqdn: blog.example.org, zoneAlter: true}]"))),
	)

	// zoneAlter and override are taken by the vhost's create only: a new
	// value goes with a new create, the vhost removed and listed again.
	It("takes a PaaS vhost's new zoneAlter when the vhost is removed and then listed again", func() {
		obj := newObject("PaaSInstance", nil)
		Expect(k8sClient.Create(ctx, obj)).To(Succeed())
		DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
		apply(obj, edits(set("spec.vhosts", "[]")))
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
		apply(obj, edits(set("spec.vhosts", "[{fqdn: www.example.org, zoneAlter: true, override: true}]")))
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
	})

	// A create Gandi refused bought nothing: until the object exists at
	// Gandi, its create-only fields are corrected in place. The operator
	// says so on Ready (reason CreateRefused, status without the Gandi
	// ID); nothing else opens them, an empty status least of all (a
	// restore, or a create whose answer was lost, has none).
	DescribeTable("opens the create-only fields only while Gandi refuses the create", changeUnderStatus,
		Entry("a legacy size Gandi does not create, corrected to starter", "HostingInstance",
			edits(set("spec.size", "m")), createRefused, edits(set("spec.size", "starter")), true),
		Entry("the same once Gandi has the instance", "HostingInstance",
			edits(set("spec.size", "m")), createRefused+"\nid: 7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b", edits(set("spec.size", "starter")), false, "spec.size can only change from a legacy size", "CreateRefused"),
		Entry("the same with no status (a restore, a lost answer)", "HostingInstance",
			edits(set("spec.size", "m")), "", edits(set("spec.size", "starter")), false, "spec.size can only change from a legacy size"),
		Entry("the same while a create is on its way", "HostingInstance",
			edits(set("spec.size", "m")), creating, edits(set("spec.size", "starter")), false, "spec.size can only change from a legacy size"),
		Entry("the same when only Synced says CreateRefused", "HostingInstance",
			edits(set("spec.size", "m")), refusedOnSyncedOnly, edits(set("spec.size", "starter")), false, "spec.size can only change from a legacy size"),
		Entry("allowAlteration on a zone Gandi may not alter, turned off", "HostingInstance",
			edits(set("spec.initialVhosts", "[{fqdn: www.example.com, linkedDNSZone: {allowAlteration: true}}]")), createRefused,
			edits(set("spec.initialVhosts", "[{fqdn: www.example.com, linkedDNSZone: {allowAlteration: false}}]")), true),
		Entry("an SSH key Gandi refused, replaced", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeys: ['ssh-rsa AAAAB3Nza user@host']}")), createRefused,
			edits(set("spec.authentication.sshKeys", "['ssh-ed25519 AAAAC3Nza user@host']")), true),
		Entry("a free domain owner's email Gandi refused, corrected", "HostingInstance",
			edits(freeDomain("example.com")), createRefused, edits(set("spec.freeDomain.owner.email", "owner@example.org")), true),
		Entry("location, duration, autorenew, organization, database and language all corrected", "HostingInstance", nil, createRefused,
			edits(set("spec.location", "LU"), set("spec.durationMonths", "12"), set("spec.autorenew", "true"),
				set("spec.sharingID", "fe0b931c-18c5-11e9-b9b5-00163ec4cb00"), set("spec.type.database.name", "pgsql"), set("spec.type.language.name", "python")), true),
		Entry("a PaaS type Gandi's catalogue lacks, corrected", "PaaSInstance", nil, createRefused,
			edits(set("spec.type", "php7.2mysql5.7"), set("spec.datacenterID", "3"), set("spec.duration", "12m"), set("spec.fixed", "true")), true),
		Entry("the same once Gandi has the PaaS instance", "PaaSInstance", nil, createRefused+"\nid: \"4242\"",
			edits(set("spec.type", "php7.2mysql5.7")), false, "spec.type is create-only"),
		Entry("a template's organization, corrected", "Template", nil, createRefused,
			edits(set("spec.sharingID", "fe0b931c-18c5-11e9-b9b5-00163ec4cb00")), true),
		Entry("the same once Gandi has the template", "Template", nil, createRefused+"\nid: 881f8c9a-fe7d-11ea-b2fe-00163e7504b8",
			edits(set("spec.sharingID", "fe0b931c-18c5-11e9-b9b5-00163ec4cb00")), false, "spec.sharingID is create-only"),
		Entry("a vhost name another instance serves, changed", "Vhost", nil, createRefused,
			edits(set("spec.fqdn", "shop.example.com"), set("spec.instanceRef.name", "other")), true),
		Entry("the same once Gandi shows the vhost", "Vhost", nil, createRefused+"\nstate: running",
			edits(set("spec.fqdn", "shop.example.com")), false, "spec.fqdn is create-only"),
		// Grow-only guards what Gandi sold: before the instance exists,
		// nothing was, and a typo'd amount must be lowered in place like
		// any other create-time value, not by deleting the object.
		Entry("additional storage Gandi never sold, lowered while Gandi refuses the create", "HostingInstance",
			edits(set("spec.storageAdditionalSizeGB", "1000")), createRefused, edits(set("spec.storageAdditionalSizeGB", "100")), true),
		Entry("a PaaS data disk Gandi never sold, lowered while Gandi refuses the create", "PaaSInstance",
			edits(set("spec.additionalDiskGB", "1000")), createRefused, edits(set("spec.additionalDiskGB", "100")), true),
		Entry("additional storage Gandi never sold, left out while Gandi refuses the create", "HostingInstance",
			nil, createRefused, edits(unset("spec.storageAdditionalSizeGB")), true),
		Entry("additional storage lowered once Gandi has the instance", "HostingInstance",
			edits(set("spec.storageAdditionalSizeGB", "1000")), createRefused+"\nid: 7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b",
			edits(set("spec.storageAdditionalSizeGB", "100")), false, "spec.storageAdditionalSizeGB may only grow", "CreateRefused"),
		Entry("additional storage left out once Gandi has the instance", "HostingInstance",
			nil, createRefused+"\nid: 7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b", edits(unset("spec.storageAdditionalSizeGB")), false, "spec.storageAdditionalSizeGB may only grow"),
		Entry("additional storage lowered while a create is on its way", "HostingInstance",
			edits(set("spec.storageAdditionalSizeGB", "1000")), creating, edits(set("spec.storageAdditionalSizeGB", "100")), false, "spec.storageAdditionalSizeGB may only grow"),
		Entry("a PaaS data disk left out while Gandi refuses the create", "PaaSInstance",
			edits(set("spec.additionalDiskGB", "1000")), createRefused, edits(unset("spec.additionalDiskGB")), true),
		Entry("a PaaS data disk lowered once Gandi has the instance", "PaaSInstance",
			edits(set("spec.additionalDiskGB", "1000")), createRefused+"\nid: \"4242\"", edits(set("spec.additionalDiskGB", "100")), false, "spec.additionalDiskGB may only grow"),
	)

	// An object that took hold of an existing Gandi object (adopt,
	// external-id, an Observe import) may hold a create-only field that
	// differs from what Gandi shows: the operator reports Synced=False,
	// UnsupportedChange. Setting the field to the value the status shows
	// sends nothing, and is the only fix in place; any other value stays
	// refused, and so does a status value with no Gandi ID beside it.
	DescribeTable("opens a create-only field to the value Gandi shows of the object held", changeUnderStatus,
		Entry("an instance size set to the adopted instance's", "HostingInstance",
			edits(set("spec.size", "advanced")), heldInstance, edits(set("spec.size", "starter")), true),
		Entry("an instance size set to another new size", "HostingInstance",
			edits(set("spec.size", "advanced")), heldInstance, edits(set("spec.size", "pro")), false, "spec.size can only change", "status.size"),
		Entry("an instance location, language and database set to the adopted instance's", "HostingInstance", nil, heldInstance,
			edits(set("spec.location", "LU"), set("spec.type.language.name", "python"), set("spec.type.database.name", "pgsql")), true),
		Entry("an instance database name and version set to the adopted instance's", "HostingInstance", nil, heldInstance,
			edits(set("spec.type.database", `{name: pgsql, version: "16"}`)), true),
		Entry("an instance database version set to another version", "HostingInstance", nil, heldInstance,
			edits(set("spec.type.database", `{name: pgsql, version: "15"}`)), false, "spec.type.database is create-only", "status.database"),
		Entry("an instance language set to another language", "HostingInstance", nil, heldInstance,
			edits(set("spec.type.language.name", "ruby")), false, "spec.type.language.name is create-only", "status.language.name"),
		Entry("an instance database set to what a status without a Gandi ID shows", "HostingInstance", nil, heldWithoutID(heldInstance),
			edits(set("spec.type.database.name", "pgsql")), false, "spec.type.database is create-only"),
		Entry("an instance location set to what a status without a Gandi ID shows", "HostingInstance", nil, heldWithoutID(heldInstance),
			edits(set("spec.location", "LU")), false, "spec.location is create-only", "status.datacenter.region"),
		Entry("a PaaS type set to the adopted instance's", "PaaSInstance", nil, heldPaaS, edits(set("spec.type", "php7.2mysql5.7")), true),
		Entry("a PaaS datacenter set to the adopted instance's", "PaaSInstance", nil, heldPaaS, edits(set("spec.datacenterID", "3")), true),
		Entry("a PaaS type set to another type", "PaaSInstance", nil, heldPaaS,
			edits(set("spec.type", "php8.1mysql8.0")), false, "spec.type is create-only", "status.type"),
		Entry("a PaaS datacenter set to another datacenter", "PaaSInstance", nil, heldPaaS,
			edits(set("spec.datacenterID", "5")), false, "spec.datacenterID is create-only", "status.datacenter.id"),
		Entry("a PaaS type set to what a status without a Gandi ID shows", "PaaSInstance", nil, heldWithoutID(heldPaaS),
			edits(set("spec.type", "php7.2mysql5.7")), false, "spec.type is create-only"),
	)

	// Gandi takes SSH keys only in a create whose authentication has a
	// password, and the keys are create-only. Once Gandi has the instance,
	// dropping passwordSecretRef only stops the operator managing the
	// password (nothing is sent): it is the way out when the password
	// Secret is gone (PasswordNotFound holds every other change back).
	DescribeTable("binds SSH keys to a password only until Gandi has the instance", changeUnderStatus,
		Entry("the password of an instance bought with SSH keys, dropped", "HostingInstance", edits(withKeys), bought,
			edits(unset("spec.authentication.passwordSecretRef")), true),
		Entry("the password of an instance bought with SSH key IDs, dropped", "HostingInstance",
			edits(set("spec.authentication", "{passwordSecretRef: {name: pw, key: password}, sshKeyIDs: [3f7b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b]}")), bought,
			edits(unset("spec.authentication.passwordSecretRef")), true),
		Entry("the same with no status (a restore, a lost answer)", "HostingInstance", edits(withKeys), "",
			edits(unset("spec.authentication.passwordSecretRef")), false, "passwordSecretRef is required with sshKeys or sshKeyIDs"),
		Entry("the same while a create is on its way", "HostingInstance", edits(withKeys), creating,
			edits(unset("spec.authentication.passwordSecretRef")), false, "passwordSecretRef is required with sshKeys or sshKeyIDs"),
		Entry("the same while Gandi refuses the create", "HostingInstance", edits(withKeys), createRefused,
			edits(unset("spec.authentication.passwordSecretRef")), false, "passwordSecretRef is required with sshKeys or sshKeyIDs"),
		Entry("the password and the keys, dropped while Gandi refuses the create", "HostingInstance", edits(withKeys), createRefused,
			edits(unset("spec.authentication")), true),
	)

	It("keeps an instance whose password was dropped editable once its Gandi ID goes, and takes a password back", func() {
		obj := createdWithStatus("HostingInstance", edits(withKeys), bought)
		apply(obj, edits(unset("spec.authentication.passwordSecretRef")))
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())

		// The instance is deleted at Gandi: the operator forgets its ID
		// (a status write, which the same rules check) and the user edits
		// what Gandi can change, or the finalizer goes.
		apply(obj, edits(unset("status.id")))
		Expect(k8sClient.Status().Update(ctx, obj)).To(Succeed())
		apply(obj, edits(set("spec.name", "renamed"), set("metadata.finalizers", "[hosting.gandi-operator.dev/finalizer]")))
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
		apply(obj, edits(set("metadata.finalizers", "[]")))
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())

		// A new instance needs a password again: one is taken back.
		apply(obj, edits(set("spec.authentication.passwordSecretRef", "{name: pw, key: password}")))
		Expect(k8sClient.Update(ctx, obj)).To(Succeed())
	})

	// Another type or datacenter is another instance: a refusal that told
	// the user to create a new object would have them buy a second one
	// while this one runs on, billed.
	DescribeTable("never answers a create-only change with 'create a new' object",
		func(kind string, changes []edit) {
			obj := newObject(kind, nil)
			Expect(k8sClient.Create(ctx, obj)).To(Succeed())
			DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
			apply(obj, changes)
			err := k8sClient.Update(ctx, obj)
			Expect(err).To(HaveOccurred())
			Expect(err.Error()).NotTo(ContainSubstring("create a new"))
			Expect(err.Error()).To(ContainSubstring("sends nothing"))
		},
		Entry("moving an instance", "HostingInstance", edits(set("spec.location", "LU"))),
		Entry("moving a PaaS instance", "PaaSInstance", edits(set("spec.datacenterID", "3"))),
		Entry("changing a PaaS instance's type", "PaaSInstance", edits(set("spec.type", "php7.2mysql5.7"))),
	)

	It("fills in the documented defaults", func() {
		obj := newObject("HostingInstance", edits(unset("spec.storageAdditionalSizeGB")))
		Expect(k8sClient.Create(ctx, obj)).To(Succeed())
		DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
		spec := obj.Object["spec"].(map[string]any)
		Expect(spec).To(HaveKeyWithValue("deletionPolicy", "Delete"))
		Expect(spec).To(HaveKeyWithValue("managementPolicy", "Manage"))
		Expect(spec).To(HaveKeyWithValue("durationMonths", BeNumerically("==", 1)))
		Expect(spec).NotTo(HaveKey("storageAdditionalSizeGB"), "unset, the additional storage is not managed: no default says 0")
	})

	It("accepts every sample in config/samples", func() {
		paths, err := filepath.Glob(filepath.Join("..", "..", "config", "samples", "hosting_*.yaml"))
		Expect(err).NotTo(HaveOccurred())
		Expect(paths).To(HaveLen(5), "one sample per kind")
		kinds := map[string]bool{}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			Expect(err).NotTo(HaveOccurred())
			obj := &unstructured.Unstructured{}
			Expect(yaml.Unmarshal(data, &obj.Object)).To(Succeed(), p)
			obj.SetNamespace("default")
			Expect(k8sClient.Create(ctx, obj)).To(Succeed(), p)
			kinds[obj.GetKind()] = true
			DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
		}
		Expect(kinds).To(HaveLen(5))
	})
})
