package gandi

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDispatchRunning(t *testing.T) {
	livedns := TemplatePayload{DNSRecords: &DNSRecordsNS{Default: true}, Nameservers: &NameserversNS{Service: "livedns"}}
	tests := []struct {
		name string
		d    Dispatch
		want bool
	}{
		{"pending, no task yet", Dispatch{Payload: livedns}, true},
		{"one task done, one missing", Dispatch{Payload: livedns, TaskStatus: map[string]TaskStatus{NamespaceDNSRecords: {20}}}, true},
		{"one task running", Dispatch{Payload: livedns, TaskStatus: map[string]TaskStatus{NamespaceDNSRecords: {20}, NamespaceNameservers: {10}}}, true},
		{"all tasks done", Dispatch{Payload: livedns, TaskStatus: map[string]TaskStatus{NamespaceDNSRecords: {20}, NamespaceNameservers: {30}}}, false},
		{"global error", Dispatch{State: DispatchError, Payload: livedns}, false},
		{"global done", Dispatch{State: DispatchDone, TaskStatus: map[string]TaskStatus{"x": {0}}}, false},
		{"empty payload", Dispatch{}, false},
	}
	for _, tt := range tests {
		if got := tt.d.Running(); got != tt.want {
			t.Errorf("%s: Running() = %v", tt.name, got)
		}
	}
}

func TestDispatchFailuresFromDocExample(t *testing.T) {
	body := `{"state":10,"state_msg":"","task_status":{"domain:webredirs":{"status":30},"dns:records":{"status":20},"domain:mailboxes":{"status":30}},
	"task_history":[{"namespace":"domain:webredirs","message":"first","status":10},{"namespace":"domain:webredirs","message":"record exists","status":30},{"namespace":"domain:mailboxes","message":"quota","status":30}]}`
	var d Dispatch
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	want := []TaskFailure{{NamespaceMailboxes, "quota"}, {NamespaceWebRedirects, "record exists"}}
	if got := d.Failures(); !reflect.DeepEqual(got, want) {
		t.Errorf("Failures() = %+v", got)
	}
	if d.Running() {
		t.Error("finished dispatch reported running")
	}
	if DispatchRunning.String() != "Running" || DispatchState(5).String() != "DispatchState(5)" {
		t.Error("state names")
	}
}
