package controller

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// A namespace of a domain (dns:records, domain:mailboxes,
// domain:nameservers, domain:webredirs) has one manager. Two
// TemplateApplications that apply the same template to one domain, or
// whose templates both write one namespace there, would each apply in
// turn (every interval, or at every edit), the domain flipping between
// them: one is the manager and the other sends nothing and says why. As
// with the other kinds (claimRank), it is a conflict to report, never a
// configuration to share.

// applicationDomainIndex holds the domain a TemplateApplication names
// (domainRef.keys): its Gandi ID when known, its FQDN in ASCII.
const applicationDomainIndex = "gandi.applicationDomain"

// applicationDomainKeys are ta's keys in applicationDomainIndex: the
// domain it names (domainOf), and the domain of its apply record, by ID,
// when its status does not resolve a name it gives (appliesOn): without
// it, one applied there by name and then paused with an edited spec, or
// whose pass fails before it reads Gandi, is found by no application
// naming that domain by ID.
func applicationDomainKeys(ta *hostingv1alpha1.TemplateApplication) []string {
	keys := domainOf(ta).keys()
	if rec, ok := currentRecord(ta); ok && !rec.Superseded && rec.DomainID != "" {
		if k := "id:" + rec.DomainID; !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// domainRef names a domain as TemplateApplications do: by Gandi ID, by
// FQDN, or both once spec.domain is resolved.
type domainRef struct{ id, fqdn string }

func (d domainRef) keys() []string {
	var keys []string
	if d.id != "" {
		keys = append(keys, "id:"+d.id)
	}
	if d.fqdn != "" {
		keys = append(keys, "fqdn:"+d.fqdn)
	}
	return keys
}

// same compares the IDs when both are known: a domain given by ID has no
// FQDN here (the domain route takes a name, not an ID). Otherwise it
// compares the names, one FQDN being one domain.
func (d domainRef) same(o domainRef) bool {
	if d.id != "" && o.id != "" {
		return d.id == o.id
	}
	return d.fqdn != "" && d.fqdn == o.fqdn
}

func (d domainRef) String() string {
	switch {
	case d.fqdn != "" && d.id != "":
		return d.fqdn + " (" + d.id + ")"
	case d.fqdn != "":
		return d.fqdn
	}
	return d.id
}

// normalizedFQDN is a domain name in the one spelling Gandi's routes take
// (lowercase punycode: café.example and xn--caf-dma.example are one
// domain); "" for what is not a host name, which names no domain.
func normalizedFQDN(fqdn string) string {
	if fqdn == "" {
		return ""
	}
	ascii, err := toASCII(fqdn)
	if err != nil {
		return ""
	}
	return strings.ToLower(ascii)
}

// domainOf is the domain ta names, as the cluster knows it: spec.domainID,
// or spec.domain with the ID the status resolved it to when the status
// describes this spec (the ID resolved for a former spec.domain names
// another domain).
func domainOf(ta *hostingv1alpha1.TemplateApplication) domainRef {
	if ta.Spec.DomainID != "" {
		return domainRef{id: ta.Spec.DomainID}
	}
	d := domainRef{fqdn: normalizedFQDN(ta.Spec.Domain)}
	if ta.Status.ObservedGeneration == ta.Generation {
		d.id = ta.Status.DomainID
	}
	return d
}

// applicationView is what the decision between applications on one
// domain looks at.
type applicationView struct {
	obj client.Object
	// templateID is the template applied; "" when not known yet.
	templateID string
	// namespaces the template writes; none when not known yet (only the
	// same template is then a conflict).
	namespaces []string
	// recorded: the object's apply record is of the contested domain (an
	// apply there was sent, or may be in flight). applied: its status
	// shows that apply performed, as Gandi showed it (shownPerformed),
	// which only the operator writes (a copy of the object carries its
	// record, not its status; anyone who may edit the object may write
	// the record). covers: that apply wrote every namespace the template
	// writes now, so it manages all of them already. A record another
	// application wrote over (applyRecord.Superseded) counts for none of
	// these.
	recorded, applied, covers bool
	// running: that recorded apply may still run at Gandi (its dispatch
	// not seen over, or one without a dispatch to follow within its grace:
	// deletionInput.awaited), writing what it writes whatever the ranking
	// says (withRunning).
	running bool
}

// withRunning is v, the view of o, with running set: Gandi may still be
// running o's recorded apply there, as o's records and status tell.
func withRunning(v applicationView, o *hostingv1alpha1.TemplateApplication, now time.Time, grace time.Duration) applicationView {
	v.running = v.recorded && newDeletionInput(o, now, grace).awaited()
	return v
}

// newApplicationView is ta's view for domainID, the contested domain.
func newApplicationView(ta *hostingv1alpha1.TemplateApplication, templateID string, namespaces []string, domainID string) applicationView {
	v := applicationView{obj: ta, templateID: templateID, namespaces: namespaces}
	rec, ok := currentRecord(ta)
	on := rec.DomainID
	if on == "" {
		// Records of earlier versions name no target: the status says
		// where this object applies.
		on = ta.Status.DomainID
	}
	v.recorded = ok && domainID != "" && on == domainID && !rec.Superseded
	v.applied = v.recorded && shownPerformed(ta, rec)
	v.covers = v.applied && subset(namespaces, rec.wrote(namespaces))
	return v
}

// firstOf orders the applications on one domain: the one whose last apply
// there covers what it writes (it manages all of it already), then one
// that applied there, then one whose apply there is recorded (it may be
// in flight), then the oldest, then by namespace/name (olderFirst).
func firstOf(a, b applicationView) bool {
	switch {
	case a.covers != b.covers:
		return a.covers
	case a.applied != b.applied:
		return a.applied
	case a.recorded != b.recorded:
		return a.recorded
	}
	return olderFirst(a.obj, b.obj)
}

// overlap is what two applications on one domain would both write.
func overlap(a, b applicationView) (sameTemplate bool, shared []string) {
	for _, ns := range a.namespaces {
		if slices.Contains(b.namespaces, ns) {
			shared = append(shared, ns)
		}
	}
	return a.templateID != "" && a.templateID == b.templateID, shared
}

func conflicts(a, b applicationView) bool {
	same, shared := overlap(a, b)
	return same || len(shared) > 0
}

// heldBackBy returns the application that keeps self from writing, among
// others on self's domain: in firstOf's order, each application manages
// what it writes unless an earlier manager writes some of it too; self is
// held back by the first such manager. An application that is itself held
// back holds nobody back: of three whose templates chain (records; records
// and mail; mail), the first and the third apply. Unless its apply there
// may still run (running): then it writes what it writes, whatever comes
// before it, as one being deleted does (holdsWhileDeleting). Two that race
// may each have sent before seeing the other (one out of the cache), and
// a third, finding the older of the two first, would otherwise write what
// the other's dispatch is writing.
func heldBackBy(self applicationView, others []applicationView) (applicationView, bool) {
	all := append([]applicationView{self}, others...)
	sort.SliceStable(all, func(i, j int) bool { return firstOf(all[i], all[j]) })
	var managers []applicationView
	for _, v := range all {
		i := slices.IndexFunc(managers, func(m applicationView) bool { return conflicts(m, v) })
		if v.obj.GetUID() == self.obj.GetUID() {
			if i >= 0 {
				return managers[i], true
			}
			return applicationView{}, false
		}
		if i < 0 || v.running {
			managers = append(managers, v)
		}
	}
	return applicationView{}, false
}

// heldBackMessage says who manages what self would write on domain, and
// why that one came first; of one being deleted, which dispatch it waits
// for.
func heldBackMessage(self, holder applicationView, domain domainRef) string {
	same, shared := overlap(self, holder)
	var what string
	switch {
	case same && len(shared) > 0:
		what = "applies the same template (" + holder.templateID + ", writing " + strings.Join(shared, ", ") + ")"
	case same:
		what = "applies the same template (" + holder.templateID + ")"
	default:
		what = "writes " + strings.Join(shared, ", ") + ", as this one's template would"
	}
	hc, sc := holder.obj.GetCreationTimestamp(), self.obj.GetCreationTimestamp()
	var why string
	switch {
	case holder.covers && !self.covers:
		why = "its last apply there wrote all it writes"
	case holder.applied && !self.applied:
		why = "it has applied there"
	case holder.recorded && !self.recorded:
		why = "its apply there is recorded"
	case !hc.Equal(&sc):
		why = "it is older"
	default:
		why = "it is as old and its name sorts first"
	}
	name := holder.obj.GetNamespace() + "/" + holder.obj.GetName()
	// A holder being deleted holds the domain only while its last apply
	// may still run (contends).
	if ta, ok := holder.obj.(*hostingv1alpha1.TemplateApplication); ok && !ta.DeletionTimestamp.IsZero() {
		if id := lastDispatchID(ta); id != "" {
			return fmt.Sprintf("%s is being deleted, and Gandi may still be running dispatch %s of its last apply on domain %s (it %s): "+
				"this application sends nothing until that dispatch is over", name, id, domain, what) + pausedHolder(ta)
		}
		rec, _ := currentRecord(ta)
		return fmt.Sprintf("%s is being deleted, and its last apply on domain %s, recorded at %s, has no dispatch to follow and may still run at Gandi (it %s): "+
			"this application sends nothing until the domain shows that apply done or the grace for it is over", name, domain, rec.At.UTC().Format(time.RFC3339), what) + pausedHolder(ta)
	}
	return fmt.Sprintf("%s already manages this on domain %s: it %s, and it came first (%s). A part of a domain's configuration has one manager, "+
		"so this application sends nothing; it applies once %s is deleted or applies elsewhere. To keep both, make their templates write different namespaces",
		name, domain, what, why, name)
}

// pausedHolder tells why a holder being deleted may hold the domain past
// its dispatch or grace: a paused object is not finalized (runPass), so it
// waits for its annotation to go, however long ago its apply ended.
func pausedHolder(ta *hostingv1alpha1.TemplateApplication) string {
	if !isPaused(ta) {
		return ""
	}
	return ". It is paused (annotation " + hostingv1alpha1.AnnotationPaused + "), so it is not finalized: it holds the domain until that annotation is removed"
}

func subset(of, in []string) bool {
	for _, s := range of {
		if !slices.Contains(in, s) {
			return false
		}
	}
	return true
}

// holdBack stops ta when another TemplateApplication manages what it would
// write on its domain (heldBackBy), before anything is sent. observed is
// false when the rivals could not be read. It reads the cache, which may
// not show yet an application created a moment ago: the apply checks
// again, past its record, with a read of the API server (heldBackNow).
func (r *TemplateApplicationReconciler) holdBack(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, t applyTarget) (*result, bool) {
	domain := targetDomain(ta, t)
	others, err := r.applicationsOn(ctx, ta, domain)
	if err != nil {
		return halt(retry(fmt.Errorf("list the TemplateApplications of domain %s: %w", domain, err))), false
	}
	if others, err = r.reaching(ctx, ta, others, domain); err != nil {
		return halt(retry(err)), false
	}
	views, err := r.rivalViews(ctx, others, t.domainID)
	if err != nil {
		return halt(retry(err)), false
	}
	holder, held := heldBackBy(t.standing, views)
	if !held {
		return nil, true
	}
	if err := r.supersede(ctx, ta, t.standing, holder); err != nil {
		return halt(retry(err)), false
	}
	return ownedByAnother(ta, r.Timing, heldBackMessage(t.standing, holder, domain)), true
}

// targetDomain is the domain ta applies to, by its ID and by the name its
// spec gives.
func targetDomain(ta *hostingv1alpha1.TemplateApplication, t applyTarget) domainRef {
	return domainRef{id: t.domainID, fqdn: normalizedFQDN(ta.Spec.Domain)}
}

// rivalViews are the views of others for domainID (rivalView).
func (r *TemplateApplicationReconciler) rivalViews(ctx context.Context, others []*hostingv1alpha1.TemplateApplication, domainID string) ([]applicationView, error) {
	views := make([]applicationView, 0, len(others))
	for _, o := range others {
		v, err := r.rivalView(ctx, o, domainID)
		if err != nil {
			return nil, err
		}
		views = append(views, v)
	}
	return views, nil
}

// applicationsOn lists from the cache, in every namespace (a domain is
// one whoever names it), the other TemplateApplications on domain. One
// being deleted applies nothing more, and holds the domain only while
// Gandi may still run its last apply (holdsWhileDeleting): released
// before, the application it holds back could apply first and see that
// apply write over its records.
func (r *TemplateApplicationReconciler) applicationsOn(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, domain domainRef) ([]*hostingv1alpha1.TemplateApplication, error) {
	seen := map[types.UID]bool{ta.UID: true}
	var out []*hostingv1alpha1.TemplateApplication
	for _, key := range domain.keys() {
		objs, err := listNamed(ctx, r, &hostingv1alpha1.TemplateApplicationList{}, applicationDomainIndex, key)
		if err != nil {
			return nil, err
		}
		for _, obj := range objs {
			o, ok := obj.(*hostingv1alpha1.TemplateApplication)
			if ok && !seen[o.UID] && contends(o, r.clock(), r.Timing.CreateGrace) && appliesOn(o, domain) {
				seen[o.UID] = true
				out = append(out, o)
			}
		}
	}
	return out, nil
}

// contends reports an application that can hold another back: one not
// being deleted, or being deleted while its last apply may still run
// (holdsWhileDeleting).
func contends(o *hostingv1alpha1.TemplateApplication, now time.Time, grace time.Duration) bool {
	return o.DeletionTimestamp.IsZero() || holdsWhileDeleting(o, now, grace)
}

// rivalView is o's view for domainID. A templateRef is read from the
// cache, so that an application that has not run yet is seen writing what
// its Template writes; a template given by ID is known by what o's status
// last read of it. A Template that does not exist applies nothing.
func (r *TemplateApplicationReconciler) rivalView(ctx context.Context, o *hostingv1alpha1.TemplateApplication, domainID string) (applicationView, error) {
	var id string
	var namespaces []string
	if o.Spec.TemplateRef != nil {
		tpl, err := r.rivalTemplate(ctx, o)
		if err != nil {
			return applicationView{}, err
		}
		if tpl != nil {
			id, namespaces = templateID(tpl), desiredPayload(tpl.Spec.Payload).Namespaces()
		}
	} else {
		id = o.Spec.TemplateID
		if o.Status.TemplateID == id {
			namespaces = o.Status.Namespaces
		}
	}
	id, namespaces = withApplyInFlight(o, domainID, id, namespaces, holdsWhileDeleting(o, r.clock(), r.Timing.CreateGrace))
	return withRunning(newApplicationView(o, id, namespaces, domainID), o, r.clock(), r.Timing.CreateGrace), nil
}

// rivalTemplate is the Template o's templateRef names, from the cache;
// nil when it does not exist.
func (r *TemplateApplicationReconciler) rivalTemplate(ctx context.Context, o *hostingv1alpha1.TemplateApplication) (*hostingv1alpha1.Template, error) {
	ref := o.Spec.TemplateRef
	tpl := &hostingv1alpha1.Template{}
	err := r.Get(ctx, types.NamespacedName{Namespace: o.Namespace, Name: ref.Name}, tpl)
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("get Template %s/%s: %w", o.Namespace, ref.Name, err)
	}
	return tpl, nil
}

// rivalCredentials are the credentials o applies with: its own, else its
// Template's (applicationCredentials). known is false when its Template
// does not exist: it applies nothing, with no credentials.
func (r *TemplateApplicationReconciler) rivalCredentials(ctx context.Context, o *hostingv1alpha1.TemplateApplication) (_ *hostingv1alpha1.CredentialsReference, known bool, _ error) {
	if o.Spec.CredentialsRef != nil || o.Spec.TemplateRef == nil {
		return o.Spec.CredentialsRef, true, nil
	}
	tpl, err := r.rivalTemplate(ctx, o)
	if err != nil || tpl == nil {
		return nil, false, err
	}
	return applicationCredentials(o, tpl), true, nil
}

// withApplyInFlight adds to what o's template writes (id, namespaces)
// what its apply to domainID writes when that apply is recorded and not
// answered: it may be on its way to Gandi now, with what the record says,
// whichever version of o's Template this cache holds (or none yet). So
// does the last apply of one being deleted that may still run (draining:
// holdsWhileDeleting), whose Template may be gone with it.
func withApplyInFlight(o *hostingv1alpha1.TemplateApplication, domainID, id string, namespaces []string, draining bool) (string, []string) {
	rec, ok := currentRecord(o)
	inFlight := rec.Outcome == outcomeUnanswered || draining
	if !ok || !inFlight || domainID == "" || rec.DomainID != domainID || rec.Superseded {
		return id, namespaces
	}
	if id == "" {
		id = rec.TemplateID
	}
	out := slices.Clone(namespaces)
	for _, ns := range rec.Namespaces {
		if !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return id, out
}

// supersede marks ta's apply on the domain as written over when the
// application holding it back applies another template writing one of
// the namespaces that apply wrote (two applications that both applied
// there, before this rule or in a race): released later, ta applies again
// rather than report the other's configuration as its own.
func (r *TemplateApplicationReconciler) supersede(ctx context.Context, ta *hostingv1alpha1.TemplateApplication, self, holder applicationView) error {
	if !self.recorded || self.templateID == holder.templateID {
		return nil
	}
	rec, _ := currentRecord(ta)
	if _, shared := overlap(applicationView{namespaces: rec.wrote(self.namespaces)}, holder); len(shared) == 0 {
		return nil
	}
	rec.Superseded = true
	if err := r.saveRecord(ctx, ta, rec, true); err != nil {
		return fmt.Errorf("record that %s/%s wrote over the last apply: %w", holder.obj.GetNamespace(), holder.obj.GetName(), err)
	}
	return nil
}

// applicationsOnDomainOf wakes the TemplateApplications on obj's domain:
// one that obj held back may apply now that obj is gone, names another
// domain or template, or writes other namespaces.
func (r *TemplateApplicationReconciler) applicationsOnDomainOf(ctx context.Context, obj client.Object) []reconcile.Request {
	ta, ok := obj.(*hostingv1alpha1.TemplateApplication)
	if !ok {
		return nil
	}
	others, err := r.applicationsOn(ctx, ta, domainOf(ta))
	if err != nil {
		log.FromContext(ctx).Error(err, "list the TemplateApplications on a domain", "domain", domainOf(ta).String())
		return nil
	}
	return requestsFor(others)
}

// releasesRivals lets through the TemplateApplication events that can
// release another one held back: a deletion, a change of spec, of what
// the status says it writes where, or of Gandi refusing its credentials
// (reaches).
func releasesRivals() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc:  func(event.CreateEvent) bool { return false },
		GenericFunc: func(event.GenericEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			old, okOld := e.ObjectOld.(*hostingv1alpha1.TemplateApplication)
			cur, okCur := e.ObjectNew.(*hostingv1alpha1.TemplateApplication)
			if !okOld || !okCur {
				return false
			}
			return old.Generation != cur.Generation || !old.DeletionTimestamp.Equal(cur.DeletionTimestamp) || old.Status.DomainID != cur.Status.DomainID ||
				old.Status.TemplateID != cur.Status.TemplateID || !slices.Equal(old.Status.Namespaces, cur.Status.Namespaces) ||
				refusedNow(old) != refusedNow(cur)
		},
	}
}
