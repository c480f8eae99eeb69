//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

type listQuery struct {
	page, perPage int
	sortField     string
	desc          bool
}

// comparators maps the sort_by fields a list accepts to an ordering.
type comparators[T any] map[string]func(a, b T) int

// parseList reads page, per_page and sort_by. Values the docs rule out
// (page < 1, per_page < 1, an unknown sort field) are 400s with querystring
// field errors, not silently replaced by defaults.
func parseList[T any](c *call, sorts comparators[T]) (listQuery, []fieldError) {
	q := listQuery{page: 1, perPage: c.s.perPage, sortField: "created_at", desc: true}
	var errs []fieldError
	v := c.r.URL.Query()
	bad := func(name, desc string) {
		errs = append(errs, fieldError{Location: "querystring", Name: name, Description: desc})
	}
	if raw, ok := v["page"]; ok {
		n, err := strconv.Atoi(raw[0])
		if err != nil || n < 1 {
			bad("page", "Must be an integer greater than or equal to 1")
		} else {
			q.page = n
		}
	}
	if raw, ok := v["per_page"]; ok {
		n, err := strconv.Atoi(raw[0])
		if err != nil || n < 1 {
			bad("per_page", "Must be an integer greater than or equal to 1")
		} else {
			q.perPage = n
		}
	}
	if raw, ok := v["sort_by"]; ok && sorts != nil {
		field := strings.TrimPrefix(raw[0], "-")
		if _, known := sorts[field]; !known {
			keys := make([]string, 0, len(sorts))
			for k := range sorts {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			bad("sort_by", fmt.Sprintf("%q is not a sortable field (one of %s, optionally prefixed with -)", field, strings.Join(keys, ", ")))
		} else {
			q.sortField, q.desc = field, strings.HasPrefix(raw[0], "-")
		}
	}
	return q, errs
}

// sortItems orders by the requested field, then by creation sequence so that
// equal keys keep a stable, documented-default-like order.
func sortItems[T any](items []T, q listQuery, sorts comparators[T], seq func(T) int64) {
	by := sorts[q.sortField]
	slices.SortStableFunc(items, func(a, b T) int {
		r := 0
		if by != nil {
			r = by(a, b)
		}
		if r == 0 {
			r = cmp.Compare(seq(a), seq(b))
		}
		if q.desc {
			return -r
		}
		return r
	})
}

// writePage answers one page with Total-Count and, on every page before the
// last, a Link header with absolute next/last URLs that keep the caller's
// other query parameters. The last page (and a page past the end, an empty
// list as documented) carries no Link: clients written against Gandi follow
// any Link they get and fail with "the next page has not been found" on a
// rel="last" alone.
func writePage[T any](c *call, items []T, q listQuery) {
	total := len(items)
	last := (total + q.perPage - 1) / q.perPage
	if last < 1 {
		last = 1
	}
	from := (q.page - 1) * q.perPage
	page := []T{}
	if from < total {
		page = items[from:min(from+q.perPage, total)]
	}
	h := c.w.Header()
	h.Set("Total-Count", strconv.Itoa(total))
	if q.page < last {
		h.Set("Link", fmt.Sprintf(`<%s>; rel="next", <%s>; rel="last"`,
			c.pageURL(q.page+1, q.perPage), c.pageURL(last, q.perPage)))
	}
	c.json(http.StatusOK, page)
}

func (c *call) pageURL(page, perPage int) string {
	v := c.r.URL.Query()
	v.Set("page", strconv.Itoa(page))
	v.Set("per_page", strconv.Itoa(perPage))
	return c.base() + c.r.URL.Path + "?" + v.Encode()
}

// globMatch implements the docs' "optional patterns": '*' matches any run of
// characters, everything else matches itself.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// filter returns the query value of name when the caller gave one.
func (c *call) filter(name string) (string, bool) {
	v, ok := c.r.URL.Query()[name]
	if !ok {
		return "", false
	}
	return v[0], true
}

// enumFilter returns the filter name when the caller gave one; a value that is
// not one of allowed adds a query error to errs.
func (c *call) enumFilter(name string, allowed []string, errs *[]fieldError) (string, bool) {
	v, ok := c.filter(name)
	if ok && !slices.Contains(allowed, v) {
		*errs = append(*errs, queryError(name, fmt.Sprintf("%q is not one of %s", v, quoteAll(allowed))))
	}
	return v, ok
}

// fqdnFilter returns the fqdn filter when the caller gave one; a value that is
// not ASCII (Punycode) adds a query error to errs.
func (c *call) fqdnFilter(errs *[]fieldError) (string, bool) {
	v, ok := c.filter("fqdn")
	if ok && !isASCII(v) {
		*errs = append(*errs, queryError("fqdn", "The FQDN must be encoded in ASCII form (Punycode)"))
	}
	return v, ok
}

func queryError(name, desc string) fieldError {
	return fieldError{Location: "querystring", Name: name, Description: desc}
}
