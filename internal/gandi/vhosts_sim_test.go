package gandi_test

import (
	"testing"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

func TestSimVhosts(t *testing.T) {
	e := newEnv(t)
	c := e.c
	id := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "web", Size: "starter"})
	e.sim.AddDomain(orgID, "xn--bcher-kva.example")
	const fqdn = "www.xn--bcher-kva.example" // www.bücher.example, ASCII as the API wants

	req := gandi.CreateVhostRequest{
		FQDN:          fqdn,
		Application:   &gandi.VhostApplication{Name: "wordpress"},
		LinkedDNSZone: &gandi.LinkedDNSZoneRequest{AllowAlteration: false},
	}
	if err := c.CreateVhost(ctx(t), id, req); e.keep(err) != nil {
		t.Fatalf("create: %v", err)
	}
	err := c.CreateVhost(ctx(t), id, req)
	if !gandi.IsAlreadyExists(e.keep(err)) || !gandi.IsInvalid(err) {
		t.Fatalf("duplicate create: %v", err)
	}
	if err := c.CreateVhost(ctx(t), id, gandi.CreateVhostRequest{}); !gandi.IsInvalid(e.keep(err)) || gandi.IsAlreadyExists(err) || !hasField(gandi.FieldErrors(err), "fqdn") {
		t.Errorf("create without fqdn: %v", err)
	}

	v, err := c.GetVhost(ctx(t), id, fqdn)
	if e.keep(err) != nil || v.FQDN != fqdn || v.LinkedDNSZone == nil {
		t.Fatalf("get: %+v %v", v, err)
	}
	if v.Status != gandi.VhostBeingCreated && v.Status != gandi.VhostRunning {
		t.Errorf("fresh vhost is %s", v.Status)
	}
	eventually(t, "vhost running", func() bool {
		v, err = c.GetVhost(ctx(t), id, fqdn)
		return e.keep(err) == nil && v.Status == gandi.VhostRunning
	})
	if v.Application == nil || v.Application.Name != "wordpress" || v.CreatedAt.IsZero() {
		t.Errorf("details: %+v", v)
	}

	list, err := c.ListVhosts(ctx(t), id, gandi.ListVhostsOptions{FQDN: "*.xn--bcher-kva.example", Status: gandi.VhostRunning, SortBy: "fqdn", PerPage: 1})
	if e.keep(err) != nil || len(list) != 1 || list[0].FQDN != fqdn {
		t.Fatalf("list: %+v %v", list, err)
	}

	upd := gandi.UpdateVhostRequest{LinkedDNSZone: &gandi.LinkedDNSZoneRequest{AllowAlteration: true, AllowAlterationOverride: gandi.Ptr(true)}}
	if err := c.UpdateVhost(ctx(t), id, fqdn, upd); e.keep(err) != nil {
		t.Fatalf("patch: %v", err)
	}
	if sv, _ := e.sim.Vhost(id, fqdn); !sv.AllowAlteration || !sv.AllowAlterationOverride {
		t.Errorf("after patch: %+v", sv)
	}
	if err := c.UpdateVhost(ctx(t), id, fqdn, gandi.UpdateVhostRequest{HTTPSStrategy: "sometimes"}); !gandi.IsInvalid(e.keep(err)) {
		t.Errorf("bad https_strategy: %v", err)
	}

	if err := c.PurgeVhostCache(ctx(t), id, fqdn); e.keep(err) != nil {
		t.Fatalf("purge: %v", err)
	}
	if n := e.sim.PurgeCount(id, fqdn); n != 1 {
		t.Errorf("purge count %d", n)
	}

	if _, err := c.GetVhost(ctx(t), id, "nope.example"); !gandi.IsNotFound(e.keep(err)) {
		t.Errorf("unknown vhost: %v", err)
	}
	if _, err := c.GetVhost(ctx(t), id, "www.bücher.example"); !gandi.IsInvalid(e.keep(err)) {
		t.Errorf("unicode fqdn (the client does not convert): %v", err)
	}
	if _, err := c.ListVhosts(ctx(t), "", gandi.ListVhostsOptions{}); err == nil {
		t.Error("empty instance ID accepted")
	}

	if err := c.DeleteVhost(ctx(t), id, fqdn); e.keep(err) != nil {
		t.Fatalf("delete: %v", err)
	}
	eventually(t, "vhost gone", func() bool {
		_, err := c.GetVhost(ctx(t), id, fqdn)
		return gandi.IsNotFound(e.keep(err))
	})
}

func TestSimVhostOnInstanceNotActive(t *testing.T) {
	e := newEnv(t)
	id := e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: "web", Size: "starter", Status: gandi.InstanceBeingCreated})
	err := e.c.CreateVhost(ctx(t), id, gandi.CreateVhostRequest{FQDN: "a.example"})
	if !gandi.IsConflict(e.keep(err)) || gandi.IsAlreadyExists(err) {
		t.Errorf("vhost on an instance being created: %v", err)
	}
}
