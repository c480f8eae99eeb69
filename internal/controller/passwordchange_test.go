package controller

import (
	"testing"

	"k8s.io/apimachinery/pkg/types"
)

func TestDecidePassword(t *testing.T) {
	for _, tc := range []struct {
		name                         string
		version, confirmed, recorded string
		same                         bool
		expect                       passwordDecision
	}{
		{"the revision Gandi accepted", "u/2", "u/2", "u/2", false, passwordAccepted},
		{"a new revision with a new value", "u/3", "u/2", "u/2", false, passwordSend},
		{"a new revision with the value Gandi has (a label, a recreate): the record moves", "u/3", "u/2", "u/2", true, passwordSameValue},
		{"a revision recorded as maybe sent: never sent again", "u/3", "u/2", "u/3", true, passwordUnconfirmed},
		{"after one maybe sent, a revision with the value of the accepted one: sent, Gandi may have the other", "u/4", "u/2", "u/3", true, passwordSend},
		{"no record (re-pointed to another instance)", "u/2", "", "", false, passwordSend},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decidePassword(tc.version, tc.confirmed, tc.recorded, tc.same); got != tc.expect {
				t.Fatalf("decidePassword = %d, want %d", got, tc.expect)
			}
		})
	}
}

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
