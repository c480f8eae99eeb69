package kubectlgandi

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// A wait the operator never answers ends on the user's interrupt or on the
// timeout: each is called what it is, after the time it really took, and
// the request written is named with how to see later that it was done.
func TestWaitUntilEndsEarly(t *testing.T) {
	scheme := runtime.NewScheme()
	if err := hostingv1alpha1.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	shop := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Name: "shop", Namespace: "web"}}
	c := fake.NewClientBuilder().WithScheme(scheme).WithObjects(shop).Build()
	k, _, err := parseRef("hostinginstance/shop")
	if err != nil {
		t.Fatal(err)
	}
	tg := target{kind: k, key: types.NamespacedName{Namespace: "web", Name: "shop"}}
	p := pending{request: `spec.restartRequest: "v1"`, still: "performs it, once", path: ".status.lastActions.restart", want: "v1"}
	never := func(client.Object) (bool, error) { return false, nil }
	named := []string{
		`the request stays in the object (spec.restartRequest: "v1"), so the operator still performs it, once`,
		"`kubectl get hostinginstance shop -n web -o jsonpath='{.status.lastActions.restart}'` (v1 once done)",
	}

	tests := []struct {
		name     string
		timeout  time.Duration
		cancelIn time.Duration // 0: never
		want     *regexp.Regexp
	}{
		{name: "interrupted", timeout: time.Minute, cancelIn: 300 * time.Millisecond,
			want: regexp.MustCompile(`^hostinginstance/shop: interrupted after [3-9]00ms, before the operator reported it done; `)},
		{name: "timed out", timeout: 300 * time.Millisecond,
			want: regexp.MustCompile(`^hostinginstance/shop: not done after [3-9]00ms \(--timeout 300ms\); `)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.cancelIn > 0 {
				time.AfterFunc(tt.cancelIn, cancel)
			}
			_, err := waitUntil(ctx, c, tg, tt.timeout, p, never)
			if err == nil {
				t.Fatal("want an error")
			}
			if !tt.want.MatchString(err.Error()) {
				t.Errorf("%q does not match %s", err, tt.want)
			}
			for _, s := range named {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q does not say %q", err, s)
				}
			}
		})
	}
}
