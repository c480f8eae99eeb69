package controller

import "testing"

func TestDecideRefusedVhostRecordsOnlyWhatThisObjectMayHaveCreated(t *testing.T) {
	cases := []struct {
		name string
		// earlier: an earlier create of this object, whose answer was
		// lost, recorded the name.
		earlier bool
		// now is where paas.vhost.info shows the vhost after the refusal.
		now      vhostPlace
		recorded bool
		conflict bool
	}{
		{name: "refused, first attempt: someone else's, not recorded", now: vhostNowhere, conflict: true},
		{name: "refused, first attempt, now listed here: still not this object's (it never sent a create before)", now: vhostOnThisInstance, conflict: true},
		{name: "refused, first attempt, not looked up: someone else's", now: vhostNotRead, conflict: true},
		{name: "refused after an earlier attempt, now listed here: that attempt made it", earlier: true, now: vhostOnThisInstance, recorded: true},
		{name: "refused after an earlier attempt, seen nowhere: elsewhere, the record goes", earlier: true, now: vhostNowhere, conflict: true},
		{name: "refused after an earlier attempt, on another instance: the record goes", earlier: true, now: vhostOnAnotherInstance, conflict: true},
		{name: "refused after an earlier attempt, where it is unreadable: the record stays until a pass can tell", earlier: true, now: vhostUnknown, recorded: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := decideRefusedVhost(tc.earlier, tc.now)
			if d.record != tc.recorded {
				t.Fatalf("recorded = %v, want %v", d.record, tc.recorded)
			}
			if d.conflict != tc.conflict {
				t.Fatalf("conflict reported = %v, want %v", d.conflict, tc.conflict)
			}
		})
	}
}
