package gandisim

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// listOpts splits a list-options struct into filters and paging, refusing
// keys the doc does not give for that method (keys lists the filter
// names, without their ~ < > forms).
type listOpts struct {
	filters map[string]any
	perPage int
	pageNo  int
	sortBy  string
}

func parseListOpts(opts map[string]any, keys []string, paged bool) (*listOpts, *xfault) {
	lo := &listOpts{filters: map[string]any{}, perPage: 100}
	for k, v := range opts {
		switch k {
		case "items_per_page", "page":
			n, ok := v.(int64)
			if !paged || !ok || n < 0 || (k == "items_per_page" && n == 0) {
				return nil, xerr(faultInvalid, "Invalid parameter: "+k)
			}
			if k == "page" {
				lo.pageNo = int(n)
			} else {
				lo.perPage = int(n)
			}
			continue
		case "sort_by":
			s, ok := v.(string)
			if !paged || !ok || !slices.Contains(keys, strings.TrimPrefix(s, "-")) {
				return nil, xerr(faultInvalid, "Invalid parameter: sort_by")
			}
			lo.sortBy = s
			continue
		}
		if !slices.Contains(keys, strings.TrimLeft(k, "~<>")) {
			return nil, xerr(faultInvalid, "Invalid parameter: unknown filter "+k)
		}
		lo.filters[k] = v
	}
	return lo, nil
}

// matches applies every filter to an object's filter view: "~" is a
// case-insensitive LIKE with % wildcards, "<" and ">" compare numbers or
// dates, plain keys compare equal to one value or any of an array.
func (lo *listOpts) matches(view map[string]any) bool {
	for k, want := range lo.filters {
		field := strings.TrimLeft(k, "~<>")
		got := view[field]
		switch k[0] {
		case '~':
			if !anyOf(want, func(w any) bool { return anyOf(got, func(g any) bool { return like(fmt.Sprint(g), fmt.Sprint(w)) }) }) {
				return false
			}
		case '<', '>':
			c, ok := compare(got, want)
			if !ok || (k[0] == '<' && c >= 0) || (k[0] == '>' && c <= 0) {
				return false
			}
		default:
			if !anyOf(want, func(w any) bool { return anyOf(got, func(g any) bool { c, ok := compare(g, w); return ok && c == 0 }) }) {
				return false
			}
		}
	}
	return true
}

func anyOf(v any, f func(any) bool) bool {
	if arr, ok := v.([]any); ok {
		return slices.ContainsFunc(arr, f)
	}
	if arr, ok := v.([]string); ok {
		return slices.ContainsFunc(arr, func(s string) bool { return f(s) })
	}
	return f(v)
}

func like(s, pattern string) bool {
	parts := strings.Split(pattern, "%")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re, err := regexp.Compile("(?is)^" + strings.Join(parts, ".*") + "$")
	return err == nil && re.MatchString(s)
}

var filterDateLayouts = []string{xmlrpcTime, time.DateOnly, time.DateTime, "2006-01-02T15:04:05", time.RFC3339}

func compare(got, want any) (int, bool) {
	switch g := got.(type) {
	case int64:
		w, ok := want.(int64)
		return cmp.Compare(g, w), ok
	case time.Time:
		var w time.Time
		switch x := want.(type) {
		case time.Time:
			w = x
		case string:
			for _, l := range filterDateLayouts {
				if t, err := time.Parse(l, x); err == nil {
					w = t
					break
				}
			}
			if w.IsZero() {
				return 0, false
			}
		default:
			return 0, false
		}
		return g.Compare(w), true
	case string:
		w, ok := want.(string)
		return strings.Compare(g, w), ok
	case bool:
		w, ok := want.(bool)
		if ok && g == w {
			return 0, true
		}
		return 1, ok
	}
	return 0, false
}

// page sorts (by sort_by, else by id) and cuts the filter views.
func (lo *listOpts) page(views []map[string]any) []map[string]any {
	key, desc := strings.TrimPrefix(lo.sortBy, "-"), strings.HasPrefix(lo.sortBy, "-")
	if key == "" {
		key = "id"
	}
	slices.SortStableFunc(views, func(a, b map[string]any) int {
		c, _ := compare(a[key], b[key])
		if desc {
			return -c
		}
		return c
	})
	start := lo.pageNo * lo.perPage
	if start >= len(views) {
		return nil
	}
	return views[start:min(start+lo.perPage, len(views))]
}
