// Package promreg registers Prometheus collectors that several parts of one
// process (or several managers in one test process) may each create.
package promreg

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Register registers c with reg and returns it, or returns the collector of
// the same type already registered under its name, so that every creator
// counts into one series. A clash with a foreign collector of the same name
// keeps c, unregistered: its owner goes on counting rather than failing.
func Register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
	}
	return c
}
