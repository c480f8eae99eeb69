// Package version holds the operator's version, stamped at build time with
// -ldflags "-X github.com/gandi-operator/gandi-operator/internal/version.Version=…".
package version

// Version of the operator; "dev" when built without the Makefile's flags.
var Version = "dev"
