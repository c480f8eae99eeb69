package controller

import (
	"slices"
	"testing"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// TestTemplateChanges pins what an update sends: a description the spec
// does not set is Gandi's to keep, one it sets ("" included) is sent.
func TestTemplateChanges(t *testing.T) {
	payload := hostingv1alpha1.TemplatePayload{Nameservers: &hostingv1alpha1.NameserversPayload{Service: "livedns"}}
	observed := func(desc string) *gandi.Template {
		return &gandi.Template{
			TemplateSummary: gandi.TemplateSummary{Name: "dns", Description: desc, Editable: true},
			Payload:         desiredPayload(payload),
		}
	}
	for _, tc := range []struct {
		name     string
		spec     *string
		gandi    string
		want     []string
		wantDesc *string
	}{
		{name: "unset, Gandi has one: kept", spec: nil, gandi: "Gandi's own"},
		{name: "unset, Gandi has none", spec: nil, gandi: ""},
		{name: "set, the same", spec: ptrTo("ours"), gandi: "ours"},
		{name: "set, another", spec: ptrTo("ours"), gandi: "Gandi's own", want: []string{"description"}, wantDesc: ptrTo("ours")},
		{name: "set empty: cleared", spec: ptrTo(""), gandi: "Gandi's own", want: []string{"description"}, wantDesc: ptrTo("")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := &hostingv1alpha1.Template{Spec: hostingv1alpha1.TemplateSpec{Name: "dns", Description: tc.spec, Payload: payload}}
			req, fields := templateChanges(tpl, observed(tc.gandi))
			if !slices.Equal(fields, tc.want) {
				t.Fatalf("fields = %v, want %v", fields, tc.want)
			}
			switch {
			case tc.wantDesc == nil && req.Description != nil:
				t.Errorf("description sent: %q", *req.Description)
			case tc.wantDesc != nil && (req.Description == nil || *req.Description != *tc.wantDesc):
				t.Errorf("description = %v, want %q", req.Description, *tc.wantDesc)
			}
			if drift := templateDrift(tpl, observed(tc.gandi)); (drift != "") != (len(tc.want) > 0) {
				t.Errorf("Observe reports drift %q, want drift: %t", drift, len(tc.want) > 0)
			}
		})
	}
}

// TestPublicReleased pins when a Template lets go of a public template:
// only once no annotation names it. An editable template known from the
// status alone stays this object's.
func TestPublicReleased(t *testing.T) {
	for _, tc := range []struct {
		name       string
		annotation string
		id         string
		editable   *bool
		want       bool
	}{
		{name: "public, named by the annotation", annotation: "pub-1", id: "pub-1", editable: ptrTo(false)},
		{name: "public, the annotation removed", id: "pub-1", editable: ptrTo(false), want: true},
		{name: "editable, the annotation removed: still this object's", id: "tpl-1", editable: ptrTo(true)},
		{name: "editability unknown (no status yet)", id: "tpl-1"},
		{name: "nothing known", editable: ptrTo(false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tpl := &hostingv1alpha1.Template{Status: hostingv1alpha1.TemplateStatus{ID: tc.id, Editable: tc.editable}}
			if tc.annotation != "" {
				tpl.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: tc.annotation}
			}
			if got := publicReleased(tpl); got != tc.want {
				t.Fatalf("publicReleased = %t, want %t", got, tc.want)
			}
		})
	}
}
