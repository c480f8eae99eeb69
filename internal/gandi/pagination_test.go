package gandi

import (
	"context"
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

func TestListAllStopsOnLinkLoop(t *testing.T) {
	srv, calls := pagedServer(t, 7, 3, "loop")
	apps, err := testClient(t, srv.URL).ListApplications(context.Background(), ListApplicationsOptions{})
	if err != nil || *calls > 2 || len(apps) > 6 {
		t.Errorf("loop: %d apps, %d calls, %v", len(apps), *calls, err)
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
