package controller

import (
	"context"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The digest a create records must equal the one its lookup computes from
// what Gandi gives back of the template it made, and differ from anything
// someone else would make under the name.
func TestTemplateDigest(t *testing.T) {
	sent := gandi.TemplatePayload{
		DNSRecords:  &gandi.DNSRecordsNS{Records: []gandi.DNSRecord{{Name: "@", Type: "A", Values: []string{"203.0.113.1"}}, {Name: "www", Type: "CNAME", TTL: 300, Values: []string{"@"}}}},
		Nameservers: &gandi.NameserversNS{Service: "livedns"},
	}
	// As Gandi may give it back: records reordered, the default ttl filled
	// in, livedns with an empty address list.
	back := gandi.TemplatePayload{
		DNSRecords:  &gandi.DNSRecordsNS{Records: []gandi.DNSRecord{{Name: "www", Type: "cname", TTL: 300, Values: []string{"@"}}, {Name: "@", Type: "A", TTL: defaultRecordTTL, Values: []string{"203.0.113.1"}}}},
		Nameservers: &gandi.NameserversNS{Service: "livedns", Addresses: []string{}},
	}
	other := gandi.TemplatePayload{DNSRecords: &gandi.DNSRecordsNS{Default: true}}
	d := templateDigest("dns", "the shop's", sent)
	if !strings.HasPrefix(d, "sha256:") {
		t.Fatalf("digest %q", d)
	}
	if got := templateDigest("dns", "the shop's", back); got != d {
		t.Fatalf("the template as Gandi gives it back has digest %s, the create recorded %s", got, d)
	}
	for name, got := range map[string]string{
		"another payload":     templateDigest("dns", "the shop's", other),
		"another description": templateDigest("dns", "made by hand", sent),
		"no description":      templateDigest("dns", "", sent),
		"another name":        templateDigest("dns2", "the shop's", sent),
	} {
		if got == d {
			t.Errorf("%s: same digest as what was sent", name)
		}
	}
}

func TestWithSentDigest(t *testing.T) {
	obj := func(recorded string) *hostingv1alpha1.Template {
		t := &hostingv1alpha1.Template{}
		if recorded != "" {
			t.Annotations = map[string]string{hostingv1alpha1.AnnotationCreateDigest: recorded}
		}
		return t
	}
	cases := []struct {
		name      string
		recorded  string
		hadIntent bool
		want      string
	}{
		{"a new intent", "", false, "d"},
		{"a new intent over a stale record (an inherited intent)", "a,b", false, "d"},
		{"a create sent again under the intent, the spec edited since", "a", true, "a,d"},
		{"a create sent again under the intent, the same content", "a,d", true, "a,d"},
		{"an earlier build's intent without digests, sent again", "", true, "d"},
		{"the oldest goes beyond the bound", "a,b,c,e", true, "b,c,e,d"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := withSentDigest(obj(c.recorded), c.hadIntent, "d"); got != c.want {
				t.Fatalf("withSentDigest = %q, want %q", got, c.want)
			}
		})
	}
}

// fakeTemplates is a templateAPI over a fixed list.
type fakeTemplates struct {
	templateAPI
	list []gandi.TemplateSummary
	full map[string]*gandi.Template
	gets int
}

func (f *fakeTemplates) ListTemplates(context.Context, gandi.ListTemplatesOptions) ([]gandi.TemplateSummary, error) {
	return f.list, nil
}

func (f *fakeTemplates) GetTemplate(_ context.Context, id string) (*gandi.Template, error) {
	f.gets++
	if t, ok := f.full[id]; ok {
		return t, nil
	}
	return nil, &gandi.APIError{StatusCode: 404}
}

func TestTemplateFindReadsContentOnlyForAnIntent(t *testing.T) {
	payload := gandi.TemplatePayload{DNSRecords: &gandi.DNSRecordsNS{Default: true}}
	summary := func(id, org string) gandi.TemplateSummary {
		return gandi.TemplateSummary{ID: id, Name: "dns", Editable: true, Description: "by hand", SharingSpace: &gandi.TemplateSharingSpace{ID: org, Name: org + "-name"}}
	}
	api := &fakeTemplates{
		list: []gandi.TemplateSummary{summary("t1", "org1"), summary("gone", "org1"), {ID: "other-name", Name: "web", Editable: true}, {ID: "public", Name: "dns"}},
		full: map[string]*gandi.Template{"t1": {TemplateSummary: summary("t1", "org1"), Payload: payload}},
	}
	created := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tpl := &hostingv1alpha1.Template{ObjectMeta: metav1.ObjectMeta{Name: "dns", CreationTimestamp: metav1.NewTime(created)}}
	e := &templateExternal{api: api, t: tpl}

	found, err := e.find(context.Background())
	if err != nil || len(found) != 2 || found[0].content != "" || api.gets != 0 {
		t.Fatalf("without an intent: %+v, %v, %d GETs; want both matches, unread", found, err, api.gets)
	}

	tpl.Annotations = map[string]string{hostingv1alpha1.AnnotationCreatePending: created.Add(time.Second).Format(time.RFC3339Nano)}
	found, err = e.find(context.Background())
	if err != nil || len(found) != 1 || found[0].id != "t1" {
		t.Fatalf("with an intent: %+v, %v; want t1 only (the other deleted since the list)", found, err)
	}
	if want := templateDigest("dns", "by hand", payload); found[0].content != want {
		t.Fatalf("content %q, want %q", found[0].content, want)
	}
}

// A Template without sharingID is made in the token's own organization,
// which the template API does not name: a match is reported with its
// organization, and offered for adoption only in the organization
// spec.sharingID names.
func TestTemplateAlreadyExistsMessage(t *testing.T) {
	const own, company = "1a2b3c4d-0d2e-11ef-a1b2-00163e816031", "1a2b3c4d-0d2e-11ef-a1b2-00163e816032"
	found := map[string]gandi.TemplateSummary{
		"theirs": {ID: "theirs", Name: "dns", Editable: true, SharingSpace: &gandi.TemplateSharingSpace{ID: company, Name: "dave-company"}},
		"mine":   {ID: "mine", Name: "dns", Editable: true, SharingSpace: &gandi.TemplateSharingSpace{ID: own, Name: "dave"}},
		"bare":   {ID: "bare", Name: "dns", Editable: true},
	}
	adopt := hostingv1alpha1.AnnotationAdopt
	cases := []struct {
		name      string
		sharingID string
		which     []string
		has, not  []string
	}{
		{"no sharingID, another organization's", "", []string{"theirs"},
			[]string{`theirs in organization "dave-company" (` + company + `)`, "spec.sharingID", "token's own organization"}, []string{adopt}},
		{"no sharingID, two organizations", "", []string{"theirs", "mine"},
			[]string{`organization "dave-company"`, `mine in organization "dave" (` + own + `)`}, []string{adopt}},
		{"sharingID naming the match's organization", company, []string{"theirs"},
			[]string{"theirs, in the organization spec.sharingID names", adopt, hostingv1alpha1.AnnotationExternalID}, []string{"token's own"}},
		{"sharingID, a match Gandi places in no organization", company, []string{"bare"},
			[]string{"bare in an organization Gandi does not name", "does not offer to adopt"}, []string{adopt}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tpl := &hostingv1alpha1.Template{ObjectMeta: metav1.ObjectMeta{Name: "dns"}, Spec: hostingv1alpha1.TemplateSpec{SharingID: c.sharingID}}
			e := &templateExternal{t: tpl, found: found}
			var which []candidate
			for _, id := range c.which {
				which = append(which, candidate{id: id})
			}
			checkMentions(t, e.alreadyExistsMessage(which), c.has, c.not)
		})
	}
}
