package gandi_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

func validCreate(name string) gandi.CreateInstanceRequest {
	return gandi.CreateInstanceRequest{
		Location: "FR",
		Size:     "starter",
		Name:     name,
		Type: gandi.InstanceType{
			Database: gandi.DatabaseType{Name: "mysql"},
			Language: gandi.LanguageType{Name: "php", Version: "8.2"},
		},
		Authentication:        &gandi.Authentication{Password: password, SSHKeys: []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB8s alice@example"}},
		SnapshotEnabled:       gandi.Ptr(false),
		StorageAdditionalSize: gandi.Ptr(0),
	}
}

func TestSimApplications(t *testing.T) {
	e := newEnv(t)
	all, err := e.c.ListApplications(ctx(t), gandi.ListApplicationsOptions{PerPage: 2})
	if e.keep(err) != nil || len(all) < 3 {
		t.Fatalf("list: %d apps, %v", len(all), err)
	}
	if got := e.sim.Requests(gandisim.RouteListApplications); got != (len(all)+1)/2 {
		t.Errorf("%d apps took %d requests at 2 per page", len(all), got)
	}
	press, err := e.c.ListApplications(ctx(t), gandi.ListApplicationsOptions{Name: "*press", Language: "php"})
	if e.keep(err) != nil || len(press) != 1 || press[0].Name != "wordpress" {
		t.Fatalf("filter: %+v %v", press, err)
	}
	app, err := e.c.GetApplication(ctx(t), "wordpress")
	if e.keep(err) != nil || app.NameLabel == "" || len(app.Requirements) == 0 || app.Requirements[0].Language == nil {
		t.Fatalf("get: %+v %v", app, err)
	}
	if _, err := e.c.GetApplication(ctx(t), "no-such-app"); !gandi.IsNotFound(e.keep(err)) {
		t.Errorf("unknown application: %v", err)
	}
	if _, err := e.c.ListApplications(ctx(t), gandi.ListApplicationsOptions{SortBy: "bogus"}); !gandi.IsInvalid(e.keep(err)) || len(gandi.FieldErrors(err)) == 0 {
		t.Errorf("bad sort_by: %v", err)
	}
}

func TestSimInstanceLifecycle(t *testing.T) {
	e := newEnv(t)
	c := e.c

	// Dry-Run: a valid request is nil, an invalid one a 200 refusal.
	if err := c.DryRunCreateInstance(ctx(t), validCreate("web"), gandi.CreateOptions{}); e.keep(err) != nil {
		t.Fatalf("valid dry run: %v", err)
	}
	bad := validCreate("web")
	bad.Size, bad.StorageAdditionalSize = "s", gandi.Ptr(2000)
	err := c.DryRunCreateInstance(ctx(t), bad, gandi.CreateOptions{})
	var ve *gandi.ValidationError
	if !errors.As(e.keep(err), &ve) || !hasField(ve.Errors, "size") || !hasField(ve.Errors, "storage_additional_size") {
		t.Fatalf("invalid dry run: %v", err)
	}
	if e.sim.PaidCreates() != 0 || len(e.sim.Instances()) != 0 {
		t.Fatal("a dry run created something")
	}
	// Without Dry-Run the same refusal is a 400 with field errors.
	if _, err := c.CreateInstance(ctx(t), bad, gandi.CreateOptions{}); !gandi.IsInvalid(e.keep(err)) || !hasField(gandi.FieldErrors(err), "size") {
		t.Fatalf("invalid create: %v", err)
	}
	// Billing an organization without billing rights: 403.
	if _, err := c.CreateInstance(ctx(t), validCreate("web"), gandi.CreateOptions{SharingID: sharedOrg}); !gandi.IsForbidden(e.keep(err)) {
		t.Fatalf("create billed to a non-billable org: %v", err)
	}

	id, err := c.CreateInstance(ctx(t), validCreate("web"), gandi.CreateOptions{SharingID: orgID})
	if e.keep(err) != nil || id == "" || e.sim.PaidCreates() != 1 {
		t.Fatalf("create: %q %v (paid %d)", id, err, e.sim.PaidCreates())
	}
	if e.sim.LastPassword(id) != password {
		t.Errorf("password not sent as given")
	}
	inst, err := c.GetInstance(ctx(t), id)
	if e.keep(err) != nil || inst.ID != id || inst.Name != "web" {
		t.Fatalf("get: %+v %v", inst, err)
	}
	if inst.Status != gandi.InstanceWaitingBill && inst.Status != gandi.InstanceBeingCreated {
		t.Errorf("fresh instance is %s", inst.Status)
	}
	// Writes to an instance still being created are refused with 409.
	if err := c.UpdateInstance(ctx(t), id, gandi.UpdateInstanceRequest{Name: "x"}); !gandi.IsConflict(e.keep(err)) {
		t.Errorf("patch while creating: %v", err)
	}
	eventually(t, "instance active", func() bool {
		inst, err = c.GetInstance(ctx(t), id)
		return e.keep(err) == nil && inst.Status == gandi.InstanceActive
	})
	if inst.CreatedAt.IsZero() || inst.Datacenter == nil || inst.Language == nil || inst.Language.Version != "8.2" ||
		inst.Storage == nil || inst.SharingSpace == nil || inst.SharingSpace.ID != orgID || inst.AccessInformation == nil {
		t.Errorf("details incomplete: %+v", inst)
	}

	list, err := c.ListInstances(ctx(t), gandi.ListInstancesOptions{Name: "we*", Status: gandi.InstanceActive, SharingID: orgID, SortBy: "name", Size: "starter"})
	if e.keep(err) != nil || len(list) != 1 || list[0].ID != id {
		t.Fatalf("list: %+v %v", list, err)
	}
	if _, err := c.ListInstances(ctx(t), gandi.ListInstancesOptions{SharingID: foreignOrg}); !gandi.IsForbidden(e.keep(err)) {
		t.Errorf("list another org: %v", err)
	}

	// PATCH: false and 0 are sent, unset fields are not.
	if err := c.UpdateInstance(ctx(t), id, gandi.UpdateInstanceRequest{SnapshotEnabled: gandi.Ptr(true), StorageAdditionalSize: gandi.Ptr(10)}); e.keep(err) != nil {
		t.Fatalf("patch: %v", err)
	}
	// 202: Gandi applies it a moment later.
	eventually(t, "patch applied", func() bool {
		v, _ := e.sim.Instance(id)
		return v.SnapshotEnabled && v.StorageAdditionalSize == 10 && v.Name == "web"
	})
	if err := c.UpdateInstance(ctx(t), id, gandi.UpdateInstanceRequest{SnapshotEnabled: gandi.Ptr(false)}); e.keep(err) != nil {
		t.Fatalf("patch false: %v", err)
	}
	eventually(t, "snapshot_enabled false sent", func() bool { v, _ := e.sim.Instance(id); return !v.SnapshotEnabled })
	// Storage may only grow: 422.
	if err := c.UpdateInstance(ctx(t), id, gandi.UpdateInstanceRequest{StorageAdditionalSize: gandi.Ptr(5)}); !gandi.IsInvalid(e.keep(err)) {
		t.Errorf("shrink storage: %v", err)
	}
	// Language upgrade: language_id from the upgrade_to entry of that version.
	inst, _ = c.GetInstance(ctx(t), id)
	var langID string
	for _, u := range inst.UpgradeTo {
		if u.Type == "language" && u.Version == "8.3" {
			langID = u.ID
		}
	}
	if langID == "" {
		t.Fatalf("no language upgrade with an id in %+v", inst.UpgradeTo)
	}
	if err := c.UpdateInstance(ctx(t), id, gandi.UpdateInstanceRequest{LanguageID: langID}); e.keep(err) != nil {
		t.Fatalf("language upgrade: %v", err)
	}
	eventually(t, "language upgraded", func() bool {
		v, _ := e.sim.Instance(id)
		return v.LanguageVersion == "8.3"
	})
	if err := c.UpdateInstance(ctx(t), id, gandi.UpdateInstanceRequest{Password: gandi.Secret(password2)}); e.keep(err) != nil {
		t.Fatalf("password: %v", err)
	}
	eventually(t, "instance active again", func() bool {
		inst, err = c.GetInstance(ctx(t), id)
		return e.keep(err) == nil && inst.Status == gandi.InstanceActive
	})

	usage, err := c.GetInstanceUsage(ctx(t), id)
	if e.keep(err) != nil || usage.DiskSizeBytes <= 0 {
		t.Fatalf("usage: %+v %v", usage, err)
	}

	for _, action := range []string{gandi.ActionRestart, gandi.ActionConsole, gandi.ActionResetDatabasePassword} {
		if err := c.InstanceAction(ctx(t), id, action); e.keep(err) != nil {
			t.Errorf("action %s: %v", action, err)
		}
	}
	if got := e.sim.Actions(id); !slices.Contains(got, gandi.ActionRestart) {
		t.Errorf("actions seen: %v", got)
	}
	e.sim.FailNext(gandisim.RouteInstanceAction, 1, 204, 0)
	err = c.InstanceAction(ctx(t), id, gandi.ActionRestart)
	if !errors.Is(e.keep(err), gandi.ErrActionNotPerformed) || !gandi.IsTransient(err) {
		t.Errorf("204 action: %v", err)
	}
	if err := c.InstanceAction(ctx(t), id, "reboot"); !gandi.IsInvalid(e.keep(err)) {
		t.Errorf("unknown action: %v", err)
	}

	if err := c.DeleteInstance(ctx(t), id); e.keep(err) != nil {
		t.Fatalf("delete: %v", err)
	}
	eventually(t, "instance gone", func() bool {
		_, err := c.GetInstance(ctx(t), id)
		return gandi.IsNotFound(e.keep(err))
	})
	if err := c.DeleteInstance(ctx(t), id); !gandi.IsNotFound(e.keep(err)) {
		t.Errorf("delete again: %v", err)
	}
}

func TestSimListInstancesFollowsEveryPage(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"a1", "a2", "a3", "a4", "a5"} {
		e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: name, Size: "starter"})
	}
	e.sim.AddInstance(foreignOrg, gandisim.SeedInstance{Name: "a6", Size: "starter"})
	list, err := e.c.ListInstances(ctx(t), gandi.ListInstancesOptions{PerPage: 2, SortBy: "name"})
	if e.keep(err) != nil || len(list) != 5 {
		t.Fatalf("%d instances, %v", len(list), err)
	}
	for i, want := range []string{"a1", "a2", "a3", "a4", "a5"} {
		if list[i].Name != want {
			t.Errorf("item %d is %s", i, list[i].Name)
		}
	}
	if got := e.sim.Requests(gandisim.RouteListInstances); got != 3 {
		t.Errorf("5 items at 2 per page took %d requests", got)
	}
}

// PeekInstances is one request whatever the list's length, answered to a
// working token even when it may see none of the instances (another
// organization's token), refused to an unknown one.
func TestSimPeekInstancesIsOneRequest(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"a1", "a2", "a3"} {
		e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: name, Size: "starter"})
	}
	if err := e.c.PeekInstances(ctx(t)); e.keep(err) != nil {
		t.Fatalf("peek: %v", err)
	}
	if got := e.sim.Requests(gandisim.RouteListInstances); got != 1 {
		t.Errorf("a peek at 3 instances took %d requests", got)
	}
	if err := e.client(otherToken, false, nil).PeekInstances(ctx(t)); e.keep(err) != nil {
		t.Errorf("peek with a token of an organization without instances: %v", err)
	}
	if err := e.client("pat_unknown-0000", false, nil).PeekInstances(ctx(t)); !gandi.IsForbidden(e.keep(err)) {
		t.Errorf("peek with an unknown token: %v, want 403", err)
	}
}

func hasField(fe []gandi.FieldError, name string) bool {
	for _, f := range fe {
		if f.Name == name || len(f.Name) > len(name) && f.Name[len(f.Name)-len(name)-1:] == "."+name {
			return true
		}
	}
	return false
}
