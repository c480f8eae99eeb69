package gandisim

import (
	"fmt"
	"net/http"
	"time"
)

// Gandi's booster figures, as reported in booster.next: a boost lasts
// duration_days, and the next one can start cooldown_days after it ended.
// They are Gandi's days, not Timings: a test moves the clock past them.
const (
	boosterDurationDays = 7
	boosterCooldownDays = 30
)

// boosterExpiresAt is when the current boost ends on its own.
func (in *instance) boosterExpiresAt() time.Time {
	return in.boosterSince.AddDate(0, 0, boosterDurationDays)
}

// setBooster turns the boost on (from now) or off (its cooldown starts
// now); asking what already is changes nothing.
func (in *instance) setBooster(on bool, now time.Time) {
	switch {
	case on && !in.Booster:
		in.boosterSince = now
	case !on && in.Booster:
		in.boosterEnded = now
	}
	in.Booster = on
}

// expireBooster ends the current boost once it has run its duration: the
// boost ends at its expires_at, whenever it is looked at.
func (in *instance) expireBooster(now time.Time) {
	if in.Booster && !now.Before(in.boosterExpiresAt()) {
		in.Booster, in.boosterEnded = false, in.boosterExpiresAt()
	}
}

// boosterAvailableAt is booster.next.available_at: the end of the last
// boost plus the cooldown. It is false while a boost is current (its end
// is not known yet) and when no boost has ended (available now).
func (in *instance) boosterAvailableAt() (time.Time, bool) {
	if in.Booster || in.boosterEnded.IsZero() {
		return time.Time{}, false
	}
	return in.boosterEnded.AddDate(0, 0, boosterCooldownDays), true
}

// boosterAvailable is booster.next.available: no boost current and the
// cooldown of the last one over.
func (in *instance) boosterAvailable(now time.Time) bool {
	at, cooling := in.boosterAvailableAt()
	return !in.Booster && (!cooling || !now.Before(at))
}

// boosterRefusal is the 409 of a PATCH booster:true while a boost cannot
// start: one is current, one is already accepted (a PATCH carrying booster
// not applied yet: true buys one, false starts a cooldown), or the
// cooldown of the last one is not over.
func (in *instance) boosterRefusal(now time.Time) *apiError {
	for _, u := range in.updates {
		if _, ok := getBool(u.body, "booster"); ok {
			return newError(http.StatusConflict, "A booster change is already under way on this instance; the booster is not available.").withObject("Instance")
		}
	}
	switch at, cooling := in.boosterAvailableAt(); {
	case in.Booster:
		return newError(http.StatusConflict, fmt.Sprintf("A booster is already active on this instance until %s; the next one is not available.", ts(in.boosterExpiresAt()))).withObject("Instance")
	case cooling && now.Before(at):
		return newError(http.StatusConflict, fmt.Sprintf("The booster is not available until %s (%d days of cooldown after a boost).", ts(at), boosterCooldownDays)).withObject("Instance")
	}
	return nil
}
