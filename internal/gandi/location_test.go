package gandi

import (
	"errors"
	"testing"
)

func TestIDFromLocation(t *testing.T) {
	ok := map[string]string{
		"https://api.gandi.net/v5/simplehosting/instances/3f1c9e9e-aaaa-bbbb-cccc-000000000001": "3f1c9e9e-aaaa-bbbb-cccc-000000000001",
		"/v5/simplehosting/instances/abc":                            "abc",
		"/v5/simplehosting/instances/abc/":                           "abc",
		"http://127.0.0.1:9/prefix/v5/simplehosting/instances/a%20b": "a b",
		"https://api.gandi.net/v5/simplehosting/instances/x?y=1":     "x",
	}
	for loc, want := range ok {
		got, err := IDFromLocation(loc, RouteInstances)
		if err != nil || got != want {
			t.Errorf("IDFromLocation(%q) = %q, %v; want %q", loc, got, err, want)
		}
	}
	bad := []string{
		"",
		"/v5/simplehosting/instances",
		"/v5/simplehosting/instances/",
		"/v5/simplehosting/instances/abc/vhosts/x",
		"/v5/template/templates/abc",
		"https://api.gandi.net/v5/simplehosting/xinstances/abc",
		"/v5/simplehosting/instances/%zz",
		"::",
	}
	for _, loc := range bad {
		if got, err := IDFromLocation(loc, RouteInstances); !errors.Is(err, ErrNoID) {
			t.Errorf("IDFromLocation(%q) = %q, %v; want ErrNoID", loc, got, err)
		}
	}
	if got, err := IDFromLocation("https://api.gandi.net/v5/template/dispatch/d1", dispatchCollection); err != nil || got != "d1" {
		t.Errorf("dispatch: %q %v", got, err)
	}
}

func TestExpand(t *testing.T) {
	got, err := expand(RouteVhost, "i/1", "bücher.example")
	if err != nil || got != "/v5/simplehosting/instances/i%2F1/vhosts/b%C3%BCcher.example" {
		t.Errorf("expand = %q, %v", got, err)
	}
	for _, args := range [][]string{{""}, {" "}, {".."}, {"."}, {"a", "b"}} {
		if _, err := expand(RouteInstance, args...); err == nil {
			t.Errorf("expand(%q) accepted", args)
		}
	}
	if _, err := expand(RouteInstance, ""); !errors.Is(err, ErrEmptyArgument) {
		t.Errorf("empty: %v", err)
	}
	if _, err := expand(RouteVhost, "a"); err == nil {
		t.Error("missing argument accepted")
	}
}
