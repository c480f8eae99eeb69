package gandi_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
	"github.com/gandi-operator/gandi-operator/internal/gandi/gandisim"
)

// pagedObjects is more than two full pages at the largest per_page tried, so
// every page size meets a first, a middle and a last page.
const pagedObjects = 250

// TestListAllEveryPageSize pages through 250 templates at every per_page from
// 1 to 100, in each form a server may announce pages: Gandi's (no Link on the
// last page, which the simulator now sends), the simulator's former one
// (rel="last" alone on the last page) and Total-Count alone. Each list must
// come back whole, in order, without a duplicate, in exactly
// ceil(250/per_page) requests: one more would mean the client asked for a
// page past the end, one less that it stopped early.
func TestListAllEveryPageSize(t *testing.T) {
	e := newEnv(t)
	for i := range pagedObjects {
		if _, err := e.sim.AddTemplate(orgID, gandisim.SeedTemplate{Name: fmt.Sprintf("t%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	forms := []struct {
		name string
		wrap func(http.Handler) http.Handler
		// first and last are the Link values of the first and the last
		// page at per_page=100, so that each form is known to be the one
		// it claims before the client is judged against it.
		first, last string
	}{
		{"no Link on the last page", func(h http.Handler) http.Handler { return h },
			`<{base}?page=2&per_page=100>; rel="next", <{base}?page=3&per_page=100>; rel="last"`, ""},
		{`rel="last" alone on the last page`, withLastPageLink,
			`<{base}?page=2&per_page=100>; rel="next", <{base}?page=3&per_page=100>; rel="last"`, `<{base}?page=3&per_page=100>; rel="last"`},
		{"Total-Count only", withoutLink, "", ""},
	}
	for _, form := range forms {
		t.Run(form.name, func(t *testing.T) {
			srv := httptest.NewServer(form.wrap(e.sim))
			defer srv.Close()
			base := srv.URL + gandi.RouteTemplates
			for page, want := range map[int]string{1: form.first, 3: form.last} {
				want = strings.ReplaceAll(want, "{base}", base)
				if got := linkOf(t, fmt.Sprintf("%s?page=%d&per_page=100", base, page)); got != want {
					t.Fatalf("page %d of 3: Link %q, want %q", page, got, want)
				}
			}
			c := e.client(token, false, func(cfg *gandi.Config) { cfg.BaseURL = srv.URL })
			start := time.Now()
			requests := 0
			for perPage := 1; perPage <= 100; perPage++ {
				before := e.sim.Requests(gandisim.RouteListTemplates)
				list, err := c.ListTemplates(ctx(t), gandi.ListTemplatesOptions{PerPage: perPage})
				if e.keep(err) != nil {
					t.Fatalf("per_page=%d: %v", perPage, err)
				}
				sent := e.sim.Requests(gandisim.RouteListTemplates) - before
				requests += sent
				if want := (pagedObjects + perPage - 1) / perPage; sent != want {
					t.Errorf("per_page=%d: %d requests, want %d", perPage, sent, want)
				}
				if len(list) != pagedObjects {
					t.Fatalf("per_page=%d: %d templates, want %d", perPage, len(list), pagedObjects)
				}
				for i, tpl := range list {
					if want := fmt.Sprintf("t%03d", i); tpl.Name != want {
						t.Fatalf("per_page=%d: item %d is %s, want %s (a page lost, repeated or out of order)", perPage, i, tpl.Name, want)
					}
				}
			}
			t.Logf("%d objects at per_page=1..100: %d requests in %v", pagedObjects, requests, time.Since(start).Round(time.Millisecond))
		})
	}
}

// TestListAllReadsAgainAListThatChangedBetweenPages: 101 instances, newest
// first, 100 a page, so the oldest is alone on page 2. One of page 1 is
// deleted at Gandi just before page 2 is asked for: page 2 comes back
// empty, the oldest slid onto page 1 unread, and the items read look whole.
// Only the Total-Count that moved shows it; the list is read again, whole.
// When it changes at every read, the caller gets ErrIncompleteList, never
// a list without the instance.
func TestListAllReadsAgainAListThatChangedBetweenPages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		changes int // how many reads see a deletion before their page 2
		// requests is what the list costs (a read of 100 or fewer is one
		// page); wantErr: the error, not a whole list.
		requests int
		wantErr  bool
	}{
		{"changed during the first read", 1, 3, false},
		{"changed during every read", 3, 6, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			seed := func(name string) string {
				return e.sim.AddInstance(orgID, gandisim.SeedInstance{Name: name, Size: "starter"})
			}
			oldest := seed("prod-site")
			others := make([]string, 0, 99+tc.changes)
			// One more than a page for each read that sees a deletion:
			// each read has a page 2. The deleted ones are the newest.
			for i := range 99 + tc.changes {
				others = append(others, seed(fmt.Sprintf("filler-%03d", i)))
			}
			deleted := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == gandi.RouteInstances && r.URL.Query().Get("page") == "2" && deleted < tc.changes {
					e.sim.UpdateInstance(others[len(others)-1-deleted], func(v *gandisim.InstanceView) { v.Status = "being_deleted" })
					e.sim.Advance(time.Hour)
					deleted++
				}
				e.sim.ServeHTTP(w, r)
			}))
			defer srv.Close()
			c := e.client(token, false, func(cfg *gandi.Config) { cfg.BaseURL = srv.URL })
			list, err := c.ListInstances(ctx(t), gandi.ListInstancesOptions{})
			if got := e.sim.Requests(gandisim.RouteListInstances); got != tc.requests {
				t.Errorf("%d requests, want %d", got, tc.requests)
			}
			if !strings.Contains(e.logs.String(), "changed while it was read") {
				t.Error("the list read again is not logged")
			}
			if tc.wantErr {
				if !errors.Is(e.keep(err), gandi.ErrIncompleteList) || !gandi.IsTransient(err) || list != nil {
					t.Fatalf("got %d instances, %v; want no list and a transient ErrIncompleteList", len(list), err)
				}
				return
			}
			if e.keep(err) != nil {
				t.Fatal(err)
			}
			if want := len(e.sim.Instances()); len(list) != want {
				t.Fatalf("%d instances, want %d", len(list), want)
			}
			if !slices.ContainsFunc(list, func(in gandi.Instance) bool { return in.ID == oldest }) {
				t.Fatal("the oldest instance, slid onto page 1 by the deletion, is missing")
			}
		})
	}
}

// linkOf GETs a list page with plain net/http and returns its Link header.
func linkOf(t *testing.T, u string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	if res.StatusCode != http.StatusOK || res.Header.Get("Total-Count") != strconv.Itoa(pagedObjects) {
		t.Fatalf("GET page: %d, Total-Count %q", res.StatusCode, res.Header.Get("Total-Count"))
	}
	return strings.Join(res.Header.Values("Link"), ", ")
}

// withLastPageLink puts back the simulator's former last page: a list of
// more than one page answered its last page (and any page past it) with
// rel="last" alone.
func withLastPageLink(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&headerHook{ResponseWriter: w, before: func(hd http.Header) {
			total, err1 := strconv.Atoi(hd.Get("Total-Count"))
			perPage, err2 := strconv.Atoi(r.URL.Query().Get("per_page"))
			if err1 != nil || err2 != nil || hd.Get("Link") != "" || total <= perPage {
				return
			}
			last := (total + perPage - 1) / perPage
			q := r.URL.Query()
			q.Set("page", strconv.Itoa(last))
			hd.Set("Link", fmt.Sprintf(`<http://%s%s?%s>; rel="last"`, r.Host, r.URL.Path, q.Encode()))
		}}, r)
	})
}

// withoutLink answers every page with Total-Count alone.
func withoutLink(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&headerHook{ResponseWriter: w, before: func(hd http.Header) { hd.Del("Link") }}, r)
	})
}

// headerHook edits the headers of an answer just before they are sent.
type headerHook struct {
	http.ResponseWriter
	before func(http.Header)
	done   bool
}

func (h *headerHook) WriteHeader(code int) {
	if !h.done {
		h.done = true
		h.before(h.Header())
	}
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerHook) Write(b []byte) (int, error) {
	if !h.done {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}
