package gandisim

import (
	"time"

	"github.com/google/uuid"
)

// advance moves every object through its transitional states up to now. It is
// called under s.mu before any request or inspection, so transitions need no
// timers. Each transition happens at its exact due time (not at now), so a
// late look still sees consistent timestamps and chained transitions.
//
// Dispatches go first: the zones they change are then what the vhosts'
// ownership checks see.
func (s *Server) advance(now time.Time) {
	for _, d := range s.dispatches {
		s.advanceDispatch(d, now)
	}
	for id, in := range s.instances {
		if s.advanceInstance(in, now) {
			delete(s.instances, id)
		}
	}
	s.advancePaas(now)
}

// advanceInstance reports whether the instance is gone.
func (s *Server) advanceInstance(in *instance, now time.Time) bool {
	t := s.timings
loop:
	for {
		switch in.Status {
		case statusWaitingBill:
			at := in.statusSince.Add(t.InstanceWaitingBill)
			if now.Before(at) {
				break loop
			}
			in.Status, in.statusSince = statusBeingCreated, at
		case statusBeingCreated:
			at := in.statusSince.Add(t.InstanceBeingCreated)
			if now.Before(at) {
				break loop
			}
			in.Status, in.statusSince = statusActive, at
		case statusBeingDeleted:
			if !now.Before(in.statusSince.Add(t.InstanceBeingDeleted)) {
				return true
			}
			break loop
		default:
			break loop
		}
	}
	in.applyUpdates(now)
	// The vhosts of the create body appear once the instance is active, also
	// when a test forced it active with UpdateInstance.
	if in.Status == statusActive && len(in.pending) > 0 {
		for _, vh := range in.pending {
			vh.statusSince, vh.appSince, vh.CreatedAt = in.statusSince, in.statusSince, in.statusSince
			in.vhosts = append(in.vhosts, vh)
		}
		in.pending = nil
	}
	kept := in.vhosts[:0]
	for _, vh := range in.vhosts {
		if !s.advanceVhost(in, vh, now) {
			kept = append(kept, vh)
		}
	}
	in.vhosts = kept
	return false
}

// advanceVhost reports whether the vhost is gone. A vhost whose zone the
// instance's organization may alter has its ownership proven and runs once
// created; any other waits in waiting_ownership for its proof in the
// simulated DNS, then passes ownership_validated, or fails after
// VhostValidationTimeout.
func (s *Server) advanceVhost(in *instance, vh *vhost, now time.Time) bool {
	t := s.timings
loop:
	for {
		switch vh.Status {
		case statusBeingCreated:
			at := vh.statusSince.Add(t.VhostBeingCreated)
			if now.Before(at) {
				break loop
			}
			if s.alterable(in.OrgID, vh.FQDN) {
				s.startRunning(in, vh, at)
			} else {
				vh.Status, vh.statusSince = statusWaitingOwnership, at
			}
		case statusWaitingOwnership:
			deadline := vh.statusSince.Add(t.VhostValidationTimeout)
			since, proven := s.proofSince(in, vh)
			if proven && since.Before(vh.statusSince) {
				since = vh.statusSince
			}
			switch {
			case proven && since.Before(deadline):
				vh.Status, vh.statusSince = statusOwnershipValidated, since
			case !now.Before(deadline):
				vh.Status, vh.statusSince = statusValidationFailed, deadline
				break loop
			default:
				break loop
			}
		case statusOwnershipValidated:
			at := vh.statusSince.Add(t.VhostOwnershipValidated)
			if now.Before(at) {
				break loop
			}
			s.startRunning(in, vh, at)
		case statusBeingDeleted:
			return !now.Before(vh.statusSince.Add(t.VhostBeingDeleted))
		default:
			break loop
		}
	}
	s.recheckZone(in, vh, now)
	// An application installs once its vhost runs: its clock starts at the
	// later of the two.
	if vh.ApplicationStatus == statusBeingCreated && vh.Status == statusRunning {
		start := vh.appSince
		if vh.runningAt.After(start) {
			start = vh.runningAt
		}
		if !now.Before(start.Add(t.ApplicationBeingCreated)) {
			vh.ApplicationStatus = statusRunning
		}
	}
	return false
}

// startRunning is the end of a vhost's creation: its free certificate, and
// its records when Gandi may write them.
func (s *Server) startRunning(in *instance, vh *vhost, at time.Time) {
	vh.Status, vh.statusSince, vh.runningAt = statusRunning, at, at
	if vh.withFreeSSL && len(vh.Certificates) == 0 {
		vh.Certificates = append(vh.Certificates, CertificateView{ID: uuid.NewString()})
	}
	s.alterZone(in, vh, at)
	vh.LastCheckedStatus, vh.LastCheckedAt = s.zoneStatus(in, vh), at
}
