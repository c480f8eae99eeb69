package controller

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// vhostCreateAPI answers a vhost create as Gandi would when the name is
// taken: paas.vhost.info before and after the refusal are given.
type vhostCreateAPI struct {
	paasAPI        // only the vhost methods below are reached
	before, after  func() (*paas.PaasVHostReturn, error)
	infos, creates int
}

func (a *vhostCreateAPI) VhostInfo(context.Context, string) (*paas.PaasVHostReturn, error) {
	a.infos++
	if a.infos == 1 {
		return a.before()
	}
	return a.after()
}

func (a *vhostCreateAPI) VhostCreate(context.Context, paas.PaasVhost) (*paas.Operation, error) {
	a.creates++
	return nil, &paas.Fault{Code: paas.FaultExists, String: "exists", Method: "paas.vhost.create"}
}

func TestCreateVhostRecordsOnlyWhatThisObjectMayHaveCreated(t *testing.T) {
	const fqdn, here, elsewhere = "www.example.org", 7, 9
	notFound := func() (*paas.PaasVHostReturn, error) {
		return nil, &paas.Fault{Code: paas.FaultNotFound, String: "not found", Method: "paas.vhost.info"}
	}
	on := func(id int) func() (*paas.PaasVHostReturn, error) {
		return func() (*paas.PaasVHostReturn, error) { return &paas.PaasVHostReturn{Name: fqdn, PaasID: id}, nil }
	}
	cases := []struct {
		name string
		// earlier: an earlier create of this object, whose answer was
		// lost, recorded the name.
		earlier  bool
		after    func() (*paas.PaasVHostReturn, error)
		recorded bool
		conflict bool
	}{
		{name: "refused, first attempt: someone else's, not recorded", after: notFound, conflict: true},
		{name: "refused, first attempt, now listed here: still not this object's (it never sent a create before)", after: on(here), conflict: true},
		{name: "refused after an earlier attempt, now listed here: that attempt made it", earlier: true, after: on(here), recorded: true},
		{name: "refused after an earlier attempt, seen nowhere: elsewhere, the record goes", earlier: true, after: notFound, conflict: true},
		{name: "refused after an earlier attempt, on another instance: the record goes", earlier: true, after: on(elsewhere), conflict: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pi := &hostingv1alpha1.PaaSInstance{ObjectMeta: metav1.ObjectMeta{Name: "site", Namespace: "team", Annotations: map[string]string{}}}
			if tc.earlier {
				pi.Annotations[effectAnnotationPrefix+effectPaaSVhosts] = fqdn
			}
			c := fake.NewClientBuilder().WithScheme(internalScheme(t)).WithObjects(pi).Build()
			api := &vhostCreateAPI{before: notFound, after: tc.after}
			p := &paasPass{r: &PaaSInstanceReconciler{Base: Base{Client: c}}, api: api, pi: pi, info: &paas.PaasReturn{ID: here}}
			if res := p.createVhost(context.Background(), hostingv1alpha1.PaaSVhostSpec{FQDN: fqdn}, fqdn); res != nil {
				t.Fatalf("createVhost stopped the pass: %+v", res)
			}
			var stored hostingv1alpha1.PaaSInstance
			if err := c.Get(context.Background(), client.ObjectKeyFromObject(pi), &stored); err != nil {
				t.Fatal(err)
			}
			_, recorded := stored.Annotations[effectAnnotationPrefix+effectPaaSVhosts]
			if recorded != tc.recorded {
				t.Fatalf("recorded = %v (%v), want %v", recorded, stored.Annotations, tc.recorded)
			}
			if conflict := len(p.problems) > 0; conflict != tc.conflict {
				t.Fatalf("conflict reported = %v (%v), want %v", conflict, p.problems, tc.conflict)
			}
		})
	}
}
