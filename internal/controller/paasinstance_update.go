package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// Side effects of a PaaSInstance recorded before they are sent (besides
// effectPassword and effectRestart, shared with HostingInstance).
const (
	effectSSHKeys            = "ssh-keys"
	effectUpgrade            = "upgrade"
	effectResetMySQLPassword = "reset-mysql-password"
	effectRenew              = "renew"
	// effectPaaSVhosts lists the vhosts this object created (or may have
	// created): only those are deleted when they leave spec.vhosts.
	effectPaaSVhosts = "vhosts"
	// effectPaaSVhostOptions records, for those vhosts, the zoneAlter and
	// override each was created with (paasinstance_vhosts.go).
	effectPaaSVhostOptions = "vhost-options"
)

// paasChanges compares the spec with what Gandi reports: the paas.update
// for what differs and the user set, the names of those fields, and the
// differences Gandi cannot apply. Its size and quantity are paid, and sent
// at most once per value (paasinstance_paid.go); a free one is not sent
// again while Gandi may still apply it (freechange.go), and sending one
// again after a lost answer sets the same value.
func paasChanges(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) (paas.PaasUpdateParams, []string, []problem) {
	var up paas.PaasUpdateParams
	var fields []string
	var problems []problem
	s := pi.Spec
	if name := paasName(pi); name != info.Name {
		up.Name, fields = name, append(fields, fieldName)
	}
	if want := string(s.Size); want != info.Size {
		up.Size, fields = want, append(fields, "size")
	}
	if s.AdditionalDiskGB != nil {
		switch want := int(*s.AdditionalDiskGB); {
		case want > info.DataDiskAdditionalSize:
			up.Quantity, fields = gandi.Ptr(want), append(fields, "quantity")
		case want < info.DataDiskAdditionalSize:
			problems = append(problems, problem{hostingv1alpha1.ReasonUnsupportedChange, fmt.Sprintf(
				"spec.additionalDiskGB is %d but the instance has %d GB: Gandi cannot shrink a data disk", want, info.DataDiskAdditionalSize)})
		}
	}
	if p := s.SnapshotProfile; p != nil && int(*p) != snapshotProfileID(info) {
		if *p == 0 {
			up.SnapshotProfile = paas.UnsetSnapshotProfile()
		} else {
			up.SnapshotProfile = paas.SetSnapshotProfile(int(*p))
		}
		fields = append(fields, "snapshot_profile")
	}
	if c := s.Console; c != nil && *c != info.ConsoleInfo.Enabled {
		up.Console, fields = gandi.Ptr(*c), append(fields, "console")
	}
	if s.Type != info.Type {
		problems = append(problems, createOnlyProblem("spec.type", s.Type, info.Type, "paas.update cannot change the type"))
	}
	if int(s.DatacenterID) != info.Datacenter.ID {
		problems = append(problems, createOnlyProblem("spec.datacenterID", strconv.Itoa(int(s.DatacenterID)), strconv.Itoa(info.Datacenter.ID),
			"Gandi cannot move an instance"))
	}
	return up, fields, problems
}

func snapshotProfileID(info *paas.PaasReturn) int {
	if info.SnapshotProfile == nil {
		return 0
	}
	return info.SnapshotProfile.ID
}

// paasPass is one pass's update of a PaaSInstance: each step adds what
// Gandi cannot do to problems, and may ask to come back sooner.
type paasPass struct {
	r        *PaaSInstanceReconciler
	api      paasAPI
	pi       *hostingv1alpha1.PaaSInstance
	info     *paas.PaasReturn
	problems []problem
	soon     bool
	// changeWait is when to look again for a change Gandi accepted and
	// does not show yet, free or paid (0: none): later the longer it takes.
	changeWait time.Duration
	// sent are the free fields this pass sent, and paidSent says Gandi
	// accepted a paid change in it: what it read came from before them
	// (reportSynced).
	sent     []string
	paidSent bool
	// conflicts are the listed vhosts Gandi serves elsewhere, as this pass
	// found them (status.vhostConflicts).
	conflicts []hostingv1alpha1.PaaSVhostConflict
	// observeOnly: managementPolicy Observe; the pass only looks
	// (observeVhostConflicts).
	observeOnly bool
	// notes say why what the spec asks is not sent though nothing is
	// wrong (a renewal asked before): added to a Synced True.
	notes []string
}

// wrote says the pass sent the instance a change.
func (p *paasPass) wrote() bool { return len(p.sent) > 0 || p.paidSent }

// update sends what differs, then the side effects (password, SSH keys,
// requests, renewal) each at most once, then the vhosts. Gandi changes
// only running instances; a renewal is also taken by a paused or locked
// one (that is how an expired instance comes back).
func (r *PaaSInstanceReconciler) update(ctx context.Context, api paasAPI, pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) result {
	p := &paasPass{r: r, api: api, pi: pi, info: info}
	steps := []func(context.Context) *result{p.renew}
	if info.State == paas.StateRunning {
		steps = append(steps, p.sendChanges, p.rotatePassword, p.sendSSHKeys, p.runRequests, p.syncVhosts)
	}
	for _, step := range steps {
		if res := step(ctx); res != nil {
			res.sent = res.sent || p.wrote()
			return *res
		}
	}
	res := result{sent: p.paidSent}
	res.requeue = p.changeWait
	if p.soon {
		res.requeue = r.Timing.Transitional
	}
	if info.State != paas.StateRunning {
		res = p.held(ctx, res)
	} else {
		// UpToDate only once a later pass reads at Gandi what this one sent.
		res = reportSynced(pi, "instance", p.sent, p.problems, res)
	}
	noteSynced(pi, strings.Join(p.notes, "; "))
	return res
}

// paasPlan is a PaaSInstance's fieldPlan (fieldplan.go), with
// the paas.update of its free fields.
type paasPlan struct {
	fieldPlan
	update paas.PaasUpdateParams
}

// planPaaS decides a PaaSInstance's plan, v being what the pass knows of
// the free values it sent and hold where its paid hold stands; it writes
// nothing.
func planPaaS(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn, v freeView, hold paidHold) paasPlan {
	up, fields, unsupported := paasChanges(pi, info)
	unsupported = append(unsupported, vhostOptionProblems(pi, info)...)
	paid, _ := splitPaaSPaid(&up, fields, info)
	plan := paasPlan{fieldPlan: fieldPlan{
		paid: paid, unsupported: unsupported,
		paidPlan: decidePaid(paasPaidKeys, recordedEffect(pi, effectPaidChange), pi.GetAnnotations()[confirmedKey(effectPaidChange)], hold, paid),
	}}
	plan.decideFreeFields("instance", paasFree(up), v, func(f freeField) string { return f.key + " " + f.value })
	plan.update = withoutPaaSFree(up, plan.free.onItsWay)
	return plan
}

// paasFree are the free members of a paas.update.
func paasFree(up paas.PaasUpdateParams) []freeField {
	var out []freeField
	if up.Name != "" {
		out = append(out, freeField{fieldName, up.Name})
	}
	if up.Console != nil {
		out = append(out, freeField{"console", strconv.FormatBool(*up.Console)})
	}
	return out
}

// withoutPaaSFree is up without the members of drop.
func withoutPaaSFree(up paas.PaasUpdateParams, drop []freeField) paas.PaasUpdateParams {
	for _, f := range drop {
		switch f.key {
		case fieldName:
			up.Name = ""
		case "console":
			up.Console = nil
		}
	}
	return up
}

// changes names the members the plan sends.
func (p paasPlan) changes() []string {
	return p.fieldPlan.changes(func(key string) string { return key })
}

// sendChanges sends the fields that differ: the free ones in one
// paas.update, then the paid ones in one of their own, at most once per
// value (sendPaid).
func (p *paasPass) sendChanges(ctx context.Context) *result {
	plan := planPaaS(p.pi, p.info, p.r.freeView(p.pi), p.r.paidHold(p.pi))
	p.problems = append(append(p.problems, plan.unsupported...), plan.freeWaits...)
	if len(plan.free.onItsWay) > 0 {
		p.changeWait = p.r.recheckIn(p.pi, hostingv1alpha1.ConditionSynced)
	}
	fields := plan.freeFields
	if len(fields) == 0 {
		p.r.keepFree(p.pi, plan.free, false)
		return p.sendPaid(ctx, plan)
	}
	_, err := p.api.Update(ctx, p.info.ID, plan.update)
	p.r.keepFree(p.pi, plan.free, err == nil)
	if err != nil {
		return p.r.refused(p.pi, "update "+strings.Join(fields, ", ")+" of PaaS instance "+strconv.Itoa(p.info.ID), err)
	}
	p.r.Events.normal(p.pi, "Updated", "Update", "sent "+strings.Join(fields, ", ")+" to Gandi")
	p.sent, p.soon = fields, true
	return p.sendPaid(ctx, plan)
}

// held reports, for an instance that is not running, what a pass would
// send once it is (reportHeld): the members that differ (paid ones once
// per value), the requests Gandi has not performed, a new password Secret
// revision, a new SSH key list, the vhosts not created yet and the deletes
// of those spec.vhosts dropped. A renewal, which Gandi takes in more
// states, went before (renew).
func (p *paasPass) held(ctx context.Context, res result) result {
	pi := p.pi
	plan := planPaaS(pi, p.info, p.r.freeView(pi), p.r.paidHold(pi))
	fields := plan.changes()
	problems := append(slices.Clone(p.problems), plan.waits(describePaaSPaid)...)
	last := pi.Status.LastRequests
	if last == nil {
		last = &hostingv1alpha1.PaaSLastRequests{}
	}
	for _, q := range paasRequests {
		switch want := q.want(&pi.Spec); {
		case want == "" || want == *q.last(last) || pi.GetAnnotations()[confirmedKey(q.effect)] == want || pi.GetAnnotations()[baselineKey(q.effect)] == want:
		case q.refusal(p.info) != nil:
			problems = append(problems, *q.refusal(p.info))
		case recordedEffect(pi, q.effect) == want:
			problems = append(problems, unconfirmedProblem(q.name, want, q.field))
		default:
			fields = append(fields, q.field)
		}
	}
	if pi.Spec.PasswordSecretRef != nil {
		// Read as rotatePassword reads it, so that a revision it would send
		// is named here, not reported up to date.
		pw, err := p.r.readPaaSPassword(ctx, pi)
		same := err == nil && p.r.passwords.holds(pi.UID, strconv.Itoa(p.info.ID), confirmedRotation(pi, effectPassword), pw.value)
		field, prob := passwordPending(pi, pw, err, same)
		if field != "" {
			fields = append(fields, field)
		}
		if prob != nil {
			problems = append(problems, *prob)
		}
	}
	switch v, d := sshKeysDecision(pi); d {
	case rotationSend:
		fields = append(fields, "spec.sshKeys")
	case rotationUnconfirmed:
		problems = append(problems, sshKeysProblem(v))
	}
	if prob := sshKeysDroppedProblem(pi); prob != nil {
		problems = append(problems, *prob)
	}
	fields = append(fields, pendingVhostChanges(pi, p.info)...)
	return reportHeld(pi, "instance", p.info.State, fields, problems, res)
}

// passwordPending is what a held pass names of the password Secret, read
// as pw (or not, err), same telling that it holds the value Gandi has: a
// revision the next running pass sends, or why it cannot tell.
func passwordPending(pi *hostingv1alpha1.PaaSInstance, pw passwordRevision, err error, same bool) (string, *problem) {
	if err != nil {
		return "", &problem{classify(err).reason, "read the password: " + err.Error()}
	}
	switch rotationFor(pi, effectPassword, pw.version, same) {
	case rotationUnconfirmed:
		prob := passwordProblem(pw.version)
		return "", &prob
	case rotationSend:
		if err := pw.sendable(); err != nil {
			return "", &problem{classify(err).reason, err.Error()}
		}
		return "password Secret revision " + pw.version, nil
	}
	return "", nil
}

// refused reports a write Gandi refused or whose answer was lost.
func (r *PaaSInstanceReconciler) refused(pi *hostingv1alpha1.PaaSInstance, action string, err error) *result {
	r.Events.warn(pi, classify(err).reason, "Update", action+": "+err.Error())
	return halt(failed(pi, r.Timing, action, err))
}

// readPaaSPassword reads, uncached, the password Secret at its current
// revision. The XML-RPC API takes the password itself (over TLS); the
// client redacts it from every error and log line.
func (r *PaaSInstanceReconciler) readPaaSPassword(ctx context.Context, pi *hostingv1alpha1.PaaSInstance) (passwordRevision, error) {
	ref := pi.Spec.PasswordSecretRef
	if ref == nil {
		return passwordRevision{}, &specError{msg: "spec.passwordSecretRef is not set: paas.create requires a password to buy an instance; name a Secret key holding one"}
	}
	secret := &corev1.Secret{}
	if err := r.Reader.Get(ctx, types.NamespacedName{Namespace: pi.Namespace, Name: ref.Name}, secret); err != nil {
		if apierrors.IsNotFound(err) {
			return passwordRevision{}, &CredentialsError{Reason: hostingv1alpha1.ReasonPasswordNotFound,
				Message: fmt.Sprintf("password Secret %s/%s not found", pi.Namespace, ref.Name)}
		}
		return passwordRevision{}, fmt.Errorf("read password Secret %s/%s: %w", pi.Namespace, ref.Name, err)
	}
	pw := readPasswordRevision(secret, ref.Key)
	if err := pw.missing(); err != nil {
		return passwordRevision{}, err
	}
	return pw, nil
}

// rotatePassword sends a new revision of the password Secret once.
func (p *paasPass) rotatePassword(ctx context.Context) *result {
	pi, id := p.pi, p.info.ID
	if pi.Spec.PasswordSecretRef == nil {
		// An adopted instance without a declared password keeps its own.
		pi.Status.PasswordSecretVersion = confirmedRotation(pi, effectPassword)
		return nil
	}
	pw, err := p.r.readPaaSPassword(ctx, pi)
	if err != nil {
		return halt(failed(pi, p.r.Timing, "read the password", err))
	}
	defer func() { pi.Status.PasswordSecretVersion = confirmedRotation(pi, effectPassword) }()
	instance := strconv.Itoa(id)
	switch d, err := p.r.decidePasswordChange(ctx, pi, instance, pw); {
	case err != nil:
		return halt(retry(err))
	case d == rotationUnconfirmed:
		p.problems = append(p.problems, passwordProblem(pw.version))
		return nil
	case d != rotationSend:
		return nil
	}
	if err := pw.sendable(); err != nil {
		return halt(failed(pi, p.r.Timing, "set the password", err))
	}
	accepted, err := rotateOnce(ctx, p.r.Client, pi, effectPassword, pw.version, func(ctx context.Context) error {
		_, err := p.api.Update(ctx, id, paas.PaasUpdateParams{Password: gandi.Secret(pw.value)})
		return err
	})
	if accepted {
		p.r.passwordSent(pi, instance, pw)
	}
	if err != nil && accepted {
		return halt(retry(err)) // Gandi took it; recording its acceptance failed
	}
	if err != nil {
		return p.r.refused(pi, "set the password of PaaS instance "+strconv.Itoa(id), err)
	}
	p.r.Events.normal(pi, "PasswordChanged", "Update", "sent the new password Secret revision to Gandi")
	return nil
}

// sshKeysVersion identifies the SSH key lists of the spec, so that a
// changed list is sent once (Gandi does not report keys back).
func sshKeysVersion(s hostingv1alpha1.PaaSInstanceSpec) string {
	h := sha256.New()
	for _, k := range s.SSHKeys {
		h.Write([]byte(k + "\n"))
	}
	h.Write([]byte{0})
	for _, id := range s.SSHKeyIDs {
		h.Write([]byte(strconv.Itoa(int(id)) + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// sshKeysDecision is what a pass does about pi's SSH key lists, and
// their version; rotationAccepted when the spec lists none. The rule is
// the password's (decideRotation): after a list whose answer was lost,
// even the list Gandi last accepted is sent again. Gandi replaces "keys"
// (spec.sshKeyIDs) whole, so that removes the lost list's IDs; ssh_key
// (spec.sshKeys) only appends, so the lost list's keys stay, and
// sshKeysDroppedProblem reports them until the user removes them at Gandi.
func sshKeysDecision(pi *hostingv1alpha1.PaaSInstance) (string, rotationDecision) {
	s := pi.Spec
	if len(s.SSHKeys)+len(s.SSHKeyIDs) == 0 {
		return "", rotationAccepted
	}
	v := sshKeysVersion(s)
	return v, rotationFor(pi, effectSSHKeys, v, false)
}

// sshKeysProblem reports the SSH key list of version v as maybe sent.
func sshKeysProblem(v string) problem {
	return rotationProblem("sending the SSH key list (version "+v+")", "change spec.sshKeys or spec.sshKeyIDs to send a list again")
}

// sendSSHKeys sends a changed SSH key list once. Gandi does not report
// keys back, so the list counts as installed once Gandi accepted it
// (rotateOnce); one whose answer was lost is reported, not sent again.
// The keys of spec.sshKeys are recorded as sent in the same write
// (effectSSHKeysAppended): Gandi only appends them, so one the spec
// drops later is reported, never taken as removed.
func (p *paasPass) sendSSHKeys(ctx context.Context) *result {
	pi, id, s := p.pi, p.info.ID, p.pi.Spec
	v, d := sshKeysDecision(pi)
	if d == rotationUnconfirmed {
		p.problems = append(p.problems, sshKeysProblem(v))
	}
	if d != rotationSend {
		if res := p.seedAppendedSSHKeys(ctx); res != nil {
			return res
		}
		p.reportDroppedSSHKeys()
		return nil
	}
	var also map[string]string
	if len(s.SSHKeys) > 0 {
		also = effectRecord(effectSSHKeysAppended, appendedSSHKeysWith(recordedEffect(pi, effectSSHKeysAppended), s.SSHKeys))
	}
	accepted, err := rotateOnceWith(ctx, p.r.Client, pi, effectSSHKeys, v, also, func(ctx context.Context) error {
		_, err := p.api.Update(ctx, id, paas.PaasUpdateParams{SSHKey: s.SSHKeys, Keys: intsOf(s.SSHKeyIDs)})
		return err
	})
	if err != nil && accepted {
		return halt(retry(err)) // Gandi took it; recording its acceptance failed
	}
	if err != nil {
		return p.r.refused(pi, "send the SSH keys of PaaS instance "+strconv.Itoa(id), err)
	}
	p.r.Events.normal(pi, "Updated", "Update", "sent the SSH keys to Gandi")
	p.reportDroppedSSHKeys()
	return nil
}

// reportDroppedSSHKeys adds sshKeysDroppedProblem to the pass's problems.
func (p *paasPass) reportDroppedSSHKeys() {
	if prob := sshKeysDroppedProblem(p.pi); prob != nil {
		p.problems = append(p.problems, *prob)
	}
}

// paasRequest is one request field performed once per value.
type paasRequest struct {
	name, effect string
	field        string // the spec field that asks for it
	want         func(*hostingv1alpha1.PaaSInstanceSpec) string
	last         func(*hostingv1alpha1.PaaSLastRequests) *string
	send         func(ctx context.Context, api paasAPI, id int) error
	// refuse says why the request is never sent to the instance Gandi
	// reports (nil: it may be); nil for a request any instance takes.
	refuse func(info *paas.PaasReturn) *problem
}

var paasRequests = []paasRequest{
	{"restart", effectRestart, "spec.restartRequest",
		func(s *hostingv1alpha1.PaaSInstanceSpec) string { return s.RestartRequest },
		func(l *hostingv1alpha1.PaaSLastRequests) *string { return &l.Restart },
		func(ctx context.Context, api paasAPI, id int) error { _, err := api.Restart(ctx, id); return err }, nil},
	{"upgrade", effectUpgrade, "spec.upgradeRequest",
		func(s *hostingv1alpha1.PaaSInstanceSpec) string { return s.UpgradeRequest },
		func(l *hostingv1alpha1.PaaSLastRequests) *string { return &l.Upgrade },
		func(ctx context.Context, api paasAPI, id int) error {
			_, err := api.Update(ctx, id, paas.PaasUpdateParams{Upgrade: true})
			return err
		}, nil},
	{"reset_mysql_password", effectResetMySQLPassword, "spec.resetMySQLPasswordRequest",
		func(s *hostingv1alpha1.PaaSInstanceSpec) string { return s.ResetMySQLPasswordRequest },
		func(l *hostingv1alpha1.PaaSLastRequests) *string { return &l.ResetMySQLPassword },
		func(ctx context.Context, api paasAPI, id int) error {
			_, err := api.Update(ctx, id, paas.PaasUpdateParams{ResetMySQLPassword: true})
			return err
		}, mysqlResetRefusal},
}

// mysqlResetRefusal refuses a MySQL root password reset of an instance
// whose type, as Gandi reports it, embeds another database
// (paas.MayHaveMySQL, the kubectl plugin's rule too): there is no MySQL
// root password to reset. The CRD refuses the field beside such a
// spec.type, but an object admitted before that rule, or whose spec.type
// is not the instance's, may still hold one: nothing is recorded or sent
// for it.
func mysqlResetRefusal(info *paas.PaasReturn) *problem {
	if paas.MayHaveMySQL(info.Type) {
		return nil
	}
	return &problem{hostingv1alpha1.ReasonInvalidSpec, fmt.Sprintf(
		"spec.resetMySQLPasswordRequest is not sent: the instance's type %s embeds %s, not MySQL, and has no MySQL root password to reset; remove the field",
		info.Type, paas.TypeDatabase(info.Type))}
}

// refusal is why q is never sent to the instance info describes, if it is.
func (q paasRequest) refusal(info *paas.PaasReturn) *problem {
	if q.refuse == nil {
		return nil
	}
	return q.refuse(info)
}

// oneOffRequests are the requests the spec makes (requestsOnObject).
func (e *paasExternal) oneOffRequests() []oneOffRequest {
	last := e.pi.Status.LastRequests
	if last == nil {
		last = &hostingv1alpha1.PaaSLastRequests{}
	}
	out := make([]oneOffRequest, 0, len(paasRequests)+1)
	for _, q := range paasRequests {
		out = append(out, oneOffRequest{effect: q.effect, field: q.field, value: q.want(&e.pi.Spec), performed: *q.last(last)})
	}
	// A renewal is paid: the one a re-applied manifest still asks for was
	// another object's, and is not bought again for this one (renew).
	if r := e.pi.Spec.Renew; r != nil {
		out = append(out, oneOffRequest{effect: effectRenew, field: "spec.renew.request", value: r.Request, performed: last.Renew,
			requestsOf: func(record string) []string { return parseRenewRecord(record).requests() }})
	}
	return out
}

// runPaaSRequests performs each request whose value is new, at most once
// per value (performOnce), and reports the values Gandi accepted; the
// others are problems for Synced.
func (p *paasPass) runRequests(ctx context.Context) *result {
	r, api, pi, id := p.r, p.api, p.pi, p.info.ID
	last := lastRequests(pi)
	for _, q := range paasRequests {
		want, done := q.want(&pi.Spec), q.last(last)
		if want == "" || want == *done {
			continue
		}
		if refused := q.refusal(p.info); refused != nil {
			p.problems = append(p.problems, *refused)
			continue
		}
		state, sent, err := performOnce(ctx, r.Client, pi, q.effect, want, func(ctx context.Context) error { return q.send(ctx, api, id) })
		if state == requestPerformed {
			*done = want
		}
		if sent {
			r.Events.normal(pi, "ActionPerformed", "Action", q.name+" performed for request "+want)
		}
		if err != nil && state == requestPerformed {
			return halt(retry(err)) // Gandi acted; recording its acceptance failed
		}
		if err != nil {
			r.Events.warn(pi, hostingv1alpha1.ReasonActionFailed, "Action", q.name+" ("+want+"): "+err.Error())
			return halt(failed(pi, r.Timing, "perform "+q.name, err))
		}
		if state == requestUnconfirmed {
			p.problems = append(p.problems, unconfirmedProblem(q.name, want, q.field))
		}
	}
	return nil
}

func lastRequests(pi *hostingv1alpha1.PaaSInstance) *hostingv1alpha1.PaaSLastRequests {
	if pi.Status.LastRequests == nil {
		pi.Status.LastRequests = &hostingv1alpha1.PaaSLastRequests{}
	}
	return pi.Status.LastRequests
}
