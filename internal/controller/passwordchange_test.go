package controller

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

func TestPasswordMemory(t *testing.T) {
	m := newPasswordMemory()
	uid := types.UID("object")
	if m.holds(uid, "1", "u/2", []byte("first")) {
		t.Fatal("an empty memory knows a password")
	}
	m.remember(uid, "1", "u/2", []byte("first"))
	for _, tc := range []struct {
		name              string
		instance, version string
		value             string
		expect            bool
	}{
		{"the value, instance and revision remembered", "1", "u/2", "first", true},
		{"another value", "1", "u/2", "second", false},
		{"another instance (re-pointed)", "2", "u/2", "first", false},
		{"another accepted revision than the one remembered", "1", "u/1", "first", false},
		{"an empty value", "1", "u/2", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.holds(uid, tc.instance, tc.version, []byte(tc.value)); got != tc.expect {
				t.Fatalf("holds = %v, want %v", got, tc.expect)
			}
		})
	}
	if other := newPasswordMemory(); string(other.digest([]byte("first"))) == string(m.digest([]byte("first"))) {
		t.Fatal("two processes share a digest key")
	}
	m.forget(uid)
	if m.holds(uid, "1", "u/2", []byte("first")) {
		t.Fatal("a forgotten object's password is still known")
	}
	var none *passwordMemory
	none.remember(uid, "1", "u/2", []byte("first"))
	if none.holds(uid, "1", "u/2", []byte("first")) {
		t.Fatal("a nil memory knows a password")
	}
}
