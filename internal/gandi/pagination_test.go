package gandi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func TestParseLinks(t *testing.T) {
	req, _ := url.Parse("https://api.gandi.net/v5/simplehosting/instances?page=1")
	tests := []struct {
		header []string
		want   string
	}{
		{[]string{`<https://api.gandi.net/v5/simplehosting/instances?page=2&per_page=1>; rel="next", <https://api.gandi.net/v5/simplehosting/instances?page=3>; rel="last"`},
			"https://api.gandi.net/v5/simplehosting/instances?page=2&per_page=1"},
		{[]string{`<https://x/a?page=3>; rel="last"`, `</v5/simplehosting/instances?page=2>; rel=next`},
			"https://api.gandi.net/v5/simplehosting/instances?page=2"},
		{[]string{`<https://x/a,b?page=2>; title="a, b; c"; rel="prev next"`}, "https://x/a,b?page=2"},
		{[]string{`<?page=2>;rel="NEXT"`}, "https://api.gandi.net/v5/simplehosting/instances?page=2"},
		{[]string{`<https://x/a?page=3>; rel="last"`}, ""},
		{[]string{`garbage`, `<unterminated; rel="next"`, ``}, ""},
	}
	for _, tt := range tests {
		u, ok := nextLink(tt.header, req)
		got := ""
		if ok {
			got = u.String()
		}
		if got != tt.want {
			t.Errorf("nextLink(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

// pagedServer serves n numbered items, perPage per page, announcing pages
// with Link, with Total-Count only, or with a Link to another host.
func pagedServer(t *testing.T, n, perPage int, mode string) (*httptest.Server, *int) {
	t.Helper()
	calls := new(int)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*calls++
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		var items []string
		for i := (page-1)*perPage + 1; i <= n && i <= page*perPage; i++ {
			items = append(items, fmt.Sprintf(`{"name":"i%d"}`, i))
		}
		w.Header().Set("Total-Count", strconv.Itoa(n))
		if page*perPage < n {
			switch mode {
			case "link":
				w.Header().Set("Link", fmt.Sprintf(`<%s%s?page=%d>; rel="next"`, srv.URL, r.URL.Path, page+1))
			case "foreign":
				w.Header().Set("Link", `<https://evil.example/steal?page=2>; rel="next"`)
			case "loop":
				w.Header().Set("Link", fmt.Sprintf(`<%s%s?page=1>; rel="next"`, srv.URL, r.URL.Path))
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, "["+strings.Join(items, ",")+"]")
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

func testClient(t *testing.T, base string) *Client {
	t.Helper()
	c, err := New(Config{
		BaseURL:    base,
		Credential: Credential{Token: testToken},
		ClientOptions: ClientOptions{
			RequestsPerMinute: -1,
			MinBackoff:        1,
			MaxBackoff:        5_000_000,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestListAllFollowsPages(t *testing.T) {
	for _, mode := range []string{"link", "count"} {
		srv, calls := pagedServer(t, 7, 3, mode)
		apps, err := testClient(t, srv.URL).ListApplications(context.Background(), ListApplicationsOptions{})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if len(apps) != 7 || apps[6].Name != "i7" || *calls != 3 {
			t.Errorf("%s: got %d apps in %d calls", mode, len(apps), *calls)
		}
	}
}

func TestListAllRefusesForeignLinks(t *testing.T) {
	srv, calls := pagedServer(t, 7, 3, "foreign")
	_, err := testClient(t, srv.URL).ListApplications(context.Background(), ListApplicationsOptions{})
	if err == nil || !strings.Contains(err.Error(), "outside") || *calls != 1 {
		t.Errorf("err %v after %d calls", err, *calls)
	}
}

// A Link that leads back to a page already read ends the list, and the
// pages read are not the whole of it: an error, not a list short of an item.
func TestListAllStopsOnLinkLoop(t *testing.T) {
	srv, calls := pagedServer(t, 7, 3, "loop")
	apps, err := testClient(t, srv.URL).ListApplications(context.Background(), ListApplicationsOptions{})
	if !errors.Is(err, ErrIncompleteList) || *calls > 2 || apps != nil {
		t.Errorf("loop: %d apps, %d calls, %v; want no list and ErrIncompleteList", len(apps), *calls, err)
	}
}

// The paging rule: a list read in pages is whole only when every page
// announced the same Total-Count and exactly that many items were read.
// Only a Total-Count that moved between pages is worth reading again at once.
func TestPageTally(t *testing.T) {
	type page struct {
		items, total int
		noTotal      bool
	}
	tests := []struct {
		name  string
		pages []page
		// want: "" whole, "shifted" a Total-Count that moved, "incomplete"
		// any other list that is not whole.
		want string
		// more is what more says after the last page.
		more bool
	}{
		{"an empty list", []page{{0, 0, false}}, "", false},
		{"one page", []page{{7, 7, false}}, "", false},
		{"three pages", []page{{3, 7, false}, {3, 7, false}, {1, 7, false}}, "", false},
		{"a page past the end, empty", []page{{3, 6, false}, {3, 6, false}, {0, 6, false}}, "", false},
		{"one of page 1 deleted before page 2 (the object slid onto page 1 is never read)",
			[]page{{100, 101, false}, {0, 100, false}}, "shifted", false},
		{"one created before page 2", []page{{100, 101, false}, {2, 102, false}}, "shifted", false},
		{"a count that moved and came back is caught on the page it moved",
			[]page{{3, 7, false}, {3, 6, false}, {1, 7, false}}, "shifted", false},
		{"no Total-Count on the only page", []page{{5, 0, true}}, "incomplete", false},
		{"no Total-Count on a later page", []page{{3, 7, false}, {3, 0, true}}, "incomplete", false},
		{"an empty page before the end", []page{{3, 7, false}, {0, 7, false}}, "incomplete", false},
		{"more items than announced", []page{{3, 4, false}, {3, 4, false}}, "incomplete", false},
		{"a page still missing", []page{{3, 7, false}}, "incomplete", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tally := PageTally{route: RouteInstances}
			var err error
			for _, p := range tt.pages {
				if err = tally.Total(p.total, !p.noTotal); err != nil {
					break
				}
				tally.Page(p.items)
			}
			if err == nil {
				if more := tally.More(tt.pages[len(tt.pages)-1].items); more != tt.more {
					t.Errorf("More = %v, want %v", more, tt.more)
				}
				err = tally.Whole()
			}
			var shifted *listShiftedError
			got := ""
			switch {
			case errors.As(err, &shifted):
				got = "shifted"
			case err != nil:
				got = "incomplete"
			}
			if got != tt.want {
				t.Fatalf("got %q (%v), want %q", got, err, tt.want)
			}
			if err != nil && (!errors.Is(err, ErrIncompleteList) || !IsTransient(err)) {
				t.Errorf("%v: want an ErrIncompleteList, transient", err)
			}
		})
	}
}

// A page without Total-Count leaves the list's completeness unknown.
func TestListAllWantsTotalCount(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"name":"a"}]`)
	}))
	t.Cleanup(srv.Close)
	apps, err := testClient(t, srv.URL).ListApplications(context.Background(), ListApplicationsOptions{})
	if !errors.Is(err, ErrIncompleteList) || apps != nil {
		t.Fatalf("got %v, %v; want ErrIncompleteList", apps, err)
	}
}

func TestUnderBase(t *testing.T) {
	c, _ := New(Config{BaseURL: "https://api.gandi.net/prefix/", Credential: Credential{Token: "t"}})
	for raw, want := range map[string]bool{
		"https://api.gandi.net/prefix/v5/x":  true,
		"https://API.gandi.net/prefix/v5/x":  true,
		"https://api.gandi.net/prefixed/v5":  false,
		"http://api.gandi.net/prefix/v5/x":   false,
		"https://u:p@api.gandi.net/prefix/x": false,
		"https://api.gandi.net.evil/prefix/": false,
	} {
		u, _ := url.Parse(raw)
		if got := c.underBase(u); got != want {
			t.Errorf("underBase(%s) = %v", raw, got)
		}
	}
}
