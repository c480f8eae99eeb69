package v1alpha1

// Condition reasons the operator reports. They are part of the API: users,
// alerts and tools (kubectl gandi, dashboards) match on them, so a reason is
// renamed only with a new API version.
const (
	// Readiness read from Gandi's states.
	ReasonAvailable         = "Available"
	ReasonCreating          = "Creating"
	ReasonWaitingForPayment = "WaitingForPayment"
	ReasonInstancePaused    = "InstancePaused"
	ReasonLocked            = "Locked"
	ReasonDeleting          = "Deleting"
	ReasonUpdating          = "Updating"
	// ReasonWaitingForState (Synced=False): Gandi takes no changes to the
	// object in the state it is in (an instance locked, paused or being
	// created; a vhost not running): the differences the message names are
	// sent once it leaves that state.
	ReasonWaitingForState = "WaitingForState"
	// ReasonUnknownState: Gandi reports a state its docs do not list.
	ReasonUnknownState = "UnknownState"

	// The spec is applied, or only observed.
	ReasonUpToDate      = "UpToDate"
	ReasonObserved      = "Observed"
	ReasonDriftDetected = "DriftDetected"

	// ReasonReconcilePaused: the paused annotation is set; nothing is sent.
	ReasonReconcilePaused = "ReconcilePaused"

	// Credentials and Secrets.
	ReasonCredentialsNotFound   = "CredentialsNotFound"
	ReasonCredentialsKeyMissing = "CredentialsKeyMissing"
	// ReasonCredentialsInvalid: the Secret's key holds a value no Gandi
	// credential can be (a line break inside: it would split the
	// Authorization header). Nothing is sent with it.
	ReasonCredentialsInvalid = "CredentialsInvalid"
	ReasonUnauthorized       = "Unauthorized"
	ReasonPasswordNotFound   = "PasswordNotFound"
	// ReasonPasswordInvalid: the password Secret's key holds a password
	// Gandi refuses in clear text (shorter than 8 or longer than 200
	// characters). Nothing is bought or sent with it.
	ReasonPasswordInvalid = "PasswordInvalid"
	// ReasonConnectionSecretConflict: spec.writeConnectionSecretToRef names
	// a Secret this object did not create (a user's Secret, a credentials
	// Secret, another object's connection Secret). The operator changes
	// nothing in it; name another Secret, or delete that one.
	ReasonConnectionSecretConflict = "ConnectionSecretConflict"

	// Ownership: what this object may manage at Gandi.
	ReasonAlreadyExists           = "AlreadyExists"
	ReasonAmbiguousExternalObject = "AmbiguousExternalObject"
	ReasonExternalNotFound        = "ExternalNotFound"
	// ReasonCredentialsChanged (Ready=False): Gandi does not show the
	// recorded object under the credentials the object now uses, which
	// are not the ones it was last seen under (status.observedWith):
	// another account's credentials get the answer a deleted object gets,
	// so it is not taken for deleted. Nothing is bought, deleted or let
	// go; the message says what to point back, or how to confirm it gone.
	ReasonCredentialsChanged = "CredentialsChanged"
	// ReasonOwnedByAnotherObject: another object of the cluster already
	// names the same Gandi object (for a TemplateApplication: applies the
	// same template, or writes one of the same namespaces, on the same
	// domain); this one never writes to it.
	ReasonOwnedByAnotherObject = "OwnedByAnotherObject"
	// ReasonInstanceChanged (an event): a Vhost's instance is now another
	// one than the one its vhost was recorded on; that vhost is left there.
	ReasonInstanceChanged = "InstanceChanged"
	// ReasonExternalIDChanged (an event): an instance's external-id now
	// names another Gandi object than the one its password (SSH keys,
	// vhosts) were recorded as set on; those records are dropped.
	ReasonExternalIDChanged = "ExternalIDChanged"
	// ReasonNotEditable: the template is one of Gandi's public ones, which
	// are never modified or deleted.
	ReasonNotEditable = "NotEditable"

	// ReasonCreateRefused (Ready=False): Gandi refused the create, or it
	// could not be sent as the spec stands (Synced says why), and no create
	// of this object is on its way: nothing was created or bought. While
	// it stands and status holds no Gandi ID, the CRDs let the create-only
	// fields change, so the spec is corrected in place; the operator takes
	// it off Ready before it sends the create again.
	ReasonCreateRefused = "CreateRefused"

	// Refusals and failures.
	ReasonInvalidSpec        = "InvalidSpec"
	ReasonUnsupportedChange  = "UnsupportedChange"
	ReasonUpgradeUnavailable = "UpgradeUnavailable"
	ReasonRateLimited        = "RateLimited"
	ReasonGandiUnavailable   = "GandiUnavailable"
	ReasonConflict           = "Conflict"
	ReasonActionFailed       = "ActionFailed"
	// ReasonBoosterUnavailable: spec.booster.enabled asks for a boost and
	// Gandi does not offer one now (one runs, or the cooldown after the
	// last is not over); nothing is sent until it does.
	ReasonBoosterUnavailable = "BoosterUnavailable"
	// ReasonActionUnconfirmed: a request (restart, console, reset, cache
	// purge) was recorded before sending, and Gandi's acceptance of it was
	// never seen (a lost answer, a crash): it is not sent again.
	ReasonActionUnconfirmed = "ActionUnconfirmed"
	// ReasonRequestNotPerformed (an event): a request field (restart,
	// console, reset, upgrade, cache purge) already held a value when the
	// object took hold of a Gandi object it did not create; that value is
	// not performed there, a new one is.
	ReasonRequestNotPerformed = "RequestNotPerformed"
	// ReasonPaidChangeHeld (Synced=False): the object took hold of an
	// instance whose past changes it has no record of (restored from a
	// backup, created again, adopted): a paid change (size, storage) sent
	// before may still be under way at Gandi, which shows none, so the
	// paid change the spec asks for is sent only once a grace is over,
	// and not at all if Gandi shows it by then.
	ReasonPaidChangeHeld  = "PaidChangeHeld"
	ReasonKubernetesError = "KubernetesError"
	// ReasonCreateKeyChanged: the name, sharing ID or credentials changed
	// while a create sent under the earlier ones is unconfirmed.
	ReasonCreateKeyChanged = "CreateKeyChanged"
	// ReasonUnexpectedAnswer: Gandi answered something the operator cannot
	// use (an undecodable body, a create without a usable ID).
	ReasonUnexpectedAnswer = "UnexpectedAnswer"
	// ReasonSendWindowPassed: a request recorded before it is sent (a paid
	// create, a template apply) was recorded and then not sent, because
	// its turn came too late after its record: the operator was paused (a
	// leader frozen past its lease, a stopped VM) or starved in between,
	// and another manager may have taken the record for lost and sent its
	// own meanwhile. Nothing was sent; the record is taken back if nothing
	// wrote the object since, and the request is sent again by itself.
	ReasonSendWindowPassed = "SendWindowPassed"
	// ReasonInternalError: an error of the operator itself; please report it.
	ReasonInternalError = "InternalError"

	// Vhosts.
	ReasonWaitingForInstance    = "WaitingForInstance"
	ReasonWaitingForCertificate = "WaitingForCertificate"
	ReasonWaitingForOwnership   = "WaitingForOwnership"
	ReasonOwnershipValidated    = "OwnershipValidated"
	ReasonValidationFailed      = "ValidationFailed"
	ReasonApplicationFailed     = "ApplicationFailed"
	ReasonDNSConfigured         = "Configured"
	ReasonDNSRecordsNeeded      = "RecordsNeeded"

	// Template applications.
	ReasonWaitingForTemplate = "WaitingForTemplate"
	ReasonTemplateNotFound   = "TemplateNotFound"
	ReasonDomainNotFound     = "DomainNotFound"
	ReasonApplying           = "Applying"
	ReasonDispatchFailed     = "DispatchFailed"
	// ReasonAppliedUnconfirmed (Ready=False): an apply may have reached
	// Gandi, but its answer was lost twice (the apply and the one sent
	// again to settle it) and nothing Gandi shows settles whether it was
	// performed. It is not sent a third time.
	ReasonAppliedUnconfirmed = "AppliedUnconfirmed"
	// ReasonConfirmedOnDomain (Ready=True): the answer to an apply was
	// lost, so its dispatch cannot be followed, but the domain shows every
	// namespace of the template as it sets them.
	ReasonConfirmedOnDomain = "ConfirmedOnDomain"

	// Expiry of a HostingInstance (the ExpiringSoon condition). True:
	ReasonExpiresWithoutRenewal = "ExpiresWithoutRenewal" // ends within the warning window and will not renew
	ReasonExpired               = "Expired"               // the end date has passed and the instance did not renew
	// False:
	ReasonAutorenewEnabled  = "AutorenewEnabled"  // Gandi renews it at the end date
	ReasonNotExpiringSoon   = "NotExpiringSoon"   // the end is beyond the warning window
	ReasonExpiryUnknown     = "ExpiryUnknown"     // Gandi reports no end date
	ReasonExpiryWarningsOff = "ExpiryWarningsOff" // the operator runs with --expiry-warning-days=0
)

// ConditionDNSConfigured is True when Gandi found a vhost's DNS records.
const ConditionDNSConfigured = "DNSConfigured"

// PaaS instances (the legacy XML-RPC API).
const (
	// ConditionTypeDeprecated is True when Gandi's catalogue marks the
	// instance's type as deprecated: it still runs, but should be moved.
	ConditionTypeDeprecated = "TypeDeprecated"

	// ReasonAPIKeyRequired: the credentials Secret has no "apikey"; the
	// XML-RPC API accepts no personal access token.
	ReasonAPIKeyRequired = "APIKeyRequired"
	// ReasonDeprecatedType and ReasonSupportedType explain TypeDeprecated.
	ReasonDeprecatedType = "DeprecatedType"
	ReasonSupportedType  = "SupportedType"
	// ReasonVhostConflict: a listed vhost exists on another instance.
	ReasonVhostConflict = "VhostConflict"
)

// ConditionExpiringSoon is True when a HostingInstance ends within the
// operator's warning window (--expiry-warning-days) and Gandi will not renew
// it (autorenew off, or the subscription cancelled). It is a warning only:
// Ready does not depend on it.
const ConditionExpiringSoon = "ExpiringSoon"
