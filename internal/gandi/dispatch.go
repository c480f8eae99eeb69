package gandi

import (
	"context"
	"fmt"
	"sort"
)

// dispatchCollection is the parent path of a dispatch URL.
const dispatchCollection = "/v5/template/dispatch"

// DispatchState is the state of a dispatch or of one of its tasks.
type DispatchState int

// Documented dispatch and task states.
const (
	DispatchPending DispatchState = 0
	DispatchRunning DispatchState = 10
	DispatchDone    DispatchState = 20
	DispatchError   DispatchState = 30
)

func (s DispatchState) String() string {
	switch s {
	case DispatchPending:
		return "Pending"
	case DispatchRunning:
		return "Running"
	case DispatchDone:
		return "Done"
	case DispatchError:
		return "Error"
	}
	return fmt.Sprintf("DispatchState(%d)", int(s))
}

// Dispatch is one application of a template to an object.
type Dispatch struct {
	// Attempt counts attempts at performing the tasks.
	Attempt   int    `json:"attempt"`
	CreatedAt string `json:"created_at"`
	ID        string `json:"id"`
	// Payload is the template payload as it was when applied.
	Payload TemplatePayload `json:"payload"`
	// SharingID is the user who applied the template.
	SharingID string `json:"sharing_id"`
	// State is the global state; it stays 0 unless the whole dispatch
	// failed before running, so the tasks are what tell progress.
	State         DispatchState         `json:"state"`
	Target        DispatchTarget        `json:"target"`
	TargetID      string                `json:"target_id"`
	TaskHistory   []TaskHistoryEntry    `json:"task_history"`
	TaskStatus    map[string]TaskStatus `json:"task_status"`
	StateMsg      string                `json:"state_msg,omitempty"`
	TaskUpdatedAt string                `json:"task_updated_at,omitempty"`
	TemplateID    string                `json:"template_id,omitempty"`
	TemplateName  string                `json:"template_name,omitempty"`
}

// DispatchTarget is the object a template was applied to.
type DispatchTarget struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// TaskHistoryEntry is one step of one namespace's task.
type TaskHistoryEntry struct {
	Date      string        `json:"date"`
	Message   string        `json:"message"`
	Namespace string        `json:"namespace"`
	Status    DispatchState `json:"status"`
}

// TaskStatus is the current state of one namespace's task.
type TaskStatus struct {
	Status DispatchState `json:"status"`
}

// Running applies the documented rule: a dispatch is over when state >= 20
// or every task_status.*.status >= 20. The docs leave an empty task_status
// open; read literally it would mean "over" before any task was recorded, so
// a namespace of the payload without a status yet counts as still running.
func (d *Dispatch) Running() bool {
	if d.State >= DispatchDone {
		return false
	}
	for _, ts := range d.TaskStatus {
		if ts.Status < DispatchDone {
			return true
		}
	}
	for _, ns := range d.Payload.Namespaces() {
		if _, ok := d.TaskStatus[ns]; !ok {
			return true
		}
	}
	return false
}

// TaskFailure is a namespace whose task ended in error, with its last
// message.
type TaskFailure struct {
	Namespace string
	Message   string
}

// Failures lists what went wrong: the whole dispatch (Namespace "") when
// state is 30, then every task in error, sorted by namespace.
func (d *Dispatch) Failures() []TaskFailure {
	var out []TaskFailure
	if d.State == DispatchError {
		out = append(out, TaskFailure{Message: d.StateMsg})
	}
	var failed []string
	for ns, ts := range d.TaskStatus {
		if ts.Status == DispatchError {
			failed = append(failed, ns)
		}
	}
	sort.Strings(failed)
	for _, ns := range failed {
		out = append(out, TaskFailure{Namespace: ns, Message: d.lastMessage(ns)})
	}
	return out
}

// lastMessage is the latest non-empty history message of a namespace.
func (d *Dispatch) lastMessage(ns string) string {
	for i := len(d.TaskHistory) - 1; i >= 0; i-- {
		h := d.TaskHistory[i]
		if h.Namespace == ns && h.Message != "" {
			return h.Message
		}
	}
	return ""
}

// GetDispatch returns a dispatch's state.
func (c *Client) GetDispatch(ctx context.Context, id string) (*Dispatch, error) {
	var d Dispatch
	if err := c.getJSON(ctx, &d, RouteDispatch, id); err != nil {
		return nil, fmt.Errorf("get dispatch %s: %w", id, err)
	}
	return &d, nil
}
