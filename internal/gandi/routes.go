package gandi

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Route templates, as documented. They label metrics, logs and errors, so an
// object's ID never becomes a metric label.
const (
	RouteApplications = "/v5/simplehosting/applications"
	RouteApplication  = "/v5/simplehosting/applications/{application_name}"
	RouteInstances    = "/v5/simplehosting/instances"
	RouteInstance     = "/v5/simplehosting/instances/{instance_id}"
	RouteAction       = "/v5/simplehosting/instances/{instance_id}/action"
	RouteUsage        = "/v5/simplehosting/instances/{instance_id}/usage"
	RouteVhosts       = "/v5/simplehosting/instances/{instance_id}/vhosts"
	RouteVhost        = "/v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}"
	RouteVhostCache   = "/v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}/cache"
	RouteTemplates    = "/v5/template/templates"
	RouteTemplate     = "/v5/template/templates/{id}"
	RouteDispatch     = "/v5/template/dispatch/{id}"
	RouteDomain       = "/v5/domain/domains/{domain}"
)

// ErrEmptyArgument is returned, before any request, when an ID or FQDN that
// goes into a path is empty: "GET /instances/" would silently list instead.
var ErrEmptyArgument = errors.New("gandi: empty path argument")

// expand fills the {placeholders} of route, in order, with args escaped as
// single path segments (a "/" in an argument cannot reach another route).
func expand(route string, args ...string) (string, error) {
	var b strings.Builder
	rest := route
	for _, arg := range args {
		open := strings.IndexByte(rest, '{')
		end := strings.IndexByte(rest, '}')
		if open < 0 || end < open {
			return "", fmt.Errorf("gandi: route %s takes fewer than %d arguments", route, len(args))
		}
		name := rest[open+1 : end]
		switch strings.TrimSpace(arg) {
		case "":
			return "", fmt.Errorf("%w: %s", ErrEmptyArgument, name)
		case ".", "..":
			return "", fmt.Errorf("gandi: %s %q is not a valid path segment", name, arg)
		}
		b.WriteString(rest[:open])
		b.WriteString(url.PathEscape(arg))
		rest = rest[end+1:]
	}
	if strings.IndexByte(rest, '{') >= 0 {
		return "", fmt.Errorf("gandi: route %s needs more than %d arguments", route, len(args))
	}
	b.WriteString(rest)
	return b.String(), nil
}
