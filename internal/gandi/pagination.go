package gandi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxPages stops a list whose pages never end (a server bug or a loop of
// Link headers) from running forever.
const maxPages = 1000

type pagesKey struct{}

// WithPageCount makes every list fetched with ctx add the number of pages
// (requests) it took to *n: what a list costs decides whether sharing it
// saves requests. n is not synchronized: one list at a time per counter.
func WithPageCount(ctx context.Context, n *int) context.Context {
	return context.WithValue(ctx, pagesKey{}, n)
}

// listAll fetches every page of a list route. It follows Link rel="next"
// when the answer has one, otherwise asks for the next page number while
// Total-Count says items are missing. Link targets must stay under the base
// URL: the Authorization header goes wherever the client is told to go.
func listAll[T any](ctx context.Context, c *Client, route, path string, query url.Values) ([]T, error) {
	if query == nil {
		query = url.Values{}
	}
	var all []T
	page := 1
	next := ""
	seen := map[string]bool{}
	pages, _ := ctx.Value(pagesKey{}).(*int)
	for range maxPages {
		if pages != nil {
			*pages++
		}
		res, err := c.do(ctx, &call{method: http.MethodGet, route: route, path: path, query: query, next: next})
		if err != nil {
			return nil, err
		}
		var items []T
		if err := decodeJSON(res.body, &items); err != nil {
			return nil, fmt.Errorf("gandi: GET %s: decode page %d: %w", route, page, err)
		}
		all = append(all, items...)
		seen[res.url.String()] = true

		if link, ok := nextLink(res.header.Values("Link"), res.url); ok {
			if !c.underBase(link) {
				return nil, fmt.Errorf("gandi: GET %s: refusing to follow a next link outside %s", route, c.baseStr)
			}
			if seen[link.String()] {
				return all, nil
			}
			seen[link.String()] = true
			next = link.String()
			if p, err := strconv.Atoi(link.Query().Get("page")); err == nil {
				page = p
			} else {
				page++
			}
			continue
		}
		total, ok := totalCount(res.header)
		if !ok || len(items) == 0 || len(all) >= total {
			return all, nil
		}
		page++
		next = ""
		query = cloneValues(query)
		query.Set("page", strconv.Itoa(page))
	}
	return nil, fmt.Errorf("gandi: GET %s: more than %d pages", route, maxPages)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func totalCount(h http.Header) (int, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(h.Get("Total-Count")))
	return n, err == nil && n >= 0
}

// underBase reports whether u is on the client's scheme, host and path.
func (c *Client) underBase(u *url.URL) bool {
	if u.Scheme != c.base.Scheme || !strings.EqualFold(u.Host, c.base.Host) || u.User != nil {
		return false
	}
	prefix := strings.TrimRight(c.base.Path, "/")
	return prefix == "" || u.Path == prefix || strings.HasPrefix(u.Path, prefix+"/")
}

// nextLink finds rel="next" in Link header values (RFC 8288), resolving a
// relative target against the request's URL.
func nextLink(values []string, requestURL *url.URL) (*url.URL, bool) {
	for _, v := range values {
		for _, l := range parseLinks(v) {
			if !l.hasRel("next") {
				continue
			}
			u, err := url.Parse(l.target)
			if err != nil {
				continue
			}
			if requestURL != nil {
				u = requestURL.ResolveReference(u)
			}
			if !u.IsAbs() {
				continue
			}
			return u, true
		}
	}
	return nil, false
}

type link struct {
	target string
	rels   []string
}

func (l link) hasRel(rel string) bool {
	for _, r := range l.rels {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

// parseLinks reads `<url>; rel="next", <url>; rel=last`. Targets may contain
// commas and quoted parameters may contain commas or semicolons; anything
// malformed is skipped rather than guessed at.
func parseLinks(s string) []link {
	var out []link
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			return out
		}
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			return out
		}
		l := link{target: strings.TrimSpace(s[open+1 : open+end])}
		s = s[open+end+1:]
		params, rest := splitParams(s)
		s = rest
		for _, p := range params {
			name, value, ok := strings.Cut(p, "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "rel") {
				continue
			}
			value = strings.Trim(strings.TrimSpace(value), `"`)
			l.rels = append(l.rels, strings.Fields(value)...)
		}
		out = append(out, l)
	}
}

// splitParams reads `; a=b; c="d, e"` up to the comma that ends the link
// value and returns the parameters and the rest of the header.
func splitParams(s string) ([]string, string) {
	var params []string
	var cur strings.Builder
	inQuote := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"':
			inQuote = !inQuote
			cur.WriteByte(ch)
		case ch == '\\' && inQuote && i+1 < len(s):
			cur.WriteByte(s[i+1])
			i++
		case ch == ';' && !inQuote:
			if p := strings.TrimSpace(cur.String()); p != "" {
				params = append(params, p)
			}
			cur.Reset()
		case ch == ',' && !inQuote:
			if p := strings.TrimSpace(cur.String()); p != "" {
				params = append(params, p)
			}
			return params, s[i+1:]
		case ch == '<' && !inQuote && strings.TrimSpace(cur.String()) == "":
			// A new link without the separating comma: stop here.
			return params, s[i:]
		default:
			cur.WriteByte(ch)
		}
	}
	if p := strings.TrimSpace(cur.String()); p != "" {
		params = append(params, p)
	}
	return params, ""
}
