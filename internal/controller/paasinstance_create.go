package controller

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// paasExternal is the PaaSInstance's adapter to the shared lifecycle: a
// legacy instance, found by its exact name (unique per account at Gandi),
// bought with paas.create after its type is checked in the catalogue.
type paasExternal struct {
	r   *PaaSInstanceReconciler
	api paasAPI
	pi  *hostingv1alpha1.PaaSInstance
	// req is the create request prepare built.
	req paas.PaasCreateParams
}

func (e *paasExternal) describe() string { return fmt.Sprintf("PaaS instance %q", paasName(e.pi)) }

// uniqueKey is true: paas.create refuses a name the account already has.
func (e *paasExternal) uniqueKey() bool             { return true }
func (e *paasExternal) handedOver([]candidate) bool { return false }

// objectEffects: the password and SSH keys Gandi accepted, the vhosts
// this object created and the paid changes on their way are the
// instance's state.
func (e *paasExternal) objectEffects() []string {
	return []string{effectPassword, effectSSHKeys, effectSSHKeysAppended, effectPaaSVhosts, effectPaaSVhostOptions, effectPaidChange}
}
func (e *paasExternal) forgetObjectEffects() { e.pi.Status.PasswordSecretVersion = "" }

func (e *paasExternal) intentKey() string { return paasKey(e.pi) }

func (e *paasExternal) rivals(ctx context.Context, id string) ([]client.Object, error) {
	return rivalsNaming(ctx, e.r, id, &hostingv1alpha1.PaaSInstanceList{}, paasKeyIndex, paasKey(e.pi))
}

func (e *paasExternal) intents(ctx context.Context) ([]client.Object, error) {
	return intentsNaming(ctx, e.r, &hostingv1alpha1.PaaSInstanceList{}, paasKey(e.pi))
}

// find lists the instances named exactly as the spec (paas.list's name
// filter is exact; the answer is filtered again all the same), every page
// of them (ListAll): the deleted ones stay listed, so a name bought and
// deleted often fills more than a page. A deleted one (PaasState
// "deleted") can be no one's: it is left out, so that an instance deleted
// at Gandi does not stop its replacement (spec.recreateIfDeleted) as
// AlreadyExists.
func (e *paasExternal) find(ctx context.Context) ([]candidate, error) {
	name := paasName(e.pi)
	found, err := e.api.ListAll(ctx, paas.PaasCountOptions{Name: []string{name}})
	if err != nil {
		return nil, err
	}
	var exact []candidate
	for _, in := range found {
		if in.Name == name && in.State != paas.StateDeleted {
			exact = append(exact, candidate{id: strconv.Itoa(in.ID), createdAt: in.DateStart})
		}
	}
	return exact, nil
}

// prepare checks the type in the catalogue (an unknown one is refused
// before anything is bought), reads the password and builds the request.
// The password revision, the SSH keys and the vhosts sent with the create
// are recorded with the intent: after a crash none of them is sent again
// as a change.
func (e *paasExternal) prepare(ctx context.Context) (map[string]string, error) {
	if err := e.r.checkTypeForCreate(ctx, e.api, e.pi); err != nil {
		return nil, err
	}
	pw, err := e.r.readPaaSPassword(ctx, e.pi)
	if err != nil {
		return nil, err
	}
	if err := pw.sendable(); err != nil {
		return nil, err
	}
	s := e.pi.Spec
	req := paas.PaasCreateParams{
		DatacenterID: int(s.DatacenterID), Duration: s.Duration, Name: paasName(e.pi), Password: gandi.Secret(pw.value),
		Size: string(s.Size), Type: s.Type, Fixed: s.Fixed, SSHKey: s.SSHKeys, Keys: intsOf(s.SSHKeyIDs),
	}
	if s.AdditionalDiskGB != nil {
		req.Quantity = int(*s.AdditionalDiskGB)
	}
	if s.SnapshotProfile != nil && *s.SnapshotProfile != 0 {
		req.SnapshotProfile = gandi.Ptr(int(*s.SnapshotProfile))
	}
	records := acceptedRecord(effectPassword, pw.version)
	if len(s.SSHKeys)+len(s.SSHKeyIDs) > 0 {
		maps.Copy(records, acceptedRecord(effectSSHKeys, sshKeysVersion(s)))
	}
	if len(s.SSHKeys) > 0 {
		maps.Copy(records, effectRecord(effectSSHKeysAppended, appendedSSHKeysWith("", s.SSHKeys)))
	}
	if fqdns, zoneAlter, override, ok := createVhosts(s.Vhosts); ok {
		req.Vhosts, req.ZoneAlter, req.Override = fqdns, zoneAlter, override
		records[effectAnnotationPrefix+effectPaaSVhosts] = strings.Join(fqdns, ",")
		options := map[string]vhostOptions{}
		for _, f := range fqdns {
			options[f] = vhostOptions{zoneAlter: zoneAlter, override: override}
		}
		records[effectAnnotationPrefix+effectPaaSVhostOptions] = vhostOptionsRecord(options, fqdns)
	}
	e.req = req
	return records, nil
}

// createVhosts gives the vhosts to send with paas.create: all of them when
// they share zoneAlter and override (paas.create takes one value of each
// for all its vhosts); otherwise none, and each is created on its own once
// the instance runs.
func createVhosts(vhosts []hostingv1alpha1.PaaSVhostSpec) (fqdns []string, zoneAlter, override, ok bool) {
	if len(vhosts) == 0 {
		return nil, false, false, false
	}
	for _, v := range vhosts {
		if v.ZoneAlter != vhosts[0].ZoneAlter || v.Override != vhosts[0].Override {
			return nil, false, false, false
		}
		ascii, err := toASCII(v.FQDN)
		if err != nil {
			return nil, false, false, false
		}
		fqdns = append(fqdns, ascii)
	}
	return fqdns, vhosts[0].ZoneAlter, vhosts[0].Override, true
}

func (e *paasExternal) create(ctx context.Context) (string, error) {
	ops, err := e.api.Create(ctx, e.req)
	if err != nil {
		return "", err
	}
	// The answer is the operations started (paas_vm_create first); their
	// paas_id is the new instance's. No operation carrying one is an
	// answer that cannot be used: the lookup by name settles it.
	for _, op := range ops {
		if op.PaasID > 0 {
			return strconv.Itoa(op.PaasID), nil
		}
	}
	return "", gandi.ErrNoID
}

func (e *paasExternal) deleting(ctx context.Context, id string) (bool, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return false, &specError{msg: "the external ID " + strconv.Quote(id) + " is not a PaaS instance ID"}
	}
	info, err := observePaaS(ctx, e.api, n)
	if err != nil {
		return false, err
	}
	e.pi.Status.State = info.State
	switch decidePaaSDelete(info.State) {
	case paasDeleteGone:
		// Gone, as the live pass and the lookup take it (vanished, find).
		return false, errGoneAtGandi
	case paasDeleteUnderWay:
		return true, nil
	case paasDeleteAfterCreate:
		return false, &notDeletableYet{reason: hostingv1alpha1.ReasonCreating, message: "this object is being deleted: Gandi is still creating " +
			e.describe() + " and refuses to delete it until it runs, so it is deleted once the create finishes"}
	case paasDeleteHeld:
		_, reason, _, transitional := paasReadiness(info.State)
		return false, &notDeletableYet{reason: reason, lasting: !transitional, message: "this object is being deleted: Gandi takes no change of " +
			e.describe() + " while it is " + info.State + ", so it is deleted once it leaves that state; to leave it at Gandi and let this object go, set spec.deletionPolicy: Orphan"}
	}
	return false, nil
}

// paasDeleteStep is what finalize does about an instance to delete, by
// its state in paas.info.
type paasDeleteStep int

const (
	// paasDeleteSend: paas.delete.
	paasDeleteSend paasDeleteStep = iota
	// paasDeleteUnderWay: Gandi is deleting it: wait for it to go.
	paasDeleteUnderWay
	// paasDeleteAfterCreate: Gandi refuses paas.delete on an instance it
	// is creating (CAUSE_BADSTATE): wait for it to run, then delete. Ready
	// keeps the reason Creating, not Deleting, which is what says a
	// delete of this object's was accepted (deleteAtGandi).
	paasDeleteAfterCreate
	// paasDeleteGone: Gandi shows it deleted: nothing to delete.
	paasDeleteGone
	// paasDeleteHeld: Gandi holds it (locked, paused, being migrated) and
	// takes no change of it until it runs again; the docs do not say that
	// paas.delete is an exception, so none is sent (the simulator refuses
	// it, CAUSE_BADSTATE): wait for the release, then delete.
	paasDeleteHeld
)

func decidePaaSDelete(state string) paasDeleteStep {
	switch state {
	case paas.StateDeleted:
		return paasDeleteGone
	case paas.StateBeingDeleted:
		return paasDeleteUnderWay
	case paas.StateBeingCreated:
		return paasDeleteAfterCreate
	case paas.StateLocked, paas.StatePaused, paas.StateBeingMigrated:
		return paasDeleteHeld
	}
	return paasDeleteSend
}

func (e *paasExternal) remove(ctx context.Context, id string) (bool, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return false, &specError{msg: "the external ID " + strconv.Quote(id) + " is not a PaaS instance ID"}
	}
	_, err = e.api.Delete(ctx, n)
	return false, err
}

// paasKey is what makes two PaaSInstances name the same Gandi instance:
// the same account (Secret, or the operator's default) and name.
func paasKey(pi *hostingv1alpha1.PaaSInstance) string {
	scope := "default"
	if ref := pi.Spec.CredentialsRef; ref != nil {
		scope = pi.Namespace + "/" + ref.Name
	}
	return scope + "|" + paasName(pi)
}

// checkTypeForCreate refuses a type the catalogue does not list; a
// deprecated one is bought all the same, with a warning.
func (r *PaaSInstanceReconciler) checkTypeForCreate(ctx context.Context, api paasAPI, pi *hostingv1alpha1.PaaSInstance) error {
	visibility, err := lookupType(ctx, api, pi.Spec.Type)
	if err != nil {
		return err
	}
	r.reportType(pi, visibility)
	if visibility == "" {
		return &specError{msg: fmt.Sprintf("spec.type %q is not in Gandi's PaaS type catalogue (paas.type.list): use one it lists, e.g. php7.3mysql5.7", pi.Spec.Type)}
	}
	return nil
}

// lookupType gives the type's visibility in the catalogue, or "" when the
// catalogue has no type of that name.
func lookupType(ctx context.Context, api paasAPI, name string) (string, error) {
	types, err := api.TypeList(ctx, &paas.PaasTypeListOptions{Name: []string{name}})
	if err != nil {
		return "", fmt.Errorf("look up type %q in the catalogue: %w", name, err)
	}
	for _, t := range types {
		if t.Name == name {
			return t.Visibility, nil
		}
	}
	return "", nil
}

func intsOf(v []int32) []int {
	if len(v) == 0 {
		return nil
	}
	out := make([]int, len(v))
	for i, n := range v {
		out[i] = int(n)
	}
	return out
}
