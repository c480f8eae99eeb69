package gandisim

import (
	"net/http"
	"slices"
	"testing"
)

func TestApplications(t *testing.T) {
	e := newEnv(t)
	names := func(q string) []string {
		r := e.get("/v5/simplehosting/applications" + q)
		expectStatus(t, r, http.StatusOK)
		return pluck(r.arr(t), "name")
	}
	r := e.get("/v5/simplehosting/applications")
	if r.header.Get("Total-Count") != "5" {
		t.Fatalf("Total-Count = %q", r.header.Get("Total-Count"))
	}
	if got := names("?name=*press"); !slices.Equal(got, []string{"wordpress"}) {
		t.Fatalf("name pattern: %v", got)
	}
	if got := names("?database=pg*&sort_by=name"); !slices.Equal(got, []string{"drupal", "nextcloud"}) {
		t.Fatalf("database pattern: %v", got)
	}
	if got := names("?language=py*"); len(got) != 0 {
		t.Fatalf("language pattern: %v", got)
	}
	if got := names("?per_page=2&page=3"); len(got) != 1 {
		t.Fatalf("last page: %v", got)
	}
	expectGandiError(t, e.get("/v5/simplehosting/applications?sort_by=size"), http.StatusBadRequest)

	d := e.get("/v5/simplehosting/applications/wordpress").obj(t)
	req := d["requirements"].([]any)[0].(map[string]any)
	if d["name_label"] != "WordPress" || req["instance_minimum_size"] == nil || req["language"].(map[string]any)["name"] != "php" {
		t.Fatalf("details: %v", d)
	}
	expectGandiError(t, e.get("/v5/simplehosting/applications/joomla"), http.StatusNotFound)
}
