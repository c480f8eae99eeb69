package controller

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// effectSSHKeysAppended records the keys of spec.sshKeys this object sent
// (or may have sent: the record is written before) to its instance, as
// OpenSSH fingerprints. paas.update's ssh_key only appends ("Append the
// ssh key in the list of ssh authorized keys"), and paas.info does not
// show the keys: a key the spec drops stays authorized at Gandi, and this
// record is all that says it may be there. Only `keys` (spec.sshKeyIDs)
// is replaced whole. The user edits the record (sshKeysDroppedProblem
// says how) once a dropped key is removed at Gandi by hand.
const effectSSHKeysAppended = "ssh-keys-appended"

// sshKeyFingerprint is the OpenSSH fingerprint of a public key line, as
// ssh-keygen -lf prints it (SHA256 of the key blob, unpadded base64): how
// a user finds the key at Gandi, whatever its comment. A blob that is not
// base64 (the CRD pattern lets bad padding through) is hashed as text.
func sshKeyFingerprint(key string) string {
	data := key
	if f := strings.Fields(key); len(f) >= 2 {
		data = f[1]
	}
	blob, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		blob = []byte(data)
	}
	sum := sha256.Sum256(blob)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// sshKeyFingerprints are the fingerprints of keys, sorted, each once.
func sshKeyFingerprints(keys []string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, sshKeyFingerprint(k))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// parseAppendedSSHKeys reads a record of effectSSHKeysAppended.
func parseAppendedSSHKeys(record string) []string {
	var out []string
	for f := range strings.SplitSeq(record, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// appendedSSHKeysWith is the record of effectSSHKeysAppended once keys
// are sent too: keys sent before stay, since sending a list removes none.
func appendedSSHKeysWith(record string, keys []string) string {
	all := append(parseAppendedSSHKeys(record), sshKeyFingerprints(keys)...)
	slices.Sort(all)
	return strings.Join(slices.Compact(all), ",")
}

// droppedSSHKeys splits the keys recorded as sent (record) into those the
// spec's keys no longer list, which may still be authorized at Gandi, and
// those it lists (kept: the record once the dropped ones are gone).
func droppedSSHKeys(record string, keys []string) (dropped, kept []string) {
	want := sshKeyFingerprints(keys)
	for _, f := range parseAppendedSSHKeys(record) {
		if slices.Contains(want, f) {
			kept = append(kept, f)
		} else {
			dropped = append(dropped, f)
		}
	}
	return dropped, kept
}

// sshKeysDroppedProblem reports the keys this object sent that its spec
// no longer lists (nil: none). Gandi may still authorize them, and the
// operator can neither remove nor see them, so the instance is never
// reported up to date while they are recorded: the user removes them at
// Gandi and says so by editing the record, or lists them again.
func sshKeysDroppedProblem(pi *hostingv1alpha1.PaaSInstance) *problem {
	dropped, kept := droppedSSHKeys(recordedEffect(pi, effectSSHKeysAppended), pi.Spec.SSHKeys)
	if len(dropped) == 0 {
		return nil
	}
	key := effectAnnotationPrefix + effectSSHKeysAppended
	ack := fmt.Sprintf("kubectl annotate -n %s paasinstance %s %s-", pi.Namespace, pi.Name, key)
	if len(kept) > 0 {
		ack = fmt.Sprintf("kubectl annotate -n %s paasinstance %s --overwrite %s=%s", pi.Namespace, pi.Name, key, strings.Join(kept, ","))
	}
	return &problem{hostingv1alpha1.ReasonUnsupportedChange, fmt.Sprintf(
		"spec.sshKeys no longer lists %d key(s) this object sent to the instance (%s), which Gandi may still authorize: "+
			"paas.update's ssh_key can only append a key to the instance's authorized keys, never remove one, and paas.info does not show them. "+
			"Remove them at Gandi by hand, then record that they are gone: %s (or list them in spec.sshKeys again). "+
			"Keys given by ID in spec.sshKeyIDs (registered at Gandi) can be taken away by the operator: Gandi replaces that list whole",
		len(dropped), strings.Join(dropped, ", "), ack)}
}

// seedAppendedSSHKeys records, for an object an earlier build sent
// spec.sshKeys for without this record, the keys its spec lists: they
// are the list Gandi accepted (or may have: its answer lost), so that a
// key dropped from now on is reported. Keys dropped before cannot be
// known.
func (p *paasPass) seedAppendedSSHKeys(ctx context.Context) *result {
	pi := p.pi
	if _, ok := pi.GetAnnotations()[effectAnnotationPrefix+effectSSHKeysAppended]; ok ||
		len(pi.Spec.SSHKeys) == 0 || recordedEffect(pi, effectSSHKeys) == "" {
		return nil
	}
	record := effectRecord(effectSSHKeysAppended, appendedSSHKeysWith("", pi.Spec.SSHKeys))
	if err := recordOutcome(ctx, p.r.Client, pi, annotationPatch{set: record}); err != nil {
		return halt(retry(fmt.Errorf("record the SSH keys sent by an earlier build: %w", err)))
	}
	return nil
}
