package controller_test

import (
	"context"
	"errors"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/controller"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// The side-effect helpers every kind goes through, driven directly
// against the API server and the simulator (no reconciler runs): what
// they record, and what reaches Gandi.
var _ = Describe("The side-effect helpers", func() {
	var w *world

	BeforeEach(func() { w = newWorld() })

	type sendFunc = func(context.Context) error

	DescribeTable("never let the client resend a request whose answer was lost: one request, one change at Gandi",
		func(run func(ctx context.Context, c client.Client, obj client.Object, send sendFunc) error) {
			id := w.seedInstance()
			hi := instance("site", func(hi *hostingv1alpha1.HostingInstance) {
				hi.Annotations = controller.AcceptedRecord(controller.EffectPassword, "u/1")
			})
			w.create(hi)
			api := w.byHand() // a client that resends a PATCH whose answer was lost
			w.sim.CommitThenDrop(gandisim.RoutePatchInstance, 1)
			err := run(suiteCtx, k8sClient, hi, func(ctx context.Context) error {
				return api.UpdateInstance(ctx, id, gandi.UpdateInstanceRequest{Name: "renamed"})
			})
			Expect(err).To(HaveOccurred(), "a lost answer reported as accepted")
			Expect(w.sim.Requests(gandisim.RoutePatchInstance)).To(Equal(1), "the client resent the side effect on its own")
			Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(hi), hi)).To(Succeed())
			Expect(controller.RecordedEffect(hi, controller.EffectPassword)).To(Equal("u/2"), "the record stays: the request may have reached Gandi")
		},
		Entry("sendOnce", func(ctx context.Context, c client.Client, obj client.Object, send sendFunc) error {
			return controller.SendOnce(ctx, c, obj, controller.EffectPassword, "u/2", send)
		}),
		Entry("performOnce", func(ctx context.Context, c client.Client, obj client.Object, send sendFunc) error {
			_, _, err := controller.PerformOnce(ctx, c, obj, controller.EffectPassword, "u/2", send)
			return err
		}),
		Entry("rotateOnce", func(ctx context.Context, c client.Client, obj client.Object, send sendFunc) error {
			return controller.RotateOnce(ctx, c, obj, controller.EffectPassword, "u/2", send)
		}),
	)

	// A value held on taking hold (the baseline) is not performed while it
	// is the spec's value of that moment; the record of another value ends
	// it, so a -> b -> a performs a, as without the adoption, for every
	// effect that reads it. A b Gandi certainly refused leaves it.
	type step struct {
		want      string
		sendErr   error
		state     string
		sent      bool
		sends     int // sends so far
		baselined bool
	}
	refused := &gandi.APIError{StatusCode: http.StatusConflict}
	lost := errors.New("connection reset")
	steps := map[string][]step{
		"the held value: not performed": {
			{want: "a", state: "held", baselined: true}},
		"a -> b -> a after adoption: b ends the baseline, a is performed": {
			{want: "a", state: "held", baselined: true},
			{want: "b", state: "performed", sent: true, sends: 1},
			{want: "a", state: "performed", sent: true, sends: 2}},
		"b's answer lost: b maybe performed, a is asked anew": {
			{want: "b", sendErr: lost, state: "failed", sends: 1},
			{want: "b", state: "unconfirmed", sends: 1},
			{want: "a", state: "performed", sent: true, sends: 2}},
		"b certainly refused: its record and the end of the baseline are taken back": {
			{want: "b", sendErr: refused, state: "failed", sends: 1, baselined: true},
			{want: "a", state: "held", sends: 1, baselined: true}},
	}
	objects := map[string]func() (client.Object, string){
		"HostingInstance restart": func() (client.Object, string) { return instance("site"), controller.EffectRestart },
		"Vhost cache purge": func() (client.Object, string) {
			return vhost("www", "www.example.com"), controller.EffectCachePurge
		},
	}
	for kind, make := range objects {
		for name, run := range steps {
			It(kind+": "+name, func() {
				obj, effect := make()
				obj.SetAnnotations(map[string]string{controller.BaselineKey(effect): "a"})
				w.create(obj)
				sends := 0
				for i, s := range run {
					state, sent, err := controller.PerformOnce(suiteCtx, k8sClient, obj, effect, s.want, func(context.Context) error { sends++; return s.sendErr })
					Expect([]any{state, sent, sends}).To(Equal([]any{s.state, s.sent, s.sends}), "step %d (%s), error %v", i, s.want, err)
					if s.sendErr == nil {
						Expect(err).NotTo(HaveOccurred(), "step %d", i)
					}
					stored := obj.DeepCopyObject().(client.Object)
					Expect(k8sClient.Get(suiteCtx, client.ObjectKeyFromObject(obj), stored)).To(Succeed())
					Expect(stored.GetAnnotations()).To(Equal(obj.GetAnnotations()), "step %d: the pass's copy is what the API server has", i)
					_, held := stored.GetAnnotations()[controller.BaselineKey(effect)]
					Expect(held).To(Equal(s.baselined), "step %d (%s): baseline kept", i, s.want)
				}
			})
		}
	}
})
