package kubectlgandi

import (
	"strings"
	"testing"
)

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref      string
		allowed  []string
		wantKind string
		wantName string
		wantErr  bool
		// errText is what the error must say: the form and the example
		// follow the kinds the command takes.
		errText string
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
		{ref: "shop", allowed: []string{kindVhost}, wantErr: true,
			errText: `"shop" is not vhost/NAME (for example vhost/www.example.com)`},
		{ref: "shop", allowed: []string{kindHostingInstance, kindPaaSInstance}, wantErr: true,
			errText: `"shop" is not hostinginstance/NAME or paasinstance/NAME (for example hostinginstance/shop or paasinstance/legacy)`},
		{ref: "gtpl", wantErr: true, errText: `"gtpl" is not KIND/NAME (for example hostinginstance/shop)`},
		{ref: "hostinginstance/shop", allowed: []string{kindVhost}, wantErr: true,
			errText: `"hostinginstance/shop": the kind must be vhost (for example vhost/www.example.com)`},
		{ref: "pod/shop", wantErr: true,
			errText: `"pod/shop": the kind must be hostinginstance, vhost, template, templateapplication or paasinstance`},
	}
	for _, tt := range tests {
		t.Run(tt.ref+"/"+strings.Join(tt.allowed, ","), func(t *testing.T) {
			k, name, err := parseRef(tt.ref, tt.allowed...)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want an error, got %s/%s", k.Kind, name)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Fatalf("error %q does not say %q", err, tt.errText)
				}
				return
			}
			if err != nil || k.Kind != tt.wantKind || name != tt.wantName {
				t.Fatalf("got %s/%s, %v; want %s/%s", k.Kind, name, err, tt.wantKind, tt.wantName)
			}
		})
	}
}
