package controller

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

func TestDecideClaim(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	intent := now.Add(-30 * time.Second)
	old := candidate{id: "old", createdAt: intent.Add(-time.Hour)}
	fresh := candidate{id: "fresh", createdAt: intent.Add(time.Second)}
	fresh2 := candidate{id: "fresh2", createdAt: intent.Add(2 * time.Second)}
	undated := candidate{id: "undated"}
	// Templates: Gandi gives no date, the intent records digests of what
	// its creates sent, and the lookup reads each match's content.
	sent, sentBefore := []string{"sha256:sent"}, []string{"sha256:first", "sha256:sent"}
	ours := candidate{id: "ours", content: "sha256:sent"}
	first := candidate{id: "first", content: "sha256:first"}
	strangers := candidate{id: "strangers", content: "sha256:made-by-hand"}
	cases := []struct {
		name string
		in   claimInput
		want claimDecision
	}{
		{"nothing at Gandi: create", claimInput{}, decideCreate},
		{"nothing at Gandi, observe only", claimInput{observeOnly: true}, decideAbsent},
		{"a match this object did not make", claimInput{matches: []candidate{old}}, decideAlreadyExists},
		{"a match the user handed over", claimInput{matches: []candidate{old}, handedOver: true}, decideHandedOver},
		{"two matches the user handed over", claimInput{matches: []candidate{old, fresh}, handedOver: true}, decideAmbiguous},
		{"own intent explains one match", claimInput{matches: []candidate{old, fresh}, pending: true, pendingSince: intent}, decideAdopt},
		{"own intent, two fresh matches", claimInput{matches: []candidate{fresh, fresh2}, pending: true, pendingSince: intent}, decideAmbiguous},
		{"own intent, nothing listed yet", claimInput{pending: true, pendingSince: intent, grace: time.Minute}, decideWait},
		{"own intent, grace over, nothing listed", claimInput{pending: true, pendingSince: intent, grace: time.Second}, decideCreate},
		{"own intent, grace over since it, a create sent again within the grace", claimInput{pending: true, pendingSince: intent, lastSent: now.Add(-time.Second), grace: 10 * time.Second}, decideWait},
		{"own intent, the create sent again, its grace over too", claimInput{pending: true, pendingSince: intent, lastSent: now.Add(-time.Minute), grace: 10 * time.Second}, decideCreate},
		{"own intent, sent long ago, its answer lost within the grace (a slow POST): waited for", claimInput{pending: true, pendingSince: intent, lastSent: intent, lostAt: now.Add(-time.Second), grace: 10 * time.Second}, decideWait},
		{"own intent, its answer lost, the grace since the loss over too", claimInput{pending: true, pendingSince: intent, lastSent: intent, lostAt: now.Add(-time.Minute), grace: 10 * time.Second}, decideCreate},
		{"own intent, the grace since the send over, no loss recorded (a crash cut the attempt): the loss is recorded first", claimInput{pending: true, pendingSince: intent, lastSent: intent, recordsLoss: true, grace: 10 * time.Second}, decideRecordLoss},
		{"own intent, no loss recorded, within the grace since the send: waited for", claimInput{pending: true, pendingSince: intent, lastSent: intent, recordsLoss: true, grace: time.Minute}, decideWait},
		{"own intent, no loss recorded, its create's match found: adopted at once", claimInput{matches: []candidate{fresh}, pending: true, pendingSince: intent, recordsLoss: true, grace: time.Second}, decideAdopt},
		{"own intent, no loss recorded, the unique key taken by an older object: the loss is recorded before any verdict", claimInput{matches: []candidate{old}, pending: true, pendingSince: intent, recordsLoss: true, grace: time.Second, uniqueKey: true}, decideRecordLoss},
		{"own intent, a match made before the create sent again is still the intent's", claimInput{matches: []candidate{fresh}, pending: true, pendingSince: intent, lastSent: now, grace: time.Second}, decideAdopt},
		{"own intent, grace over, only an older same-named instance", claimInput{matches: []candidate{old}, pending: true, pendingSince: intent, grace: time.Second}, decideCreate},
		{"own intent, grace over, the user hands over an older same-named instance: adopted, not bought", claimInput{matches: []candidate{old}, pending: true, pendingSince: intent, grace: time.Second, handedOver: true}, decideHandedOver},
		{"own intent, within the grace, a handed-over match waits for the create", claimInput{matches: []candidate{old}, pending: true, pendingSince: intent, grace: time.Minute, handedOver: true}, decideWait},
		{"own intent, grace over, two handed-over matches", claimInput{matches: []candidate{old, {id: "older", createdAt: intent.Add(-2 * time.Hour)}}, pending: true, pendingSince: intent, grace: time.Second, handedOver: true}, decideAmbiguous},
		{"own intent, grace over, the unique key taken by an older object", claimInput{matches: []candidate{old}, pending: true, pendingSince: intent, grace: time.Second, uniqueKey: true}, decideAlreadyExists},
		{"own intent recorded without digests (an earlier build), undated match (template): its create's, as that build decided", claimInput{matches: []candidate{undated}, pending: true, pendingSince: intent, uniqueKey: true}, decideAdopt},
		{"own intent, an undated match showing what its create sent", claimInput{matches: []candidate{ours}, pending: true, pendingSince: intent, digests: sent, uniqueKey: true}, decideAdopt},
		{"own intent, an undated match showing what an earlier create under it sent (the spec edited in between)", claimInput{matches: []candidate{first}, pending: true, pendingSince: intent, digests: sentBefore, uniqueKey: true}, decideAdopt},
		{"own intent, an undated match someone made meanwhile, within the grace: not claimed, waited for", claimInput{matches: []candidate{strangers}, pending: true, pendingSince: intent, digests: sent, uniqueKey: true, grace: time.Minute}, decideWait},
		{"own intent, an undated match someone made meanwhile, grace over: AlreadyExists", claimInput{matches: []candidate{strangers}, pending: true, pendingSince: intent, lostAt: intent, digests: sent, uniqueKey: true, grace: time.Second}, decideAlreadyExists},
		{"own intent, an undated match whose content was not read: not its create's", claimInput{matches: []candidate{undated}, pending: true, pendingSince: intent, lostAt: intent, digests: sent, uniqueKey: true, grace: time.Second}, decideAlreadyExists},
		{"own intent, its own and a stranger's undated match (two organizations): its own adopted", claimInput{matches: []candidate{strangers, ours}, pending: true, pendingSince: intent, digests: sent, uniqueKey: true}, decideAdopt},
		{"own intent, a stranger's undated match, the user hands it over after the grace", claimInput{matches: []candidate{strangers}, pending: true, pendingSince: intent, lostAt: intent, digests: sent, uniqueKey: true, grace: time.Second, handedOver: true}, decideHandedOver},
		{"no intent, undated match (template)", claimInput{matches: []candidate{undated}, uniqueKey: true}, decideAlreadyExists},
		{"own intent, grace over, policy now Observe: nothing more is created", claimInput{pending: true, pendingSince: intent, grace: time.Second, observeOnly: true}, decideAbsent},

		// Another object (another credentials Secret on the same account)
		// bought the same name after this object's intent: its create was
		// answered and its ID is not written yet.
		{"another object's create in flight since before the match: not adopted, waited for", claimInput{matches: []candidate{fresh2}, pending: true, pendingSince: intent,
			elsewhere: []otherIntent{{since: fresh.createdAt, sent: now.Add(-time.Second)}}, grace: 10 * time.Second}, decideWait},
		{"another object's create in flight, this object's grace long over: still waited for", claimInput{matches: []candidate{fresh2}, pending: true, pendingSince: intent,
			lostAt: intent, elsewhere: []otherIntent{{since: fresh.createdAt, sent: now.Add(-time.Second)}}, grace: 2 * time.Second}, decideWait},
		{"another object's intent recorded after the match was made: the match is this object's", claimInput{matches: []candidate{fresh}, pending: true, pendingSince: intent,
			elsewhere: []otherIntent{{since: fresh.createdAt.Add(2 * clockSkew), sent: now}}, grace: 10 * time.Second}, decideAdopt},
		{"one match only this object's intent explains, one another's explains too: its own adopted", claimInput{matches: []candidate{fresh, fresh2}, pending: true, pendingSince: intent,
			elsewhere: []otherIntent{{since: fresh2.createdAt.Add(-time.Millisecond).Add(clockSkew), sent: now}}, grace: 10 * time.Second}, decideAdopt},
		{"both creates' answers lost, both graces over: a person tells whose it is", claimInput{matches: []candidate{fresh2}, pending: true, pendingSince: intent,
			lostAt: intent, elsewhere: []otherIntent{{since: fresh.createdAt, sent: fresh.createdAt, lostAt: fresh.createdAt}}, grace: 2 * time.Second}, decideAmbiguous},
		{"an undated template another object's intent explains: waited for", claimInput{matches: []candidate{undated}, pending: true, pendingSince: intent,
			elsewhere: []otherIntent{{since: now, sent: now}}, grace: 10 * time.Second}, decideWait},
		{"an undated template another object's intent sent other content for: not its, this object's own", claimInput{matches: []candidate{ours}, pending: true, pendingSince: intent, digests: sent,
			elsewhere: []otherIntent{{since: now, sent: now, digests: []string{"sha256:theirs"}}}, grace: 10 * time.Second}, decideAdopt},
		{"an undated template both intents sent the same content for: waited for", claimInput{matches: []candidate{ours}, pending: true, pendingSince: intent, digests: sent,
			elsewhere: []otherIntent{{since: now, sent: now, digests: sent}}, grace: 10 * time.Second}, decideWait},
		{"the user hands over a match another object's create in flight explains: waited for", claimInput{matches: []candidate{fresh2}, pending: true, pendingSince: intent,
			lostAt: intent, handedOver: true, elsewhere: []otherIntent{{since: fresh.createdAt, sent: now}}, grace: 2 * time.Second}, decideWait},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.in.now = now
			if got, _ := decideClaim(c.in); got != c.want {
				t.Fatalf("decideClaim = %v, want %v", got, c.want)
			}
		})
	}
}

// A create is sent without the lookup before it only when a refusal
// could only mean "someone's: AlreadyExists"; whenever what the lookup
// finds is this object's (an intent's create), is to be adopted, or makes
// nothing be created, it looks first, and so does a create refused before.
func TestCreateFirst(t *testing.T) {
	vhost := createFirstInput{refusesTaken: true}
	with := func(f func(*createFirstInput)) createFirstInput { in := vhost; f(&in); return in }
	cases := []struct {
		name string
		in   createFirstInput
		want bool
	}{
		{"a new vhost: the create is its own lookup", vhost, true},
		{"a new vhost after it was found gone (the user took the ID back)", with(func(in *createFirstInput) { in.lastReason = hostingv1alpha1.ReasonExternalNotFound }), true},
		{"a kind Gandi lets create twice (instance names)", createFirstInput{}, false},
		{"an intent recorded: its lost answer may have made it", with(func(in *createFirstInput) { in.intentRecorded = true }), false},
		{"adopt annotation or an initial vhost: a match is adopted", with(func(in *createFirstInput) { in.handedOver = true }), false},
		{"Observe: nothing is created", with(func(in *createFirstInput) { in.observeOnly = true }), false},
		{"reported AlreadyExists: looked up until the key is free", with(func(in *createFirstInput) { in.lastReason = hostingv1alpha1.ReasonAlreadyExists }), false},
		{"create refused: looked up, not refused at every pass", with(func(in *createFirstInput) { in.lastReason = hostingv1alpha1.ReasonCreateRefused }), false},
		{"ambiguous: looked up", with(func(in *createFirstInput) { in.lastReason = hostingv1alpha1.ReasonAmbiguousExternalObject }), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := createFirst(c.in); got != c.want {
				t.Fatalf("createFirst = %v, want %v", got, c.want)
			}
		})
	}
}

// claimant is a Vhost of the FQDN its annotation records (a vhost's ID is
// its FQDN), www.example.com when it records none.
func claimant(name string, created time.Time, ann map[string]string) client.Object {
	fqdn := ann[hostingv1alpha1.AnnotationExternalID]
	if fqdn == "" {
		fqdn = "www.example.com"
	}
	return &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{
		Namespace: "ns", Name: name, UID: types.UID(name), CreationTimestamp: metav1.NewTime(created), Annotations: ann,
	}, Spec: hostingv1alpha1.VhostSpec{FQDN: fqdn}}
}

func TestRival(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	idAnn := map[string]string{hostingv1alpha1.AnnotationExternalID: "www.example.com"}
	pend := func(at time.Time) map[string]string {
		return map[string]string{hostingv1alpha1.AnnotationCreatePending: at.Format(time.RFC3339Nano)}
	}
	older := claimant("older", t0, nil)
	newer := claimant("newer", t0.Add(time.Minute), nil)
	newerWithID := claimant("newer-id", t0.Add(time.Minute), idAnn)
	newerPending := claimant("newer-pending", t0.Add(time.Minute), pend(t0.Add(2*time.Minute)))
	olderPendingLater := claimant("older-pending", t0, pend(t0.Add(3*time.Minute)))
	idWithOpenIntent := claimant("id-open", t0.Add(time.Minute), map[string]string{
		hostingv1alpha1.AnnotationExternalID: "www.example.com", hostingv1alpha1.AnnotationCreatePending: t0.Add(4 * time.Minute).Format(time.RFC3339Nano),
	})
	made := map[string]string{hostingv1alpha1.AnnotationExternalID: "www.example.com", hostingv1alpha1.AnnotationCreatedID: "www.example.com"}
	newerMadeIt := claimant("newer-made", t0.Add(time.Minute), made)
	older2WithID := claimant("older-id", t0, idAnn)
	// An object whose status shows the vhost observed (only the operator
	// writes status), against an older one given both annotations by hand.
	observed := claimant("newer-observed", t0.Add(time.Minute), idAnn).(*hostingv1alpha1.Vhost)
	observed.Status.FQDN, observed.Status.State = "www.example.com", "running"
	olderForged := claimant("older-forged", t0, made)
	// The older object lost the claim while the buyer's status showed
	// (its status says so); the buyer was then restored without status,
	// so it is the newer one now.
	lost := func(name string, created time.Time, ann map[string]string, id string) client.Object {
		vh := claimant(name, created, ann).(*hostingv1alpha1.Vhost)
		vh.Status.LostClaimID = id
		return vh
	}
	olderLost := lost("older-lost", t0, made, "www.example.com")
	restoredBuyer := claimant("restored-buyer", t0.Add(time.Hour), made)
	restoredAdopter := claimant("restored-adopter", t0.Add(time.Hour), idAnn)
	olderLostElsewhere := lost("older-lost-before", t0, map[string]string{hostingv1alpha1.AnnotationExternalID: "shop.example.com"}, "www.example.com")
	newerOnItsNewID := claimant("newer-new-id", t0.Add(time.Minute), map[string]string{hostingv1alpha1.AnnotationExternalID: "shop.example.com"})
	newerLost := lost("newer-lost", t0.Add(time.Minute), made, "www.example.com")
	lostAndObserved := lost("lost-observed", t0.Add(2*time.Minute), idAnn, "www.example.com").(*hostingv1alpha1.Vhost)
	lostAndObserved.Status.FQDN, lostAndObserved.Status.State = "www.example.com", "running"
	sameTimeA := claimant("a", t0, nil)
	sameTimeB := claimant("b", t0, nil)
	cases := []struct {
		name   string
		obj    client.Object
		others []client.Object
		want   string
	}{
		{"alone", older, nil, ""},
		{"the older one manages", newer, []client.Object{older}, "older"},
		{"the older one is not stopped by a newer one", older, []client.Object{newer}, ""},
		{"the recorded ID wins over age", older, []client.Object{newerWithID}, "newer-id"},
		{"a create in flight wins over age", older, []client.Object{newerPending}, "newer-pending"},
		{"the earlier intent wins", olderPendingLater, []client.Object{newerPending}, "newer-pending"},
		{"an ID recorded with an open intent ranks as the intent, not as an ID", olderPendingLater, []client.Object{idWithOpenIntent}, ""},
		{"an ID recorded with an open intent still wins over age", older, []client.Object{idWithOpenIntent}, "id-open"},
		{"the name breaks a tie", sameTimeB, []client.Object{sameTimeA}, "a"},
		{"of two recording one ID, the one whose create made it manages it, though newer", older2WithID, []client.Object{newerMadeIt}, "newer-made"},
		{"an adopter does not outrank the object that made it", newerMadeIt, []client.Object{older2WithID}, ""},
		{"the object the operator observed it for manages it, against an older one with forged annotations", olderForged, []client.Object{observed}, "newer-observed"},
		{"forged annotations do not stop the object the operator observed it for", observed, []client.Object{olderForged}, ""},
		{"the buyer restored without status manages it, against an older object that lost the claim while its status showed", olderLost, []client.Object{restoredBuyer}, "restored-buyer"},
		{"an object that lost the claim does not stop the buyer restored without status", restoredBuyer, []client.Object{olderLost}, ""},
		{"an adopter restored without status outranks an older object that lost the claim, though that one's annotations say it made it", olderLost, []client.Object{restoredAdopter}, "restored-adopter"},
		{"both without a status for the ID (both restored): the usual rules, the older one", restoredBuyer, []client.Object{olderForged}, "older-forged"},
		{"both lost the claim: the usual rules, the older one", newerLost, []client.Object{olderLost}, "older-lost"},
		{"a claim lost for another ID does not count against the one recorded since", newerOnItsNewID, []client.Object{olderLostElsewhere}, "older-lost-before"},
		{"the only claimant manages it though it lost the claim before (the manager deleted, orphaning it)", olderLost, nil, ""},
		{"the status observing it as its own comes first", olderLost, []client.Object{lostAndObserved}, "lost-observed"},
		{"itself in the list is not a rival", older, []client.Object{older}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if r := rival(c.obj, c.others); r != nil {
				got = r.GetName()
			}
			if got != c.want {
				t.Fatalf("rival = %q, want %q", got, c.want)
			}
		})
	}
}

// ManagedID is the one answer to "which Gandi ID does this object
// manage": an instance, PaaS instance or template keeps managing what its
// status names once the annotation is removed (its passes fall back to
// the status), and a Vhost's ID is its FQDN, so its annotation counts only
// when it names spec.fqdn.
func TestManagedID(t *testing.T) {
	instance := func(ann, status string) client.Object {
		hi := &hostingv1alpha1.HostingInstance{}
		if ann != "" {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: ann}
		}
		hi.Status.ID = status
		return hi
	}
	vhost := func(ann, fqdn string) client.Object {
		vh := &hostingv1alpha1.Vhost{Spec: hostingv1alpha1.VhostSpec{FQDN: fqdn}}
		if ann != "" {
			vh.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: ann}
		}
		// A status observed for the spec's FQDN is no record of the ID: a
		// Vhost's passes read only the annotation.
		vh.Status.FQDN, vh.Status.State = fqdn, "running"
		return vh
	}
	public := &hostingv1alpha1.Template{}
	public.Status.ID, public.Status.Editable = "tpl-public", gandi.Ptr(false)
	own := &hostingv1alpha1.Template{}
	own.Status.ID, own.Status.Editable = "tpl-own", gandi.Ptr(true)
	paas := &hostingv1alpha1.PaaSInstance{}
	paas.Status.ID = "42"
	cases := []struct {
		name    string
		obj     client.Object
		want    string
		foreign bool
	}{
		{"instance: the annotation", instance("i-1", ""), "i-1", false},
		{"instance: the annotation removed, the status keeps the ID", instance("", "i-1"), "i-1", false},
		{"instance: the annotation changed to another ID comes first", instance("i-2", "i-1"), "i-2", false},
		{"instance: nothing recorded", instance("", ""), "", false},
		{"PaaS instance: the status keeps the ID", paas, "42", false},
		{"template: the status keeps its own template", own, "tpl-own", false},
		{"template: a public template the annotation no longer names is let go", public, "", false},
		{"vhost: the annotation names spec.fqdn", vhost("www.example.com", "www.example.com"), "www.example.com", false},
		{"vhost: in another letter case, with a root dot", vhost("WWW.Example.com.", "www.example.com"), "www.example.com", false},
		{"vhost: the punycode of a Unicode spec.fqdn", vhost("xn--bcher-kva.example", "bücher.example"), "xn--bcher-kva.example", false},
		{"vhost: the Unicode form of the punycode", vhost("bücher.example", "xn--bcher-kva.example"), "xn--bcher-kva.example", false},
		{"vhost: another FQDN (a copied manifest) manages nothing", vhost("www.example.com", "shop.example.com"), "", true},
		{"vhost: an annotation that is no host name", vhost("not a name", "shop.example.com"), "", true},
		{"vhost: no annotation, only a status", vhost("", "www.example.com"), "", false},
		{"vhost: spec.fqdn no host name (reported as such)", vhost("www.example.com", "-bad-.example.com"), "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ManagedID(c.obj); got != c.want {
				t.Fatalf("ManagedID = %q, want %q", got, c.want)
			}
			if vh, ok := c.obj.(*hostingv1alpha1.Vhost); ok {
				if _, foreign := foreignVhostID(vh); foreign != c.foreign {
					t.Fatalf("foreignVhostID = %v, want %v", foreign, c.foreign)
				}
			}
		})
	}
}

// The instance a Vhost holds its FQDN on, by which its rivals are found:
// the record (the instance written beside its ID, else its status) before
// the HostingInstance, which may be gone or hold another instance or none.
func TestVhostInstanceOf(t *testing.T) {
	const x, y = "instance-x", "instance-y"
	vhost := func(id, instance, status string) *hostingv1alpha1.Vhost {
		vh := &hostingv1alpha1.Vhost{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "www", Annotations: map[string]string{}},
			Spec:       hostingv1alpha1.VhostSpec{FQDN: "www.example.com", InstanceRef: &hostingv1alpha1.LocalObjectReference{Name: "site"}},
		}
		if id != "" {
			vh.Annotations[hostingv1alpha1.AnnotationExternalID] = id
		}
		if instance != "" {
			vh.Annotations[hostingv1alpha1.AnnotationInstanceID] = instance
		}
		vh.Status.InstanceID = status
		return vh
	}
	byID := func(vh *hostingv1alpha1.Vhost) *hostingv1alpha1.Vhost {
		vh.Spec.InstanceRef, vh.Spec.InstanceID = nil, y
		return vh
	}
	holding := func(id string) *hostingv1alpha1.HostingInstance {
		hi := &hostingv1alpha1.HostingInstance{}
		hi.Status.ID = id
		return hi
	}
	const fqdn = "www.example.com"
	cases := []struct {
		name string
		vh   *hostingv1alpha1.Vhost
		hi   *hostingv1alpha1.HostingInstance
		want string
	}{
		{"recorded on X, its HostingInstance gone, its status lost (restored)", vhost(fqdn, x, ""), nil, x},
		{"recorded on X, its HostingInstance made again and holding no instance yet", vhost(fqdn, x, x), holding(""), x},
		{"recorded on X, its HostingInstance now holding Y: the record until its pass takes it back", vhost(fqdn, x, ""), holding(y), x},
		{"recorded on X, the status stale", vhost(fqdn, x, y), holding(y), x},
		{"an older build's record (no instance beside it): the status", vhost(fqdn, "", x), nil, x},
		{"an older build's record, the status lost: the HostingInstance", vhost(fqdn, "", ""), holding(y), y},
		{"no record: where its last pass went", vhost("", "", x), nil, x},
		{"no record, no status: its HostingInstance's", vhost("", "", ""), holding(y), y},
		{"no record, its HostingInstance gone", vhost("", "", ""), nil, ""},
		{"no record, its HostingInstance holding no instance", vhost("", "", ""), holding(""), ""},
		{"an instance annotation left without the ID (removed to create again) names nothing", vhost("", x, y), nil, y},
		{"an instance annotation left without the ID, no status: its HostingInstance's", vhost("", x, ""), holding(y), y},
		{"spec.instanceID, no record", byID(vhost("", "", "")), nil, y},
		{"spec.instanceID, a record on another instance (a copied manifest)", byID(vhost(fqdn, x, "")), nil, x},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := VhostInstanceOf(c.vh, c.hi); got != c.want {
				t.Fatalf("VhostInstanceOf = %q, want %q", got, c.want)
			}
		})
	}
}

// An object that manages an instance from its status alone (its
// annotation removed) is seen by another object given that ID by hand,
// and outranks it: the status is the operator's word, the annotation
// anyone's.
func TestManagerAmongStatusID(t *testing.T) {
	const id = "0b6d3f5e-0000-4000-8000-0000000000aa"
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	instance := func(name string, created time.Time, ann, status string) *hostingv1alpha1.HostingInstance {
		hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: name, UID: types.UID(name), CreationTimestamp: metav1.NewTime(created)}}
		if ann != "" {
			hi.Annotations = map[string]string{hostingv1alpha1.AnnotationExternalID: ann}
		}
		hi.Status.ID = status
		return hi
	}
	buyer := instance("shop", t0.Add(time.Hour), "", id)
	taker := instance("taker", t0, id, "")
	elsewhere := instance("blog", t0, "", "0b6d3f5e-0000-4000-8000-0000000000bb")
	cases := []struct {
		name   string
		obj    client.Object
		others []client.Object
		want   string
	}{
		{"given the ID by hand: the object managing it from its status manages it", taker, []client.Object{buyer}, "shop"},
		{"the object managing it from its status is not stopped by one given it by hand", buyer, []client.Object{taker}, ""},
		{"an object whose status names another ID does not name this one", taker, []client.Object{elsewhere}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ""
			if r := managerAmong(c.obj, ManagedID(c.obj), c.others); r != nil {
				got = r.GetName()
			}
			if got != c.want {
				t.Fatalf("managerAmong = %q, want %q", got, c.want)
			}
		})
	}
}

// A pass records the ID an object lost to another (status.lostClaimID),
// and clears it once the object manages what it names: a loser left
// alone (the manager deleted with Orphan) is not handicapped later by a
// claim it has since won.
func TestRecordClaim(t *testing.T) {
	cases := []struct {
		name, before, id string
		lost             bool
		want             string
	}{
		{"lost: the ID recorded", "", "1", true, "1"},
		{"lost another ID since: that one recorded", "1", "2", true, "2"},
		{"lost by name only, no ID: nothing to record", "1", "", true, ""},
		{"manages it now: cleared", "1", "1", false, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hi := &hostingv1alpha1.HostingInstance{}
			hi.Status.LostClaimID = c.before
			recordClaim(hi, c.id, c.lost)
			if hi.Status.LostClaimID != c.want {
				t.Fatalf("status.lostClaimID = %q, want %q", hi.Status.LostClaimID, c.want)
			}
		})
	}
}

func TestOpenIntent(t *testing.T) {
	intent := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	ann := func(id bool) map[string]string {
		a := map[string]string{hostingv1alpha1.AnnotationCreatePending: intent.Format(time.RFC3339Nano)}
		if id {
			a[hostingv1alpha1.AnnotationExternalID] = "www.example.com"
		}
		return a
	}
	vhost := func(a map[string]string, created *time.Time) client.Object {
		vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Name: "v", Annotations: a}, Spec: hostingv1alpha1.VhostSpec{FQDN: "www.example.com"}}
		if created != nil {
			vh.Status.CreatedAt = &metav1.Time{Time: *created}
		}
		return vh
	}
	at := func(d time.Duration) *time.Time { t := intent.Add(d); return &t }
	restored := func(obj client.Object, created time.Time) client.Object {
		obj.SetCreationTimestamp(metav1.Time{Time: created})
		return obj
	}
	cases := []struct {
		name    string
		obj     client.Object
		open    bool
		settled string
	}{
		{"no intent, no ID", vhost(nil, nil), false, ""},
		{"no intent, an ID", vhost(map[string]string{hostingv1alpha1.AnnotationExternalID: "www.example.com"}, nil), false, "www.example.com"},
		{"an intent without an ID", vhost(ann(false), nil), true, ""},
		{"vhost: ID with the intent, Gandi's object not seen yet", vhost(ann(true), nil), true, ""},
		{"vhost: ID with the intent, seen created since the intent", vhost(ann(true), at(2*time.Second)), false, "www.example.com"},
		{"vhost: ID with the intent, Gandi's clock a little behind", vhost(ann(true), at(-30*time.Second)), false, "www.example.com"},
		{"vhost: ID with the intent, seen created long before it", vhost(ann(true), at(-time.Hour)), true, ""},
		{"vhost: ID with an intent older than the object (restored without status)", restored(vhost(ann(true), nil), intent.Add(time.Hour)), false, "www.example.com"},
		{"vhost: ID with an intent recorded just before the API server's clock dated the object", restored(vhost(ann(true), nil), intent.Add(30*time.Second)), true, ""},
		{"vhost: ID with an intent recorded after the object was created", restored(vhost(ann(true), nil), intent.Add(-time.Hour)), true, ""},
		{"vhost: the ID removed after the intent's vhost was seen (to create it again): the intent is done", vhost(ann(false), at(2*time.Second)), false, ""},
		{"vhost: the ID removed while the status shows an earlier vhost: the intent's create is not seen yet", vhost(ann(false), at(-time.Hour)), true, ""},
		{"instance: an ID beside an intent is a person's word", &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Annotations: ann(true)}}, false, "www.example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			since, open := openIntent(c.obj)
			if open != c.open {
				t.Fatalf("openIntent = %v, want %v", open, c.open)
			}
			if open && !since.Equal(intent) {
				t.Fatalf("openIntent since = %v, want %v", since, intent)
			}
			if got := settledID(c.obj); got != c.settled {
				t.Fatalf("settledID = %q, want %q", got, c.settled)
			}
		})
	}
}

func TestOwnIntentSeenMade(t *testing.T) {
	intent := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{Annotations: map[string]string{hostingv1alpha1.AnnotationCreatePending: intent.Format(time.RFC3339Nano)}}}
	if _, own := ownIntent(vh); !own {
		t.Fatal("an intent whose vhost was never seen must be pending")
	}
	vh.Status.CreatedAt = &metav1.Time{Time: intent.Add(time.Minute)}
	if _, own := ownIntent(vh); own {
		t.Fatal("an intent whose vhost was seen must explain nothing more")
	}
	if d, _ := decideClaim(claimInput{matches: []candidate{{id: "www.example.com", createdAt: intent.Add(time.Hour)}}, uniqueKey: true}); d != decideAlreadyExists {
		t.Fatalf("a vhost made an hour after it, with no intent pending: %v, want decideAlreadyExists", d)
	}
	hi := &hostingv1alpha1.HostingInstance{ObjectMeta: metav1.ObjectMeta{Annotations: vh.Annotations}}
	hi.Status.CreatedAt = vh.Status.CreatedAt
	if _, own := ownIntent(hi); !own {
		t.Fatal("a kind whose ID is recorded after its create is settled by that record, not by its status date")
	}
}

func TestRecordedVhost(t *testing.T) {
	made := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	vhostAt := func(at time.Time) *gandi.Vhost {
		return &gandi.Vhost{FQDN: "www.example.com", CreatedAt: gandi.Time{Time: at}}
	}
	cases := []struct {
		name     string
		recorded *time.Time
		gandi    *gandi.Vhost
		same     bool
	}{
		{"no record (never seen, or restored without status)", nil, vhostAt(made.Add(time.Hour)), true},
		{"the recorded vhost", &made, vhostAt(made), true},
		{"the recorded vhost, Gandi's date with a fraction of a second the status does not keep", &made, vhostAt(made.Add(300 * time.Millisecond)), true},
		{"the recorded vhost, dated in another time zone", &made, vhostAt(made.In(time.FixedZone("CET", 3600))), true},
		{"a vhost made again an hour later", &made, vhostAt(made.Add(time.Hour)), false},
		{"a vhost made again a second later", &made, vhostAt(made.Add(time.Second)), false},
		{"Gandi gives no date: nothing tells", &made, vhostAt(time.Time{}), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vh := &hostingv1alpha1.Vhost{}
			if c.recorded != nil {
				vh.Status.CreatedAt = &metav1.Time{Time: *c.recorded}
			}
			if got := recordedVhost(vh, c.gandi); got != c.same {
				t.Fatalf("recordedVhost = %v, want %v", got, c.same)
			}
		})
	}
}

func TestInitialVhostHandedOver(t *testing.T) {
	bought := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	match := func(d time.Duration) []candidate {
		return []candidate{{id: "www.example.com", createdAt: bought.Add(d)}}
	}
	target := instanceTarget{instanceID: "i1", initialVhosts: []string{"www.example.com"}, instanceCreatedAt: bought}
	cases := []struct {
		name    string
		target  instanceTarget
		fqdn    string
		matches []candidate
		want    bool
	}{
		{"before the lookup: a match could be", target, "www.example.com", nil, true},
		{"dated when the instance became active", target, "www.example.com", match(3 * time.Minute), true},
		{"dated at the end of the window", target, "www.example.com", match(initialVhostWindow), true},
		{"made by someone an hour after the instance", target, "www.example.com", match(time.Hour), false},
		{"undated", target, "www.example.com", []candidate{{id: "www.example.com"}}, false},
		{"the instance's date unknown", instanceTarget{instanceID: "i1", initialVhosts: []string{"www.example.com"}}, "www.example.com", match(time.Minute), false},
		{"not an initial vhost", target, "blog.example.com", match(time.Minute), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := &vhostExternal{target: c.target, vh: &hostingv1alpha1.Vhost{Status: hostingv1alpha1.VhostStatus{FQDN: c.fqdn}}}
			if got := e.handedOver(c.matches); got != c.want {
				t.Fatalf("handedOver = %v, want %v", got, c.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	gandiErr := func(status int) error {
		return fmt.Errorf("ctx: %w", &gandi.APIError{StatusCode: status, FromGandi: true, Method: http.MethodGet})
	}
	invalidName := apierrors.NewInvalid(schema.GroupKind{Kind: "Secret"}, "UPPER_case",
		field.ErrorList{field.Invalid(field.NewPath("metadata", "name"), "UPPER_case", "must be lowercase")})
	cases := []struct {
		name      string
		err       error
		reason    string
		transient bool
		blind     bool
	}{
		{"missing credentials", &CredentialsError{Reason: hostingv1alpha1.ReasonCredentialsNotFound}, hostingv1alpha1.ReasonCredentialsNotFound, false, true},
		{"missing password", &CredentialsError{Reason: hostingv1alpha1.ReasonPasswordNotFound}, hostingv1alpha1.ReasonPasswordNotFound, false, false},
		{"bad token", gandiErr(http.StatusForbidden), hostingv1alpha1.ReasonUnauthorized, false, true},
		{"rate limited", gandiErr(http.StatusTooManyRequests), hostingv1alpha1.ReasonRateLimited, true, false},
		{"Gandi down", gandiErr(http.StatusServiceUnavailable), hostingv1alpha1.ReasonGandiUnavailable, true, false},
		{"connection reset", fmt.Errorf("x: %w", syscall.ECONNRESET), hostingv1alpha1.ReasonGandiUnavailable, true, false},
		{"a list that changed while it was read", fmt.Errorf("list instances: %w", gandi.ErrIncompleteList), hostingv1alpha1.ReasonGandiUnavailable, true, false},
		{"refused input", gandiErr(http.StatusUnprocessableEntity), hostingv1alpha1.ReasonInvalidSpec, false, false},
		{"state conflict", gandiErr(http.StatusConflict), hostingv1alpha1.ReasonConflict, false, false},
		{"vhost create refused: the FQDN is served", &gandi.APIError{StatusCode: http.StatusUnprocessableEntity, FromGandi: true, Method: http.MethodPost, Route: gandi.RouteVhosts},
			hostingv1alpha1.ReasonAlreadyExists, false, false},
		{"template create refused: the name is taken", &gandi.APIError{StatusCode: http.StatusConflict, FromGandi: true, Method: http.MethodPost, Route: gandi.RouteTemplates},
			hostingv1alpha1.ReasonAlreadyExists, false, false},
		{"undecodable answer", fmt.Errorf("%w: x", gandi.ErrUndecodable), hostingv1alpha1.ReasonUnexpectedAnswer, false, false},
		{"created without an ID", fmt.Errorf("%w: no location", gandi.ErrNoID), hostingv1alpha1.ReasonUnexpectedAnswer, false, false},
		{"a name the API server refuses", fmt.Errorf("write Secret: %w", invalidName), hostingv1alpha1.ReasonInvalidSpec, false, false},
		{"spec problem", &specError{msg: "spec.application: bad"}, hostingv1alpha1.ReasonInvalidSpec, false, false},
		{"Kubernetes conflict", apierrors.NewConflict(schema.GroupResource{Resource: "vhosts"}, "x", errors.New("modified")), hostingv1alpha1.ReasonKubernetesError, true, false},
		{"cancelled", context.Canceled, hostingv1alpha1.ReasonKubernetesError, true, false},
		{"a create recorded, then dropped as too late after its record (the process paused)", fmt.Errorf("create instance %q: %w", "site",
			&gandi.NotSentError{Method: http.MethodPost, Route: gandi.RouteInstances, Err: fmt.Errorf("%w (700ms after it, past the 500ms it allows)", gandi.ErrSendWindowPassed)}),
			hostingv1alpha1.ReasonSendWindowPassed, true, false},
		{"an apply dropped so, whose record could not be taken back", fmt.Errorf("%w; and taking back its record failed: %w",
			&gandi.NotSentError{Method: http.MethodPost, Route: gandi.RouteTemplate, Err: gandi.ErrSendWindowPassed},
			apierrors.NewConflict(schema.GroupResource{Resource: "templateapplications"}, "x", errors.New("modified"))),
			hostingv1alpha1.ReasonSendWindowPassed, true, false},
		{"anything else", errors.New("boom"), hostingv1alpha1.ReasonInternalError, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := classify(c.err)
			if f.reason != c.reason || f.transient != c.transient || f.blind != c.blind {
				t.Fatalf("classify(%v) = %+v, want reason %s transient %v blind %v", c.err, f, c.reason, c.transient, c.blind)
			}
		})
	}
}

func TestRefusedCreateReason(t *testing.T) {
	gandiErr := func(status int) error {
		return fmt.Errorf("ctx: %w", &gandi.APIError{StatusCode: status, FromGandi: true, Method: http.MethodPost})
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"refused input", gandiErr(http.StatusUnprocessableEntity), hostingv1alpha1.ReasonCreateRefused},
		{"bad request", gandiErr(http.StatusBadRequest), hostingv1alpha1.ReasonCreateRefused},
		{"no billing right on the organization", gandiErr(http.StatusForbidden), hostingv1alpha1.ReasonCreateRefused},
		{"state conflict", gandiErr(http.StatusConflict), hostingv1alpha1.ReasonCreateRefused},
		{"rate limited: sent again by itself", gandiErr(http.StatusTooManyRequests), hostingv1alpha1.ReasonRateLimited},
		{"Gandi down: sent again by itself", gandiErr(http.StatusServiceUnavailable), hostingv1alpha1.ReasonGandiUnavailable},
		{"connection refused: sent again by itself", fmt.Errorf("x: %w", syscall.ECONNREFUSED), hostingv1alpha1.ReasonGandiUnavailable},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := refusedCreateReason(c.err); got != c.want {
				t.Fatalf("refusedCreateReason(%v) = %s, want %s", c.err, got, c.want)
			}
		})
	}
}

func TestUsageDue(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	created := func(d time.Duration) *metav1.Time { return &metav1.Time{Time: now.Add(-d)} }
	for _, tc := range []struct {
		name       string
		observedAt *time.Time
		createdAt  *metav1.Time
		want       bool
	}{
		{"a just-bought instance waits one interval", nil, created(time.Minute), false},
		{"an instance one interval old is read", nil, created(time.Hour), true},
		{"an instance of unknown age is read", nil, nil, true},
		{"a reading younger than the interval stands", at(10 * time.Minute), created(48 * time.Hour), false},
		{"a reading one interval old is renewed", at(time.Hour), created(48 * time.Hour), true},
		{"a reading renews whatever the age", at(2 * time.Hour), created(time.Minute), true},
	} {
		if got := usageDue(tc.observedAt, tc.createdAt, now, time.Hour); got != tc.want {
			t.Errorf("%s: usageDue = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The disk usage read of one instance never stands beside another's ID:
// it goes when the status is pointed at another instance (external-id
// changed, or the instance vanished), and stays while it is the same one.
func TestDescribeInstance(t *testing.T) {
	read := &hostingv1alpha1.UsageStatus{DiskUsedBytes: 111, ObservedAt: &metav1.Time{}}
	for _, tc := range []struct {
		name, was, id string
		keep          bool
	}{
		{name: "the same instance", was: "a", id: "a", keep: true},
		{name: "another instance", was: "a", id: "b"},
		{name: "the instance vanished", was: "a", id: ""},
		{name: "the first instance", was: "", id: "a"},
	} {
		hi := &hostingv1alpha1.HostingInstance{Status: hostingv1alpha1.HostingInstanceStatus{ID: tc.was, Usage: read}}
		describeInstance(hi, tc.id)
		if hi.Status.ID != tc.id || (hi.Status.Usage != nil) != tc.keep {
			t.Errorf("%s: ID %q usage %v, want ID %q, usage kept %v", tc.name, hi.Status.ID, hi.Status.Usage, tc.id, tc.keep)
		}
	}
}

// A kept list answers an object's lookup only when sent after the object
// was applied (its creation timestamp has whole seconds); with a create
// intent, only a list fetched for the lookup does, sent after the intent.
func TestLookupWindowOf(t *testing.T) {
	created := time.Date(2026, 12, 2, 12, 0, 7, 0, time.UTC)
	obj := func(intent string) *hostingv1alpha1.Vhost {
		vh := &hostingv1alpha1.Vhost{ObjectMeta: metav1.ObjectMeta{CreationTimestamp: metav1.NewTime(created)}}
		if intent != "" {
			vh.Annotations = map[string]string{hostingv1alpha1.AnnotationCreatePending: intent}
		}
		return vh
	}
	cases := []struct {
		name   string
		intent string
		want   lookupWindow
	}{
		{"no intent: a kept list sent a second after the creation timestamp", "", lookupWindow{notBefore: created.Add(time.Second)}},
		{"an intent within that second: fresh", created.Add(300 * time.Millisecond).Format(time.RFC3339Nano), lookupWindow{notBefore: created.Add(time.Second), fresh: true}},
		{"a later intent: fresh, after it", created.Add(time.Minute).Format(time.RFC3339Nano), lookupWindow{notBefore: created.Add(time.Minute), fresh: true}},
		{"an unreadable intent still is one: fresh", "yesterday", lookupWindow{notBefore: created.Add(time.Second), fresh: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := lookupWindowOf(obj(c.intent))
			if !got.notBefore.Equal(c.want.notBefore) || got.fresh != c.want.fresh {
				t.Fatalf("lookupWindowOf = %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestCreateLostAt(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) string { return t0.Add(d).Format(time.RFC3339Nano) }
	cases := []struct {
		name string
		ann  map[string]string
		want time.Time
	}{
		{"no loss recorded", map[string]string{hostingv1alpha1.AnnotationCreatePending: at(0)}, time.Time{}},
		{"the loss of the latest create", map[string]string{hostingv1alpha1.AnnotationCreatePending: at(0), hostingv1alpha1.AnnotationCreateSentAt: at(time.Minute),
			hostingv1alpha1.AnnotationCreateLostAt: at(2 * time.Minute)}, t0.Add(2 * time.Minute)},
		{"the loss of an earlier attempt, before the latest create was sent", map[string]string{hostingv1alpha1.AnnotationCreatePending: at(0),
			hostingv1alpha1.AnnotationCreateSentAt: at(5 * time.Minute), hostingv1alpha1.AnnotationCreateLostAt: at(2 * time.Minute)}, time.Time{}},
		{"an unreadable record", map[string]string{hostingv1alpha1.AnnotationCreatePending: at(0), hostingv1alpha1.AnnotationCreateLostAt: "soon"}, time.Time{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			obj := claimant("x", t0, c.ann)
			if got := createLostAt(obj); !got.Equal(c.want) {
				t.Fatalf("createLostAt = %v, want %v", got, c.want)
			}
		})
	}
}

// TestLossGrace pins the one rule creates and applies share: nothing is
// sent again within a grace of when the request's answer was lost, and a
// request whose loss nothing recorded (a crash cut it) is not over before
// a pass records one.
func TestLossGrace(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	const grace = time.Minute
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	cases := []struct {
		name         string
		sent, lostAt time.Time
		want         lossState
		left         time.Duration
	}{
		{"sent just now, in flight", ago(0), time.Time{}, lossInGrace, grace},
		{"sent and lost within the grace", ago(20 * time.Second), ago(10 * time.Second), lossInGrace, 50 * time.Second},
		{"a slow send: recorded long ago, its answer lost within the grace", ago(time.Hour), ago(10 * time.Second), lossInGrace, 50 * time.Second},
		{"recorded long ago, no loss recorded (a crash cut it)", ago(time.Hour), time.Time{}, lossUnrecorded, 0},
		{"lost a grace ago", ago(time.Hour), ago(grace), lossSettled, 0},
		{"a loss recorded before the send (an earlier attempt's) does not shorten its grace", ago(time.Second), ago(time.Hour), lossInGrace, grace - time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, left := lossGrace(c.sent, c.lostAt, now, grace)
			if got != c.want || left != c.left {
				t.Fatalf("lossGrace = %d, %s; want %d, %s", got, left, c.want, c.left)
			}
		})
	}
}
