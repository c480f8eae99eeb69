package kubectlgandi

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// account is what import reads at Gandi; it never writes.
type account interface {
	ListInstances(ctx context.Context, opts gandi.ListInstancesOptions) ([]gandi.Instance, error)
	GetInstance(ctx context.Context, id string) (*gandi.Instance, error)
	ListVhosts(ctx context.Context, instanceID string, opts gandi.ListVhostsOptions) ([]gandi.Vhost, error)
	ListTemplates(ctx context.Context, opts gandi.ListTemplatesOptions) ([]gandi.TemplateSummary, error)
	GetTemplate(ctx context.Context, id string) (*gandi.Template, error)
}

type importOptions struct {
	*root
	manifest       ManifestOptions
	deletionPolicy string
	credentials    string
	tokenSecret    string
	tokenKey       string
	tokenFile      string
	tokenEnv       string
	apiKey         bool
	gandiURL       string
	namePattern    string
	apply          bool
	forceConflicts bool
	paas           paasSource
}

func newImportCommand(r *root) *cobra.Command {
	o := &importOptions{root: r}
	cmd := &cobra.Command{
		Use:   "import",
		Short: "Print (or apply) manifests for everything a Gandi account holds",
		Long: `Reads, with a Gandi token, every Web Hosting instance, its vhosts and every
editable template of the account (and, given a legacy API key, every PaaS
instance of the XML-RPC API), and prints one manifest for each: the
external-id annotation set, the spec filled from what Gandi reports (so that
applying it changes nothing at Gandi), managementPolicy Observe (--manage for
Manage) and deletionPolicy Orphan (unless --deletion-policy Delete).
Nothing is written to Gandi, nor to the cluster unless --apply is given.
--apply writes over an existing object of the same name only when an
earlier import applied it (field manager kubectl-gandi, as the example's
kubectl apply too); any other, the operator's own objects included, is left
as it is and named in the error the command ends with. A field of an earlier
import that another field manager set since (a credentialsRef or
deletionPolicy changed with kubectl edit) is not taken back: that object is
left as it is and its fields are named in the error; --force-conflicts takes
them back.

The token is read from a Secret in the cluster (--token-secret), a file
(--token-file) or an environment variable (--token-env, GANDI_TOKEN by
default), never from the command line, where it would stay in the shell's
history.`,
		Example: `  # Look first, then apply what was printed
  GANDI_TOKEN=... kubectl gandi import -n web > gandi.yaml
  kubectl apply --server-side --field-manager kubectl-gandi -f gandi.yaml
  # Read the token from the Secret the objects will use, and apply at once
  kubectl gandi import -n web --token-secret gandi-credentials --apply
  # Hand the shop-* instances over to the operator
  kubectl gandi import -n web --token-secret gandi-credentials --name 'shop*' --manage --apply`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context()) },
	}
	f := cmd.Flags()
	f.StringVar(&o.tokenSecret, "token-secret", "", "read the token from this Secret, in the target namespace")
	f.StringVar(&o.tokenKey, "token-secret-key", string(hostingv1alpha1.CredentialsKeyToken), `key of --token-secret holding the token ("apikey": a legacy API key)`)
	f.StringVar(&o.tokenFile, "token-file", "", "read the token from this file")
	f.StringVar(&o.tokenEnv, "token-env", "GANDI_TOKEN", "read the token from this environment variable (when neither --token-secret nor --token-file is given)")
	f.BoolVar(&o.apiKey, "api-key", false, "the token read from --token-file or --token-env is a legacy API key")
	f.StringVar(&o.credentials, "credentials-secret", "", "Secret the objects' credentialsRef names (default: --token-secret, else gandi-credentials)")
	f.BoolVar(&o.manifest.Manage, "manage", false, "hand the objects over: managementPolicy Manage instead of Observe")
	f.StringVar(&o.deletionPolicy, "deletion-policy", string(hostingv1alpha1.DeletionPolicyOrphan), "deletionPolicy of the objects: Orphan or Delete")
	f.StringVar(&o.gandiURL, "gandi-url", gandi.DefaultBaseURL, "Gandi API root (a simulator's URL in tests and demos)")
	f.StringVar(&o.namePattern, "name", "", `import only instances (and their vhosts) and templates whose Gandi name matches this glob ("shop*": * matches any characters)`)
	f.BoolVar(&o.apply, "apply", false, "server-side apply the manifests instead of only printing them")
	f.BoolVar(&o.forceConflicts, "force-conflicts", false, "with --apply, take back the fields of an earlier import that another field manager set since (otherwise that object is left and its fields named)")
	f.StringVar(&o.paas.secret, "paas-apikey-secret", "", `import legacy PaaS instances too, reading the API key from this Secret (key "apikey"), in the target namespace`)
	f.StringVar(&o.paas.file, "paas-apikey-file", "", "import legacy PaaS instances too, reading the API key from this file")
	f.StringVar(&o.paas.env, "paas-apikey-env", "GANDI_APIKEY", "import legacy PaaS instances too when this environment variable holds an API key (and neither --paas-apikey-secret nor --paas-apikey-file is given)")
	f.StringVar(&o.paas.credentials, "paas-credentials-secret", "", "Secret the PaaSInstances' credentialsRef names (default: --paas-apikey-secret, else gandi-apikey)")
	f.StringVar(&o.paas.url, "gandi-xmlrpc-url", paas.DefaultEndpoint, "Gandi's XML-RPC API, for PaaS instances (a simulator's URL in tests and demos)")
	return cmd
}

// validate refuses flags that cannot work together, before anything is read.
func (o *importOptions) validate() error {
	if err := o.validateOutput(); err != nil {
		return err
	}
	if o.allNamespaces {
		return errors.New("import writes into one namespace: give -n/--namespace, not --all-namespaces")
	}
	switch hostingv1alpha1.DeletionPolicy(o.deletionPolicy) {
	case hostingv1alpha1.DeletionPolicyOrphan, hostingv1alpha1.DeletionPolicyDelete:
	default:
		return fmt.Errorf("--deletion-policy must be Orphan or Delete, not %q", o.deletionPolicy)
	}
	if o.forceConflicts && !o.apply {
		return errors.New("--force-conflicts is for --apply: without it nothing is written")
	}
	if o.namePattern != "" {
		if _, err := path.Match(o.namePattern, ""); err != nil {
			return fmt.Errorf("--name %q is not a pattern: %w", o.namePattern, err)
		}
	}
	return nil
}

func (o *importOptions) run(ctx context.Context) error {
	if err := o.validate(); err != nil {
		return err
	}
	ns, err := o.namespace()
	if err != nil {
		return err
	}
	var c client.Client
	if o.apply || o.tokenSecret != "" || o.paas.secret != "" {
		if c, err = o.client(); err != nil {
			return err
		}
	}
	cred, key, err := o.credential(ctx, c, ns)
	if err != nil {
		return err
	}
	api, err := gandi.New(gandi.Config{BaseURL: o.gandiURL, Credential: cred, ClientOptions: gandi.ClientOptions{UserAgent: "kubectl-gandi"}})
	if err != nil {
		return fmt.Errorf("make the Gandi client: %w", err)
	}
	o.manifest.Namespace = ns
	o.manifest.DeletionPolicy = hostingv1alpha1.DeletionPolicy(o.deletionPolicy)
	o.manifest.Credentials = hostingv1alpha1.CredentialsReference{Name: cmp.Or(o.credentials, o.tokenSecret, "gandi-credentials"), Key: key}
	objs, err := collect(ctx, api, o.manifest, o.namePattern)
	if err != nil {
		return err
	}
	legacy, err := o.collectPaaS(ctx, c, ns)
	if err != nil {
		return err
	}
	objs = append(objs, legacy...)
	if !o.apply {
		return o.printObjects(objs, true)
	}
	o.warnMissingCredentials(ctx, c)
	return o.applyAll(ctx, c, objs)
}

// applyAll applies every object that importConflict lets through, and
// ends with an error naming those it left and those whose read or apply
// failed. A failure stops only its own object (and the vhosts of a
// HostingInstance not applied): the others are still imported, so that
// one object refused by the API server does not leave the rest of the
// account out.
func (o *importOptions) applyAll(ctx context.Context, c client.Client, objs []client.Object) error {
	var applied []client.Object
	var conflicts, failures, taken []string
	left := map[string]bool{}   // HostingInstances not applied as conflicts, by name
	failed := map[string]bool{} // HostingInstances whose read or apply failed, by name
	notApplied := func(obj client.Object, why string, into *[]string, names map[string]bool) {
		*into = append(*into, why)
		if _, ok := obj.(*hostingv1alpha1.HostingInstance); ok {
			names[obj.GetName()] = true
		}
	}
	rivals := &rivals{c: c, ns: o.manifest.Namespace}
	defer func() {
		if len(rivals.warned) > 0 {
			_, _ = fmt.Fprintf(o.streams.ErrOut, "warning: you may not list every namespace's %s: only namespace %s was searched for objects already managing what is imported; one in another namespace makes the operator stop the imported one (OwnedByAnotherObject)\n",
				strings.Join(rivals.warned, ", "), o.manifest.Namespace)
		}
	}()
	for _, obj := range objs {
		if vh, ok := obj.(*hostingv1alpha1.Vhost); ok && vh.Spec.InstanceRef != nil && failed[vh.Spec.InstanceRef.Name] {
			failures = append(failures, fmt.Sprintf("%s not applied: its hostinginstance/%s was not", objectRef(obj), vh.Spec.InstanceRef.Name))
			continue
		}
		conflict, err := importConflict(ctx, c, rivals, obj, left)
		if err != nil {
			notApplied(obj, err.Error(), &failures, failed)
			continue
		}
		if conflict != "" {
			notApplied(obj, conflict, &conflicts, left)
			continue
		}
		if err := applyObject(ctx, c, obj, o.forceConflicts); err != nil {
			if fields := fieldConflicts(err); len(fields) > 0 {
				// The object exists (an earlier import): its vhosts
				// are still applied.
				taken = append(taken, fmt.Sprintf("%s: %s", objectRef(obj), strings.Join(fields, ", ")))
				continue
			}
			notApplied(obj, err.Error(), &failures, failed)
			continue
		}
		applied = append(applied, obj)
		if o.output == "" {
			if _, err := fmt.Fprintf(o.streams.Out, "%s serverside-applied\n", objectRef(obj)); err != nil {
				return err
			}
		}
	}
	if o.output != "" {
		if err := o.printObjects(applied, true); err != nil {
			return err
		}
	}
	var errs []error
	if len(conflicts) > 0 {
		errs = append(errs, fmt.Errorf("%d not imported, left as they are: %s; an object of the same name that manages something else can be imported into another namespace, or written with -o yaml and renamed",
			len(conflicts), strings.Join(conflicts, "; ")))
	}
	if len(taken) > 0 {
		errs = append(errs, fmt.Errorf("%d not applied, left as they are: another field manager set fields of the earlier import since (%s); run the import again with --force-conflicts to take them back",
			len(taken), strings.Join(taken, "; ")))
	}
	if len(failures) > 0 {
		errs = append(errs, fmt.Errorf("%d failed, the rest imported: %s", len(failures), strings.Join(failures, "; ")))
	}
	return errors.Join(errs...)
}

// importConflict says why obj is not applied, after reading what the
// decisions need: the object of its name, and for a Vhost that records no
// instance, its HostingInstance (conflictOf); then the objects of other
// names that already manage what it names (rivals).
func importConflict(ctx context.Context, c client.Client, rivals *rivals, obj client.Object, leftInstances map[string]bool) (string, error) {
	existing, err := getIfExists(ctx, c, obj)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", objectRef(obj), err)
	}
	var hi *hostingv1alpha1.HostingInstance
	if vh, ok := existing.(*hostingv1alpha1.Vhost); ok && vh.Spec.InstanceRef != nil {
		hi = &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Namespace: vh.Namespace, Name: vh.Spec.InstanceRef.Name}}
		if hi, err = getIfExists(ctx, c, hi); err != nil {
			return "", fmt.Errorf("read the instance of %s: %w", objectRef(vh), err)
		}
	}
	if conflict := conflictOf(obj, existing, hi, leftInstances); conflict != "" {
		return conflict, nil
	}
	return rivals.conflict(ctx, obj)
}

// getIfExists reads the object of obj's kind, namespace and name from the
// API server; nil when there is none.
func getIfExists[T client.Object](ctx context.Context, c client.Client, obj T) (T, error) {
	var none T
	existing, ok := obj.DeepCopyObject().(T)
	if !ok {
		return none, errors.New("copy the object")
	}
	switch err := c.Get(ctx, client.ObjectKeyFromObject(obj), existing); {
	case apierrors.IsNotFound(err):
		return none, nil
	case err != nil:
		return none, err
	}
	return existing, nil
}

// conflictOf says why obj is not applied over existing, the object of its
// name (nil: none): it manages another Gandi object, or none yet (it may
// be buying its own). Applying over it would hand it the imported Gandi
// object and take its own away, so only an object already recording the
// same Gandi ID is updated, and only when an earlier import applied it
// (importedBefore; --manage is then applied again): one the operator
// created or adopted would be turned to Observe and Orphan and pointed at
// the import's credentials. A vhost's ID, its FQDN, names it on one instance only: see
// vhostConflict; hi is the HostingInstance the existing Vhost names (nil:
// none, or it does not exist). leftInstances are the HostingInstances (by
// name) not applied: a Vhost naming one would live on the instance that
// object manages, not on the one imported.
func conflictOf(obj, existing client.Object, hi *hostingv1alpha1.HostingInstance, leftInstances map[string]bool) string {
	conflict, madeHere := existingConflict(obj, existing, hi)
	// An object this cluster made of the same name and ID is named as
	// such, even when its HostingInstance is left too: that says why
	// both are left.
	if madeHere {
		return conflict
	}
	if vh, ok := obj.(*hostingv1alpha1.Vhost); ok && vh.Spec.InstanceRef != nil && leftInstances[vh.Spec.InstanceRef.Name] {
		return fmt.Sprintf("%s (the vhost %s on instance %s) would name hostinginstance/%s, which is left as it is and is not instance %s",
			objectRef(obj), vh.Spec.FQDN, importedInstance(vh), vh.Spec.InstanceRef.Name, importedInstance(vh))
	}
	return conflict
}

// existingConflict is conflictOf for existing, the object of obj's name,
// alone; madeHere says that existing manages the very Gandi object
// imported but no import applied it.
func existingConflict(obj, existing client.Object, hi *hostingv1alpha1.HostingInstance) (conflict string, madeHere bool) {
	if existing == nil {
		return "", false
	}
	// As the controllers take them (ManagedID): an existing object whose
	// annotation was removed still manages what its status names.
	want := controller.ManagedID(obj)
	switch have := controller.ManagedID(existing); have {
	case want:
		if have, ok := existing.(*hostingv1alpha1.Vhost); ok {
			if conflict := vhostConflict(obj.(*hostingv1alpha1.Vhost), have, hi); conflict != "" {
				return conflict, false
			}
		}
		if !importedBefore(existing) {
			// Made by this cluster (the operator bought or created it) or
			// adopted by hand: the same ID says only that it manages the
			// Gandi object already, not that its policies and
			// credentials are the import's to overwrite.
			return fmt.Sprintf("%s exists and already manages %s, but no import applied it (the operator created it, or it was adopted): its policies and credentials are its own",
				objectRef(obj), want), true
		}
		return "", false
	case "":
		if named := existing.GetAnnotations()[hostingv1alpha1.AnnotationExternalID]; named != "" {
			// A Vhost whose annotation names another FQDN than its spec
			// manages neither (the controller reports it).
			return fmt.Sprintf("%s exists and its annotation %s names %s, not %s", objectRef(obj), hostingv1alpha1.AnnotationExternalID, named, want), false
		}
		return fmt.Sprintf("%s exists and records no Gandi ID (it may be creating its own), not %s", objectRef(obj), want), false
	default:
		return fmt.Sprintf("%s exists and manages %s, not %s", objectRef(obj), have, want), false
	}
}

// importedBefore reports that obj is an earlier import's: kubectl gandi's
// field manager server-side applied its external-id annotation (applyObject,
// or `kubectl apply --server-side --field-manager kubectl-gandi` of the
// printed manifests). The API server records who wrote what, so neither
// the ID it records nor a copied annotation counts: an object the operator
// created or adopted records the same ID, under another manager, and a
// request the plugin wrote into it (a merge patch: an Update) owns no
// annotation of the import's.
func importedBefore(obj client.Object) bool {
	for _, entry := range obj.GetManagedFields() {
		if entry.Manager != FieldManager || entry.Operation != metav1.ManagedFieldsOperationApply || entry.Subresource != "" || entry.FieldsV1 == nil {
			continue
		}
		var fields struct {
			Metadata struct {
				Annotations map[string]json.RawMessage `json:"f:annotations"`
			} `json:"f:metadata"`
		}
		if json.Unmarshal(entry.FieldsV1.GetRawBytes(), &fields) != nil {
			continue
		}
		if _, ok := fields.Metadata.Annotations["f:"+hostingv1alpha1.AnnotationExternalID]; ok {
			return true
		}
	}
	return false
}

// vhostConflict says why want, the imported vhost, is not applied over
// have, a Vhost of its name that records the same FQDN. An FQDN names a
// vhost on one instance only: recorded on another instance (the site made
// again elsewhere, or the record of an earlier site), have is not the
// vhost imported, and applying over it would take its record for that
// vhost, or would be refused for moving it (its instance is create-only).
// Nor is it when it records no instance at all, or reaches the same
// instance through another reference than the imported one, which
// admission refuses to change. hi is the HostingInstance have names.
func vhostConflict(want, have *hostingv1alpha1.Vhost, hi *hostingv1alpha1.HostingInstance) string {
	wantInstance := importedInstance(want)
	haveInstance, via := recordedInstance(have, hi)
	switch {
	case haveInstance == "":
		return fmt.Sprintf("%s exists and manages the vhost %s on no instance it records (%s), not the one on instance %s being imported",
			objectRef(want), want.Spec.FQDN, via, wantInstance)
	case haveInstance != wantInstance:
		return fmt.Sprintf("%s exists and manages the vhost %s on instance %s, not the one on instance %s being imported: an FQDN names a vhost on one instance only",
			objectRef(want), want.Spec.FQDN, haveInstance, wantInstance)
	case have.Spec.InstanceID != "" || have.Spec.InstanceRef == nil || *have.Spec.InstanceRef != *want.Spec.InstanceRef:
		return fmt.Sprintf("%s exists and manages the vhost %s on instance %s through %s, not hostinginstance/%s (create-only)",
			objectRef(want), want.Spec.FQDN, haveInstance, instanceReference(have), want.Spec.InstanceRef.Name)
	}
	return ""
}

// importedInstance is the Gandi instance an imported Vhost's vhost is on.
func importedInstance(vh *hostingv1alpha1.Vhost) string {
	return vh.GetAnnotations()[hostingv1alpha1.AnnotationInstanceID]
}

// recordedInstance is the instance an existing Vhost's FQDN is on, as the
// operator reads it (controller.VhostInstanceOf; hi is its HostingInstance,
// nil when there is none). "" when none is known, with where it was looked
// for.
func recordedInstance(vh *hostingv1alpha1.Vhost, hi *hostingv1alpha1.HostingInstance) (string, string) {
	switch id := controller.VhostInstanceOf(vh, hi); {
	case id != "":
		return id, ""
	case vh.Spec.InstanceRef == nil:
		return "", "it names no instance"
	case hi == nil:
		return "", "its hostinginstance/" + vh.Spec.InstanceRef.Name + " does not exist"
	}
	return "", "its hostinginstance/" + vh.Spec.InstanceRef.Name + " holds no instance"
}

// instanceReference is how a Vhost's spec names its instance.
func instanceReference(vh *hostingv1alpha1.Vhost) string {
	if vh.Spec.InstanceRef != nil {
		return "hostinginstance/" + vh.Spec.InstanceRef.Name
	}
	return "spec.instanceID"
}

// objectRef is kind/name, as kubectl prints it.
func objectRef(obj client.Object) string {
	return strings.ToLower(obj.GetObjectKind().GroupVersionKind().Kind) + "/" + obj.GetName()
}

// collectPaaS imports the legacy PaaS instances when an API key is given.
func (o *importOptions) collectPaaS(ctx context.Context, c client.Client, ns string) ([]client.Object, error) {
	key, err := o.paas.apiKey(ctx, c, ns)
	if err != nil || key == "" {
		return nil, err
	}
	api, err := paas.New(paas.Config{Endpoint: o.paas.url, APIKey: key, ClientOptions: gandi.ClientOptions{UserAgent: "kubectl-gandi"}})
	if err != nil {
		return nil, fmt.Errorf("make the Gandi XML-RPC client: %w", err)
	}
	return collectPaaS(ctx, api, o.manifest, cmp.Or(o.paas.credentials, o.paas.secret, "gandi-apikey"), o.namePattern)
}

// warnMissingCredentials says, before applying, when the Secret the
// objects name does not exist: they would all report CredentialsNotFound.
// It is a warning, not an error: the Secret may be created next (and a
// warning that cannot be written is not worth failing the import for).
func (o *importOptions) warnMissingCredentials(ctx context.Context, c client.Client) {
	ref := o.manifest.Credentials
	s := &corev1.Secret{}
	err := c.Get(ctx, types.NamespacedName{Namespace: o.manifest.Namespace, Name: ref.Name}, s)
	switch {
	case apierrors.IsNotFound(err):
		_, _ = fmt.Fprintf(o.streams.ErrOut, "warning: the Secret %s/%s that the objects' credentialsRef names does not exist: they report CredentialsNotFound until it does\n", o.manifest.Namespace, ref.Name)
	case err == nil && len(s.Data[string(ref.Key)]) == 0:
		_, _ = fmt.Fprintf(o.streams.ErrOut, "warning: the Secret %s/%s that the objects' credentialsRef names has no key %q\n", o.manifest.Namespace, ref.Name, ref.Key)
	}
}

// credential reads the token from the one source given. The token never
// comes from a flag value: it would stay in the shell history and show in
// the process list.
func (o *importOptions) credential(ctx context.Context, c client.Client, ns string) (gandi.Credential, hostingv1alpha1.CredentialsKey, error) {
	keyOf := func(apiKey bool) hostingv1alpha1.CredentialsKey {
		if apiKey {
			return hostingv1alpha1.CredentialsKeyAPIKey
		}
		return hostingv1alpha1.CredentialsKeyToken
	}
	var token string
	apiKey := o.apiKey
	switch {
	case o.tokenSecret != "" && o.tokenFile != "":
		return gandi.Credential{}, "", errors.New("give one of --token-secret and --token-file")
	case o.tokenSecret != "":
		s := &corev1.Secret{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: o.tokenSecret}, s); err != nil {
			return gandi.Credential{}, "", fmt.Errorf("read the token Secret %s/%s: %w", ns, o.tokenSecret, err)
		}
		token = controller.CredentialValue(s.Data[o.tokenKey])
		if token == "" {
			return gandi.Credential{}, "", fmt.Errorf("the token Secret %s/%s has no key %q (or it is empty)", ns, o.tokenSecret, o.tokenKey)
		}
		apiKey = o.tokenKey == string(hostingv1alpha1.CredentialsKeyAPIKey)
	case o.tokenFile != "":
		data, err := os.ReadFile(o.tokenFile)
		if err != nil {
			return gandi.Credential{}, "", fmt.Errorf("read the token file: %w", err)
		}
		token = controller.CredentialValue(data)
		if token == "" {
			return gandi.Credential{}, "", fmt.Errorf("the token file %s is empty", o.tokenFile)
		}
	default:
		token = controller.CredentialValue([]byte(os.Getenv(o.tokenEnv)))
		if token == "" {
			return gandi.Credential{}, "", fmt.Errorf("no token: set $%s, or give --token-secret or --token-file", o.tokenEnv)
		}
	}
	return gandi.Credential{Token: token, APIKey: apiKey}, keyOf(apiKey), nil
}

// collect reads the account and returns the manifests, instances (each
// followed by its vhosts) first, then templates, each group in Gandi name
// order so that two runs print the same thing.
func collect(ctx context.Context, api account, o ManifestOptions, pattern string) ([]client.Object, error) {
	matches := func(name string) bool {
		ok, _ := path.Match(pattern, name)
		return pattern == "" || ok
	}
	listed, err := api.ListInstances(ctx, gandi.ListInstancesOptions{Name: pattern})
	if err != nil {
		return nil, fmt.Errorf("list instances: %w", err)
	}
	slices.SortFunc(listed, func(a, b gandi.Instance) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	instanceNames, vhostNames, templateNames := namer{}, namer{}, namer{}
	var out []client.Object
	for _, l := range listed {
		if !matches(l.Name) {
			continue
		}
		// The list item lacks some details; the object itself has them all.
		inst, err := api.GetInstance(ctx, l.ID)
		if err != nil {
			return nil, fmt.Errorf("get instance %s: %w", l.ID, err)
		}
		hi, err := InstanceManifest(o, instanceNames.name(inst.Name), inst)
		if err != nil {
			return nil, err
		}
		out = append(out, hi)
		vhosts, err := api.ListVhosts(ctx, inst.ID, gandi.ListVhostsOptions{})
		if err != nil {
			return nil, fmt.Errorf("list the vhosts of instance %s: %w", inst.ID, err)
		}
		slices.SortFunc(vhosts, func(a, b gandi.Vhost) int { return cmp.Compare(a.FQDN, b.FQDN) })
		for i := range vhosts {
			out = append(out, VhostManifest(o, vhostNames.name(vhosts[i].FQDN), hi.Name, inst.ID, &vhosts[i]))
		}
	}
	summaries, err := api.ListTemplates(ctx, gandi.ListTemplatesOptions{})
	if err != nil {
		return nil, fmt.Errorf("list templates: %w", err)
	}
	slices.SortFunc(summaries, func(a, b gandi.TemplateSummary) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	for _, s := range summaries {
		if !s.Editable || !matches(s.Name) {
			continue
		}
		t, err := api.GetTemplate(ctx, s.ID)
		if err != nil {
			return nil, fmt.Errorf("get template %s: %w", s.ID, err)
		}
		tpl, err := TemplateManifest(o, templateNames.name(t.Name), t)
		if err != nil {
			return nil, err
		}
		out = append(out, tpl)
	}
	return out, nil
}

// fieldConflicts are the fields, with the field manager now holding each,
// that the API server refused a server-side apply over (409, one cause per
// field): empty for any other error.
func fieldConflicts(err error) []string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Code != http.StatusConflict || status.Status().Details == nil {
		return nil
	}
	var fields []string
	for _, cause := range status.Status().Details.Causes {
		if cause.Type != metav1.CauseTypeFieldManagerConflict {
			continue
		}
		field := cause.Field
		// The message is `conflict with "MANAGER"[ using VERSION]: FIELD`.
		if _, rest, ok := strings.Cut(cause.Message, `conflict with "`); ok {
			if manager, _, ok := strings.Cut(rest, `"`); ok {
				field += " (" + manager + ")"
			}
		}
		fields = append(fields, field)
	}
	return fields
}
