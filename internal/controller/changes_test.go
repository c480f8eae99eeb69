package controller

import (
	"strings"
	"testing"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The change set of each kind and readiness from Gandi's states decide what
// is sent and what users see; they are pinned here without an API server.

func settledInstance() *gandi.Instance {
	return &gandi.Instance{
		ID: "i1", Name: "shop", Status: gandi.InstanceActive, Size: "s",
		Language:   &gandi.Language{Name: "php", Version: "8.1"},
		Database:   &gandi.Database{Name: "mysql", Version: "8.0"},
		Datacenter: &gandi.Datacenter{Code: "FR-SD5", Region: "FR"},
		Storage:    &gandi.Storage{Additional: &gandi.Quantity{Unit: "GB", Value: 10}},
	}
}

func specFor(mutate func(*hostingv1alpha1.HostingInstance)) *hostingv1alpha1.HostingInstance {
	hi := &hostingv1alpha1.HostingInstance{}
	hi.Name = "shop"
	hi.Spec.Size = "s"
	hi.Spec.Location = "FR"
	hi.Spec.Type.Database = hostingv1alpha1.InstanceDatabase{Name: "mysql"}
	hi.Spec.StorageAdditionalSizeGB = gandi.Ptr[int32](10)
	hi.Spec.Type.Language = hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.1"}
	if mutate != nil {
		mutate(hi)
	}
	return hi
}

// boostOf asks a boost of size (spec.booster.size).
func boostOf(size string) func(*hostingv1alpha1.HostingInstance) {
	return func(h *hostingv1alpha1.HostingInstance) {
		h.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true, Size: size}
	}
}

// boosting shows a boost running, of size (booster.current.size_override).
func boosting(size string) func(*gandi.Instance) {
	return func(i *gandi.Instance) {
		i.Booster = &gandi.Booster{Current: &gandi.BoosterCurrent{Status: "active", SizeOverride: size}}
	}
}

func TestInstanceChanges(t *testing.T) {
	cases := []struct {
		name     string
		spec     func(*hostingv1alpha1.HostingInstance)
		observed func(*gandi.Instance)
		fields   string
		problem  string
		// says is what the first problem's message says, when set.
		says string
	}{
		{name: "in sync: nothing to send"},
		{name: "snapshot unset in the spec is never sent", observed: func(i *gandi.Instance) { i.SnapshotEnabled = true }},
		{name: "snapshot set and different", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.SnapshotEnabled = gandi.Ptr(true) }, fields: "snapshot_enabled"},
		{name: "storage grows", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.StorageAdditionalSizeGB = gandi.Ptr[int32](20) }, fields: "storage_additional_size"},
		{name: "storage cannot shrink", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.StorageAdditionalSizeGB = gandi.Ptr[int32](0) }, problem: hostingv1alpha1.ReasonUnsupportedChange},
		{name: "storage the spec leaves out is not managed: an adopted instance's storage is no difference",
			spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.StorageAdditionalSizeGB = nil }},
		{name: "storage in MB counts as GB", observed: func(i *gandi.Instance) { i.Storage.Additional = &gandi.Quantity{Unit: "MB", Value: 10240} }},
		{name: "legacy size resized", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Size = "m" }, fields: "size"},
		{name: "legacy size resized down: Gandi's docs give no direction", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Size = "m" },
			observed: func(i *gandi.Instance) { i.Size = "l" }, fields: "size"},
		{name: "a current size cannot be resized", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Size = "m" },
			observed: func(i *gandi.Instance) { i.Size = "starter" }, problem: hostingv1alpha1.ReasonUnsupportedChange,
			says: "set spec.size to starter, what Gandi shows"},
		{name: "renamed", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Name = "boutique" }, fields: "name"},
		{name: "upgrade Gandi offers with an ID", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Type.Language.Version = "8.2" },
			observed: func(i *gandi.Instance) {
				i.UpgradeTo = []gandi.Upgrade{{ID: "php-8.2", Name: "php", Type: "language", Version: "8.2"}}
			}, fields: "language_id"},
		{name: "upgrade Gandi does not offer", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Type.Language.Version = "9.0" },
			problem: hostingv1alpha1.ReasonUpgradeUnavailable},
		{name: "upgrade offered without an ID is not guessed", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Type.Language.Version = "8.2" },
			observed: func(i *gandi.Instance) {
				i.UpgradeTo = []gandi.Upgrade{{Name: "php", Type: "language", Version: "8.2"}}
			},
			problem: hostingv1alpha1.ReasonUpgradeUnavailable},
		{name: "booster turned on", spec: func(h *hostingv1alpha1.HostingInstance) {
			h.Spec.Booster = &hostingv1alpha1.BoosterSpec{Enabled: true}
		}, fields: "booster"},
		// The size of a boost Gandi shows running: booster_options alone.
		{name: "the running boost's size differs: resized", spec: boostOf("pro"), observed: boosting("starter"), fields: "booster_options"},
		{name: "the running boost has the size asked", spec: boostOf("pro"), observed: boosting("pro")},
		{name: "a boost size unset asks Gandi's default: nothing to compare", spec: boostOf(""), observed: boosting("starter")},
		{name: "boosted asks Gandi's default, which size_override never names: nothing to compare", spec: boostOf("boosted"), observed: boosting("starter")},
		{name: "a running boost Gandi shows without its size: nothing to compare", spec: boostOf("pro"), observed: boosting("")},
		// The create-only fields of an instance taken hold of: reported
		// with Gandi's value to set, never sent.
		{name: "another location: Gandi cannot move an instance", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Location = "LU" },
			problem: hostingv1alpha1.ReasonUnsupportedChange,
			says:    "spec.location is LU but Gandi shows FR: Gandi cannot move an instance, so nothing is sent; set spec.location to FR, what Gandi shows"},
		{name: "another database", observed: func(i *gandi.Instance) { i.Database.Name = "pgsql" },
			problem: hostingv1alpha1.ReasonUnsupportedChange,
			says:    "spec.type.database.name is mysql but Gandi shows pgsql: Gandi cannot change an instance's database"},
		{name: "another language, its version unset", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Type.Language.Version = "" },
			observed: func(i *gandi.Instance) { i.Language = &gandi.Language{Name: "python", Version: "3.11"} },
			problem:  hostingv1alpha1.ReasonUnsupportedChange,
			says:     "spec.type.language.name is php but Gandi shows python"},
		{name: "another language with a version: the language is reported, no upgrade is looked for",
			observed: func(i *gandi.Instance) {
				i.Language = &gandi.Language{Name: "python", Version: "3.11"}
				i.UpgradeTo = []gandi.Upgrade{{ID: "php-8.1", Name: "php", Type: "language", Version: "8.1"}}
			},
			problem: hostingv1alpha1.ReasonUnsupportedChange,
			says:    "set spec.type.language.name to python, what Gandi shows, so that the spec describes the instance"},
		{name: "an upgrade unavailable names the instance's language and version",
			spec:    func(h *hostingv1alpha1.HostingInstance) { h.Spec.Type.Language.Version = "8.3" },
			problem: hostingv1alpha1.ReasonUpgradeUnavailable,
			says:    "the instance runs php 8.1"},
		{name: "a database version is no create-only difference: absent, it is Gandi's recommended one",
			spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Type.Database.Version = "" }},
		{name: "what Gandi does not show is no difference", observed: func(i *gandi.Instance) { i.Datacenter, i.Database, i.Language = nil, nil, nil }},
		{name: "a current size cannot be resized: Gandi's size to set", spec: func(h *hostingv1alpha1.HostingInstance) { h.Spec.Size = "m" },
			observed: func(i *gandi.Instance) { i.Size = "starter" }, problem: hostingv1alpha1.ReasonUnsupportedChange,
			says: "set spec.size to starter, what Gandi shows, so that the spec describes the instance"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inst := settledInstance()
			if c.observed != nil {
				c.observed(inst)
			}
			patch, fields, problems := instanceChanges(specFor(c.spec), inst)
			if got := strings.Join(fields, ","); got != c.fields {
				t.Fatalf("fields = %q, want %q", got, c.fields)
			}
			if (c.fields == "") != patch.IsEmpty() {
				t.Fatalf("patch = %+v, fields %q", patch, c.fields)
			}
			got := ""
			if len(problems) > 0 {
				got = problems[0].reason
			}
			if got != c.problem {
				t.Fatalf("problem = %q, want %q", got, c.problem)
			}
			if len(problems) > 1 {
				t.Fatalf("problems = %+v, want one", problems)
			}
			if c.says != "" && !strings.Contains(problems[0].message, c.says) {
				t.Fatalf("problem says %q, want %q", problems[0].message, c.says)
			}
		})
	}
}

func TestVhostChanges(t *testing.T) {
	cert := []gandi.Certificate{{ID: "c1"}}
	cases := []struct {
		name     string
		spec     hostingv1alpha1.VhostSpec
		observed gandi.Vhost
		fields   string
		waiting  bool
	}{
		{name: "nothing set, nothing sent", observed: gandi.Vhost{HTTPSStrategy: "allow_http_and_https", Certificates: cert}},
		{name: "HTTPS strategy waits for a certificate", spec: hostingv1alpha1.VhostSpec{HTTPSStrategy: "redirect_http_to_https"}, waiting: true},
		{name: "HTTPS strategy sent once there is one", spec: hostingv1alpha1.VhostSpec{HTTPSStrategy: "redirect_http_to_https"},
			observed: gandi.Vhost{HTTPSStrategy: "allow_http_and_https", Certificates: cert}, fields: "https_strategy"},
		{name: "DNS linkage differs", spec: hostingv1alpha1.VhostSpec{LinkedDNSZone: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}},
			observed: gandi.Vhost{LinkedDNSZone: &gandi.LinkedDNSZone{AllowAlteration: false}}, fields: "linked_dns_zone"},
		{name: "DNS linkage in sync", spec: hostingv1alpha1.VhostSpec{LinkedDNSZone: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}},
			observed: gandi.Vhost{LinkedDNSZone: &gandi.LinkedDNSZone{AllowAlteration: true}}},
		{name: "the override Gandi never shows, with a conflict it would resolve: sent",
			spec:     hostingv1alpha1.VhostSpec{LinkedDNSZone: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true, AllowAlterationOverride: true}},
			observed: gandi.Vhost{LinkedDNSZone: &gandi.LinkedDNSZone{AllowAlteration: true, LastCheckedStatus: "livedns_conflict"}},
			fields:   "linked_dns_zone.allow_alteration_override"},
		{name: "the override with no conflict: nothing to replace",
			spec:     hostingv1alpha1.VhostSpec{LinkedDNSZone: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true, AllowAlterationOverride: true}},
			observed: gandi.Vhost{LinkedDNSZone: &gandi.LinkedDNSZone{AllowAlteration: true, LastCheckedStatus: "livedns_done"}}},
		{name: "application installed", spec: hostingv1alpha1.VhostSpec{Application: &hostingv1alpha1.VhostApplication{Name: "wordpress"}},
			fields: "application"},
		{name: "application already there", spec: hostingv1alpha1.VhostSpec{Application: &hostingv1alpha1.VhostApplication{Name: "wordpress"}},
			observed: gandi.Vhost{Application: &gandi.VhostAppState{Name: "wordpress", Status: "running"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vh := &hostingv1alpha1.Vhost{Spec: c.spec}
			_, fields, waiting := vhostChanges(vh, &c.observed)
			if got := strings.Join(fields, ","); got != c.fields || waiting != c.waiting {
				t.Fatalf("fields %q waiting %v, want %q %v", got, waiting, c.fields, c.waiting)
			}
		})
	}
}

func TestInstanceAndVhostReadiness(t *testing.T) {
	instance := []struct {
		state, reason string
		ready, again  bool
	}{
		{gandi.InstanceActive, hostingv1alpha1.ReasonAvailable, true, false},
		{gandi.InstanceBeingCreated, hostingv1alpha1.ReasonCreating, false, true},
		{gandi.InstanceWaitingBill, hostingv1alpha1.ReasonWaitingForPayment, false, true},
		{gandi.InstancePaused, hostingv1alpha1.ReasonInstancePaused, false, false},
		{gandi.InstanceLocked, hostingv1alpha1.ReasonLocked, false, false},
		{gandi.InstanceBeingDeleted, hostingv1alpha1.ReasonDeleting, false, true},
		{"new_state", hostingv1alpha1.ReasonUnknownState, false, false},
	}
	for _, c := range instance {
		ready, reason, _, again := instanceReadiness(c.state)
		if ready != c.ready || reason != c.reason || again != c.again {
			t.Errorf("instance %s: ready %v %s again %v, want %v %s %v", c.state, ready, reason, again, c.ready, c.reason, c.again)
		}
	}
	vhost := []struct {
		v      gandi.Vhost
		reason string
		ready  bool
	}{
		{gandi.Vhost{Status: gandi.VhostRunning}, hostingv1alpha1.ReasonAvailable, true},
		{gandi.Vhost{Status: gandi.VhostRunning, Application: &gandi.VhostAppState{Name: "wp", Status: "error"}}, hostingv1alpha1.ReasonApplicationFailed, false},
		{gandi.Vhost{Status: gandi.VhostRunning, Application: &gandi.VhostAppState{Name: "wp", Status: "being_created"}}, hostingv1alpha1.ReasonCreating, false},
		{gandi.Vhost{Status: gandi.VhostWaitingOwnership}, hostingv1alpha1.ReasonWaitingForOwnership, false},
		{gandi.Vhost{Status: gandi.VhostValidationFailed}, hostingv1alpha1.ReasonValidationFailed, false},
		{gandi.Vhost{Status: gandi.VhostOwnershipValidated}, hostingv1alpha1.ReasonOwnershipValidated, false},
		{gandi.Vhost{Status: gandi.VhostLocked}, hostingv1alpha1.ReasonLocked, false},
		{gandi.Vhost{Status: gandi.VhostBeingDeleted}, hostingv1alpha1.ReasonDeleting, false},
	}
	for _, c := range vhost {
		ready, reason, _, _ := vhostReadiness(&c.v)
		if ready != c.ready || reason != c.reason {
			t.Errorf("vhost %+v: ready %v %s, want %v %s", c.v, ready, reason, c.ready, c.reason)
		}
	}
	dns := []struct {
		d      *hostingv1alpha1.VhostDNSStatus
		ok     bool
		reason string
		want   string
	}{
		{nil, false, hostingv1alpha1.ReasonDNSRecordsNeeded, "no DNS information"},
		{&hostingv1alpha1.VhostDNSStatus{LastCheckedStatus: "altered"}, true, hostingv1alpha1.ReasonDNSConfigured, "altered"},
		{&hostingv1alpha1.VhostDNSStatus{Domain: "example.com", Key: "www", CNAME: "x.gandi.net.", TXT: "proof"}, false, hostingv1alpha1.ReasonDNSRecordsNeeded, `CNAME www x.gandi.net.; TXT www "proof"`},
		{&hostingv1alpha1.VhostDNSStatus{Domain: "example.com", Key: "@", IsRoot: true, IPv4: "192.0.2.1"}, false, hostingv1alpha1.ReasonDNSRecordsNeeded, "A @ 192.0.2.1"},
	}
	for _, c := range dns {
		ok, reason, msg := dnsReadiness(c.d)
		if ok != c.ok || reason != c.reason || !strings.Contains(msg, c.want) {
			t.Errorf("dns %+v: %v %s %q, want %v %s containing %q", c.d, ok, reason, msg, c.ok, c.reason, c.want)
		}
	}
}
