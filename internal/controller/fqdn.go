package controller

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// fqdnProfile validates host names the way registries do (IDNA 2008
// lookup rules) and converts them to ASCII: Gandi's API takes punycode.
var fqdnProfile = idna.New(idna.MapForLookup(), idna.BidiRule(), idna.ValidateLabels(true), idna.StrictDomainName(true), idna.VerifyDNSLength(true))

// toASCII returns the punycode form of fqdn, or why it is not a host name.
func toASCII(fqdn string) (string, error) {
	ascii, err := fqdnProfile.ToASCII(strings.TrimSuffix(fqdn, "."))
	if err != nil {
		return "", fmt.Errorf("%q is not a valid host name: %w", fqdn, err)
	}
	return ascii, nil
}

// toUnicode returns the form people read.
func toUnicode(ascii string) string {
	u, err := idna.Display.ToUnicode(ascii)
	if err != nil {
		return ascii
	}
	return u
}
