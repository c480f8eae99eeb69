package gandi_test

import (
	"slices"
	"testing"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

func recordsPayload() gandi.TemplatePayload {
	return gandi.TemplatePayload{
		Nameservers: &gandi.NameserversNS{Service: "livedns"},
		DNSRecords: &gandi.DNSRecordsNS{Records: []gandi.DNSRecord{
			{Name: "@", Type: "A", Values: []string{"203.0.113.1"}},
			{Name: "@", Type: "MX", TTL: 10800, Values: []string{"10 spool.mail.gandi.net.", "50 fb.mail.gandi.net."}},
		}},
		Mailboxes: &gandi.MailboxesNS{Values: []gandi.Mailbox{{Login: "alice"}, {Login: "contact"}}},
		WebRedirects: &gandi.WebRedirsNS{Values: []gandi.WebRedirect{
			{Type: "http301", Host: "old.example.org", URL: "https://www.gandi.net/", Protocol: "https"},
		}},
	}
}

func TestSimTemplatesAndDispatch(t *testing.T) {
	e := newEnv(t)
	c := e.c
	domID := e.sim.AddDomain(orgID, "example.org")

	id, err := c.CreateTemplate(ctx(t), gandi.CreateTemplateRequest{Name: "site", Description: "web site", Payload: recordsPayload()}, gandi.CreateOptions{SharingID: orgID})
	if e.keep(err) != nil || id == "" {
		t.Fatalf("create: %q %v", id, err)
	}
	_, err = c.CreateTemplate(ctx(t), gandi.CreateTemplateRequest{Name: "site", Payload: recordsPayload()}, gandi.CreateOptions{})
	if !gandi.IsAlreadyExists(e.keep(err)) || !gandi.IsConflict(err) {
		t.Fatalf("duplicate name: %v", err)
	}
	bad := recordsPayload()
	bad.DNSRecords.Records[0].TTL = 10
	bad.DNSRecords.Records[1].Name = "-bad-"
	_, err = c.CreateTemplate(ctx(t), gandi.CreateTemplateRequest{Name: "bad", Payload: bad}, gandi.CreateOptions{})
	if !gandi.IsInvalid(e.keep(err)) || len(gandi.FieldErrors(err)) < 2 {
		t.Fatalf("invalid payload: %v", err)
	}

	tpl, err := c.GetTemplate(ctx(t), id)
	if e.keep(err) != nil || tpl.Name != "site" || !tpl.Editable || tpl.Payload.DNSRecords == nil || len(tpl.Payload.DNSRecords.Records) != 2 ||
		tpl.Payload.Nameservers == nil || tpl.Payload.Mailboxes == nil || tpl.Payload.WebRedirects == nil || len(tpl.Namespaces) != 4 {
		t.Fatalf("get: %+v %v", tpl, err)
	}
	list, err := c.ListTemplates(ctx(t), gandi.ListTemplatesOptions{PerPage: 1})
	if e.keep(err) != nil || !slices.ContainsFunc(list, func(s gandi.TemplateSummary) bool { return s.ID == id }) {
		t.Fatalf("list: %+v %v", list, err)
	}

	// PATCH sends the whole payload; an empty description is sent too.
	full := recordsPayload()
	full.DNSRecords = &gandi.DNSRecordsNS{Default: true}
	if err := c.UpdateTemplate(ctx(t), id, gandi.UpdateTemplateRequest{Description: gandi.Ptr(""), Payload: &full}); e.keep(err) != nil {
		t.Fatalf("patch: %v", err)
	}
	if tv, _ := e.sim.Template(id); tv.Description != "" {
		t.Errorf("description not cleared: %+v", tv)
	}

	dom, err := c.GetDomain(ctx(t), "example.org")
	if e.keep(err) != nil || dom.ID != domID || dom.FQDN != "example.org" {
		t.Fatalf("domain: %+v %v", dom, err)
	}
	if _, err := c.GetDomain(ctx(t), "unknown.example"); !gandi.IsNotFound(e.keep(err)) {
		t.Errorf("unknown domain: %v", err)
	}

	res, err := c.ApplyTemplate(ctx(t), id, gandi.ApplyTemplateRequest{ObjectID: dom.ID})
	if e.keep(err) != nil || res.DispatchID == "" || res.TargetID != dom.ID || res.TargetType != "domain" || e.sim.Dispatches() != 1 {
		t.Fatalf("apply: %+v %v", res, err)
	}
	d, err := c.GetDispatch(ctx(t), res.DispatchID)
	if e.keep(err) != nil || d.ID != res.DispatchID || d.TemplateID != id || d.TargetID != dom.ID {
		t.Fatalf("dispatch: %+v %v", d, err)
	}
	eventually(t, "dispatch done", func() bool {
		d, err = c.GetDispatch(ctx(t), res.DispatchID)
		return e.keep(err) == nil && !d.Running()
	})
	if f := d.Failures(); len(f) != 0 {
		t.Errorf("failures: %+v", f)
	}
	for ns, st := range d.TaskStatus {
		if st.Status != gandi.DispatchDone {
			t.Errorf("task %s ended %s", ns, st.Status)
		}
	}
	if dv, _ := e.sim.Domain("example.org"); !dv.DefaultRecords || !slices.Contains(dv.Mailboxes, "alice") || len(dv.WebRedirections) != 1 {
		t.Errorf("domain after apply: %+v", dv)
	}

	// A failing namespace ends at 30 with its message.
	e.sim.FailNamespace(gandi.NamespaceMailboxes, "mailbox quota exceeded")
	res, err = c.ApplyTemplate(ctx(t), id, gandi.ApplyTemplateRequest{ObjectType: "domain", ObjectID: dom.ID})
	if e.keep(err) != nil {
		t.Fatalf("apply again: %v", err)
	}
	eventually(t, "failing dispatch over", func() bool {
		d, err = c.GetDispatch(ctx(t), res.DispatchID)
		return e.keep(err) == nil && !d.Running()
	})
	if f := d.Failures(); len(f) != 1 || f[0].Namespace != gandi.NamespaceMailboxes || f[0].Message != "mailbox quota exceeded" {
		t.Errorf("failures: %+v", f)
	}

	if _, err := c.ApplyTemplate(ctx(t), id, gandi.ApplyTemplateRequest{ObjectID: "00000000-0000-0000-0000-000000000000"}); !gandi.IsNotFound(e.keep(err)) {
		t.Errorf("apply to unknown domain: %v", err)
	}
	if _, err := c.GetDispatch(ctx(t), "00000000-0000-0000-0000-000000000000"); !gandi.IsNotFound(e.keep(err)) {
		t.Errorf("unknown dispatch: %v", err)
	}

	if err := c.DeleteTemplate(ctx(t), id); e.keep(err) != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetTemplate(ctx(t), id); !gandi.IsNotFound(e.keep(err)) {
		t.Errorf("deleted template: %v", err)
	}
}

func TestSimPublicTemplatesAreReadOnly(t *testing.T) {
	e := newEnv(t)
	pub, err := e.sim.AddTemplate("", gandisim.SeedTemplate{Public: true, Name: "Gandi default", Payload: map[string]any{
		"dns:records": map[string]any{"default": true},
	}})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := e.c.GetTemplate(ctx(t), pub)
	if e.keep(err) != nil || tpl.Editable {
		t.Fatalf("public template: %+v %v", tpl, err)
	}
	if err := e.c.UpdateTemplate(ctx(t), pub, gandi.UpdateTemplateRequest{Name: "mine"}); !gandi.IsForbidden(e.keep(err)) {
		t.Errorf("patch public: %v", err)
	}
	if err := e.c.DeleteTemplate(ctx(t), pub); !gandi.IsForbidden(e.keep(err)) {
		t.Errorf("delete public: %v", err)
	}
}
