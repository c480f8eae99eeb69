package gandi

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Application is an application that can be installed on a vhost.
type Application struct {
	Name         string                   `json:"name"`
	NameLabel    string                   `json:"name_label"`
	Requirements []ApplicationRequirement `json:"requirements"`
}

// ApplicationRequirement is one language/database combination an
// application runs on.
type ApplicationRequirement struct {
	Database *Database `json:"database,omitempty"`
	// InstanceMinimumSize is the smallest instance size it needs.
	InstanceMinimumSize string    `json:"instance_minimum_size"`
	Language            *Language `json:"language,omitempty"`
}

// Database is a database engine as Gandi reports it.
type Database struct {
	Name    string `json:"name"`
	Status  string `json:"status"`
	Version string `json:"version"`
}

// Language is a language runtime as Gandi reports it.
type Language struct {
	Name string `json:"name"`
	// SingleApplication: the application must be the instance's only vhost.
	SingleApplication bool   `json:"single_application"`
	Status            string `json:"status"`
	Version           string `json:"version"`
}

// ListApplicationsOptions are the documented filters; empty ones are not
// sent. Name, Language and Database accept patterns such as "py*".
type ListApplicationsOptions struct {
	Database  string
	Language  string
	Name      string
	SharingID string
	SortBy    string
	// PerPage is the page size asked for; 0 leaves Gandi's default. Every
	// page is fetched either way.
	PerPage int
}

func (o ListApplicationsOptions) values() url.Values {
	q := url.Values{}
	setIf(q, "database", o.Database)
	setIf(q, "language", o.Language)
	setIf(q, "name", o.Name)
	setIf(q, "sharing_id", o.SharingID)
	setIf(q, "sort_by", o.SortBy)
	setPerPage(q, o.PerPage)
	return q
}

// ListApplications lists the applications that can be installed.
func (c *Client) ListApplications(ctx context.Context, opts ListApplicationsOptions) ([]Application, error) {
	apps, err := listAll[Application](ctx, c, RouteApplications, RouteApplications, opts.values())
	if err != nil {
		return nil, fmt.Errorf("list applications: %w", err)
	}
	return apps, nil
}

// GetApplication returns one application by name.
func (c *Client) GetApplication(ctx context.Context, name string) (*Application, error) {
	var app Application
	if err := c.getJSON(ctx, &app, RouteApplication, name); err != nil {
		return nil, fmt.Errorf("get application %s: %w", name, err)
	}
	return &app, nil
}

// getJSON GETs route filled with args and decodes the answer into v.
func (c *Client) getJSON(ctx context.Context, v any, route string, args ...string) error {
	path, err := expand(route, args...)
	if err != nil {
		return err
	}
	res, err := c.do(ctx, &call{method: http.MethodGet, route: route, path: path})
	if err != nil {
		return err
	}
	if err := decodeJSON(res.body, v); err != nil {
		return fmt.Errorf("gandi: GET %s: decode answer: %w", route, err)
	}
	return nil
}

func setIf(q url.Values, key, value string) {
	if value != "" {
		q.Set(key, value)
	}
}

func setPerPage(q url.Values, n int) {
	if n > 0 {
		q.Set("per_page", fmt.Sprint(n))
	}
}
