package kubectlgandi

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// ManifestOptions say how imported objects are written: where, with which
// credentials, and how much the operator may do with them.
type ManifestOptions struct {
	Namespace   string
	Credentials hostingv1alpha1.CredentialsReference
	// Manage hands the objects over (managementPolicy Manage); otherwise
	// they are only observed.
	Manage bool
	// DeletionPolicy is Orphan unless the user asked for Delete.
	DeletionPolicy hostingv1alpha1.DeletionPolicy
}

// managed is the part every imported object shares. The deletion policy is
// set in Observe mode too: it changes nothing while observing, but an
// object later switched to Manage by hand then still keeps its Gandi
// object when deleted, unless the user asked otherwise on import.
func (o ManifestOptions) managed() hostingv1alpha1.ManagedFields {
	creds := o.Credentials
	policy := hostingv1alpha1.ManagementPolicyObserve
	if o.Manage {
		policy = hostingv1alpha1.ManagementPolicyManage
	}
	return hostingv1alpha1.ManagedFields{
		CredentialsRef:   &creds,
		DeletionPolicy:   cmp.Or(o.DeletionPolicy, hostingv1alpha1.DeletionPolicyOrphan),
		ManagementPolicy: policy,
	}
}

func (o ManifestOptions) meta(name, externalID string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   o.Namespace,
		Annotations: map[string]string{hostingv1alpha1.AnnotationExternalID: externalID},
	}
}

// InstanceManifest is the HostingInstance that manages inst as Gandi
// reports it: every field the operator compares (name, size, storage,
// snapshots, language version) is Gandi's own value, so applying it, in
// Observe or Manage mode, sends nothing to Gandi. The create-only fields
// are Gandi's too (they cannot change afterwards, so they must be right).
// The booster is left out: it is temporary, and a spec asking for it would
// start a new (billed) one once the current one ends.
func InstanceManifest(o ManifestOptions, name string, inst *gandi.Instance) (*hostingv1alpha1.HostingInstance, error) {
	if inst.Datacenter == nil || inst.Datacenter.Region == "" {
		return nil, fmt.Errorf("instance %s (%s): Gandi reports no datacenter region, so spec.location cannot be filled", inst.Name, inst.ID)
	}
	if inst.Language == nil || inst.Database == nil {
		return nil, fmt.Errorf("instance %s (%s): Gandi reports no language or database, so spec.type cannot be filled", inst.Name, inst.ID)
	}
	spec := hostingv1alpha1.HostingInstanceSpec{
		ManagedFields: o.managed(),
		Name:          inst.Name,
		Location:      inst.Datacenter.Region,
		Size:          hostingv1alpha1.InstanceSize(inst.Size),
		Type: hostingv1alpha1.InstanceType{
			Language: hostingv1alpha1.InstanceLanguage{Name: inst.Language.Name, Version: inst.Language.Version},
			Database: hostingv1alpha1.InstanceDatabase{Name: inst.Database.Name, Version: inst.Database.Version},
		},
		StorageAdditionalSizeGB: additionalStorageGB(inst),
		SnapshotEnabled:         gandi.Ptr(inst.SnapshotEnabled),
		Autorenew:               gandi.Ptr(inst.Autorenew != nil),
		// The API server would default it to 1 too; written out because the
		// field is serialized even when zero, which the schema refuses.
		DurationMonths: 1,
	}
	if inst.SharingSpace != nil {
		spec.SharingID = inst.SharingSpace.ID
	}
	return &hostingv1alpha1.HostingInstance{
		TypeMeta:   metav1.TypeMeta{APIVersion: hostingv1alpha1.GroupVersion.String(), Kind: kindHostingInstance},
		ObjectMeta: o.meta(name, inst.ID),
		Spec:       spec,
	}, nil
}

// additionalStorageGB reads the additional storage as the operator does
// (Gandi reports it in MB or GB); nil, so not managed, when Gandi reports
// none.
func additionalStorageGB(inst *gandi.Instance) *int32 {
	if inst.Storage == nil || inst.Storage.Additional == nil {
		return nil
	}
	q := inst.Storage.Additional
	if strings.EqualFold(q.Unit, "MB") {
		return gandi.Ptr(int32(q.Value / 1024)) //nolint:gosec // Gandi's maximum is 1004 GB
	}
	return gandi.Ptr(int32(q.Value)) //nolint:gosec // Gandi's maximum is 1004 GB
}

// VhostManifest is the Vhost that manages v on instance instanceID,
// imported as instanceName. The instance is recorded beside the FQDN, as
// the operator records it: an FQDN names a vhost on one instance only, so
// the record is not taken for a vhost of that name elsewhere. The application is named without its parameters: they
// may hold what was typed at install time (an admin password), and the
// operator compares parameters only when the spec sets some. The HTTPS
// strategy is Gandi's only when Gandi reports one (it does once the vhost
// has a certificate); otherwise the spec leaves it to Gandi.
func VhostManifest(o ManifestOptions, name, instanceName, instanceID string, v *gandi.Vhost) *hostingv1alpha1.Vhost {
	spec := hostingv1alpha1.VhostSpec{
		ManagedFields: o.managed(),
		InstanceRef:   &hostingv1alpha1.LocalObjectReference{Name: instanceName},
		FQDN:          v.FQDN,
		HTTPSStrategy: v.HTTPSStrategy,
	}
	if v.Application != nil && v.Application.Name != "" {
		spec.Application = &hostingv1alpha1.VhostApplication{Name: v.Application.Name}
	}
	if z := v.LinkedDNSZone; z != nil {
		spec.LinkedDNSZone = &hostingv1alpha1.LinkedDNSZone{AllowAlteration: z.AllowAlteration}
	}
	om := o.meta(name, v.FQDN)
	om.Annotations[hostingv1alpha1.AnnotationInstanceID] = instanceID
	return &hostingv1alpha1.Vhost{
		TypeMeta:   metav1.TypeMeta{APIVersion: hostingv1alpha1.GroupVersion.String(), Kind: kindVhost},
		ObjectMeta: om,
		Spec:       spec,
	}
}

// ErrNotEditable says a template is one of Gandi's public ones, which no
// cluster can manage.
var ErrNotEditable = errors.New("the template is one of Gandi's public templates")

// TemplateManifest is the Template that manages t, its payload written
// back as the spec's: the operator compares payloads after normalizing
// both, so Gandi's own payload is always "the same".
func TemplateManifest(o ManifestOptions, name string, t *gandi.Template) (*hostingv1alpha1.Template, error) {
	if !t.Editable {
		return nil, fmt.Errorf("template %s (%s): %w", t.Name, t.ID, ErrNotEditable)
	}
	spec := hostingv1alpha1.TemplateSpec{
		ManagedFields: o.managed(),
		Name:          t.Name,
		Payload:       templatePayload(t.Payload),
	}
	if t.Description != "" {
		spec.Description = gandi.Ptr(t.Description)
	}
	if t.SharingSpace != nil {
		spec.SharingID = t.SharingSpace.ID
	}
	return &hostingv1alpha1.Template{
		TypeMeta:   metav1.TypeMeta{APIVersion: hostingv1alpha1.GroupVersion.String(), Kind: "Template"},
		ObjectMeta: o.meta(name, t.ID),
		Spec:       spec,
	}, nil
}

// templatePayload is the inverse of the operator's desiredPayload.
func templatePayload(p gandi.TemplatePayload) hostingv1alpha1.TemplatePayload {
	var out hostingv1alpha1.TemplatePayload
	if r := p.DNSRecords; r != nil {
		ns := &hostingv1alpha1.DNSRecordsPayload{}
		if r.Default {
			ns.Default = gandi.Ptr(true)
		}
		for _, rec := range r.Records {
			ns.Records = append(ns.Records, hostingv1alpha1.DNSRecord{
				Name: rec.Name, Type: rec.Type, Values: slices.Clone(rec.Values), TTL: int32(rec.TTL), //nolint:gosec // Gandi's maximum TTL is 2592000
			})
		}
		out.DNSRecords = ns
	}
	if m := p.Mailboxes; m != nil {
		for _, v := range m.Values {
			out.Mailboxes = append(out.Mailboxes, hostingv1alpha1.Mailbox{Login: v.Login})
		}
	}
	if n := p.Nameservers; n != nil {
		out.Nameservers = &hostingv1alpha1.NameserversPayload{Service: n.Service}
		if n.Service != "livedns" {
			out.Nameservers.Addresses = slices.Clone(n.Addresses)
		}
	}
	if w := p.WebRedirects; w != nil {
		for _, r := range w.Values {
			out.WebRedirects = append(out.WebRedirects, hostingv1alpha1.WebRedirect{
				Type: r.Type, URL: r.URL, Host: r.Host, Override: r.Override, Protocol: r.Protocol,
			})
		}
	}
	return out
}

// ObjectName turns a Gandi name (an instance's, a template's, an FQDN)
// into a Kubernetes object name: lowercase, runs of anything but letters,
// digits and dots made one '-', trimmed to 253 characters; "imported"
// when nothing is left.
func ObjectName(gandiName string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(gandiName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	name := b.String()
	// Every dot-separated label must start and end with an alphanumeric.
	labels := strings.Split(name, ".")
	kept := labels[:0]
	for _, l := range labels {
		if l = strings.Trim(l, "-"); l != "" {
			kept = append(kept, l)
		}
	}
	name = strings.Join(kept, ".")
	if len(name) > validation.DNS1123SubdomainMaxLength {
		name = strings.TrimRight(name[:validation.DNS1123SubdomainMaxLength], "-.")
	}
	if name == "" {
		return "imported"
	}
	return name
}

// namer hands out object names unique within one kind: a second Gandi
// object whose name maps to a taken one gets "-2", then "-3"...
type namer map[string]bool

func (n namer) name(gandiName string) string {
	base := ObjectName(gandiName)
	name := base
	for i := 2; n[name]; i++ {
		suffix := "-" + strconv.Itoa(i)
		name = strings.TrimRight(base[:min(len(base), validation.DNS1123SubdomainMaxLength-len(suffix))], "-.") + suffix
	}
	n[name] = true
	return name
}
