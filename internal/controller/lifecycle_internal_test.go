package controller

import (
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

func TestRecordedCredentials(t *testing.T) {
	cases := []struct {
		name   string
		record string
		want   *hostingv1alpha1.CredentialsReference
	}{
		{"none", "", nil},
		{"a token", credentialsRecordOf(&hostingv1alpha1.CredentialsReference{Name: "gandi-credentials"}), &hostingv1alpha1.CredentialsReference{Name: "gandi-credentials", Key: hostingv1alpha1.CredentialsKeyToken}},
		{"an API key", credentialsRecordOf(&hostingv1alpha1.CredentialsReference{Name: "legacy", Key: hostingv1alpha1.CredentialsKeyAPIKey}), &hostingv1alpha1.CredentialsReference{Name: "legacy", Key: hostingv1alpha1.CredentialsKeyAPIKey}},
		{"no key: unreadable, not guessed", "gandi-credentials", nil},
		{"an unknown key", "gandi-credentials/password", nil},
		{"no name", "/token", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{hostingv1alpha1.AnnotationInstanceCredentials: c.record}}}
			got := recordedCredentials(vh)
			if (got == nil) != (c.want == nil) || (got != nil && *got != *c.want) {
				t.Fatalf("recordedCredentials(%q) = %+v, want %+v", c.record, got, c.want)
			}
		})
	}
}
