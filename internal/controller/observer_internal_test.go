package controller

import (
	"testing"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// An observer no object asked for in three polls is dropped (its
// credential was rotated away); one in use is kept, whatever the age of
// the others.
func TestObserversDropIdle(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	o := &Observers{Poll: time.Minute, Detail: time.Hour, Now: func() time.Time { return now }}
	client := func(token string) *gandi.Client {
		c, err := gandi.New(gandi.Config{BaseURL: "http://127.0.0.1:1", Credential: gandi.Credential{Token: token}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	old, kept := client("pat_old"), client("pat_kept")
	first := o.For(old, "")
	o.For(kept, "")
	for range 4 { // four polls: kept is asked for at each, old never
		now = now.Add(time.Minute)
		o.For(kept, "")
	}
	if got := len(o.by); got != 1 {
		t.Fatalf("observers kept after 4 idle polls: %d, want 1 (the one in use)", got)
	}
	if o.For(old, "") == first {
		t.Fatal("the idle observer was not dropped: the same one came back")
	}
	now = now.Add(90 * time.Second) // within three polls: nothing dropped
	o.For(kept, "")
	if got := len(o.by); got != 2 {
		t.Fatalf("observers after 1.5 polls: %d, want 2", got)
	}
}
