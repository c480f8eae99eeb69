package controller

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// recordedVhosts are the vhosts this object created or may have created.
func recordedVhosts(pi *hostingv1alpha1.PaaSInstance) []string {
	v := recordedEffect(pi, effectPaaSVhosts)
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// recordVhosts writes the record of created vhosts, with the options of
// those options has (vhostOptionsRecord). Adding one is written with the
// optimistic lock, before the create is sent; taking one back (it is
// gone) is not, as it records what Gandi shows.
func (p *paasPass) recordVhosts(ctx context.Context, fqdns []string, options map[string]vhostOptions, locked bool) error {
	slices.Sort(fqdns)
	fqdns = slices.Compact(fqdns)
	patch := annotationPatch{unlocked: !locked}
	optionsKey := effectAnnotationPrefix + effectPaaSVhostOptions
	if len(fqdns) == 0 {
		patch.remove = []string{effectAnnotationPrefix + effectPaaSVhosts, optionsKey}
	} else {
		patch.set = effectRecord(effectPaaSVhosts, strings.Join(fqdns, ","))
		if r := vhostOptionsRecord(options, fqdns); r != "" {
			patch.set[optionsKey] = r
		} else {
			patch.remove = []string{optionsKey}
		}
	}
	return patchAnnotations(ctx, p.r.Client, p.pi, patch)
}

// vhostOptions are the zoneAlter and override of a vhost's create. Gandi
// takes them in paas.vhost.create (or paas.create) only, has no call that
// changes them, and shows neither (paas.vhost.info has no such member): what
// this object sent is known from its own record alone
// (effectPaaSVhostOptions), written with the vhost's before the create.
type vhostOptions struct{ zoneAlter, override bool }

func optionsOf(v hostingv1alpha1.PaaSVhostSpec) vhostOptions {
	return vhostOptions{zoneAlter: v.ZoneAlter, override: v.Override}
}

// String is the options as the record and the messages name them.
func (o vhostOptions) String() string {
	var set []string
	if o.zoneAlter {
		set = append(set, "zoneAlter")
	}
	if o.override {
		set = append(set, "override")
	}
	if len(set) == 0 {
		return "none"
	}
	return strings.Join(set, "+")
}

// recordedVhostOptions are the options each vhost this object created was
// created with, by ASCII FQDN. A created vhost it lacks was recorded by an
// earlier build, which kept no options: they are unknown.
func recordedVhostOptions(pi *hostingv1alpha1.PaaSInstance) map[string]vhostOptions {
	out := map[string]vhostOptions{}
	for _, entry := range strings.Split(recordedEffect(pi, effectPaaSVhostOptions), ",") {
		fqdn, set, ok := strings.Cut(entry, "=")
		if !ok || fqdn == "" {
			continue
		}
		var o vhostOptions
		for _, name := range strings.Split(set, "+") {
			switch name {
			case "zoneAlter":
				o.zoneAlter = true
			case "override":
				o.override = true
			}
		}
		out[fqdn] = o
	}
	return out
}

// vhostOptionsRecord is the record of the options of the vhosts of fqdns
// that options has, in fqdns' order: "fqdn=zoneAlter+override,fqdn=none".
func vhostOptionsRecord(options map[string]vhostOptions, fqdns []string) string {
	var entries []string
	for _, fqdn := range fqdns {
		if o, ok := options[fqdn]; ok {
			entries = append(entries, fqdn+"="+o.String())
		}
	}
	return strings.Join(entries, ",")
}

// optionsOfEarlierCreate is the options record once a create of fqdn that
// recorded its options is refused as existing and the vhost stays this
// object's (decideRefusedVhost): an earlier create, whose answer was lost,
// made it, with the options recorded before this one (had; none known
// when !known, an earlier build's record), not with those refused.
func optionsOfEarlierCreate(recorded map[string]vhostOptions, fqdn string, had vhostOptions, known bool) map[string]vhostOptions {
	out := maps.Clone(recorded)
	delete(out, fqdn)
	if known {
		out[fqdn] = had
	}
	return out
}

// vhostOptionProblems reports the listed vhosts Gandi serves on the
// instance whose zoneAlter or override the spec asks otherwise than they
// were created: a value changed after the create (admitted before the
// rule that refuses it, or the vhost removed and listed again before a
// pass saw it gone), or set on a vhost this object did not create (it was
// at Gandi when listed), for which they were never sent. None of them is
// applied, so none is UpToDate. A vhost this object created under an
// earlier build, which recorded no options, is not compared; nor is one
// on its way out (being_deleted), created again once gone.
func vhostOptionProblems(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) []problem {
	on := map[string]string{}
	for _, vh := range info.Vhosts {
		on[vh.Name] = vh.State
	}
	created := recordedVhostOptions(pi)
	ours := recordedVhosts(pi)
	var out []problem
	for _, v := range pi.Spec.Vhosts {
		ascii, err := toASCII(v.FQDN)
		if err != nil {
			continue
		}
		state, present := on[ascii]
		if !present || state == paas.StateBeingDeleted {
			continue
		}
		want := optionsOf(v)
		had, known := created[ascii]
		switch {
		case known && had != want:
			out = append(out, problem{hostingv1alpha1.ReasonUnsupportedChange, fmt.Sprintf(
				"spec.vhosts %s asks for %s but the vhost was created with %s: Gandi takes zoneAlter and override only when it creates a vhost, "+
					"and no call changes them, so they are not sent; to create it again with them, remove the vhost from spec.vhosts, "+
					"wait until status.vhosts no longer lists it, then add it again", ascii, want, had)})
		case !known && want != (vhostOptions{}) && !slices.Contains(ours, ascii):
			out = append(out, problem{hostingv1alpha1.ReasonUnsupportedChange, fmt.Sprintf(
				"spec.vhosts %s asks for %s but this object did not create the vhost (it was at Gandi when listed): Gandi takes zoneAlter and override "+
					"only when it creates a vhost, so they were never sent for it; publish the DNS entries of status.vhosts yourself, "+
					"and to say so remove the vhost from spec.vhosts (it stays at Gandi) and add it again without them", ascii, want)})
		}
	}
	return out
}

// syncVhosts creates the listed vhosts the instance lacks and deletes those
// this object created that the list no longer has. A vhost Gandi serves on
// another instance is a conflict, reported and never touched, and kept in
// status.vhostConflicts (keepConflicts). A pass that only observes
// (observeOnly) goes through the same look-ups, which keep
// status.vhostConflicts to what Gandi shows, and sends nothing.
func (p *paasPass) syncVhosts(ctx context.Context) *result {
	id := p.info.ID
	on := map[string]string{}
	for _, vh := range p.info.Vhosts {
		on[vh.Name] = vh.State
	}
	wanted := map[string]bool{}
	// handled are the listed vhosts this pass went through to the end.
	handled := map[string]bool{}
	defer p.keepConflicts(handled)
	for _, v := range p.pi.Spec.Vhosts {
		ascii, err := toASCII(v.FQDN)
		if err != nil {
			p.problems = append(p.problems, problem{hostingv1alpha1.ReasonInvalidSpec, "spec.vhosts: " + err.Error()})
			continue
		}
		wanted[ascii] = true
		state, present := on[ascii]
		switch decideListedVhost(state, present) {
		case listedCreate:
			if res := p.createVhost(ctx, v, ascii); res != nil {
				return res
			}
		case listedRecreate:
			p.problems = append(p.problems, listedVhostGoingProblem(ascii))
			p.soon = true
		}
		handled[ascii] = true
	}
	if p.observeOnly {
		return nil
	}
	var kept []string
	for _, fqdn := range recordedVhosts(p.pi) {
		if wanted[fqdn] {
			kept = append(kept, fqdn)
			continue
		}
		state, present := on[fqdn]
		switch decideDroppedVhost(state, present) {
		case droppedDelete:
			kept = append(kept, fqdn)
			if _, err := p.api.VhostDelete(ctx, fqdn); err != nil && !gandi.IsNotFound(err) {
				return p.r.refused(p.pi, "delete vhost "+fqdn+" of PaaS instance "+strconv.Itoa(id), err)
			}
			p.r.Events.normal(p.pi, "VhostDeleted", "Update", "asked Gandi to delete vhost "+fqdn+", no longer in spec.vhosts")
			p.soon = true
		case droppedWaitRun:
			kept = append(kept, fqdn)
			p.problems = append(p.problems, droppedVhostWaitsProblem(fqdn, state))
			p.soon = true
		case droppedDeleting:
			kept = append(kept, fqdn)
			p.soon = true
		}
	}
	if len(kept) != len(recordedVhosts(p.pi)) {
		if err := p.recordVhosts(ctx, kept, recordedVhostOptions(p.pi), false); err != nil {
			return halt(retry(err))
		}
	}
	return nil
}

// listedVhostStep is what a pass does about a vhost spec.vhosts lists.
type listedVhostStep int

const (
	// listedOn: at Gandi, served or about to be: nothing to send.
	listedOn listedVhostStep = iota
	// listedCreate: not at Gandi: created (createVhost).
	listedCreate
	// listedRecreate: Gandi is deleting it (dropped, then listed again
	// before it was gone): it is not served, and paas.vhost.create
	// refuses a name that exists, so it is created again once gone;
	// meanwhile it is a change waiting, never UpToDate.
	listedRecreate
)

// decideListedVhost decides about a listed vhost from its state in
// paas.info (present: paas.info lists it).
func decideListedVhost(state string, present bool) listedVhostStep {
	switch {
	case !present:
		return listedCreate
	case state == paas.StateBeingDeleted:
		return listedRecreate
	}
	return listedOn
}

// listedVhostGoingProblem reports a listedRecreate vhost.
func listedVhostGoingProblem(fqdn string) problem {
	return problem{hostingv1alpha1.ReasonWaitingForState, "vhost " + fqdn + " is listed in spec.vhosts but Gandi is deleting it: " +
		"it is not served, and is created again once Gandi has deleted it"}
}

// droppedVhostStep is what a pass does about a vhost this object created
// that spec.vhosts no longer lists.
type droppedVhostStep int

const (
	// droppedGone: not at Gandi: its record goes.
	droppedGone droppedVhostStep = iota
	// droppedDelete: running: paas.vhost.delete.
	droppedDelete
	// droppedWaitRun: in a state Gandi refuses paas.vhost.delete in
	// (CAUSE_BADSTATE: being created, or any other state but running):
	// nothing is sent; it is deleted once it runs.
	droppedWaitRun
	// droppedDeleting: Gandi is deleting it: its record stays until it
	// is gone.
	droppedDeleting
)

// decideDroppedVhost decides about a vhost this object created that
// spec.vhosts dropped, from its state in paas.info (present: paas.info
// lists it).
func decideDroppedVhost(state string, present bool) droppedVhostStep {
	switch {
	case !present:
		return droppedGone
	case state == paas.StateRunning:
		return droppedDelete
	case state == paas.StateBeingDeleted:
		return droppedDeleting
	}
	return droppedWaitRun
}

// droppedVhostWaitsProblem reports a droppedWaitRun vhost.
func droppedVhostWaitsProblem(fqdn, state string) problem {
	return problem{hostingv1alpha1.ReasonWaitingForState, "vhost " + fqdn + ", dropped from spec.vhosts, is " + state +
		" at Gandi, which deletes only a running vhost: it is deleted once it runs"}
}

// pendingVhostChanges names, for a pass that sends nothing (held), the
// vhost changes the next pass on a running instance sends: the listed
// vhosts to create (missingVhosts) and the deletes of the vhosts this
// object created that spec.vhosts dropped.
func pendingVhostChanges(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) []string {
	on := map[string]string{}
	for _, vh := range info.Vhosts {
		on[vh.Name] = vh.State
	}
	listed := map[string]bool{}
	for _, v := range pi.Spec.Vhosts {
		if ascii, err := toASCII(v.FQDN); err == nil {
			listed[ascii] = true
		}
	}
	out := missingVhosts(pi, info)
	for _, fqdn := range recordedVhosts(pi) {
		if listed[fqdn] {
			continue
		}
		state, present := on[fqdn]
		if step := decideDroppedVhost(state, present); step == droppedDelete || step == droppedWaitRun {
			out = append(out, "the delete of vhost "+fqdn+" (dropped from spec.vhosts)")
		}
	}
	return out
}

// createVhost creates one listed vhost, recorded first.
func (p *paasPass) createVhost(ctx context.Context, v hostingv1alpha1.PaaSVhostSpec, ascii string) *result {
	id := p.info.ID
	where, err := p.locateVhost(ctx, ascii)
	switch where.place {
	case vhostOnAnotherInstance:
		p.conflict(vhostConflictAt(ascii, where, nil), p.conflictMessage(ascii, where))
		return nil
	case vhostOnThisInstance:
		// Created, and not yet in paas.info's list.
		p.soon = true
		return nil
	case vhostUnknown:
		return halt(failed(p.pi, p.r.Timing, "look up vhost "+ascii, err))
	}
	// The name is nowhere this key can see. A refusal of its create is in
	// status.vhostConflicts without an instance (a name since seen on
	// another instance was not refused so); sendVhostCreate says whether
	// it still answers this create. A pass that only observes sends
	// nothing, and keeps the refusal as it stands.
	earlier := slices.Contains(recordedVhosts(p.pi), ascii)
	refusedAt, refused := refusedUnseen(p.pi.Status.VhostConflicts, ascii)
	if p.observeOnly {
		if refused {
			p.conflict(vhostConflictAt(ascii, where, refusedAt), p.conflictMessage(ascii, where))
		}
		return nil
	}
	due := refusalDue(refusedAt, p.r.Now(), p.r.Timing.Detail)
	if !sendVhostCreate(earlier, refused, freshWanted(p.pi, p.pi.Status.ObservedGeneration, p.pi.Status.LastHandledReconcileAt), due) {
		p.conflict(vhostConflictAt(ascii, where, refusedAt), p.conflictMessage(ascii, where))
		return nil
	}
	// The options this create sends are recorded with it, replacing those
	// of an earlier create of the name (a vhost deleted at Gandi since, or
	// listed again with others).
	options := recordedVhostOptions(p.pi)
	had, known := options[ascii]
	rewritten := !earlier || !known || had != optionsOf(v)
	if rewritten {
		options[ascii] = optionsOf(v)
		if err := p.recordVhosts(ctx, append(recordedVhosts(p.pi), ascii), options, true); err != nil {
			return halt(retry(err))
		}
	}
	_, err = p.api.VhostCreate(ctx, paas.PaasVhost{PaasID: id, Vhost: ascii, ZoneAlter: v.ZoneAlter, Override: v.Override})
	switch {
	case gandi.IsAlreadyExists(err):
		// Where Gandi shows the name now tells whether an earlier create
		// of this object, whose answer was lost, made it, and which
		// conflict to report: one that became visible elsewhere since
		// the look-up above is reported as the next pass's look-up will
		// find it, not as one this key cannot see.
		now, _ := p.locateVhost(ctx, ascii)
		d := decideRefusedVhost(earlier, now.place)
		if d.record {
			// Gandi lists it only now (or cannot tell yet): the next pass
			// looks again. This create made nothing: the vhost is the
			// earlier one's, made with what that one recorded.
			p.soon = true
			if rewritten {
				restored := optionsOfEarlierCreate(recordedVhostOptions(p.pi), ascii, had, known)
				if err := p.recordVhosts(ctx, recordedVhosts(p.pi), restored, false); err != nil {
					return halt(retry(err))
				}
			}
		} else {
			kept := slices.DeleteFunc(slices.Clone(recordedVhosts(p.pi)), func(f string) bool { return f == ascii })
			if err := p.recordVhosts(ctx, kept, recordedVhostOptions(p.pi), false); err != nil {
				return halt(retry(err))
			}
		}
		if d.conflict {
			p.conflict(vhostConflictAt(ascii, now, &metav1.Time{Time: p.r.Now()}), p.conflictMessage(ascii, now))
		}
		return nil
	case err != nil:
		return p.r.refused(p.pi, "create vhost "+ascii+" on PaaS instance "+strconv.Itoa(id), err)
	}
	p.r.Events.normal(p.pi, "VhostCreated", "Update", "asked Gandi to create vhost "+ascii)
	p.soon = true
	return nil
}

// vhostConflictAt is the conflict of a listed vhost where Gandi shows it:
// on another instance, that instance (seen again by every pass's look-up);
// otherwise a create refused at refusedAt for a name Gandi serves where
// this key cannot see (refusedUnseen). Both the look-up and a refusal
// record it so, so that one conflict is one entry, and one event
// (conflict).
func vhostConflictAt(ascii string, where vhostWhere, refusedAt *metav1.Time) hostingv1alpha1.PaaSVhostConflict {
	if where.place == vhostOnAnotherInstance {
		return hostingv1alpha1.PaaSVhostConflict{FQDN: ascii, InstanceID: strconv.Itoa(where.paasID)}
	}
	return hostingv1alpha1.PaaSVhostConflict{FQDN: ascii, RefusedAt: refusedAt}
}

// conflictMessage is the VhostConflict message of vhostConflictAt.
func (p *paasPass) conflictMessage(ascii string, where vhostWhere) string {
	if where.place == vhostOnAnotherInstance {
		return fmt.Sprintf("vhost %s is served by PaaS instance %d, not this one: it is left there; remove it from spec.vhosts or move it at Gandi", ascii, where.paasID)
	}
	return "vhost " + ascii + " already exists at Gandi where this API key cannot see it: remove it there or from spec.vhosts " +
		"(" + resentNote(p.r.Timing.Detail) + ")"
}

// refusedUnseen finds in conflicts the refusal of the create of fqdn for a
// name Gandi serves where this key cannot see, and when it was.
func refusedUnseen(conflicts []hostingv1alpha1.PaaSVhostConflict, fqdn string) (*metav1.Time, bool) {
	for _, c := range conflicts {
		if c.FQDN == fqdn && c.InstanceID == "" {
			return c.RefusedAt, true
		}
	}
	return nil, false
}

// conflict reports a listed vhost Gandi serves elsewhere, with an event
// when status.vhostConflicts did not have it yet (from an earlier pass),
// and keeps it for this pass's status.
func (p *paasPass) conflict(c hostingv1alpha1.PaaSVhostConflict, msg string) {
	p.problems = append(p.problems, problem{hostingv1alpha1.ReasonVhostConflict, msg})
	known := slices.ContainsFunc(p.pi.Status.VhostConflicts, func(o hostingv1alpha1.PaaSVhostConflict) bool {
		return o.FQDN == c.FQDN && o.InstanceID == c.InstanceID
	})
	if !known {
		p.r.Events.warn(p.pi, hostingv1alpha1.ReasonVhostConflict, "Update", msg)
	}
	p.conflicts = append(p.conflicts, c)
}

// keepConflicts sets status.vhostConflicts to those this pass found, and
// keeps those of earlier passes for the listed vhosts it did not handle
// (it stopped at or before them), so that a failed look-up does not lose
// what the last refusal said. A vhost no longer listed leaves the list.
func (p *paasPass) keepConflicts(handled map[string]bool) {
	listed := map[string]bool{}
	for _, v := range p.pi.Spec.Vhosts {
		if ascii, err := toASCII(v.FQDN); err == nil {
			listed[ascii] = true
		}
	}
	out := slices.Clone(p.conflicts)
	for _, c := range p.pi.Status.VhostConflicts {
		if listed[c.FQDN] && !handled[c.FQDN] {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b hostingv1alpha1.PaaSVhostConflict) int { return strings.Compare(a.FQDN, b.FQDN) })
	if len(out) == 0 {
		out = nil
	}
	p.pi.Status.VhostConflicts = out
}

// vhostPlace is where paas.vhost.info shows a vhost, to this object's
// API key.
type vhostPlace int

const (
	// vhostNotRead: not asked.
	vhostNotRead vhostPlace = iota
	// vhostNowhere: not found, so nowhere this key can see.
	vhostNowhere
	vhostOnThisInstance
	vhostOnAnotherInstance
	// vhostUnknown: the read failed.
	vhostUnknown
)

// vhostWhere is where paas.vhost.info shows a vhost: the place, and the
// instance when it is another one.
type vhostWhere struct {
	place  vhostPlace
	paasID int
}

// locateVhost reads where Gandi serves fqdn now; the error is the read's
// (vhostUnknown).
func (p *paasPass) locateVhost(ctx context.Context, fqdn string) (vhostWhere, error) {
	v, err := p.api.VhostInfo(ctx, fqdn)
	switch {
	case gandi.IsNotFound(err):
		return vhostWhere{place: vhostNowhere}, nil
	case err != nil:
		return vhostWhere{place: vhostUnknown}, err
	case v.PaasID == p.info.ID:
		return vhostWhere{place: vhostOnThisInstance}, nil
	}
	return vhostWhere{place: vhostOnAnotherInstance, paasID: v.PaasID}, nil
}

// refusedVhost is what follows a vhost create Gandi refused because the
// name exists.
type refusedVhost struct {
	// record: the name stays recorded as a vhost this object created, so
	// that it is deleted once spec.vhosts drops it; otherwise the record
	// goes.
	record bool
	// conflict: reported as VhostConflict.
	conflict bool
}

// decideRefusedVhost decides about a vhost create Gandi refused as
// existing, when a moment before paas.vhost.info did not show it to this
// key. earlier says the name was recorded before this create, by an
// earlier create of this object whose answer was lost; now is where Gandi
// shows it after the refusal (read only then). Only that earlier create
// can have made it, and only if it is on this object's instance now (or
// Gandi cannot tell yet: the record stays, and the next pass looks again).
// Otherwise it is elsewhere, or someone else just made it: this object
// did not create it, and the record goes, or removing the name from
// spec.vhosts once a person serves it here would delete a vhost this
// object never made.
func decideRefusedVhost(earlier bool, now vhostPlace) refusedVhost {
	if earlier && (now == vhostOnThisInstance || now == vhostUnknown) {
		return refusedVhost{record: true}
	}
	return refusedVhost{conflict: true}
}

// observeVhosts reports the instance's vhosts with their state and the DNS
// entries to publish. The entries of a vhost depend only on its name and
// datacenter, so they are asked for once per vhost, not at every poll.
func (r *PaaSInstanceReconciler) observeVhosts(ctx context.Context, api paasAPI, pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) {
	known := map[string]map[string]string{}
	for _, v := range pi.Status.Vhosts {
		known[v.FQDN] = v.DNSEntries
	}
	declared := map[string]bool{}
	for _, v := range pi.Spec.Vhosts {
		if ascii, err := toASCII(v.FQDN); err == nil {
			declared[ascii] = true
		}
	}
	for _, fqdn := range recordedVhosts(pi) {
		declared[fqdn] = true
	}
	out := make([]hostingv1alpha1.PaaSVhostStatus, 0, len(info.Vhosts))
	for _, vh := range info.Vhosts {
		st := hostingv1alpha1.PaaSVhostStatus{FQDN: vh.Name, Unicode: toUnicode(vh.Name), State: vh.State, Managed: declared[vh.Name], DNSEntries: known[vh.Name]}
		if st.DNSEntries == nil && vh.State != paas.StateBeingDeleted {
			entries, err := api.VhostDNSEntries(ctx, paas.PaasDnsEntry{Datacenter: info.Datacenter.ID, Vhost: vh.Name})
			if err != nil {
				// Informative: asked again at the next pass.
				log.FromContext(ctx).Info("could not read a vhost's DNS entries", "vhost", vh.Name, "error", err.Error())
			} else {
				st.DNSEntries = dnsEntryStrings(entries)
			}
		}
		out = append(out, st)
	}
	slices.SortFunc(out, func(a, b hostingv1alpha1.PaaSVhostStatus) int { return strings.Compare(a.FQDN, b.FQDN) })
	if len(out) == 0 {
		out = nil
	}
	pi.Status.Vhosts = out
}

// dnsEntryStrings flattens get_dns_entries' answer, whose members the doc
// does not list, into strings.
func dnsEntryStrings(e paas.DNSEntries) map[string]string {
	out := make(map[string]string, len(e))
	for k, v := range e {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// observeVhostConflicts keeps status.vhostConflicts to what Gandi shows
// while the object only observes, by the look-ups a Manage pass makes
// (syncVhosts), without a create or a delete: a conflict resolved or moved
// at Gandi, or a vhost dropped from spec.vhosts, does not stay listed until
// the object manages again. The vhosts are looked at on a running instance
// only, as a Manage pass does; otherwise the list stays as last seen.
func (r *PaaSInstanceReconciler) observeVhostConflicts(ctx context.Context, api paasAPI, pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) *result {
	if info.State != paas.StateRunning {
		return nil
	}
	p := &paasPass{r: r, api: api, pi: pi, info: info, observeOnly: true}
	return p.syncVhosts(ctx)
}
