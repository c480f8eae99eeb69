//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"net/http"
	"time"

	"github.com/google/uuid"
)

// Dispatch states and task statuses, as documented.
const (
	StatePending = 0
	StateRunning = 10
	StateDone    = 20
	StateError   = 30
)

var applySchema = []spec{
	str("object_id").req(),
	str("object_type", "domain").req(),
}

type task struct {
	ns      string
	status  int
	failMsg string // set from FailNamespace when the dispatch was created
}

type historyEntry struct {
	Namespace string `json:"namespace"`
	Date      string `json:"date"`
	Message   string `json:"message"`
	Status    int    `json:"status"`
}

type dispatch struct {
	id, orgID                string
	templateID, templateName string
	targetID, targetName     string
	payload                  map[string]any
	tasks                    []*task
	createdAt                time.Time
	taskUpdatedAt            time.Time
	// progress is the time the dispatch has been allowed to run: it stands
	// still while dispatches are held.
	progress time.Duration
	lastTick time.Time
	state    int
	stateMsg string
	failMsg  string // whole-dispatch failure, from FailDispatches
	history  []historyEntry
	seq      int64
	// doneReads counts the GETs that answered the dispatch finished.
	doneReads int
}

// finished: the whole dispatch ended, or every task did.
func (d *dispatch) finished() bool {
	if d.state >= StateDone {
		return true
	}
	for _, t := range d.tasks {
		if t.status < StateDone {
			return false
		}
	}
	return true
}

// HoldDispatches freezes every dispatch where it is (new ones stay pending at
// 0) until called with false.
func (s *Server) HoldDispatches(hold bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.now())
	s.holdDisp = hold
}

// FailNamespace makes future dispatches end that namespace's task at 30 with
// message (in task_history). An empty message stops failing it.
func (s *Server) FailNamespace(namespace, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if message == "" {
		delete(s.failNS, namespace)
		return
	}
	s.failNS[namespace] = message
}

// FailDispatches makes future dispatches fail as a whole: state 30 with
// state_msg set and every task left pending. An empty message turns it off.
func (s *Server) FailDispatches(message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failDisp = message
}

// advanceDispatch runs the tasks one after another: task i starts running
// after (2i+1) steps and ends after (2i+2) steps. The global state stays 0
// like in the docs' example, unless the whole dispatch fails: callers must
// look at every task_status to know it is finished.
func (s *Server) advanceDispatch(d *dispatch, now time.Time) {
	if !s.holdDisp {
		d.progress += now.Sub(d.lastTick)
	}
	d.lastTick = now
	if d.state >= StateDone {
		return
	}
	step := s.timings.DispatchStep
	at := func(offset time.Duration) time.Time { return now.Add(offset - d.progress) }
	if d.failMsg != "" {
		if d.progress >= step {
			d.state, d.stateMsg = StateError, d.failMsg
		}
		return
	}
	for i, t := range d.tasks {
		runAt, doneAt := time.Duration(2*i+1)*step, time.Duration(2*i+2)*step
		if t.status == StatePending && d.progress >= runAt {
			t.status, d.taskUpdatedAt = StateRunning, at(runAt)
		}
		if t.status != StateRunning || d.progress < doneAt {
			continue
		}
		msg := t.failMsg
		if msg == "" {
			if dom := s.domains[d.targetID]; dom == nil {
				msg = "The domain no longer exists."
			} else {
				msg = applyNamespace(dom, t.ns, d.payload)
				dom.changedAt = at(doneAt)
			}
		}
		t.status = StateDone
		if msg != "" {
			t.status = StateError
		}
		d.taskUpdatedAt = at(doneAt)
		d.history = append(d.history, historyEntry{Namespace: t.ns, Date: ts(d.taskUpdatedAt), Message: msg, Status: t.status})
	}
}

func (c *call) dispatchURL(id string) string {
	return c.base() + "/v5/template/dispatch/" + id
}

func applyTemplate(c *call) {
	t, e := c.template()
	if e != nil {
		c.fail(e)
		return
	}
	body, ok := c.validBody(applySchema)
	if !ok {
		return
	}
	objectID, _ := getStr(body, "object_id")
	dom := c.s.domains[objectID]
	if dom == nil {
		c.fail(notFound("Domain"))
		return
	}
	if !c.p.member(dom.OrgID) {
		c.fail(forbidden("You do not have access to this domain."))
		return
	}
	d := &dispatch{
		id: uuid.NewString(), orgID: dom.OrgID,
		templateID: t.ID, templateName: t.Name,
		targetID: dom.ID, targetName: dom.FQDN,
		payload:   cloneMap(t.Payload),
		createdAt: c.now, lastTick: c.now,
		failMsg: c.s.failDisp,
		seq:     c.s.nextSeq(),
	}
	for _, ns := range payloadNamespaces(t.Payload) {
		d.tasks = append(d.tasks, &task{ns: ns, failMsg: c.s.failNS[ns]})
	}
	c.s.dispatches[d.id] = d
	c.s.dispatched++
	href := c.dispatchURL(d.id)
	c.w.Header().Set("Location", href)
	c.json(http.StatusAccepted, map[string]any{
		"dispatch_href": href,
		"message":       "The template is being applied.",
		"payload":       d.payload,
		"target_id":     dom.ID,
		"target_type":   "domain",
	})
}

func getDispatch(c *call) {
	d := c.s.dispatches[c.r.PathValue("id")]
	if d == nil {
		c.fail(notFound("Dispatch"))
		return
	}
	if !c.p.member(d.orgID) {
		c.fail(forbidden("You do not have access to this dispatch."))
		return
	}
	status := map[string]any{}
	for _, t := range d.tasks {
		status[t.ns] = map[string]any{"status": t.status}
	}
	history := append([]historyEntry{}, d.history...)
	m := map[string]any{
		"attempt":       1,
		"created_at":    ts(d.createdAt),
		"id":            d.id,
		"payload":       d.payload,
		"sharing_id":    d.orgID,
		"state":         d.state,
		"state_msg":     d.stateMsg,
		"target":        map[string]any{"name": d.targetName, "type": "domain"},
		"target_id":     d.targetID,
		"task_history":  history,
		"task_status":   status,
		"template_id":   d.templateID,
		"template_name": d.templateName,
	}
	if !d.taskUpdatedAt.IsZero() {
		m["task_updated_at"] = ts(d.taskUpdatedAt)
	}
	if d.finished() {
		d.doneReads++
	}
	c.json(http.StatusOK, m)
}

func (d *dispatch) view() DispatchView {
	v := DispatchView{
		ID: d.id, TemplateID: d.templateID, TemplateName: d.templateName,
		TargetID: d.targetID, TargetName: d.targetName,
		State: d.state, StateMsg: d.stateMsg, Tasks: map[string]int{},
		DoneReads: d.doneReads,
	}
	for _, t := range d.tasks {
		v.Tasks[t.ns] = t.status
	}
	return v
}
