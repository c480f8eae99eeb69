package kubectlgandi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The managedFields entries of an object: the external-id annotation
// written by the import's server-side apply, or by someone else.
var (
	importApply = metav1.ManagedFieldsEntry{Manager: FieldManager, Operation: metav1.ManagedFieldsOperationApply, APIVersion: "hosting.gandi-operator.dev/v1alpha1",
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:metadata":{"f:annotations":{"f:` + hostingv1alpha1.AnnotationExternalID + `":{}}},"f:spec":{"f:managementPolicy":{}}}`)}
	operatorCreate = metav1.ManagedFieldsEntry{Manager: "manager", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "hosting.gandi-operator.dev/v1alpha1",
		FieldsType: "FieldsV1", FieldsV1: metav1.NewFieldsV1(`{"f:metadata":{"f:annotations":{"f:` + hostingv1alpha1.AnnotationExternalID + `":{}}}}`)}
)

// An imported object is applied over an existing object of its name that
// records the same Gandi ID only when an earlier import applied it (its
// field manager server-side applied the external-id annotation): an object
// the operator created, or one adopted by hand, records the same ID, and
// applying over it would turn it to Observe and Orphan and point it at the
// import's credentials. A request the plugin merge-patched into it (an
// Update) or a status write does not make it the import's.
func TestImportOnlyOverAnEarlierImport(t *testing.T) {
	const id = "0b6d3f5e-0000-4000-8000-0000000000aa"
	opts := ManifestOptions{Namespace: "web"}
	want := &hostingv1alpha1.HostingInstance{TypeMeta: metav1.TypeMeta{Kind: kindHostingInstance}, ObjectMeta: opts.meta("shop", id)}
	existing := func(entries ...metav1.ManagedFieldsEntry) client.Object {
		return &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "web",
			Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: id}, ManagedFields: entries}}
	}
	with := func(e metav1.ManagedFieldsEntry, edit func(*metav1.ManagedFieldsEntry)) metav1.ManagedFieldsEntry {
		e = *e.DeepCopy()
		edit(&e)
		return e
	}
	tests := []struct {
		name     string
		existing client.Object
		applied  bool
	}{
		{name: "applied by an earlier import", existing: existing(operatorCreate, importApply), applied: true},
		{name: "created by the user, the ID recorded by the operator", existing: existing(operatorCreate)},
		{name: "no managedFields at all", existing: existing()},
		{name: "the plugin merge-patched a request into it (an Update)", existing: existing(operatorCreate,
			with(importApply, func(e *metav1.ManagedFieldsEntry) { e.Operation = metav1.ManagedFieldsOperationUpdate }))},
		{name: "the plugin's apply owns other fields, not the annotation", existing: existing(operatorCreate,
			with(importApply, func(e *metav1.ManagedFieldsEntry) {
				e.FieldsV1 = metav1.NewFieldsV1(`{"f:spec":{"f:managementPolicy":{}}}`)
			}))},
		{name: "another field manager applied it (kubectl apply --server-side)", existing: existing(
			with(importApply, func(e *metav1.ManagedFieldsEntry) { e.Manager = "kubectl" }))},
		{name: "the plugin's field manager on the status subresource", existing: existing(operatorCreate,
			with(importApply, func(e *metav1.ManagedFieldsEntry) { e.Subresource = "status" }))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := conflictOf(want.DeepCopy(), tt.existing, nil, nil)
			switch {
			case tt.applied && got != "":
				t.Fatalf("left as a conflict: %s", got)
			case !tt.applied && !strings.Contains(got, "hostinginstance/shop exists and already manages "+id+", but no import applied it"):
				t.Fatalf("got %q, want the conflict of an object no import applied", got)
			}
		})
	}
}

// A vhost is imported over an existing Vhost of its name only when that
// object records the same FQDN on the same instance, reached through the
// same HostingInstance: an FQDN names a vhost on one instance only, so the
// same FQDN recorded on another instance (or on none known) is a conflict
// that names both, and so is a vhost whose HostingInstance was left.
func TestImportVhostConflict(t *testing.T) {
	const (
		fqdn      = "promo.example.com"
		imported  = "0b6d3f5e-0000-4000-8000-0000000000aa"
		elsewhere = "0b6d3f5e-0000-4000-8000-0000000000bb"
	)
	want := VhostManifest(ManifestOptions{Namespace: "web"}, fqdn, "promo", imported, &gandi.Vhost{FQDN: fqdn})
	// Each applied by an import, so that only where its vhost is decides.
	vhost := func(annotations map[string]string, edit func(*hostingv1alpha1.Vhost)) *hostingv1alpha1.Vhost {
		vh := &hostingv1alpha1.Vhost{
			ObjectMeta: metav1.ObjectMeta{Name: fqdn, Namespace: "web", Annotations: annotations, ManagedFields: []metav1.ManagedFieldsEntry{importApply}},
			Spec:       hostingv1alpha1.VhostSpec{InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "promo"}, FQDN: fqdn},
		}
		if edit != nil {
			edit(vh)
		}
		return vh
	}
	recorded := func(instance string) map[string]string {
		return map[string]string{hostingv1alpha1.AnnotationExternalID: fqdn, hostingv1alpha1.AnnotationInstanceID: instance}
	}
	fqdnOnly := map[string]string{hostingv1alpha1.AnnotationExternalID: fqdn}
	ref := func(name string) func(*hostingv1alpha1.Vhost) {
		return func(vh *hostingv1alpha1.Vhost) {
			vh.Spec.InstanceRef = &hostingv1alpha1.LocalObjectReference{Name: name}
		}
	}
	instance := func(name, id string) *hostingv1alpha1.HostingInstance {
		return &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "web",
			Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: id}}}
	}
	tests := []struct {
		name     string
		existing []client.Object
		left     string // a HostingInstance left by the import
		conflict string // "": applied
	}{
		{name: "no Vhost of that name"},
		{name: "an earlier import of it", existing: []client.Object{vhost(recorded(imported), nil)}},
		{name: "the same vhost, on the same instance, which no import applied", existing: []client.Object{vhost(recorded(imported), func(vh *hostingv1alpha1.Vhost) {
			vh.ManagedFields = []metav1.ManagedFieldsEntry{operatorCreate}
		})}, conflict: "vhost/" + fqdn + " exists and already manages " + fqdn + ", but no import applied it"},
		{name: "recorded on another instance", existing: []client.Object{vhost(recorded(elsewhere), ref("blog"))},
			conflict: "vhost/" + fqdn + " exists and manages the vhost " + fqdn + " on instance " + elsewhere + ", not the one on instance " + imported + " being imported"},
		{name: "recorded on another instance through the same HostingInstance name", existing: []client.Object{vhost(recorded(elsewhere), nil)},
			conflict: "on instance " + elsewhere + ", not the one on instance " + imported},
		{name: "shown on another instance by its status", existing: []client.Object{vhost(fqdnOnly, func(vh *hostingv1alpha1.Vhost) { vh.Status.InstanceID = elsewhere })},
			conflict: "on instance " + elsewhere + ", not the one on instance " + imported},
		{name: "no instance recorded, its HostingInstance on the imported one", existing: []client.Object{vhost(fqdnOnly, nil), instance("promo", imported)}},
		{name: "no instance recorded, its HostingInstance on another", existing: []client.Object{vhost(fqdnOnly, ref("old")), instance("old", elsewhere)},
			conflict: "on instance " + elsewhere + ", not the one on instance " + imported},
		{name: "no instance recorded, its HostingInstance absent", existing: []client.Object{vhost(fqdnOnly, ref("old"))},
			conflict: "on no instance it records (its hostinginstance/old does not exist), not the one on instance " + imported},
		{name: "the same instance through spec.instanceID", existing: []client.Object{vhost(recorded(imported), func(vh *hostingv1alpha1.Vhost) {
			vh.Spec.InstanceRef, vh.Spec.InstanceID = nil, imported
		})}, conflict: "on instance " + imported + " through spec.instanceID, not hostinginstance/promo"},
		{name: "the same instance through another HostingInstance", existing: []client.Object{vhost(recorded(imported), ref("promo-eu"))},
			conflict: "through hostinginstance/promo-eu, not hostinginstance/promo"},
		{name: "another FQDN", existing: []client.Object{vhost(map[string]string{hostingv1alpha1.AnnotationExternalID: "other.example.com"}, nil)},
			conflict: "vhost/" + fqdn + " exists and its annotation " + hostingv1alpha1.AnnotationExternalID + " names other.example.com, not " + fqdn},
		{name: "its HostingInstance left", left: "promo",
			conflict: "vhost/" + fqdn + " (the vhost " + fqdn + " on instance " + imported + ") would name hostinginstance/promo, which is left as it is"},
		{name: "its HostingInstance left, even over an earlier import", existing: []client.Object{vhost(recorded(imported), nil)}, left: "promo",
			conflict: "would name hostinginstance/promo"},
		{name: "its HostingInstance left, and it no import applied", existing: []client.Object{vhost(recorded(imported), func(vh *hostingv1alpha1.Vhost) {
			vh.ManagedFields = nil
		})}, left: "promo", conflict: "vhost/" + fqdn + " exists and already manages " + fqdn + ", but no import applied it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// What importConflict reads: the Vhost of the name, and the
			// HostingInstance it names.
			var existing client.Object
			var hi *hostingv1alpha1.HostingInstance
			for _, o := range tt.existing {
				if vh, ok := o.(*hostingv1alpha1.Vhost); ok {
					existing = vh
				}
			}
			for _, o := range tt.existing {
				if h, ok := o.(*hostingv1alpha1.HostingInstance); ok && existing != nil {
					if ref := existing.(*hostingv1alpha1.Vhost).Spec.InstanceRef; ref != nil && ref.Name == h.Name {
						hi = h
					}
				}
			}
			got := conflictOf(want.DeepCopy(), existing, hi, map[string]bool{tt.left: tt.left != ""})
			switch {
			case tt.conflict == "" && got != "":
				t.Fatalf("left as a conflict: %s", got)
			case tt.conflict != "" && !strings.Contains(got, tt.conflict):
				t.Fatalf("got %q, want a conflict saying %q", got, tt.conflict)
			}
		})
	}
}

// An imported object is not applied when another object, of another name
// or namespace, already manages what it names: the controllers would let
// that one manage it and stop the imported one (OwnedByAnotherObject), so
// the import leaves it and names the manager. An object that records
// nothing yet, or another ID, does not manage it.
func TestImportRivalConflict(t *testing.T) {
	const id = "0b6d3f5e-0000-4000-8000-0000000000aa"
	created := metav1.NewTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	want := &hostingv1alpha1.HostingInstance{TypeMeta: metav1.TypeMeta{Kind: kindHostingInstance}, ObjectMeta: ManifestOptions{Namespace: "web"}.meta("shop", id)}
	instance := func(ns, name, recorded string, edit func(*hostingv1alpha1.HostingInstance)) client.Object {
		hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(ns + "/" + name), CreationTimestamp: created}}
		if recorded != "" {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: recorded}
		}
		if edit != nil {
			edit(hi)
		}
		return hi
	}
	const fqdn = "www.example.com"
	vhost := VhostManifest(ManifestOptions{Namespace: "web"}, fqdn, "shop", id, &gandi.Vhost{FQDN: fqdn})
	otherVhost := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Namespace: "team-b", Name: "www", UID: "b-www", CreationTimestamp: created,
		Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: fqdn}}, Spec: hostingv1alpha1.VhostSpec{InstanceID: id, FQDN: fqdn}}
	tests := []struct {
		name     string
		obj      client.Object
		others   []client.Object
		conflict string // "": applied
	}{
		{name: "no other object", obj: want},
		{name: "another namespace's object records the ID", obj: want, others: []client.Object{instance("team-b", "shop", id, nil)},
			conflict: "hostinginstance/shop (instance " + id + ") is already managed by team-b/shop"},
		{name: "another name in the namespace records the ID, observed", obj: want,
			others:   []client.Object{instance("web", "shop-old", id, func(hi *hostingv1alpha1.HostingInstance) { hi.Status.ID = id })},
			conflict: "is already managed by web/shop-old"},
		{name: "recorded by an object the API server dated after this machine's clock", obj: want,
			others: []client.Object{instance("team-b", "shop", id, func(hi *hostingv1alpha1.HostingInstance) {
				hi.CreationTimestamp = metav1.NewTime(time.Now().Add(time.Hour))
			})},
			conflict: "is already managed by team-b/shop"},
		{name: "another namespace's object manages the ID from its status, its annotation removed (kubectl replace)", obj: want,
			others:   []client.Object{instance("team-b", "shop", "", func(hi *hostingv1alpha1.HostingInstance) { hi.Status.ID = id })},
			conflict: "is already managed by team-b/shop"},
		{name: "an object of the Gandi name that records no ID yet", obj: want, others: []client.Object{instance("team-b", "shop", "", nil)}},
		{name: "an object that records another ID", obj: want, others: []client.Object{instance("team-b", "shop", "0b6d3f5e-0000-4000-8000-0000000000bb", nil)}},
		{name: "a Vhost of another namespace records the FQDN on the instance", obj: vhost, others: []client.Object{otherVhost},
			conflict: "vhost/" + fqdn + " (the vhost " + fqdn + " on instance " + id + ") is already managed by team-b/www"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := rivalConflict(tt.obj, tt.others)
			switch {
			case tt.conflict == "" && got != "":
				t.Fatalf("left as a conflict: %s", got)
			case tt.conflict != "" && !strings.Contains(got, tt.conflict):
				t.Fatalf("got %q, want a conflict saying %q", got, tt.conflict)
			}
		})
	}
}

// import --token-secret reads the token as the operator reads the same
// Secret (controller.CredentialValue): a Secret made with --from-file
// from a file ending in a newline serves every object, so the import
// from it must work too, not end in "credential token contains a line
// break".
func TestImportTokenSecretReadAsTheOperatorReadsIt(t *testing.T) {
	const token = "pat_0123456789abcdef"
	for name, stored := range map[string]string{
		"as given":               token,
		"ending in a newline":    token + "\n",
		"ending in CRLF":         token + "\r\n",
		"surrounded with spaces": "  " + token + " \n",
	} {
		t.Run(name, func(t *testing.T) {
			scheme := runtime.NewScheme()
			if err := clientgoscheme.AddToScheme(scheme); err != nil {
				t.Fatal(err)
			}
			c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(&corev1.Secret{
				ObjectMeta: metav1.ObjectMeta{Namespace: "web", Name: "gandi-credentials"},
				Data:       map[string][]byte{"token": []byte(stored)},
			}).Build()
			o := &importOptions{root: &root{}, tokenSecret: "gandi-credentials", tokenKey: "token"}
			cred, _, err := o.credential(t.Context(), c, "web")
			if err != nil {
				t.Fatalf("read the token Secret: %v", err)
			}
			if cred.Token != token {
				t.Fatalf("token read as %q, want %q (as the operator reads it: %q)", cred.Token, token, controller.CredentialValue([]byte(stored)))
			}
			if _, err := gandi.New(gandi.Config{BaseURL: "http://127.0.0.1:1", Credential: cred}); err != nil {
				t.Fatalf("a token Secret the operator accepts is refused by import: %v", err)
			}
		})
	}
}

// An object whose apply fails (the API server refuses it) stops only
// itself and, for a HostingInstance, its vhosts: the objects after it are
// still imported, and the command ends with an error naming every failure.
func TestImportAppliesTheRestAfterAFailure(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	if err := hostingv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	c := fake.NewClientBuilder().WithScheme(scheme).WithInterceptorFuncs(interceptor.Funcs{
		Apply: func(ctx context.Context, c client.WithWatch, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
			if u, ok := obj.(interface{ GetName() string }); ok && u.GetName() == "refused" {
				return errors.New("admission webhook denied the request")
			}
			return c.Apply(ctx, obj, opts...)
		},
	}).Build()
	opts := ManifestOptions{Namespace: "web", DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan}
	instance := func(name, id string) client.Object {
		hi := &hostingv1alpha1.HostingInstance{TypeMeta: metav1.TypeMeta{APIVersion: hostingv1alpha1.GroupVersion.String(), Kind: kindHostingInstance}, ObjectMeta: opts.meta(name, id)}
		hi.Spec.ManagedFields = opts.managed()
		return hi
	}
	vhost := func(fqdn, instance, id string) client.Object {
		vh := VhostManifest(opts, fqdn, instance, id, &gandi.Vhost{FQDN: fqdn})
		vh.APIVersion, vh.Kind = hostingv1alpha1.GroupVersion.String(), kindVhost
		return vh
	}
	const refusedID, shopID = "0b6d3f5e-0000-4000-8000-0000000000aa", "0b6d3f5e-0000-4000-8000-0000000000bb"
	objs := []client.Object{
		instance("refused", refusedID), vhost("www.refused.example", "refused", refusedID),
		instance("shop", shopID), vhost("www.example.com", "shop", shopID),
	}
	var out bytes.Buffer
	o := &importOptions{root: &root{streams: genericiooptions.IOStreams{Out: &out, ErrOut: &out}}, manifest: opts}
	err := o.applyAll(t.Context(), c, objs)
	if err == nil {
		t.Fatalf("no error, printed:\n%s", out.String())
	}
	for _, want := range []string{"2 failed", "apply hostinginstance/refused: admission webhook denied the request", "vhost/www.refused.example not applied: its hostinginstance/refused was not"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
	if err := c.Get(t.Context(), types.NamespacedName{Namespace: "web", Name: "shop"}, &hostingv1alpha1.HostingInstance{}); err != nil {
		t.Errorf("hostinginstance/shop, after the failure, was not imported: %v", err)
	}
	if err := c.Get(t.Context(), types.NamespacedName{Namespace: "web", Name: "www.example.com"}, &hostingv1alpha1.Vhost{}); err != nil {
		t.Errorf("vhost/www.example.com, after the failure, was not imported: %v", err)
	}
	if err := c.Get(t.Context(), types.NamespacedName{Namespace: "web", Name: "www.refused.example"}, &hostingv1alpha1.Vhost{}); err == nil {
		t.Error("the vhost of the refused instance was applied")
	}
}

// An apply refused because another field manager set fields of an earlier
// import since names each field and who holds it; any other error names
// none (it is a failure, not a conflict to take back).
func TestFieldConflicts(t *testing.T) {
	conflict := func(causes ...metav1.StatusCause) error {
		return &apierrors.StatusError{ErrStatus: metav1.Status{Status: metav1.StatusFailure, Code: http.StatusConflict, Reason: metav1.StatusReasonConflict,
			Details: &metav1.StatusDetails{Causes: causes}}}
	}
	tests := []struct {
		name string
		err  error
		want []string
	}{
		{"two fields of kubectl edit", fmt.Errorf("apply hostinginstance/blog: %w", conflict(
			metav1.StatusCause{Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "kubectl-edit" using hosting.gandi-operator.dev/v1alpha1: .spec.credentialsRef.name`, Field: ".spec.credentialsRef.name"},
			metav1.StatusCause{Type: metav1.CauseTypeFieldManagerConflict, Message: `conflict with "kubectl-edit": .spec.deletionPolicy`, Field: ".spec.deletionPolicy"})),
			[]string{".spec.credentialsRef.name (kubectl-edit)", ".spec.deletionPolicy (kubectl-edit)"}},
		{"a conflict of another kind (resourceVersion)", conflict(), nil},
		{"refused by the schema", apierrors.NewInvalid(schema.GroupKind{Group: "hosting.gandi-operator.dev", Kind: "HostingInstance"}, "blog", nil), nil},
		{"not an API error", errors.New("connection refused"), nil},
	}
	for _, tt := range tests {
		if got := fieldConflicts(tt.err); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
