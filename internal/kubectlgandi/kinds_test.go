package kubectlgandi

import "testing"

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref      string
		allowed  []string
		wantKind string
		wantName string
		wantErr  bool
	}{
		{ref: "hostinginstance/shop", wantKind: kindHostingInstance, wantName: "shop"},
		{ref: "hi/shop", wantKind: kindHostingInstance, wantName: "shop"},
		{ref: "HostingInstances.hosting.gandi-operator.dev/shop", wantKind: kindHostingInstance, wantName: "shop"},
		{ref: "vh/www.example.com", wantKind: kindVhost, wantName: "www.example.com"},
		{ref: "gtpl/shop-domain", wantKind: "Template", wantName: "shop-domain"},
		{ref: "gta/apply", wantKind: "TemplateApplication", wantName: "apply"},
		{ref: "paas/legacy", wantKind: "PaaSInstance", wantName: "legacy"},
		{ref: "vhost/www", allowed: []string{kindVhost}, wantKind: kindVhost, wantName: "www"},
		{ref: "vhost/www", allowed: []string{kindHostingInstance}, wantErr: true},
		{ref: "pod/www", wantErr: true},
		{ref: "shop", wantErr: true},
		{ref: "hostinginstance/", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			k, name, err := parseRef(tt.ref, tt.allowed...)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %s/%s", k.Kind, name)
				}
				return
			}
			if err != nil || k.Kind != tt.wantKind || name != tt.wantName {
				t.Fatalf("got %s/%s, %v; want %s/%s", k.Kind, name, err, tt.wantKind, tt.wantName)
			}
		})
	}
}
