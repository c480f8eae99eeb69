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
// (its count moved between two pages) is read again at once before the
// caller gets the error.
const listRereads = 2

// ReadWhole returns what read returns once read gives one whole list (see
// PageTally): a caller takes an object's absence from a list (a lookup
// before a purchase), so a list that changed while it was read, and may
// have slid an object from an unread page onto a read one, is read again,
// with a fresh tally each time; when it keeps changing, or does not add up,
// the error wraps ErrIncompleteList. route names the list in the log.
func ReadWhole[T any](ctx context.Context, log *slog.Logger, route string, read func(*PageTally) ([]T, error)) ([]T, error) {
	for n := 0; ; n++ {
		all, err := read(&PageTally{route: route})
		var shifted *listShiftedError
		if err == nil || !errors.As(err, &shifted) || n == listRereads {
			if err != nil {
				return nil, err
			}
			return all, nil
		}
		log.LogAttrs(ctx, slog.LevelInfo, "gandi list changed while it was read; reading it again",
			slog.String("route", route), slog.Int("from", shifted.from), slog.Int("to", shifted.to), slog.Int("pagesRead", shifted.pages))
	}
}

// listAll fetches every page of a list route as one whole list (ReadWhole).
func listAll[T any](ctx context.Context, c *Client, route, path string, query url.Values) ([]T, error) {
	return ReadWhole(ctx, c.log, route, func(tally *PageTally) ([]T, error) {
		return listPages[T](ctx, c, route, path, query, tally)
	})
}

// listPages reads a list once, page after page, each page's Total-Count
// and items into tally. It follows Link rel="next" when the answer has
// one, otherwise asks for the next page number while Total-Count says
// items are missing. Link targets must stay under the base URL: the
// Authorization header goes wherever the client is told to go.
func listPages[T any](ctx context.Context, c *Client, route, path string, query url.Values, tally *PageTally) ([]T, error) {
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
		if err := tally.Total(totalCount(res.header)); err != nil {
			return nil, err
		}
		tally.Page(len(items))
		all = append(all, items...)
		seen[res.url.String()] = true

		if link, ok := nextLink(res.header.Values("Link"), res.url); ok {
			if !c.underBase(link) {
				return nil, fmt.Errorf("gandi: GET %s: refusing to follow a next link outside %s", route, c.baseStr)
			}
			if seen[link.String()] {
				// A loop: whether the pages read are the whole list is
				// for the tally to say.
				return all, tally.Whole()
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
		if !tally.More(len(items)) {
			return all, tally.Whole()
		}
		page++
		next = ""
		query = cloneValues(query)
		query.Set("page", strconv.Itoa(page))
	}
	return nil, fmt.Errorf("gandi: GET %s: more than %d pages: %w", route, maxPages, ErrIncompleteList)
}

// ErrIncompleteList means a list's pages did not make one whole list: a
// page carried no Total-Count (the docs make it part of every v5 list
// answer), the count changed while the list was read, or the items read
// were not as many as it said. What such a list lacks may exist at Gandi:
// nothing may be taken as absent from it. IsTransient is true: read again
// later, the list is whole.
var ErrIncompleteList = errors.New("gandi: the list's pages do not make one whole list")

// listShiftedError is an ErrIncompleteList whose count changed while the
// list was read: reading it again at once is likely to succeed.
type listShiftedError struct {
	route           string
	pages, from, to int
}

func (e *listShiftedError) Error() string {
	return fmt.Sprintf("gandi: %s: the list changed while it was read (%d items, then %d after %d pages)",
		e.route, e.from, e.to, e.pages)
}

func (e *listShiftedError) Unwrap() error { return ErrIncompleteList }

// PageTally decides whether the pages of one read of a list make the whole
// list at one moment. Gandi pages by offset: an object deleted from a page
// already read slides every later one a place forward, so the first object
// of the next page is never seen (nor is a page past the new end), and
// what was read looks whole. The count of the list gives it away: the
// count read with every page (v5: each page's Total-Count; XML-RPC:
// paas.count before the first page and after the last) must be the same,
// and the items read exactly that many (one more is an object read twice,
// one fewer a page cut short or a loop).
//
// In Gandi's default v5 order (newest first, -created_at) an object
// created while the list is read lands before everything read, so an
// object can only be skipped when more left the list than entered it,
// which lowers the count. In another order, one leaving before the read
// point while another enters after it keeps the count and can hide an
// object: callers that take an absence from a v5 list leave the order to
// Gandi. The zero PageTally is not for use: ReadWhole gives each read one.
type PageTally struct {
	route string
	// total is the first count; items the items read so far.
	total, items, pages, counts int
}

// Total records a count of the whole list read along with its pages (ok:
// there is a valid one). The error is an ErrIncompleteList, one ReadWhole
// reads again when the count changed.
func (t *PageTally) Total(n int, ok bool) error {
	if !ok {
		return fmt.Errorf("gandi: %s: page %d carries no valid Total-Count, so whether the list is whole is unknown: %w",
			t.route, t.pages+1, ErrIncompleteList)
	}
	if t.counts > 0 && n != t.total {
		return &listShiftedError{route: t.route, pages: t.pages, from: t.total, to: n}
	}
	t.total = n
	t.counts++
	return nil
}

// Page records a page of n items read.
func (t *PageTally) Page(n int) {
	t.items += n
	t.pages++
}

// More reports whether a next page is to be asked for when the answer
// names none (no Link): the last page had items and the count says more
// are missing.
func (t *PageTally) More(lastPage int) bool { return lastPage > 0 && t.items < t.total }

// Whole checks, once no page is left to read, that the items read are
// exactly the count every sample gave.
func (t *PageTally) Whole() error {
	if t.counts == 0 || t.items != t.total {
		return fmt.Errorf("gandi: %s: read %d items in %d pages of a list of %d: %w",
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
