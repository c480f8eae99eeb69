package controller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// problem is a difference Gandi cannot apply, reported instead of sent.
type problem struct{ reason, message string }

var (
	legacySizes  = []string{"s", "s+", "m", "l", "xl", "xxl"}
	resizeTarget = []string{"s+", "m", "l", "xxl"}
)

// instanceChanges compares the spec with what Gandi reports: the PATCH for
// what differs and the user set, the names of those fields, and the
// differences Gandi cannot apply.
func instanceChanges(hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance) (gandi.UpdateInstanceRequest, []string, []problem) {
	var patch gandi.UpdateInstanceRequest
	var fields []string
	var problems []problem
	s := hi.Spec
	if name := gandiName(hi); name != inst.Name {
		patch.Name, fields = name, append(fields, fieldName)
	}
	if want := string(s.Size); want != inst.Size {
		if slices.Contains(legacySizes, inst.Size) && slices.Contains(resizeTarget, want) {
			patch.Size, fields = want, append(fields, "size")
		} else {
			problems = append(problems, createOnlyProblem("spec.size", want, inst.Size,
				"Gandi resizes only instances of a legacy size (s, s+, m, l, xl, xxl), and only to s+, m, l or xxl"))
		}
	}
	problems = append(problems, createOnlyDifferences(s, inst)...)
	if s.StorageAdditionalSizeGB != nil {
		have := additionalStorageGB(inst)
		switch want := int64(*s.StorageAdditionalSizeGB); {
		case want > have:
			patch.StorageAdditionalSize, fields = gandi.Ptr(int(want)), append(fields, "storage_additional_size")
		case want < have:
			problems = append(problems, problem{hostingv1alpha1.ReasonUnsupportedChange, fmt.Sprintf(
				"spec.storageAdditionalSizeGB is %d but the instance has %d GB: Gandi cannot shrink storage", want, have)})
		}
	}
	if s.SnapshotEnabled != nil && *s.SnapshotEnabled != inst.SnapshotEnabled {
		patch.SnapshotEnabled, fields = gandi.Ptr(*s.SnapshotEnabled), append(fields, "snapshot_enabled")
	}
	if b := s.Booster; b != nil && b.Enabled != boosterRunning(inst) {
		patch.Booster, fields = gandi.Ptr(b.Enabled), append(fields, "booster")
		if b.Enabled && b.Size != "" {
			patch.BoosterOptions = &gandi.BoosterOptions{Size: b.Size}
		}
	} else if size := boostResize(b, inst); size != "" {
		patch.BoosterOptions, fields = &gandi.BoosterOptions{Size: size}, append(fields, "booster_options")
	}
	if id, p := languageUpgrade(hi, inst); p != nil {
		problems = append(problems, *p)
	} else if id != "" {
		patch.LanguageID, fields = id, append(fields, "language_id")
	}
	return patch, fields, problems
}

func additionalStorageGB(inst *gandi.Instance) int64 {
	if inst.Storage == nil || inst.Storage.Additional == nil {
		return 0
	}
	q := inst.Storage.Additional
	if strings.EqualFold(q.Unit, "MB") {
		return q.Value / 1024
	}
	return q.Value
}

func boosterRunning(inst *gandi.Instance) bool {
	return inst.Booster != nil && inst.Booster.Current != nil && inst.Booster.Current.Status != "being_deleted"
}

// boostSizeDefault is the booster size that names no size: Gandi's
// default boost, which size_override never shows.
const boostSizeDefault = "boosted"

// runningBoostSize is the size the boost Gandi shows running gives the
// instance (booster.current.size_override), "" when none runs.
func runningBoostSize(inst *gandi.Instance) string {
	if !boosterRunning(inst) {
		return ""
	}
	return inst.Booster.Current.SizeOverride
}

// boostResize is the size spec.booster.size asks of the boost Gandi shows
// running, when it shows another; "" otherwise. The PATCH takes
// booster_options alone, so the running boost is resized rather than the
// spec reported UpToDate beside a status.booster.size that differs. An
// unset size and "boosted" ask for Gandi's default, which Gandi shows as
// some size it does not name: nothing to compare, so nothing is sent.
func boostResize(b *hostingv1alpha1.BoosterSpec, inst *gandi.Instance) string {
	shown := runningBoostSize(inst)
	if b == nil || !b.Enabled || b.Size == "" || b.Size == boostSizeDefault || shown == "" || shown == b.Size {
		return ""
	}
	return b.Size
}

// languageUpgrade finds the language_id for a new spec.type.language.version.
// The PATCH doc says language_id "can be found in upgrade_to", yet the
// documented upgrade_to items carry no ID. A careful client sends only an ID
// Gandi itself offered: when the matching upgrade_to entry has no id, the
// upgrade is reported as unavailable rather than guessed.
//
// A version of another language than the instance's is no upgrade: the
// language itself differs, which instanceChanges reports.
func languageUpgrade(hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance) (string, *problem) {
	want := hi.Spec.Type.Language
	if want.Version == "" || inst.Language == nil || inst.Language.Version == want.Version || inst.Language.Name != want.Name {
		return "", nil
	}
	var offered []string
	for _, u := range inst.UpgradeTo {
		if u.Type != "language" || u.Name != want.Name {
			continue
		}
		if u.Version == want.Version && u.ID != "" {
			return u.ID, nil
		}
		offered = append(offered, u.Version)
	}
	return "", &problem{hostingv1alpha1.ReasonUpgradeUnavailable, fmt.Sprintf(
		"spec.type.language.version is %s but the instance runs %s %s and Gandi offers no upgrade to it (offered: %s)",
		want.Version, inst.Language.Name, inst.Language.Version, orNone(offered))}
}

// createOnlyDifferences are the create-only fields whose spec value
// differs from what Gandi shows: an instance taken hold of (adopted, named
// by external-id, imported under Observe) may have been bought otherwise.
// What Gandi does not show (an answer without the member) is no
// difference.
func createOnlyDifferences(s hostingv1alpha1.HostingInstanceSpec, inst *gandi.Instance) []problem {
	var problems []problem
	if dc := inst.Datacenter; dc != nil && dc.Region != "" && dc.Region != s.Location {
		problems = append(problems, createOnlyProblem("spec.location", s.Location, dc.Region, "Gandi cannot move an instance"))
	}
	if db := inst.Database; db != nil && db.Name != "" && db.Name != s.Type.Database.Name {
		problems = append(problems, createOnlyProblem("spec.type.database.name", s.Type.Database.Name, db.Name,
			"Gandi cannot change an instance's database (its PATCH upgrades only the language)"))
	}
	if lang := inst.Language; lang != nil && lang.Name != "" && lang.Name != s.Type.Language.Name {
		problems = append(problems, createOnlyProblem("spec.type.language.name", s.Type.Language.Name, lang.Name,
			"Gandi upgrades the version of a language, never the language itself"))
	}
	return problems
}

// createOnlyProblem reports a create-only field whose spec value differs
// from what Gandi shows, have: an object this one took hold of was made
// otherwise, or a spec admitted before its rule. Nothing is sent for it.
// The way out is the spec describing the object held: the field's
// create-only rule admits a change to the value the status shows.
func createOnlyProblem(field, want, have, why string) problem {
	return problem{hostingv1alpha1.ReasonUnsupportedChange, fmt.Sprintf(
		"%s is %s but Gandi shows %s: %s, so nothing is sent; set %s to %s, what Gandi shows, so that the spec describes the instance",
		field, want, have, why, field, have)}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// update sends what differs, runs requested actions, and reports what
// Gandi cannot do. Gandi changes only active instances: in another state
// nothing is sent, and Synced says what waits for it (reportHeld).
func (r *HostingInstanceReconciler) update(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance) result {
	plan := planInstance(hi, inst, r.freeView(hi), r.paidHold(hi))
	// One boost per turn-on, and none while Gandi offers none
	// (hostinginstance_booster.go).
	if err := r.recordBooster(ctx, hi, plan.boost); err != nil {
		return retry(err)
	}
	if inst.Status != gandi.InstanceActive {
		return reportInstanceHeld(hi, inst.Status, plan)
	}
	// The paid fields go in a PATCH of their own, sent once per value
	// (hostinginstance_paid.go); the free ones are sent while it waits.
	patch, fields, problems := plan.patch, plan.freeFields, append(slices.Clone(plan.unsupported), plan.freeWaits...)
	if plan.boost.problem != nil {
		problems = append(problems, *plan.boost.problem)
	}
	// Read once per pass: it is an uncached read of the API server.
	pwSecret, err := r.readPasswordSecret(ctx, hi)
	if err != nil {
		return failed(hi, r.Timing, "read the password", err)
	}
	pw, unconfirmedPassword, err := r.passwordRotation(ctx, hi, inst.ID, pwSecret, &patch)
	var recordErr *passwordRecordError
	if errors.As(err, &recordErr) {
		return retry(err)
	}
	if err != nil {
		return failed(hi, r.Timing, "read the password", err)
	}
	version := pw.version
	if version != "" {
		fields = append(fields, "password")
	}
	if unconfirmedPassword != nil {
		problems = append(problems, *unconfirmedPassword)
	}
	var res result
	if patch.IsEmpty() {
		r.keepFree(hi, plan.free, false)
	} else {
		accepted, err := r.sendUpdate(ctx, api, hi, inst.ID, patch, version)
		r.keepFree(hi, plan.free, accepted)
		if accepted && version != "" {
			r.passwordSent(hi, inst.ID, pw)
		}
		if err != nil && accepted {
			return retry(err) // Gandi took it; recording its acceptance failed
		}
		if err != nil {
			return refusedWriteEvent(ctx, hi, r.Events, r.Timing, "update "+strings.Join(fields, ", ")+" of instance "+inst.ID, err, instanceState(api, inst.ID))
		}
		r.Events.normal(hi, "Updated", "Update", "sent "+strings.Join(fields, ", ")+" to Gandi")
		res.requeue = r.Timing.Transitional
	}
	paidProblems, paidRes, ok := r.updatePaid(ctx, api, hi, inst.ID, plan)
	if !ok {
		return paidRes
	}
	res.sent = paidRes.sent
	problems = append(problems, paidProblems...)
	if paidChangeOnItsWay(hi) || len(plan.free.onItsWay) > 0 {
		res.requeue = minPositive(res.requeue, r.recheckIn(hi, hostingv1alpha1.ConditionSynced))
	}
	res.requeue = minPositive(res.requeue, plan.paidPlan.holdWait(r.clock()))
	hi.Status.PasswordSecretVersion = confirmedPassword(hi)
	// What the PATCH carried, when one went out (an error returned above):
	// UpToDate only once a later pass reads it at Gandi (reportSynced).
	var sent []string
	if !patch.IsEmpty() {
		sent = fields
	}
	unconfirmed, actRes, ok := r.runActions(ctx, api, hi, inst.ID)
	if !ok {
		actRes.sent = len(sent) > 0
		return actRes
	}
	problems = append(problems, unconfirmed...)
	res = reportSynced(hi, "instance", sent, problems, res)
	noteSynced(hi, plan.boost.note)
	return res
}

// sendUpdate PATCHes the instance; a patch carrying a new password is a
// side effect sent at most once per password Secret revision, by this
// operator and by the client (rotateOnce hands send a context the client
// never resends with), and reported applied once Gandi accepted it.
// accepted says Gandi took the patch, whatever the error.
func (r *HostingInstanceReconciler) sendUpdate(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance, id string, patch gandi.UpdateInstanceRequest, passwordVersion string) (accepted bool, err error) {
	send := func(ctx context.Context) error { return api.UpdateInstance(ctx, id, patch) }
	if passwordVersion == "" {
		err := send(ctx)
		return err == nil, err
	}
	return rotateOnce(ctx, r.Client, hi, effectPassword, passwordVersion, send)
}

// updatePaid sends the paid fields the spec asks for and Gandi does not
// show, at most once per value (the plan's decidePaidChange, sendPaid),
// and returns the problems of those on their way or unconfirmed.
func (r *HostingInstanceReconciler) updatePaid(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance, id string, ip instancePlan) ([]problem, result, bool) {
	plan, paid := ip.paidPlan, ip.paid
	patch := paidPatch(plan, paid, ip.boosterOptions)
	accepted, err := sendPaid(ctx, r.Client, hi, plan, r.clock(), func(ctx context.Context) error { return api.UpdateInstance(ctx, id, patch) })
	if err != nil && (accepted || len(plan.send) == 0) {
		return nil, retry(err), false // a Kubernetes write: Gandi took the change, or nothing was sent
	}
	what := paidSent(&plan, paid, accepted, describePaid)
	if err != nil {
		return nil, refusedWriteEvent(ctx, hi, r.Events, r.Timing, "paid change ("+strings.Join(what, ", ")+") of instance "+id, err, instanceState(api, id)), false
	}
	if accepted {
		r.Events.normal(hi, "Updated", "Update", "sent the paid change ("+strings.Join(what, ", ")+") to Gandi")
	}
	// A change sent in this pass: what it read describes the instance
	// from before it (reportSynced).
	return paidProblems(plan, describePaid), result{sent: accepted}, true
}

// confirmedPassword is the password Secret revision Gandi last accepted:
// the durable confirmation, never the status. When the external-id
// changes, followEffects drops the records at once but the status
// forgets the former instance's revision only with the pass's status
// write: a pass that dies in between (a crash, a lost leadership, a long
// wait for the request budget) leaves that revision in status, and taken
// as confirmed it would report the new instance's password as set though
// it never was. An object from before the records keeps its status
// through keepLegacyPassword instead.
func confirmedPassword(hi *hostingv1alpha1.HostingInstance) string {
	return confirmedRotation(hi, effectPassword)
}

// keepLegacyPassword records, as accepted, the status revision of an
// object from before the password records existed (legacyPassword): its
// status was the record then. It runs before followEffects names the
// instance; from then on status is never taken as the record
// (confirmedPassword).
func (r *HostingInstanceReconciler) keepLegacyPassword(ctx context.Context, hi *hostingv1alpha1.HostingInstance, id string) *result {
	v := legacyPassword(hi, id)
	if v == "" {
		return nil
	}
	if err := patchAnnotations(ctx, r.Client, hi, annotationPatch{set: acceptedRecord(effectPassword, v)}); err != nil {
		return halt(retry(err))
	}
	return nil
}

// legacyPassword is the password revision the status of an object from
// before the records reports applied on instance id: none when the object
// names the instance its records are on (effects-for: they are the only
// word), has a record, or has a status about another instance.
func legacyPassword(hi *hostingv1alpha1.HostingInstance, id string) string {
	if _, named := hi.GetAnnotations()[hostingv1alpha1.AnnotationEffectsFor]; named ||
		hi.Status.ID != id || recordedEffect(hi, effectPassword) != "" {
		return ""
	}
	return hi.Status.PasswordSecretVersion
}

// passwordRotation adds the new password hash to patch when the password
// Secret holds a new revision to send (decidePasswordChange), and returns
// that revision (none when nothing is sent). A revision already recorded
// as maybe sent is not sent again: it is reported as a problem. A new
// revision holding the password Gandi has only moves the record.
func (r *HostingInstanceReconciler) passwordRotation(ctx context.Context, hi *hostingv1alpha1.HostingInstance, id string, pwSecret *corev1.Secret, patch *gandi.UpdateInstanceRequest) (passwordRevision, *problem, error) {
	if pwSecret == nil {
		return passwordRevision{}, nil, nil
	}
	key := hi.Spec.Authentication.PasswordSecretRef.Key
	pw := readPasswordRevision(pwSecret, key)
	switch d, err := r.decidePasswordChange(ctx, hi, id, pw); {
	case err != nil:
		return passwordRevision{}, nil, &passwordRecordError{err}
	case d == rotationUnconfirmed:
		p := passwordProblem(pw.version)
		return passwordRevision{}, &p, nil
	case d != rotationSend:
		return passwordRevision{}, nil, nil
	}
	hash, err := passwordHash(pw)
	if err != nil {
		return passwordRevision{}, nil, err
	}
	patch.Password = hash
	return pw, nil, nil
}

// passwordRecordError is a failed write of the password record: a
// Kubernetes write, retried as any, not a problem of the Secret.
type passwordRecordError struct{ err error }

func (e *passwordRecordError) Error() string { return e.err.Error() }
func (e *passwordRecordError) Unwrap() error { return e.err }

// instanceAction is one request field that performs an action once per value.
type instanceAction struct {
	action string
	effect string
	field  string // the spec field that asks for it
	want   func(*hostingv1alpha1.HostingInstanceSpec) string
	last   func(*hostingv1alpha1.LastActions) *string
}

var instanceActions = []instanceAction{
	{gandi.ActionRestart, effectRestart, "spec.restartRequest", func(s *hostingv1alpha1.HostingInstanceSpec) string { return s.RestartRequest },
		func(l *hostingv1alpha1.LastActions) *string { return &l.Restart }},
	{gandi.ActionConsole, effectConsole, "spec.consoleRequest", func(s *hostingv1alpha1.HostingInstanceSpec) string { return s.ConsoleRequest },
		func(l *hostingv1alpha1.LastActions) *string { return &l.Console }},
	{gandi.ActionResetDatabasePassword, effectResetDatabasePassword, "spec.resetDatabasePasswordRequest", func(s *hostingv1alpha1.HostingInstanceSpec) string { return s.ResetDatabasePasswordRequest },
		func(l *hostingv1alpha1.LastActions) *string { return &l.ResetDatabasePassword }},
}

// oneOffRequests are the actions the spec asks for (requestsOnObject).
func (e *instanceExternal) oneOffRequests() []oneOffRequest {
	last := e.hi.Status.LastActions
	if last == nil {
		last = &hostingv1alpha1.LastActions{}
	}
	out := make([]oneOffRequest, 0, len(instanceActions))
	for _, a := range instanceActions {
		out = append(out, oneOffRequest{effect: a.effect, field: a.field, value: a.want(&e.hi.Spec), performed: *a.last(last)})
	}
	if b := e.hi.Spec.Booster; b != nil && b.Enabled {
		out = append(out, boosterRequest)
	}
	return out
}

// runActions performs each action whose request value is new, at most once
// per value (performOnce), and reports in status.lastActions the values
// Gandi accepted; the others are problems for Synced.
func (r *HostingInstanceReconciler) runActions(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance, id string) (unconfirmed []problem, _ result, _ bool) {
	if hi.Status.LastActions == nil {
		hi.Status.LastActions = &hostingv1alpha1.LastActions{}
	}
	defer func() {
		if *hi.Status.LastActions == (hostingv1alpha1.LastActions{}) {
			hi.Status.LastActions = nil
		}
	}()
	for _, a := range instanceActions {
		want, last := a.want(&hi.Spec), a.last(hi.Status.LastActions)
		if want == "" || want == *last {
			continue
		}
		if recordedEffect(hi, a.effect) == "" && *last != "" {
			// An object from before the durable record: status is the record.
			if err := patchAnnotations(ctx, r.Client, hi, annotationPatch{set: effectRecord(a.effect, *last)}); err != nil {
				return nil, retry(err), false
			}
		}
		state, sent, err := performOnce(ctx, r.Client, hi, a.effect, want, func(ctx context.Context) error { return api.InstanceAction(ctx, id, a.action) })
		if state == requestPerformed {
			*last = want
		}
		if sent {
			r.Events.normal(hi, "ActionPerformed", "Action", a.action+" performed for request "+want)
		}
		if err != nil && state == requestPerformed {
			return nil, retry(err), false // Gandi acted; recording its acceptance failed
		}
		if err != nil {
			r.Events.warn(hi, hostingv1alpha1.ReasonActionFailed, "Action", a.action+" ("+want+"): "+err.Error())
			return nil, refusedWrite(ctx, hi, r.Timing, "perform "+a.action, err, instanceState(api, id)), false
		}
		if state == requestUnconfirmed {
			unconfirmed = append(unconfirmed, unconfirmedProblem(a.action, want, a.field))
		}
	}
	return unconfirmed, result{}, true
}

// refreshUsage reads the disk usage at its own, slower interval.
func (r *HostingInstanceReconciler) refreshUsage(ctx context.Context, api instanceAPI, hi *hostingv1alpha1.HostingInstance) {
	if hi.Status.State != gandi.InstanceActive {
		return
	}
	var observedAt *time.Time
	if u := hi.Status.Usage; u != nil && u.ObservedAt != nil {
		observedAt = &u.ObservedAt.Time
	}
	if !usageDue(observedAt, hi.Status.CreatedAt, r.Now(), r.Timing.Usage) {
		return
	}
	usage, err := api.GetInstanceUsage(ctx, hi.Status.ID)
	if err != nil {
		// Usage is informative: a failure is logged and retried next time.
		log.FromContext(ctx).Info("could not read instance usage", "id", hi.Status.ID, "error", err.Error())
		return
	}
	now := metav1.NewTime(r.Now())
	hi.Status.Usage = &hostingv1alpha1.UsageStatus{DiskSizeBytes: usage.DiskSizeBytes, ObservedAt: &now}
	if usage.DiskUsedBytes != nil {
		hi.Status.Usage.DiskUsedBytes = *usage.DiskUsedBytes
	}
}

// usageDue reports whether the disk usage is read in this pass: once per
// usage interval, and not before the instance is one interval old. A
// just-bought instance's disk is empty, and reading it while a create
// converges spent one request per instance on a figure nobody needs yet.
func usageDue(observedAt *time.Time, createdAt *metav1.Time, now time.Time, interval time.Duration) bool {
	if observedAt != nil {
		return now.Sub(*observedAt) >= interval
	}
	return createdAt == nil || now.Sub(createdAt.Time) >= interval
}
