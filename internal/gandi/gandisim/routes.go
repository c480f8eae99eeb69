package gandisim

// Route templates name a route in faults and counters. They are also the
// patterns registered on the ServeMux, so the name a test uses is exactly what
// matched the request.
const (
	RouteListApplications = "GET /v5/simplehosting/applications"
	RouteGetApplication   = "GET /v5/simplehosting/applications/{application_name}"

	RouteListInstances  = "GET /v5/simplehosting/instances"
	RouteCreateInstance = "POST /v5/simplehosting/instances"
	RouteGetInstance    = "GET /v5/simplehosting/instances/{instance_id}"
	RoutePatchInstance  = "PATCH /v5/simplehosting/instances/{instance_id}"
	RouteDeleteInstance = "DELETE /v5/simplehosting/instances/{instance_id}"
	RouteInstanceAction = "POST /v5/simplehosting/instances/{instance_id}/action"
	RouteInstanceUsage  = "GET /v5/simplehosting/instances/{instance_id}/usage"

	RouteListVhosts      = "GET /v5/simplehosting/instances/{instance_id}/vhosts"
	RouteCreateVhost     = "POST /v5/simplehosting/instances/{instance_id}/vhosts"
	RouteGetVhost        = "GET /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}"
	RoutePatchVhost      = "PATCH /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}"
	RouteDeleteVhost     = "DELETE /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}"
	RoutePurgeVhostCache = "DELETE /v5/simplehosting/instances/{instance_id}/vhosts/{vhost_fqdn}/cache"

	RouteListTemplates  = "GET /v5/template/templates"
	RouteCreateTemplate = "POST /v5/template/templates"
	RouteGetTemplate    = "GET /v5/template/templates/{id}"
	RoutePatchTemplate  = "PATCH /v5/template/templates/{id}"
	RouteDeleteTemplate = "DELETE /v5/template/templates/{id}"
	// The docs list "Apply a template" as the POST of templates/{id}: there is
	// no /apply suffix.
	RouteApplyTemplate = "POST /v5/template/templates/{id}"
	RouteGetDispatch   = "GET /v5/template/dispatch/{id}"

	RouteGetDomain = "GET /v5/domain/domains/{fqdn}"
)

// Routes lists every route template the simulator serves.
func Routes() []string {
	return []string{
		RouteListApplications, RouteGetApplication,
		RouteListInstances, RouteCreateInstance, RouteGetInstance, RoutePatchInstance, RouteDeleteInstance,
		RouteInstanceAction, RouteInstanceUsage,
		RouteListVhosts, RouteCreateVhost, RouteGetVhost, RoutePatchVhost, RouteDeleteVhost, RoutePurgeVhostCache,
		RouteListTemplates, RouteCreateTemplate, RouteGetTemplate, RoutePatchTemplate, RouteDeleteTemplate,
		RouteApplyTemplate, RouteGetDispatch,
		RouteGetDomain,
	}
}

func (s *Server) registerRoutes() {
	s.handle(RouteListApplications, listApplications)
	s.handle(RouteGetApplication, getApplication)

	s.handle(RouteListInstances, listInstances)
	s.handle(RouteCreateInstance, createInstance)
	s.handle(RouteGetInstance, getInstance)
	s.handle(RoutePatchInstance, patchInstance)
	s.handle(RouteDeleteInstance, deleteInstance)
	s.handle(RouteInstanceAction, instanceAction)
	s.handle(RouteInstanceUsage, instanceUsage)

	s.handle(RouteListVhosts, listVhosts)
	s.handle(RouteCreateVhost, createVhost)
	s.handle(RouteGetVhost, getVhost)
	s.handle(RoutePatchVhost, patchVhost)
	s.handle(RouteDeleteVhost, deleteVhost)
	s.handle(RoutePurgeVhostCache, purgeVhostCache)

	s.handle(RouteListTemplates, listTemplates)
	s.handle(RouteCreateTemplate, createTemplate)
	s.handle(RouteGetTemplate, getTemplate)
	s.handle(RoutePatchTemplate, patchTemplate)
	s.handle(RouteDeleteTemplate, deleteTemplate)
	s.handle(RouteApplyTemplate, applyTemplate)
	s.handle(RouteGetDispatch, getDispatch)

	s.handle(RouteGetDomain, getDomain)
}
