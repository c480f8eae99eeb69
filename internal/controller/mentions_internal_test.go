package controller

import (
	"strings"
	"testing"
)

// checkMentions fails t for each of has that text does not contain, and
// each of hasNot that it does: what a message must and must not say.
func checkMentions(t *testing.T, text string, has, hasNot []string) {
	t.Helper()
	for _, s := range has {
		if !strings.Contains(text, s) {
			t.Errorf("%q does not say %q", text, s)
		}
	}
	for _, s := range hasNot {
		if strings.Contains(text, s) {
			t.Errorf("%q says %q", text, s)
		}
	}
}
