package controller

import (
	"context"
	"errors"
	"fmt"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// The docs give 403 to two different things: a bearer token that "has
// expired, does not have enought permission or does not exists", and a
// resource "Access to the resource is denied. Mainly due to a lack of
// permissions to access it." (another organization's template or
// instance, say, or one of an organization the token lost); 401 is only a
// wrong API key. Reported as a token problem, an object of another account
// sends the user to check a token that works; taken for "not found", a
// revoked token would read as objects deleted. So a 403
// to a read of one object is read again through a read of no particular
// object under the same credentials (probe): answered, the token works and
// the refusal is about the object, which these credentials cannot see;
// refused too, it is the token.

// errNotVisible marks Gandi's 403 to a read of one object under
// credentials it answers otherwise: the object exists, or may, where
// these credentials cannot see it.
var errNotVisible = errors.New("not visible to these credentials, which Gandi answers for other reads")

// forbiddenVerdict is what a 403 to a read of one object means, given
// what the probe got.
type forbiddenVerdict int

const (
	// tokenRefused: the probe was refused too (401 or 403): the token.
	tokenRefused forbiddenVerdict = iota
	// objectRefused: the probe was answered: the object is not visible to
	// working credentials.
	objectRefused
	// probeFailed: the probe failed otherwise (5xx, timeout, rate limit):
	// nothing is concluded, the pass retries.
	probeFailed
)

// judgeForbidden reads the probe's answer (nil: it was answered).
func judgeForbidden(probeErr error) forbiddenVerdict {
	switch {
	case probeErr == nil:
		return objectRefused
	case gandi.IsUnauthorized(probeErr), gandi.IsForbidden(probeErr):
		return tokenRefused
	}
	return probeFailed
}

// notVisible returns err, Gandi's answer to a read of one object, as it
// means: a 403 under credentials probe shows working wraps errNotVisible
// (and still the 403); one under refused credentials is err as it is (the
// token); a probe that fails otherwise is that failure, so the pass
// retries rather than conclude. Any other err, 401 included (a wrong API
// key), is returned unchanged without a probe.
func notVisible(ctx context.Context, err error, probe func(context.Context) error) error {
	if !gandi.IsForbidden(err) {
		return err
	}
	perr := probe(ctx)
	switch judgeForbidden(perr) {
	case objectRefused:
		return fmt.Errorf("%w: %w", errNotVisible, err)
	case probeFailed:
		// Only the probe's failure is wrapped: classified, the 403 would
		// read as a token refused, and the pass would not retry.
		return fmt.Errorf("tell whether Gandi refused the token or the object (%v): %w", err, perr) //nolint:errorlint // see above
	}
	return err
}

// templatesProbe is the probe of a template read: the template list,
// which any token allowed to read templates is answered.
func templatesProbe(api interface {
	ListTemplates(ctx context.Context, opts gandi.ListTemplatesOptions) ([]gandi.TemplateSummary, error)
}) func(context.Context) error {
	return func(ctx context.Context) error {
		_, err := api.ListTemplates(ctx, gandi.ListTemplatesOptions{})
		return err
	}
}

// instancesProbe is the probe of an instance's or a vhost's read: the
// first page of the instance list, one instance long, under the token's
// own organizations (no sharing_id: an organization the token lost is the
// object's refusal, not the token's). It is always sent, never served from
// an observer's list: a list read before the token was revoked would take
// the revocation for an object refused.
func instancesProbe(api interface {
	PeekInstances(ctx context.Context) error
}) func(context.Context) error {
	return api.PeekInstances
}

// refusedMessage says, for people, that Gandi refuses what (`template 42`)
// to src while it answers them otherwise.
func refusedMessage(what string, src credentialSource) string {
	return "Gandi refuses " + what + " to " + src.String() + " (403) while it answers them for other reads: it exists, or may, " +
		"in an organization these credentials cannot see (another account's, or one they lost access to)"
}

// refused reports a known object that Gandi refuses to src although it
// answers them for other reads (errNotVisible): it is not gone, only out of
// their sight, so nothing is created, written or deleted on it. Last seen
// under other credentials, the credentials changed (CredentialsChanged,
// what status.observedWith is kept for; confirm says how the user confirms
// it gone, as notFoundElsewhere); otherwise these lost their access to it,
// or never had it (an ID from the annotation). what names it for people
// (`template 42`), id is what its record of credentials holds.
func (l *lifecycle) refused(obj managed, what, id string, src credentialSource, confirm string) result {
	if res := l.notFoundElsewhere(obj, what, id, src, confirm); res != nil {
		return *res
	}
	msg := refusedMessage(what, src) + "; nothing is created, written or deleted: give these credentials access to its organization, or point them at its account"
	l.events.warn(obj, hostingv1alpha1.ReasonExternalNotFound, "Observe", msg)
	return *stopped(obj, l.timing, hostingv1alpha1.ReasonExternalNotFound, msg)
}
