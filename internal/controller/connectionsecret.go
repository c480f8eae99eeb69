package controller

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// The connection Secret (spec.writeConnectionSecretToRef).
//
// The operator writes only a Secret it created for this very object. What
// it creates carries two marks: the label
// hosting.gandi-operator.dev/connection-secret-of=<UID of the
// HostingInstance> and a controller owner reference to the HostingInstance
// (so the Secret is deleted with it). It updates a Secret only when both
// marks name this object's UID, checked on the very version it patches
// (the patch carries that resourceVersion, so a Secret changed in between
// is not written). Any other Secret, whether a user's, a credentials Secret
// or another object's connection Secret, is left exactly as it is, data,
// labels and owner references included, and the object reports
// ConnectionSecretConflict on Synced, naming it. Its data is not even read:
// the check is made on its metadata.
//
// Why the marks cannot be forged into more power: both are metadata of the
// Secret itself, so only someone who may write that Secret can put them
// there, and the operator then writes only what that person could write
// anyway. Someone who may create HostingInstances but not write a Secret
// cannot make the operator write it: naming it gets the conflict. (The UID
// makes the mark specific: a Secret made for one HostingInstance is not
// written for another one that names it.) Creating a Secret that does not
// exist yet is allowed, as before.
//
// Upgrading: connection Secrets written by earlier versions have the owner
// reference but not the label, and are reported as conflicts; deleting
// them lets the operator write them again, marked.

// Retiring. A connection Secret that no longer describes a live instance
// (the instance is gone at Gandi, or spec.writeConnectionSecretToRef now
// names another Secret or none) would otherwise keep telling applications
// to connect to what is not there, or stay frozen while the instance
// changes. The operator may not delete Secrets (RBAC: a bug of it must not
// be able to delete a user's), so it retires such a Secret, under the same
// two marks and the same check on the version patched: its data is
// emptied, the annotation hosting.gandi-operator.dev/retired says why, and
// the watch label goes (nothing about it needs a reaction any more, and it
// leaves the manager's cache). It keeps its marks, so Kubernetes still
// deletes it with the HostingInstance, and is written again, whole, if it
// is named again for a live instance.
//
// Only a Secret the object recorded writing is retired:
// status.connectionSecrets names each one a pass wrote (or found holding
// what it would write), set in the status write of that pass, so the
// record costs no request of its own. The marks alone do not say that the
// operator wrote a Secret: a person's copy of the connection Secret under
// another name (kubectl get -o yaml, renamed, applied) carries both, and
// what it holds is that person's business. A Secret leaves the record once
// retired, deleted, or no longer marked as the object's.

// keepConnectionSecrets writes the connection Secret the spec names, for
// the instance just observed, records it, and retires those this object
// recorded writing under another name.
func (r *HostingInstanceReconciler) keepConnectionSecrets(ctx context.Context, hi *hostingv1alpha1.HostingInstance) error {
	keep, why := "", "spec.writeConnectionSecretToRef names no Secret"
	if ref := hi.Spec.WriteConnectionSecretToRef; ref != nil {
		keep, why = ref.Name, "spec.writeConnectionSecretToRef names Secret "+ref.Name
	}
	holds, err := r.writeConnectionSecret(ctx, hi)
	if holds {
		hi.Status.ConnectionSecrets = recordConnectionSecret(hi.Status.ConnectionSecrets, keep)
	}
	return errors.Join(err, r.retireConnectionSecrets(ctx, hi, keep, why))
}

// recordConnectionSecret adds name to the Secrets recorded written.
func recordConnectionSecret(recorded []string, name string) []string {
	if slices.Contains(recorded, name) {
		return recorded
	}
	return append(slices.Clone(recorded), name)
}

// writeConnectionSecret keeps the Secret an application reads to reach the
// instance. It holds endpoints only, never a password. holds: the Secret
// the spec names is this object's and now holds the instance's endpoints.
func (r *HostingInstanceReconciler) writeConnectionSecret(ctx context.Context, hi *hostingv1alpha1.HostingInstance) (holds bool, err error) {
	ref := hi.Spec.WriteConnectionSecretToRef
	if ref == nil || hi.Status.Access == nil {
		return false, nil
	}
	// The CRD refuses such names; this catches objects stored before it did.
	if errs := validation.IsDNS1123Subdomain(ref.Name); len(errs) > 0 {
		return false, &specError{reason: hostingv1alpha1.ReasonInvalidSpec, msg: fmt.Sprintf("spec.writeConnectionSecretToRef.name %q is not a valid Secret name: %s", ref.Name, strings.Join(errs, "; "))}
	}
	key := types.NamespacedName{Namespace: hi.Namespace, Name: ref.Name}
	secret, err := r.readConnectionSecret(ctx, hi, key)
	if apierrors.IsNotFound(err) {
		err = r.createConnectionSecret(ctx, hi, key)
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	want := connectionData(hi.Status.Access)
	if connectionSecretHolds(secret, want) {
		return true, nil
	}
	base := secret.DeepCopy()
	secret.Data = want
	secret.Labels[hostingv1alpha1.LabelWatch] = hostingv1alpha1.LabelWatchValue
	delete(secret.Annotations, hostingv1alpha1.AnnotationRetired)
	err = r.patchConnectionSecret(ctx, secret, base, "update")
	return err == nil, err
}

// connectionSecretHolds reports that secret, written by its object, holds
// want and is live (watched, not retired): nothing to write.
func connectionSecretHolds(secret *corev1.Secret, want map[string][]byte) bool {
	_, retired := secret.Annotations[hostingv1alpha1.AnnotationRetired]
	return !retired && maps.EqualFunc(secret.Data, want, bytes.Equal) &&
		secret.Labels[hostingv1alpha1.LabelWatch] == hostingv1alpha1.LabelWatchValue
}

// retireConnectionSecrets retires the connection Secrets status records
// hi wrote, but keep's (none when empty), saying why.
func (r *HostingInstanceReconciler) retireConnectionSecrets(ctx context.Context, hi *hostingv1alpha1.HostingInstance, keep, why string) error {
	still, err := retireRecorded(hi.Status.ConnectionSecrets, keep, func(name string) error {
		return r.retireConnectionSecret(ctx, hi, types.NamespacedName{Namespace: hi.Namespace, Name: name}, why)
	})
	hi.Status.ConnectionSecrets = still
	return err
}

// retireRecorded retires each recorded Secret but keep, and returns those
// still recorded: keep, and any whose retirement failed (the next pass
// tries again).
func retireRecorded(recorded []string, keep string, retire func(name string) error) ([]string, error) {
	var still []string
	var errs []error
	for _, name := range recorded {
		if name == keep {
			still = append(still, name)
			continue
		}
		if err := retire(name); err != nil {
			still = append(still, name)
			errs = append(errs, err)
		}
	}
	return still, errors.Join(errs...)
}

// retireConnectionSecret retires the Secret at key when it is hi's and
// not retired yet; any other Secret, or none, is left as it is (and is
// done with: nil).
func (r *HostingInstanceReconciler) retireConnectionSecret(ctx context.Context, hi *hostingv1alpha1.HostingInstance, key types.NamespacedName, why string) error {
	secret, err := r.readConnectionSecret(ctx, hi, key)
	var notOurs *specError
	if apierrors.IsNotFound(err) || errors.As(err, &notOurs) {
		return nil
	}
	if err != nil {
		return err
	}
	if retiredConnectionSecret(secret) {
		return nil
	}
	base := secret.DeepCopy()
	secret.Data = nil
	delete(secret.Labels, hostingv1alpha1.LabelWatch)
	if secret.Annotations == nil {
		secret.Annotations = map[string]string{}
	}
	secret.Annotations[hostingv1alpha1.AnnotationRetired] = why
	return r.patchConnectionSecret(ctx, secret, base, "retire")
}

// retiredConnectionSecret reports a Secret already retired: annotated,
// empty and unwatched.
func retiredConnectionSecret(secret *corev1.Secret) bool {
	_, retired := secret.Annotations[hostingv1alpha1.AnnotationRetired]
	_, watched := secret.Labels[hostingv1alpha1.LabelWatch]
	return retired && len(secret.Data) == 0 && !watched
}

// readConnectionSecret reads the Secret at key when it is hi's
// (checkConnectionSecretOf, a specError otherwise): its metadata first, so
// that the data of a Secret that is not this object's is never read, then
// the check again on the version read whole, which a patch then carries.
// A Secret that does not exist is the API server's NotFound.
func (r *HostingInstanceReconciler) readConnectionSecret(ctx context.Context, hi *hostingv1alpha1.HostingInstance, key types.NamespacedName) (*corev1.Secret, error) {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("Secret"))
	if err := r.Reader.Get(ctx, key, m); err != nil {
		return nil, fmt.Errorf("read Secret %s: %w", key.Name, err)
	}
	if err := checkConnectionSecretOf(m, hi); err != nil {
		return nil, err
	}
	secret := &corev1.Secret{}
	if err := r.Reader.Get(ctx, key, secret); err != nil {
		return nil, fmt.Errorf("read Secret %s: %w", key.Name, err)
	}
	if err := checkConnectionSecretOf(secret, hi); err != nil {
		return nil, err
	}
	return secret, nil
}

// patchConnectionSecret writes secret, read whole as base, only if it is
// still that version (a Secret changed in between is not written).
func (r *HostingInstanceReconciler) patchConnectionSecret(ctx context.Context, secret, base *corev1.Secret, what string) error {
	if err := r.Patch(ctx, secret, client.MergeFromWithOptions(base, client.MergeFromWithOptimisticLock{})); err != nil {
		if apierrors.IsInvalid(err) {
			// e.g. someone made it immutable: retrying cannot help.
			return &specError{reason: hostingv1alpha1.ReasonConnectionSecretConflict, msg: fmt.Sprintf("Secret %s refuses the %s: %s", secret.Name, what, apierrors.ReasonForError(err))}
		}
		return fmt.Errorf("%s Secret %s: %w", what, secret.Name, err)
	}
	return nil
}

// createConnectionSecret creates the connection Secret, marked as this
// object's.
func (r *HostingInstanceReconciler) createConnectionSecret(ctx context.Context, hi *hostingv1alpha1.HostingInstance, key types.NamespacedName) error {
	secret := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{
			Namespace: key.Namespace, Name: key.Name,
			Labels: map[string]string{
				hostingv1alpha1.LabelConnectionSecretOf: string(hi.UID),
				hostingv1alpha1.LabelWatch:              hostingv1alpha1.LabelWatchValue,
			},
		},
		Type: corev1.SecretTypeOpaque,
		Data: connectionData(hi.Status.Access),
	}
	if err := controllerutil.SetControllerReference(hi, secret, r.Scheme); err != nil {
		return fmt.Errorf("own Secret %s: %w", key.Name, err)
	}
	err := r.Create(ctx, secret)
	switch {
	case err == nil:
		return nil
	case apierrors.IsAlreadyExists(err):
		// Someone created it since it was looked up: the next pass looks
		// again, and reports a conflict if it is not this object's.
		return fmt.Errorf("create Secret %s: it was created meanwhile", key.Name)
	case apierrors.IsInvalid(err):
		return &specError{reason: hostingv1alpha1.ReasonInvalidSpec, msg: fmt.Sprintf("the API server refuses Secret %s: %v", key.Name, err)}
	}
	return fmt.Errorf("create Secret %s: %w", key.Name, err)
}

// checkConnectionSecretOf says whether obj is the connection Secret this
// object created: the label and the controller owner reference both name
// its UID. Otherwise the error, for the Synced condition, names the Secret
// and says what to do.
func checkConnectionSecretOf(obj metav1.Object, hi *hostingv1alpha1.HostingInstance) error {
	owner := metav1.GetControllerOfNoCopy(obj)
	controlled := hi.UID != "" && owner != nil && owner.UID == hi.UID
	marked := hi.UID != "" && obj.GetLabels()[hostingv1alpha1.LabelConnectionSecretOf] == string(hi.UID)
	if controlled && marked {
		return nil
	}
	msg := fmt.Sprintf("Secret %s already exists and was not created by this HostingInstance (it lacks the label %s=<this object's UID> or the controller owner reference to it), so nothing in it is changed: name another Secret in spec.writeConnectionSecretToRef, or delete this one if nothing else uses it",
		obj.GetName(), hostingv1alpha1.LabelConnectionSecretOf)
	if controlled {
		msg += "; beware: it has a controller owner reference to this HostingInstance (set by an earlier operator version, or by hand), so Kubernetes deletes it with this HostingInstance unless that reference is removed"
	}
	return &specError{reason: hostingv1alpha1.ReasonConnectionSecretConflict, msg: msg}
}

func connectionData(a *hostingv1alpha1.AccessStatus) map[string][]byte {
	data := map[string][]byte{}
	put := func(k, v string) {
		if v != "" {
			data[k] = []byte(v)
		}
	}
	put("admin_url", a.AdminURL)
	put("user", a.User)
	if db := a.Database; db != nil {
		put("database_host", db.Host)
		if db.Port != 0 {
			put("database_port", strconv.Itoa(int(db.Port)))
		}
		put("database_socket", db.Socket)
	}
	if len(a.Deploy) > 0 {
		d := a.Deploy[0]
		put("sftp_server", d.SFTPServer)
		put("sftp_url", d.SFTPURL)
		put("sftp_user", a.User)
		put("git_remote", d.GitRemote)
		put("git_url", d.GitURL)
	}
	return data
}
