package paas

import (
	"errors"
	"strings"
	"testing"
)

const fuzzKey = "fuzz-api-key-0123456789"

// FuzzDecodeResponse feeds arbitrary answers to the decoder: it must not
// panic, and no error may carry the key, even when the answer echoes it.
func FuzzDecodeResponse(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>id</name><value><int>7</int></value></member><member><name>date_end</name><value><dateTime.iso8601>20250101T10:00:00</dateTime.iso8601></value></member></struct></value></param></params></methodResponse>`))
	f.Add([]byte(`<?xml version="1.0"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>510404</int></value></member><member><name>faultString</name><value><string>` + fuzzKey + ` not found</string></value></member></struct></value></fault></methodResponse>`))
	f.Add([]byte(`<methodResponse><params><param><value><array><data><value><struct></struct></value></data></array></value></param></params></methodResponse>`))
	redact := strings.NewReplacer(fuzzKey, redacted).Replace
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(err error) {
			if err != nil && strings.Contains(err.Error(), fuzzKey) {
				t.Fatalf("key in error %q", err)
			}
			var fe *Fault
			if errors.As(err, &fe) && !NotApplied(err) {
				t.Fatal("a fault must count as not applied")
			}
		}
		var info PaasReturn
		check(decodeAnswer("paas.info", body, &info, redact))
		var list []PaasListReturn
		check(decodeAnswer("paas.list", body, &list, redact))
		var dns DNSEntries
		check(decodeAnswer("paas.vhost.get_dns_entries", body, &dns, redact))
		var n int
		check(decodeAnswer("paas.count", body, &n, redact))
	})
}
