package gandi

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// IDFromLocation extracts the ID of an object from a URL naming it, such as
// the Content-Location of a create: "https://api.gandi.net/v5/simplehosting/
// instances/<id>" or, relative, "/v5/simplehosting/instances/<id>". The URL
// must name an item directly under collection (a route without
// placeholders), so that an unexpected header is reported rather than
// turned into a wrong ID the caller would then persist.
func IDFromLocation(location, collection string) (string, error) {
	location = strings.TrimSpace(location)
	if location == "" {
		return "", fmt.Errorf("%w: no location", ErrNoID)
	}
	u, err := url.Parse(location)
	if err != nil {
		return "", fmt.Errorf("%w: unparseable location %q", ErrNoID, location)
	}
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return "", fmt.Errorf("%w: location %q names no %s item", ErrNoID, location, collection)
	}
	parent, seg := p[:i], p[i+1:]
	if !strings.HasSuffix(parent, collection) {
		return "", fmt.Errorf("%w: location %q names no %s item", ErrNoID, location, collection)
	}
	id, err := url.PathUnescape(seg)
	if err != nil || id == "" || id == "." || id == ".." {
		return "", fmt.Errorf("%w: location %q names no %s item", ErrNoID, location, collection)
	}
	return id, nil
}

// createdID reads the new object's ID from Content-Location, then Location.
func createdID(h http.Header, collection string) (string, error) {
	loc := h.Get("Content-Location")
	if loc == "" {
		loc = h.Get("Location")
	}
	return IDFromLocation(loc, collection)
}
