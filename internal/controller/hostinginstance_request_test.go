package controller

import (
	"context"
	"strings"
	"testing"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// TestCreateRequestAuthentication: the CRD binds SSH keys to a password
// only until Gandi has the instance, so an instance bought again after a
// deletion at Gandi may hold keys and no password; Gandi refuses such a
// create, and the operator sends none (not even a Dry-Run).
func TestCreateRequestAuthentication(t *testing.T) {
	cases := []struct {
		name    string
		auth    *hostingv1alpha1.AuthenticationSpec
		refused bool
	}{
		{"no authentication", nil, false},
		{"an empty authentication, not sent", &hostingv1alpha1.AuthenticationSpec{}, false},
		{"SSH keys without a password", &hostingv1alpha1.AuthenticationSpec{SSHKeys: []string{"ssh-ed25519 AAAAC3Nza alice@host"}}, true},
		{"SSH key IDs without a password", &hostingv1alpha1.AuthenticationSpec{SSHKeyIDs: []string{"3f7b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b"}}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hi := &hostingv1alpha1.HostingInstance{Spec: hostingv1alpha1.HostingInstanceSpec{
				Location: "FR", Size: "starter", DurationMonths: 1, Authentication: c.auth,
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql"},
				},
			}}
			req, version, err := (&HostingInstanceReconciler{}).createRequest(context.Background(), hi)
			if c.refused {
				if err == nil || !strings.Contains(err.Error(), "passwordSecretRef") {
					t.Fatalf("createRequest error = %v, want one naming passwordSecretRef", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("createRequest: %v", err)
			}
			if req.Authentication != nil || version != "" {
				t.Fatalf("createRequest sent authentication %+v (password version %q), want none", req.Authentication, version)
			}
		})
	}
}
