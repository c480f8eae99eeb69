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
// is named again for a live instance. The Secrets an object wrote are
// found through connectionSecretIndex, in the manager's cache: the normal
// pass sends no request for them.

// connectionSecretIndex indexes the watched Secrets' metadata by the UID
// of the HostingInstance that wrote them: both marks name it.
const connectionSecretIndex = "gandi.connectionSecretOf"

// connectionSecretOf is obj's connectionSecretIndex key: the UID both its
// marks name, none when they do not agree (a Secret of an earlier
// version, without the label, is not looked for).
func connectionSecretOf(obj client.Object) []string {
	uid := obj.GetLabels()[hostingv1alpha1.LabelConnectionSecretOf]
	owner := metav1.GetControllerOfNoCopy(obj)
	if uid == "" || owner == nil || string(owner.UID) != uid {
		return nil
	}
	return []string{uid}
}

// keepConnectionSecrets writes the connection Secret the spec names, for
// the instance just observed, and retires those this object wrote under
// another name.
func (r *HostingInstanceReconciler) keepConnectionSecrets(ctx context.Context, hi *hostingv1alpha1.HostingInstance) error {
	keep, why := "", "spec.writeConnectionSecretToRef names no Secret"
	if ref := hi.Spec.WriteConnectionSecretToRef; ref != nil {
		keep, why = ref.Name, "spec.writeConnectionSecretToRef names Secret "+ref.Name
	}
	return errors.Join(r.writeConnectionSecret(ctx, hi), r.retireConnectionSecrets(ctx, hi, keep, why))
}

// writeConnectionSecret keeps the Secret an application reads to reach the
// instance. It holds endpoints only, never a password.
func (r *HostingInstanceReconciler) writeConnectionSecret(ctx context.Context, hi *hostingv1alpha1.HostingInstance) error {
	ref := hi.Spec.WriteConnectionSecretToRef
	if ref == nil || hi.Status.Access == nil {
		return nil
	}
	// The CRD refuses such names; this catches objects stored before it did.
	if errs := validation.IsDNS1123Subdomain(ref.Name); len(errs) > 0 {
		return &specError{reason: hostingv1alpha1.ReasonInvalidSpec, msg: fmt.Sprintf("spec.writeConnectionSecretToRef.name %q is not a valid Secret name: %s", ref.Name, strings.Join(errs, "; "))}
	}
	key := types.NamespacedName{Namespace: hi.Namespace, Name: ref.Name}
	secret, err := r.readConnectionSecret(ctx, hi, key)
	if apierrors.IsNotFound(err) {
		return r.createConnectionSecret(ctx, hi, key)
	}
	if err != nil {
		return err
	}
	want := connectionData(hi.Status.Access)
	if connectionSecretHolds(secret, want) {
		return nil
	}
	base := secret.DeepCopy()
	secret.Data = want
	secret.Labels[hostingv1alpha1.LabelWatch] = hostingv1alpha1.LabelWatchValue
	delete(secret.Annotations, hostingv1alpha1.AnnotationRetired)
	return r.patchConnectionSecret(ctx, secret, base, "update")
}

// connectionSecretHolds reports that secret, written by its object, holds
// want and is live (watched, not retired): nothing to write.
func connectionSecretHolds(secret *corev1.Secret, want map[string][]byte) bool {
	_, retired := secret.Annotations[hostingv1alpha1.AnnotationRetired]
	return !retired && maps.EqualFunc(secret.Data, want, bytes.Equal) &&
		secret.Labels[hostingv1alpha1.LabelWatch] == hostingv1alpha1.LabelWatchValue
}

// retireConnectionSecrets retires the connection Secrets hi wrote, but
// keep's (none when empty), saying why: those the cache shows, and the
// one the spec names, which the cache may not show yet (created in the
// pass before).
func (r *HostingInstanceReconciler) retireConnectionSecrets(ctx context.Context, hi *hostingv1alpha1.HostingInstance, keep, why string) error {
	written, err := r.writtenConnectionSecrets(ctx, hi)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range toRetire(written, hi.Spec.WriteConnectionSecretToRef, keep) {
		errs = append(errs, r.retireConnectionSecret(ctx, hi, types.NamespacedName{Namespace: hi.Namespace, Name: name}, why))
	}
	return errors.Join(errs...)
}

// toRetire picks the Secrets to retire: those written (as the cache
// shows them) and the one ref names, but keep. An invalid name (stored
// before the CRD refused it) names no Secret.
func toRetire(written []string, ref *hostingv1alpha1.LocalObjectReference, keep string) []string {
	names := slices.Clone(written)
	if ref != nil && len(validation.IsDNS1123Subdomain(ref.Name)) == 0 {
		names = append(names, ref.Name)
	}
	slices.Sort(names)
	names = slices.Compact(names)
	return slices.DeleteFunc(names, func(n string) bool { return n == keep })
}

// writtenConnectionSecrets names the watched Secrets the cache shows
// marked as hi's; none without a cache (SecretMeta nil).
func (r *HostingInstanceReconciler) writtenConnectionSecrets(ctx context.Context, hi *hostingv1alpha1.HostingInstance) ([]string, error) {
	if r.SecretMeta == nil || hi.UID == "" {
		return nil, nil
	}
	list := &metav1.PartialObjectMetadataList{}
	list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("SecretList"))
	if err := r.SecretMeta.List(ctx, list, client.InNamespace(hi.Namespace), client.MatchingFields{connectionSecretIndex: string(hi.UID)}); err != nil {
		return nil, fmt.Errorf("list the connection Secrets of this object: %w", err)
	}
	names := make([]string, 0, len(list.Items))
	for _, m := range list.Items {
		names = append(names, m.Name)
	}
	return names, nil
}

// retireConnectionSecret retires the Secret at key when it is hi's and
// not retired yet; any other Secret, or none, is left as it is.
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
// empty and unwatched (what a person changed in it since is put back).
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
