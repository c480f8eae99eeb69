//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"cmp"
	"net/http"
)

type appItem struct {
	app application
	seq int64
}

// The catalog has no creation dates; catalog order stands in for created_at.
var applicationSorts = comparators[appItem]{
	"created_at": func(a, b appItem) int { return cmp.Compare(a.seq, b.seq) },
	"name":       func(a, b appItem) int { return cmp.Compare(a.app.name, b.app.name) },
	"name_label": func(a, b appItem) int { return cmp.Compare(a.app.label, b.app.label) },
}

func renderApplication(a application) map[string]any {
	reqs := make([]map[string]any, 0, len(a.requirements))
	for _, r := range a.requirements {
		reqs = append(reqs, map[string]any{
			"database":              map[string]any{"name": r.database, "status": statusAvailable, "version": r.databaseVersion},
			"instance_minimum_size": r.minimumSize,
			"language":              map[string]any{"name": r.language, "single_application": false, "status": statusAvailable, "version": r.languageVersion},
		})
	}
	return map[string]any{"name": a.name, "name_label": a.label, "requirements": reqs}
}

func listApplications(c *call) {
	if _, e := c.sharingFilter(); e != nil {
		c.fail(e)
		return
	}
	q, errs := parseList(c, applicationSorts)
	if len(errs) > 0 {
		c.invalid(errs)
		return
	}
	name, hasName := c.filter("name")
	lang, hasLang := c.filter("language")
	db, hasDB := c.filter("database")
	var items []appItem
	for i, a := range applications {
		if hasName && !globMatch(name, a.name) {
			continue
		}
		langOK, dbOK := !hasLang, !hasDB
		for _, r := range a.requirements {
			langOK = langOK || globMatch(lang, r.language)
			dbOK = dbOK || globMatch(db, r.database)
		}
		if langOK && dbOK {
			items = append(items, appItem{app: a, seq: int64(i)})
		}
	}
	sortItems(items, q, applicationSorts, func(a appItem) int64 { return a.seq })
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i] = renderApplication(it.app)
	}
	writePage(c, out, q)
}

func getApplication(c *call) {
	a, ok := findApplication(c.r.PathValue("application_name"))
	if !ok {
		c.fail(notFound("Application"))
		return
	}
	c.json(http.StatusOK, renderApplication(a))
}
