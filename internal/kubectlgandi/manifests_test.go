package kubectlgandi

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

var creds = hostingv1alpha1.CredentialsReference{Name: "gandi-credentials", Key: hostingv1alpha1.CredentialsKeyToken}

func observed() hostingv1alpha1.ManagedFields {
	c := creds
	return hostingv1alpha1.ManagedFields{CredentialsRef: &c, DeletionPolicy: hostingv1alpha1.DeletionPolicyOrphan, ManagementPolicy: hostingv1alpha1.ManagementPolicyObserve}
}

func managed(p hostingv1alpha1.DeletionPolicy) hostingv1alpha1.ManagedFields {
	m := observed()
	m.ManagementPolicy, m.DeletionPolicy = hostingv1alpha1.ManagementPolicyManage, p
	return m
}

func TestInstanceManifest(t *testing.T) {
	full := gandi.Instance{
		ID: "inst-1", Name: "Shop Prod", Size: "s+",
		Datacenter:      &gandi.Datacenter{Code: "LU-BI1", Region: "LU"},
		Language:        &gandi.Language{Name: "php", Version: "8.2"},
		Database:        &gandi.Database{Name: "mysql", Version: "8.0"},
		SharingSpace:    &gandi.SharingSpace{ID: "org-1"},
		SnapshotEnabled: true,
		Storage:         &gandi.Storage{Additional: &gandi.Quantity{Unit: "GB", Value: 20}},
		Autorenew:       &gandi.Autorenew{Duration: 1, DurationType: "m"},
	}
	tests := []struct {
		name    string
		opts    ManifestOptions
		inst    func(*gandi.Instance)
		want    hostingv1alpha1.HostingInstanceSpec
		wantErr bool
	}{
		{
			name: "observed by default, every compared field from Gandi",
			opts: ManifestOptions{Credentials: creds},
			want: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: observed(), SharingID: "org-1", Name: "Shop Prod", Location: "LU", Size: "s+",
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.2"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql", Version: "8.0"},
				},
				StorageAdditionalSizeGB: gandi.Ptr[int32](20), SnapshotEnabled: gandi.Ptr(true), Autorenew: gandi.Ptr(true), DurationMonths: 1,
			},
		},
		{
			name: "managed, orphaned on delete; storage in MB, no autorenew, no snapshots",
			opts: ManifestOptions{Credentials: creds, Manage: true},
			inst: func(i *gandi.Instance) {
				i.Storage = &gandi.Storage{Additional: &gandi.Quantity{Unit: "MB", Value: 10240}}
				i.Autorenew, i.SnapshotEnabled, i.SharingSpace = nil, false, nil
			},
			want: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: managed(hostingv1alpha1.DeletionPolicyOrphan), Name: "Shop Prod", Location: "LU", Size: "s+",
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.2"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql", Version: "8.0"},
				},
				StorageAdditionalSizeGB: gandi.Ptr[int32](10), SnapshotEnabled: gandi.Ptr(false), Autorenew: gandi.Ptr(false), DurationMonths: 1,
			},
		},
		{
			name: "managed and deleted with the object when asked",
			opts: ManifestOptions{Credentials: creds, Manage: true, DeletionPolicy: hostingv1alpha1.DeletionPolicyDelete},
			inst: func(i *gandi.Instance) { i.Storage = nil },
			want: hostingv1alpha1.HostingInstanceSpec{
				ManagedFields: managed(hostingv1alpha1.DeletionPolicyDelete), SharingID: "org-1", Name: "Shop Prod", Location: "LU", Size: "s+",
				Type: hostingv1alpha1.InstanceType{
					Language: hostingv1alpha1.InstanceLanguage{Name: "php", Version: "8.2"},
					Database: hostingv1alpha1.InstanceDatabase{Name: "mysql", Version: "8.0"},
				},
				SnapshotEnabled: gandi.Ptr(true), Autorenew: gandi.Ptr(true), DurationMonths: 1,
			},
		},
		{
			name:    "no region: refused rather than guessed (location is create-only)",
			opts:    ManifestOptions{Credentials: creds},
			inst:    func(i *gandi.Instance) { i.Datacenter = nil },
			wantErr: true,
		},
		{
			name:    "no language: refused",
			opts:    ManifestOptions{Credentials: creds},
			inst:    func(i *gandi.Instance) { i.Language = nil },
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inst := full
			if tt.inst != nil {
				tt.inst(&inst)
			}
			tt.opts.Namespace = "web"
			got, err := InstanceManifest(tt.opts, "shop-prod", &inst)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got.Spec); d != "" {
				t.Errorf("spec (-want +got):\n%s", d)
			}
			if got.Annotations[hostingv1alpha1.AnnotationExternalID] != "inst-1" || got.Namespace != "web" || got.Name != "shop-prod" || got.Kind != "HostingInstance" {
				t.Errorf("metadata: %+v %+v", got.TypeMeta, got.ObjectMeta)
			}
		})
	}
}

func TestVhostManifest(t *testing.T) {
	tests := []struct {
		name  string
		vhost gandi.Vhost
		want  hostingv1alpha1.VhostSpec
	}{
		{
			name:  "bare vhost: Gandi reports no HTTPS strategy before a certificate, so none is asked for",
			vhost: gandi.Vhost{FQDN: "www.example.com", Status: "running", LinkedDNSZone: &gandi.LinkedDNSZone{AllowAlteration: false}},
			want: hostingv1alpha1.VhostSpec{ManagedFields: observed(), InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "shop"},
				FQDN: "www.example.com", LinkedDNSZone: &hostingv1alpha1.LinkedDNSZone{}},
		},
		{
			name: "application named without its parameters, HTTPS strategy once certified",
			vhost: gandi.Vhost{FQDN: "blog.example.com", HTTPSStrategy: "redirect_HTTP_to_HTTPS",
				Certificates:  []gandi.Certificate{{ID: "c1"}},
				Application:   &gandi.VhostAppState{Name: "wordpress", Status: "running", Parameters: map[string]any{"admin_password": "typed-at-install"}},
				LinkedDNSZone: &gandi.LinkedDNSZone{AllowAlteration: true}},
			want: hostingv1alpha1.VhostSpec{ManagedFields: observed(), InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "shop"},
				FQDN: "blog.example.com", HTTPSStrategy: "redirect_HTTP_to_HTTPS",
				Application:   &hostingv1alpha1.VhostApplication{Name: "wordpress"},
				LinkedDNSZone: &hostingv1alpha1.LinkedDNSZone{AllowAlteration: true}},
		},
		{
			name:  "no linked zone reported: none asked for",
			vhost: gandi.Vhost{FQDN: "xn--caf-dma.example.com"},
			want: hostingv1alpha1.VhostSpec{ManagedFields: observed(), InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "shop"},
				FQDN: "xn--caf-dma.example.com"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VhostManifest(ManifestOptions{Namespace: "web", Credentials: creds}, ObjectName(tt.vhost.FQDN), "shop", "inst-1", &tt.vhost)
			if d := cmp.Diff(tt.want, got.Spec); d != "" {
				t.Errorf("spec (-want +got):\n%s", d)
			}
			if got.Annotations[hostingv1alpha1.AnnotationExternalID] != tt.vhost.FQDN {
				t.Errorf("external ID %q, want the FQDN", got.Annotations[hostingv1alpha1.AnnotationExternalID])
			}
			if got.Annotations[hostingv1alpha1.AnnotationInstanceID] != "inst-1" {
				t.Errorf("instance ID %q, want the instance the FQDN is on", got.Annotations[hostingv1alpha1.AnnotationInstanceID])
			}
		})
	}
}

func TestTemplateManifest(t *testing.T) {
	tests := []struct {
		name     string
		template gandi.Template
		want     hostingv1alpha1.TemplateSpec
		wantErr  bool
	}{
		{
			name: "every namespace written back",
			template: gandi.Template{
				TemplateSummary: gandi.TemplateSummary{ID: "t1", Name: "Shop Domain", Description: "mail and web", Editable: true, SharingSpace: &gandi.TemplateSharingSpace{ID: "org-1"}},
				Payload: gandi.TemplatePayload{
					DNSRecords:   &gandi.DNSRecordsNS{Records: []gandi.DNSRecord{{Name: "@", Type: "A", Values: []string{"203.0.113.1"}, TTL: 300}, {Name: "www", Type: "CNAME", Values: []string{"@"}}}},
					Mailboxes:    &gandi.MailboxesNS{Values: []gandi.Mailbox{{Login: "contact"}}},
					Nameservers:  &gandi.NameserversNS{Service: "custom", Addresses: []string{"ns1.example.net"}},
					WebRedirects: &gandi.WebRedirsNS{Values: []gandi.WebRedirect{{Type: "http301", URL: "https://example.com", Host: "old.example.com", Override: true, Protocol: "https"}}},
				},
			},
			want: hostingv1alpha1.TemplateSpec{
				ManagedFields: observed(), SharingID: "org-1", Name: "Shop Domain", Description: gandi.Ptr("mail and web"),
				Payload: hostingv1alpha1.TemplatePayload{
					DNSRecords:   &hostingv1alpha1.DNSRecordsPayload{Records: []hostingv1alpha1.DNSRecord{{Name: "@", Type: "A", Values: []string{"203.0.113.1"}, TTL: 300}, {Name: "www", Type: "CNAME", Values: []string{"@"}}}},
					Mailboxes:    []hostingv1alpha1.Mailbox{{Login: "contact"}},
					Nameservers:  &hostingv1alpha1.NameserversPayload{Service: "custom", Addresses: []string{"ns1.example.net"}},
					WebRedirects: []hostingv1alpha1.WebRedirect{{Type: "http301", URL: "https://example.com", Host: "old.example.com", Override: true, Protocol: "https"}},
				},
			},
		},
		{
			name: "default records and livedns: no addresses",
			template: gandi.Template{
				TemplateSummary: gandi.TemplateSummary{ID: "t2", Name: "defaults", Editable: true},
				Payload:         gandi.TemplatePayload{DNSRecords: &gandi.DNSRecordsNS{Default: true}, Nameservers: &gandi.NameserversNS{Service: "livedns", Addresses: []string{}}},
			},
			want: hostingv1alpha1.TemplateSpec{
				ManagedFields: observed(), Name: "defaults",
				Payload: hostingv1alpha1.TemplatePayload{
					DNSRecords:  &hostingv1alpha1.DNSRecordsPayload{Default: gandi.Ptr(true)},
					Nameservers: &hostingv1alpha1.NameserversPayload{Service: "livedns"},
				},
			},
		},
		{
			name:     "a public template is never imported",
			template: gandi.Template{TemplateSummary: gandi.TemplateSummary{ID: "t3", Name: "Gandi default", Editable: false}},
			wantErr:  true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TemplateManifest(ManifestOptions{Namespace: "web", Credentials: creds}, ObjectName(tt.template.Name), &tt.template)
			if tt.wantErr {
				if err == nil {
					t.Fatal("want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got.Spec); d != "" {
				t.Errorf("spec (-want +got):\n%s", d)
			}
		})
	}
}

func TestObjectNames(t *testing.T) {
	tests := []struct {
		in   []string
		want []string
	}{
		{[]string{"Shop Prod"}, []string{"shop-prod"}},
		{[]string{"www.example.com"}, []string{"www.example.com"}},
		{[]string{"--weird__name--"}, []string{"weird-name"}},
		{[]string{"a..b"}, []string{"a.b"}},
		{[]string{"@@@"}, []string{"imported"}},
		{[]string{"shop", "Shop", "SHOP"}, []string{"shop", "shop-2", "shop-3"}},
	}
	for _, tt := range tests {
		n := namer{}
		var got []string
		for _, in := range tt.in {
			got = append(got, n.name(in))
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("names of %q (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestPaaSManifest(t *testing.T) {
	info := &paas.PaasReturn{
		ID: 100042, Name: "Legacy Site", Type: "php7.3mysql5.7", Size: "m", DataDiskAdditionalSize: 20,
		Datacenter: paas.Datacenter{ID: 3}, SnapshotProfile: &paas.SnapshotProfile{ID: 2, Name: "standard"},
		Vhosts: []paas.PaasVHostShortReturn{{Name: "www.example.org"}, {Name: "xn--caf-dma.example.org"}},
	}
	for _, tc := range []struct {
		name   string
		o      ManifestOptions
		policy hostingv1alpha1.ManagementPolicy
	}{
		{"observed", ManifestOptions{Namespace: "web"}, hostingv1alpha1.ManagementPolicyObserve},
		{"managed", ManifestOptions{Namespace: "web", Manage: true, DeletionPolicy: hostingv1alpha1.DeletionPolicyDelete}, hostingv1alpha1.ManagementPolicyManage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pi := PaaSManifest(tc.o, "gandi-apikey", "legacy-site", info)
			want := hostingv1alpha1.PaaSInstanceSpec{
				CredentialsRef:   &hostingv1alpha1.PaaSCredentialsReference{Name: "gandi-apikey"},
				DeletionPolicy:   cmpOr(tc.o.DeletionPolicy, hostingv1alpha1.DeletionPolicyOrphan),
				ManagementPolicy: tc.policy,
				Name:             "Legacy Site", DatacenterID: 3, Type: "php7.3mysql5.7", Size: "m", Duration: "1m",
				AdditionalDiskGB: gandi.Ptr(int32(20)), SnapshotProfile: gandi.Ptr(int32(2)),
				Vhosts: []hostingv1alpha1.PaaSVhostSpec{{FQDN: "www.example.org"}, {FQDN: "xn--caf-dma.example.org"}},
			}
			if diff := cmp.Diff(want, pi.Spec); diff != "" {
				t.Fatalf("spec (-want +got):\n%s", diff)
			}
			if pi.Annotations[hostingv1alpha1.AnnotationExternalID] != "100042" || pi.Spec.PasswordSecretRef != nil || pi.Kind != "PaaSInstance" {
				t.Fatalf("manifest: %+v", pi)
			}
		})
	}
	none := *info
	none.SnapshotProfile = nil
	if got := PaaSManifest(ManifestOptions{}, "k", "n", &none).Spec.SnapshotProfile; got == nil || *got != 0 {
		t.Fatalf("no profile at Gandi: spec.snapshotProfile must be 0 (kept without one), got %v", got)
	}
}

func cmpOr[T comparable](v, fallback T) T {
	var zero T
	if v == zero {
		return fallback
	}
	return v
}
