package gandi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// listRereads is how many times a list that changed while it was read
// (its Total-Count moved between two pages) is read again at once before
// the caller gets the error.
const listRereads = 2

// listAll fetches every page of a list route, as one whole list or not at
// all (see pageTally): a caller takes an object's absence from what it
// returns (a lookup before a purchase), so a list that changed between two
// of its pages, and may have slid an object from an unread page onto a read
// one, is read again; when it keeps changing, or does not add up, the error
// wraps ErrIncompleteList.
func listAll[T any](ctx context.Context, c *Client, route, path string, query url.Values) ([]T, error) {
	for read := 0; ; read++ {
		all, err := listPages[T](ctx, c, route, path, query)
		var shifted *listShiftedError
		if err == nil || !errors.As(err, &shifted) || read == listRereads {
			return all, err
		}
		c.log.LogAttrs(ctx, slog.LevelInfo, "gandi list changed while it was read; reading it again",
			slog.String("route", route), slog.Int("from", shifted.from), slog.Int("to", shifted.to), slog.Int("page", shifted.page))
	}
}

// listPages reads a list once, page after page. It follows Link rel="next"
// when the answer has one, otherwise asks for the next page number while
// Total-Count says items are missing. Link targets must stay under the base
// URL: the Authorization header goes wherever the client is told to go.
func listPages[T any](ctx context.Context, c *Client, route, path string, query url.Values) ([]T, error) {
	if query == nil {
		query = url.Values{}
	}
	var all []T
	page := 1
	next := ""
	seen := map[string]bool{}
	pages, _ := ctx.Value(pagesKey{}).(*int)
	tally := pageTally{route: route}
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
		total, ok := totalCount(res.header)
		if err := tally.add(page, len(items), total, ok); err != nil {
			return nil, err
		}
		all = append(all, items...)
		seen[res.url.String()] = true

		if link, ok := nextLink(res.header.Values("Link"), res.url); ok {
			if !c.underBase(link) {
				return nil, fmt.Errorf("gandi: GET %s: refusing to follow a next link outside %s", route, c.baseStr)
			}
			if seen[link.String()] {
				// A loop: whether the pages read are the whole list is
				// for the tally to say.
				return wholeOrNil(all, tally.whole())
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
		if !tally.more(len(items)) {
			return wholeOrNil(all, tally.whole())
		}
		page++
		next = ""
		query = cloneValues(query)
		query.Set("page", strconv.Itoa(page))
	}
	return nil, fmt.Errorf("gandi: GET %s: more than %d pages: %w", route, maxPages, ErrIncompleteList)
}

// wholeOrNil returns all when the tally found it whole (err nil): a list
// that is not whole is never handed on.
func wholeOrNil[T any](all []T, err error) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return all, nil
}

// ErrIncompleteList means a list's pages did not make one whole list: a
// page carried no Total-Count (the docs make it part of every list
// answer), the Total-Count changed between two pages (the list changed
// while it was read), or the items read were not as many as it said. What
// such a list lacks may exist at Gandi: nothing may be taken as absent
// from it. IsTransient is true: read again later, the list is whole.
var ErrIncompleteList = errors.New("gandi: the list's pages do not make one whole list")

// listShiftedError is an ErrIncompleteList whose Total-Count changed
// between two pages: reading the list again at once is likely to succeed.
type listShiftedError struct {
	route          string
	page, from, to int
}

func (e *listShiftedError) Error() string {
	return fmt.Sprintf("gandi: GET %s: the list changed while it was read (Total-Count %d before page %d, %d on it)",
		e.route, e.from, e.page, e.to)
}

func (e *listShiftedError) Unwrap() error { return ErrIncompleteList }

// pageTally decides whether the pages of one read of a list make the whole
// list at one moment. Gandi pages by offset: an object deleted from a page
// already read slides every later one a place forward, so the first object
// of the next page is never seen (nor is a page past the new end), and
// what was read looks whole. Total-Count gives it away: it must be the same
// on every page, and the items read must be exactly that many (one more is
// an object read twice, one fewer a page cut short or a loop).
//
// In Gandi's default order (newest first, -created_at) an object created
// while the list is read lands before everything read, so an object can
// only be skipped when more left the list than entered it, which lowers
// Total-Count. With another sort_by, one leaving before the read point
// while another enters after it keeps the count and can hide an object:
// callers that take an absence from a list leave the order to Gandi.
type pageTally struct {
	route string
	// total is the first page's Total-Count; items the items read so far.
	total, items, pages int
}

// add records page, of n items, whose answer announced total (ok: a valid
// Total-Count). The error is a *listShiftedError when Total-Count changed.
func (t *pageTally) add(page, n, total int, ok bool) error {
	if !ok {
		return fmt.Errorf("gandi: GET %s: page %d carries no valid Total-Count, so whether the list is whole is unknown: %w",
			t.route, page, ErrIncompleteList)
	}
	if t.pages > 0 && total != t.total {
		return &listShiftedError{route: t.route, page: page, from: t.total, to: total}
	}
	t.total = total
	t.items += n
	t.pages++
	return nil
}

// more reports whether a next page is to be asked for when the answer
// names none (no Link): the last page had items and Total-Count says
// more are missing.
func (t *pageTally) more(lastPage int) bool { return lastPage > 0 && t.items < t.total }

// whole checks, once no page is left to read, that the items read are
// exactly the Total-Count every page announced.
func (t *pageTally) whole() error {
	if t.items != t.total {
		return fmt.Errorf("gandi: GET %s: read %d items in %d pages of a list of %d (Total-Count): %w",
			t.route, t.items, t.pages, t.total, ErrIncompleteList)
	}
	return nil
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
