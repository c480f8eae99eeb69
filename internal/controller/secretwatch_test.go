package controller_test

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
)

// secretCollection is the path of a list or watch of Secrets (not a read
// of one Secret by name).
var secretCollection = regexp.MustCompile(`^/api/v1/(namespaces/[^/]+/)?secrets$`)

// secretWire records, byte for byte, what the API server sends a manager in
// answer to its lists and watches of Secrets, and the queries it sent.
type secretWire struct {
	next    http.RoundTripper
	mu      sync.Mutex
	body    bytes.Buffer
	queries []string
}

func (s *secretWire) wrap(rt http.RoundTripper) http.RoundTripper { s.next = rt; return s }

func (s *secretWire) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(req)
	if err != nil || !secretCollection.MatchString(req.URL.Path) {
		return resp, err
	}
	s.mu.Lock()
	s.queries = append(s.queries, req.URL.Path+"?"+req.URL.RawQuery)
	s.mu.Unlock()
	resp.Body = &teeBody{ReadCloser: resp.Body, wire: s}
	return resp, nil
}

func (s *secretWire) received() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.body.String()
}

func (s *secretWire) sent() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.queries...)
}

type teeBody struct {
	io.ReadCloser
	wire *secretWire
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.wire.mu.Lock()
	b.wire.body.Write(p[:n])
	b.wire.mu.Unlock()
	return n, err
}

// appliedSecret is a Secret as `kubectl apply` leaves it: its data, in
// clear, in the last-applied-configuration annotation.
func appliedSecret(namespace, name, value string, labels map[string]string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Name: name, Namespace: namespace, Labels: labels,
			Annotations: map[string]string{corev1.LastAppliedConfigAnnotation: `{"apiVersion":"v1","kind":"Secret","stringData":{"token":"` + value + `"}}`},
		},
		StringData: map[string]string{"token": value},
	}
}

var watchLabel = map[string]string{hostingv1alpha1.LabelWatch: hostingv1alpha1.LabelWatchValue}

// slowPoll leaves only the Secret watch to notice a fixed Secret within a
// test's time.
var slowPoll = controller.Timing{Poll: time.Hour, Transitional: 100 * time.Millisecond, CreateGrace: time.Second, Usage: time.Hour}

var _ = Describe("The Secret watch", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	It("is never sent a Secret without the watch label", func() {
		wire := &secretWire{}
		before := appliedSecret(w.namespace, "unrelated-before", "pat_unlabelled-before-"+w.namespace, nil)
		Expect(k8sClient.Create(suiteCtx, before)).To(Succeed())
		w.startManager(managerOptions{wrapTransport: wire.wrap})
		after := appliedSecret(w.namespace, "unrelated-after", "pat_unlabelled-after-"+w.namespace, nil)
		Expect(k8sClient.Create(suiteCtx, after)).To(Succeed())
		labelled := appliedSecret(w.namespace, "handed-over", "pat_labelled-"+w.namespace, watchLabel)
		Expect(k8sClient.Create(suiteCtx, labelled)).To(Succeed())

		// The labelled one arrives (so the recording works), annotation and
		// all; events come in order, so the others would have come first.
		Eventually(wire.received).WithTimeout(eventually).Should(ContainSubstring("pat_labelled-" + w.namespace))
		Expect(wire.received()).NotTo(ContainSubstring("unrelated-before"))
		Expect(wire.received()).NotTo(ContainSubstring("pat_unlabelled-before-" + w.namespace))
		Expect(wire.received()).NotTo(ContainSubstring("pat_unlabelled-after-" + w.namespace))
		Expect(wire.sent()).NotTo(BeEmpty())
		for _, q := range wire.sent() {
			Expect(q).To(ContainSubstring("labelSelector=hosting.gandi-operator.dev%2Fwatch%3Dtrue"), "a list or watch of Secrets without the label selector")
		}
	})

	It("reacts at once to a fixed credentials Secret that carries the label, and not to one without", func() {
		w.startManager(managerOptions{timing: &slowPoll})
		bad := w.secret("fixable", map[string]string{"token": "pat_not-a-real-token-31337"})
		hi := instance("fixable", func(hi *hostingv1alpha1.HostingInstance) {
			hi.Spec.CredentialsRef = &hostingv1alpha1.CredentialsReference{Name: "fixable"}
		})
		w.create(hi)
		unauthorized := haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "Unauthorized")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(unauthorized)
		// Let the pass that its own status write triggers go by.
		Consistently(fetch(hi)).WithTimeout(time.Second).Should(unauthorized)

		setSpec(bad, func() { bad.StringData = map[string]string{"token": orgToken} })
		Consistently(fetch(hi)).WithTimeout(3*time.Second).Should(unauthorized, "an unlabelled Secret triggered a reconcile")

		setSpec(bad, func() { bad.Labels = watchLabel })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())
	})

	It("follows the default token Secret by name when its namespace is not watched", func() {
		operatorNS := newWorld()
		token := operatorNS.secret("operator-token", map[string]string{"token": "pat_not-a-real-token-31337"})
		other := appliedSecret(operatorNS.namespace, "release-record", "pat_other-"+operatorNS.namespace, watchLabel)
		Expect(k8sClient.Create(suiteCtx, other)).To(Succeed())
		wire := &secretWire{}
		w.startManager(managerOptions{
			watchNamespaces: []string{w.namespace},
			defaultSecret:   types.NamespacedName{Namespace: operatorNS.namespace, Name: "operator-token"},
			allowDefault:    true,
			timing:          &slowPoll,
			wrapTransport:   wire.wrap,
		})
		hi := instance("default-token", func(hi *hostingv1alpha1.HostingInstance) { hi.Spec.CredentialsRef = nil })
		w.create(hi)
		unauthorized := haveCondition(hostingv1alpha1.ConditionSynced, metav1.ConditionFalse, "Unauthorized")
		Eventually(fetch(hi)).WithTimeout(eventually).Should(unauthorized)
		Consistently(fetch(hi)).WithTimeout(time.Second).Should(unauthorized)

		setSpec(token, func() { token.StringData = map[string]string{"token": orgToken} })
		Eventually(fetch(hi)).WithTimeout(eventually).Should(beReady())

		// In the operator's namespace, only that Secret is asked for (and
		// RBAC can grant just it, by resourceNames); elsewhere, only
		// labelled ones.
		Expect(wire.received()).NotTo(ContainSubstring("pat_other-" + operatorNS.namespace))
		for _, q := range wire.sent() {
			if regexp.MustCompile(`^/api/v1/namespaces/` + operatorNS.namespace + `/secrets\?`).MatchString(q) {
				Expect(q).To(ContainSubstring("fieldSelector=metadata.name%3Doperator-token"))
			} else {
				Expect(q).To(HavePrefix("/api/v1/namespaces/" + w.namespace + "/secrets?"))
				Expect(q).To(ContainSubstring("labelSelector=hosting.gandi-operator.dev%2Fwatch%3Dtrue"))
			}
		}
	})
})
