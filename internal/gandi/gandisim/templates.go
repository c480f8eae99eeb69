//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"net/http"
	"time"

	"github.com/google/uuid"
)

var createTemplateSchema = []spec{
	str("name").req().checked(checkNonEmpty),
	str("description"),
	free("payload").req(),
}

var patchTemplateSchema = []spec{
	str("name").checked(checkNonEmpty),
	str("description"),
	free("payload"),
}

func (c *call) templateURL(id string) string {
	return c.base() + "/v5/template/templates/" + id
}

// template resolves {id}: 404 unknown, 403 when it is neither public nor in
// one of the caller's organizations.
func (c *call) template() (*template, *apiError) {
	t := c.s.templates[c.r.PathValue("id")]
	if t == nil {
		return nil, notFound("Template")
	}
	if !t.Public && !c.p.member(t.OrgID) {
		return nil, forbidden("You do not have access to this template.")
	}
	return t, nil
}

// editable refuses writes to public templates, which users may only read and
// apply.
func (c *call) editable(t *template) *apiError {
	if t.Public {
		return forbidden("This template is not editable.").withObject("Template")
	}
	return nil
}

// editableTemplate resolves {id} for a write: the 404 and 403 of template,
// then the 403 of editable.
func (c *call) editableTemplate() (*template, *apiError) {
	t, e := c.template()
	if e != nil {
		return nil, e
	}
	if e := c.editable(t); e != nil {
		return nil, e
	}
	return t, nil
}

func (s *Server) templateNameTaken(orgID, name, exceptID string) bool {
	for _, t := range s.templates {
		if !t.Public && t.OrgID == orgID && t.Name == name && t.ID != exceptID {
			return true
		}
	}
	return false
}

func (s *Server) newTemplate(orgID, name, description string, payload map[string]any, public bool, now time.Time) *template {
	t := &template{
		TemplateView: TemplateView{
			ID: uuid.NewString(), OrgID: orgID, Name: name, Description: description,
			Payload: payload, Public: public, Editable: !public, CreatedAt: now,
		},
		seq: s.nextSeq(),
	}
	if public {
		t.OrgID = ""
	}
	s.templates[t.ID] = t
	return t
}

func (c *call) renderTemplate(t *template, details bool) map[string]any {
	m := map[string]any{
		"id":          t.ID,
		"name":        t.Name,
		"description": t.Description,
		"editable":    !t.Public,
		"href":        c.templateURL(t.ID),
		"namespaces":  payloadNamespaces(t.Payload),
		"orgname":     "",
	}
	if !t.Public {
		m["orgname"] = c.s.orgName(t.OrgID)
		m["sharing_space"] = map[string]any{"id": t.OrgID, "name": c.s.orgName(t.OrgID)}
	}
	if details {
		m["payload"] = t.Payload
		m["variables"] = []string{}
	}
	return m
}

// payloadRules checks the template payload a body carries, whatever its
// schema check found.
func payloadRules(v *validator, body map[string]any) {
	if payload, ok := getObj(body, "payload"); ok {
		validatePayload(v, payload, "payload")
	}
}

func listTemplates(c *call) {
	q, errs := parseList[*template](c, nil)
	if len(errs) > 0 {
		c.invalid(errs)
		return
	}
	var items []*template
	for _, t := range c.s.templates {
		if t.Public || c.p.member(t.OrgID) {
			items = append(items, t)
		}
	}
	// No sort_by is documented for templates: creation order.
	q.sortField, q.desc = "", false
	sortItems(items, q, nil, func(t *template) int64 { return t.seq })
	out := make([]map[string]any, len(items))
	for i, t := range items {
		out[i] = c.renderTemplate(t, false)
	}
	writePage(c, out, q)
}

func createTemplate(c *call) {
	owner := c.p.own()
	if id := c.r.URL.Query().Get("sharing_id"); id != "" {
		if !c.p.member(id) {
			c.fail(forbidden("You do not have access to this organization."))
			return
		}
		owner = id
	}
	body, ok := c.validBody(createTemplateSchema, payloadRules)
	if !ok {
		return
	}
	name, _ := getStr(body, "name")
	if c.s.templateNameTaken(owner, name, "") {
		c.fail(newError(http.StatusConflict, "A template named "+name+" already exists in this organization.").withObject("Template"))
		return
	}
	desc, _ := getStr(body, "description")
	payload, _ := getObj(body, "payload")
	t := c.s.newTemplate(owner, name, desc, payload, false, c.now)
	c.w.Header().Set("Location", c.templateURL(t.ID))
	c.json(http.StatusCreated, map[string]any{"message": "The template has been created."})
}

func getTemplate(c *call) {
	t, e := c.template()
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, c.renderTemplate(t, true))
}

func patchTemplate(c *call) {
	t, e := c.editableTemplate()
	if e != nil {
		c.fail(e)
		return
	}
	body, ok := c.validBody(patchTemplateSchema, payloadRules)
	if !ok {
		return
	}
	if name, ok := getStr(body, "name"); ok {
		if c.s.templateNameTaken(t.OrgID, name, t.ID) {
			c.fail(newError(http.StatusConflict, "A template named "+name+" already exists in this organization.").withObject("Template"))
			return
		}
		t.Name = name
	}
	if desc, ok := getStr(body, "description"); ok {
		t.Description = desc
	}
	// The docs: the payload is replaced whole, never merged.
	if payload, ok := getObj(body, "payload"); ok {
		t.Payload = payload
	}
	c.noContent()
}

func deleteTemplate(c *call) {
	t, e := c.editableTemplate()
	if e != nil {
		c.fail(e)
		return
	}
	delete(c.s.templates, t.ID)
	c.noContent()
}
