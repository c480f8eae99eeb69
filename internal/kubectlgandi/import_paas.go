package kubectlgandi

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// paasAccount is what import reads of the legacy XML-RPC API; it never
// writes.
type paasAccount interface {
	ListAll(ctx context.Context, opts paas.PaasCountOptions) ([]paas.PaasListReturn, error)
	Info(ctx context.Context, paasID int) (*paas.PaasReturn, error)
}

// paasSource says where the legacy API key comes from. PaaS instances are
// imported only when one is given: the XML-RPC API takes no token.
type paasSource struct {
	secret, file, env string
	credentials       string
	url               string
}

// apiKey reads the legacy API key from the one source given; "" when none
// is (PaaS instances are then left out).
func (s paasSource) apiKey(ctx context.Context, c client.Client, ns string) (string, error) {
	switch {
	case s.secret != "" && s.file != "":
		return "", errors.New("give one of --paas-apikey-secret and --paas-apikey-file")
	case s.secret != "":
		sec := &corev1.Secret{}
		if err := c.Get(ctx, types.NamespacedName{Namespace: ns, Name: s.secret}, sec); err != nil {
			return "", fmt.Errorf("read the API key Secret %s/%s: %w", ns, s.secret, err)
		}
		key := controller.CredentialValue(sec.Data[string(hostingv1alpha1.CredentialsKeyAPIKey)])
		if key == "" {
			return "", fmt.Errorf("the API key Secret %s/%s has no key %q (or it is empty)", ns, s.secret, hostingv1alpha1.CredentialsKeyAPIKey)
		}
		return key, nil
	case s.file != "":
		data, err := os.ReadFile(s.file)
		if err != nil {
			return "", fmt.Errorf("read the API key file: %w", err)
		}
		if key := controller.CredentialValue(data); key != "" {
			return key, nil
		}
		return "", fmt.Errorf("the API key file %s is empty", s.file)
	}
	return controller.CredentialValue([]byte(os.Getenv(s.env))), nil
}

// collectPaaS reads the legacy instances and returns their manifests, in
// Gandi name order.
func collectPaaS(ctx context.Context, api paasAccount, o ManifestOptions, credentials, pattern string) ([]client.Object, error) {
	listed, err := api.ListAll(ctx, paas.PaasCountOptions{})
	if err != nil {
		return nil, fmt.Errorf("list PaaS instances: %w", err)
	}
	slices.SortFunc(listed, func(a, b paas.PaasListReturn) int { return cmp.Or(cmp.Compare(a.Name, b.Name), a.ID-b.ID) })
	names := namer{}
	var out []client.Object
	for _, l := range listed {
		if ok, _ := path.Match(pattern, l.Name); pattern != "" && !ok {
			continue
		}
		info, err := api.Info(ctx, l.ID)
		if err != nil {
			return nil, fmt.Errorf("get PaaS instance %d: %w", l.ID, err)
		}
		out = append(out, PaaSManifest(o, credentials, names.name(info.Name), info))
	}
	return out, nil
}

// PaaSManifest is the PaaSInstance that manages info as Gandi reports it:
// every field the operator compares (name, size, data disk, snapshot
// profile, vhosts) is Gandi's own value, so applying it sends nothing.
// The password is left out (Gandi never shows it, and an instance without
// one declared keeps its own), and so is the console, which is opened for
// an hour at a time.
func PaaSManifest(o ManifestOptions, credentials, name string, info *paas.PaasReturn) *hostingv1alpha1.PaaSInstance {
	m := o.managed()
	profile := int32(0)
	if sp := info.SnapshotProfile; sp != nil {
		profile = int32(sp.ID) //nolint:gosec // profile IDs are small
	}
	spec := hostingv1alpha1.PaaSInstanceSpec{
		CredentialsRef:   &hostingv1alpha1.PaaSCredentialsReference{Name: credentials},
		DeletionPolicy:   m.DeletionPolicy,
		ManagementPolicy: m.ManagementPolicy,
		Name:             info.Name,
		DatacenterID:     int32(info.Datacenter.ID), //nolint:gosec // datacenter IDs are small
		Type:             info.Type,
		Size:             hostingv1alpha1.PaaSSize(info.Size),
		// Create-only, and not compared: the API's default.
		Duration:         "1m",
		AdditionalDiskGB: gandi.Ptr(int32(info.DataDiskAdditionalSize)), //nolint:gosec // bounded by Gandi
		SnapshotProfile:  &profile,
	}
	for _, vh := range info.Vhosts {
		spec.Vhosts = append(spec.Vhosts, hostingv1alpha1.PaaSVhostSpec{FQDN: vh.Name})
	}
	slices.SortFunc(spec.Vhosts, func(a, b hostingv1alpha1.PaaSVhostSpec) int { return cmp.Compare(a.FQDN, b.FQDN) })
	return &hostingv1alpha1.PaaSInstance{
		TypeMeta:   metav1.TypeMeta{APIVersion: hostingv1alpha1.GroupVersion.String(), Kind: "PaaSInstance"},
		ObjectMeta: o.meta(name, strconv.Itoa(info.ID)),
		Spec:       spec,
	}
}
