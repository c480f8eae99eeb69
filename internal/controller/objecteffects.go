package controller

import (
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// This file says on which Gandi object an effectsOnObject's records of
// what it set there hold (see followEffects, adopt and create in
// lifecycle.go).

// effectsStale reports that obj's records of what it set on a Gandi object
// do not hold on id, and where they were made: from is the Gandi ID they
// name (AnnotationEffectsFor), or "" for records written with a create
// intent. created says id is what obj's own create made (recordCreated).
//
// Records written with a create intent (the first password, SSH keys and
// vhosts sent with the create) hold only on the object that create made:
// when the create never happened (a reset, a crash) and a person names
// another object, or the object adopts one, that object never got any of
// them. Records naming another object hold there only. Records naming
// nothing and written with no intent are an older build's, made on the
// object recorded then: they are taken to be on id, as they always were.
func effectsStale(obj client.Object, id string, created bool) (from string, stale bool) {
	if created {
		return "", false
	}
	if was, recorded := obj.GetAnnotations()[hostingv1alpha1.AnnotationEffectsFor]; recorded {
		return was, was != id
	}
	_, intent := createPendingSince(obj)
	return "", intent
}

// effectKeys are the annotations of an effectsOnObject's records of what
// it set on its Gandi object: each record and its confirmation, and beside
// the paid change's the times of its values (paidSentAtKey) and the paid
// hold (paidHoldKey). The hold is about the
// past of the instance it was recorded for: kept when the ID goes, it
// held the first paid change of the instance the object's own create
// then bought (recreateIfDeleted), whose past it knows; another instance
// it takes hold of gets a hold of its own in that write (withPaidHold).
func effectKeys(e effectsOnObject) []string {
	effects := e.objectEffects()
	keys := make([]string, 0, 2*len(effects)+2)
	for _, effect := range effects {
		keys = append(keys, effectAnnotationPrefix+effect, confirmedKey(effect))
		if effect == effectPaidChange {
			keys = append(keys, paidSentAtKey, paidHoldKey)
		}
	}
	return keys
}

// staleEffectKeys are the records ext's object holds that do not hold on
// id (effectsStale): the keys to remove in the write that records id.
func staleEffectKeys(obj client.Object, ext external, id string, created bool) []string {
	e, ok := ext.(effectsOnObject)
	if !ok {
		return nil
	}
	if _, stale := effectsStale(obj, id, created); !stale {
		return nil
	}
	return effectKeys(e)
}

// effectsDropped tells status and the user that records which did not
// hold on id were dropped (once written): what they recorded is set again
// on id as the spec asks.
func (l *lifecycle) effectsDropped(obj managed, ext external, from, id string) {
	e, ok := ext.(effectsOnObject)
	if !ok {
		return
	}
	e.forgetObjectEffects()
	what := strings.Join(e.objectEffects(), ", ")
	msg := fmt.Sprintf("the external ID is now %s, not %s: what was recorded as set on %s (%s) is not taken as set on %s, and is set again as the spec asks",
		id, from, from, what, id)
	if from == "" {
		msg = fmt.Sprintf("the external ID is now %s, which this object's create did not make: what was recorded as sent with that create (%s) is not taken as set on %s, and is set again as the spec asks",
			id, what, id)
	}
	l.events.normal(obj, hostingv1alpha1.ReasonExternalIDChanged, "Follow", msg)
}

// intentEffects completes a create intent's records for an effectsOnObject:
// the records of what was set on a former Gandi object (before a
// recreate) that the intent does not write afresh are removed, and so is
// the name of that object, so that what the intent records is known as
// made with it (effectsStale) until the ID it makes is recorded.
func intentEffects(ext external, records map[string]string) []string {
	e, ok := ext.(effectsOnObject)
	if !ok {
		return nil
	}
	remove := []string{hostingv1alpha1.AnnotationEffectsFor}
	for _, k := range effectKeys(e) {
		if _, set := records[k]; !set {
			remove = append(remove, k)
		}
	}
	return remove
}
