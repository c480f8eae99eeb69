package v1alpha1_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// resetRefused is what the API server says to a MySQL root password reset
// of a type without MySQL.
const resetRefused = "spec.resetMySQLPasswordRequest resets a MySQL root password, and spec.type embeds another database"

// A MySQL root password reset of a type whose name embeds another database
// is refused by the API server, by the judgement the operator and the
// kubectl plugin make (paas.MayHaveMySQL); a PaaSInstance admitted before
// the rule stays editable while it keeps the request and the type.
var _ = Describe("PaaSInstance MySQL root password reset", func() {
	DescribeTable("is refused on create for a type without MySQL, naming the field",
		func(typ string) {
			obj := newObject("PaaSInstance", edits(set("spec.type", typ), set("spec.resetMySQLPasswordRequest", "r1")))
			err := k8sClient.Create(ctx, obj)
			Expect(err).To(HaveOccurred(), "the API server accepted %v", obj.Object["spec"])
			Expect(err.Error()).To(And(ContainSubstring("spec.resetMySQLPasswordRequest"), ContainSubstring(resetRefused)))
		},
		Entry("pgsql with a version", "php7.3pgsql9.6"),
		Entry("pgsql without a version", "rubypgsql"),
		Entry("mongodb", "python3.6mongodb3.2"),
	)

	It("agrees with paas.MayHaveMySQL on every type name", func() {
		for _, typ := range []string{"php7.3mysql5.7", "phpmysql", "php.5.4mysql.5.5", "php7.3", "mysql5.7", "pgsql9.6",
			"php7.3pgsql9.6", "ruby2.3pgsql9.7", "nodejsmongodb", "phppgsqlmysql5.7", "phpmysqlpgsql9.6"} {
			obj := newObject("PaaSInstance", edits(set("spec.type", typ), set("spec.resetMySQLPasswordRequest", "r1")))
			err := k8sClient.Create(ctx, obj)
			if paas.MayHaveMySQL(typ) {
				Expect(err).NotTo(HaveOccurred(), typ)
				DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
				continue
			}
			Expect(err).To(MatchError(ContainSubstring(resetRefused)), typ)
		}
	})

	It("is the pattern paas.NotMySQLTypePattern in the generated CRD", func() {
		data, err := os.ReadFile(filepath.Join("..", "..", "config", "crd", "bases", "hosting.gandi-operator.dev_paasinstances.yaml"))
		Expect(err).NotTo(HaveOccurred())
		var rules []string
		for _, r := range specRules(data) {
			if strings.Contains(r, "resetMySQLPasswordRequest") {
				rules = append(rules, r)
			}
		}
		Expect(rules).To(ConsistOf(ContainSubstring("self.type.matches('" + paas.NotMySQLTypePattern + "')")))
	})

	It("is refused when set on an existing instance without MySQL, and accepted when removed", func() {
		obj := newObject("PaaSInstance", edits(set("spec.type", "php7.3pgsql9.6")))
		Expect(k8sClient.Create(ctx, obj)).To(Succeed())
		DeferCleanup(func() { _ = k8sClient.Delete(ctx, obj) })
		Expect(unstructured.SetNestedField(obj.Object, "r1", "spec", "resetMySQLPasswordRequest")).To(Succeed())
		Expect(k8sClient.Update(ctx, obj)).To(MatchError(ContainSubstring(resetRefused)))
	})

	It("is refused when the type it stands beside becomes one without MySQL, while Gandi refuses the create", func() {
		obj := createdWithStatus("PaaSInstance", edits(set("spec.resetMySQLPasswordRequest", "r1")), createRefused)
		Expect(unstructured.SetNestedField(obj.Object, "php7.3pgsql9.6", "spec", "type")).To(Succeed())
		Expect(k8sClient.Update(ctx, obj)).To(MatchError(ContainSubstring(resetRefused)))

		unstructured.RemoveNestedField(obj.Object, "spec", "resetMySQLPasswordRequest")
		Expect(k8sClient.Update(ctx, obj)).To(Succeed(), "the type is corrected once the request goes")
	})

	It("leaves an instance admitted before the rule editable while it keeps the request, and refuses a new request value", func() {
		// The CRD without the rule, as an earlier release installed it.
		crd := &unstructured.Unstructured{}
		crd.SetGroupVersionKind(schema.GroupVersionKind{Group: "apiextensions.k8s.io", Version: "v1", Kind: "CustomResourceDefinition"})
		key := client.ObjectKey{Name: "paasinstances.hosting.gandi-operator.dev"}
		Expect(k8sClient.Get(ctx, key, crd)).To(Succeed())
		original := crd.DeepCopy()
		setSpecRules(crd, func(rules []any) []any {
			return slices.DeleteFunc(rules, func(r any) bool {
				return strings.Contains(r.(map[string]any)["rule"].(string), "resetMySQLPasswordRequest")
			})
		})
		Expect(k8sClient.Update(ctx, crd)).To(Succeed())
		restored := false
		restore := func() {
			if restored {
				return
			}
			Expect(k8sClient.Get(ctx, key, crd)).To(Succeed())
			setSpecRules(crd, func([]any) []any { return specRulesOf(original) })
			Expect(k8sClient.Update(ctx, crd)).To(Succeed())
			restored = true
		}
		DeferCleanup(restore)

		old := newObject("PaaSInstance", edits(set("spec.type", "php7.3pgsql9.6"), set("spec.resetMySQLPasswordRequest", "r1")))
		Eventually(func() error { return k8sClient.Create(ctx, old) }).Should(Succeed(), "the API server serves the CRD without the rule")
		DeferCleanup(func() { _ = k8sClient.Delete(ctx, old) })

		restore()
		Eventually(func() error {
			probe := newObject("PaaSInstance", edits(set("spec.type", "php7.3pgsql9.6"), set("spec.resetMySQLPasswordRequest", "r1")))
			err := k8sClient.Create(ctx, probe)
			if err == nil {
				_ = k8sClient.Delete(ctx, probe)
			}
			return err
		}).Should(MatchError(ContainSubstring(resetRefused)), "the API server serves the CRD with the rule again")

		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(old), old)).To(Succeed())
		Expect(unstructured.SetNestedField(old.Object, "xl", "spec", "size")).To(Succeed())
		Expect(k8sClient.Update(ctx, old)).To(Succeed(), "an edit that keeps the request and the type")

		Expect(unstructured.SetNestedField(old.Object, "r2", "spec", "resetMySQLPasswordRequest")).To(Succeed())
		Expect(k8sClient.Update(ctx, old)).To(MatchError(ContainSubstring(resetRefused)), "a new request is a new ask")

		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(old), old)).To(Succeed())
		unstructured.RemoveNestedField(old.Object, "spec", "resetMySQLPasswordRequest")
		Expect(k8sClient.Update(ctx, old)).To(Succeed(), "removing the request")
	})
})

// specRules are the CEL rules on spec in a PaaSInstance CRD manifest.
func specRules(data []byte) []string {
	crd := &unstructured.Unstructured{}
	Expect(yaml.Unmarshal(data, &crd.Object)).To(Succeed())
	rules := specRulesOf(crd)
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.(map[string]any)["rule"].(string))
	}
	return out
}

// specSchemaPath is where the spec's schema of the CRD's only version is.
var specSchemaPath = []string{"schema", "openAPIV3Schema", "properties", "spec", "x-kubernetes-validations"}

func specRulesOf(crd *unstructured.Unstructured) []any {
	versions, _, err := unstructured.NestedSlice(crd.Object, "spec", "versions")
	Expect(err).NotTo(HaveOccurred())
	Expect(versions).To(HaveLen(1))
	rules, _, err := unstructured.NestedSlice(versions[0].(map[string]any), specSchemaPath...)
	Expect(err).NotTo(HaveOccurred())
	return rules
}

// setSpecRules replaces the CEL rules on spec of the CRD's only version.
func setSpecRules(crd *unstructured.Unstructured, change func([]any) []any) {
	versions, _, err := unstructured.NestedSlice(crd.Object, "spec", "versions")
	Expect(err).NotTo(HaveOccurred())
	Expect(versions).To(HaveLen(1))
	v := versions[0].(map[string]any)
	rules, _, err := unstructured.NestedSlice(v, specSchemaPath...)
	Expect(err).NotTo(HaveOccurred())
	Expect(unstructured.SetNestedSlice(v, change(rules), specSchemaPath...)).To(Succeed())
	Expect(unstructured.SetNestedSlice(crd.Object, versions, "spec", "versions")).To(Succeed())
}
