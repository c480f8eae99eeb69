//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"strings"
	"time"
)

// ts formats like Gandi: RFC 3339, UTC, whole seconds. Callers comparing
// created_at with their own clock must allow for the truncation.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func quantity(mb int) map[string]any {
	if mb%1024 == 0 {
		return map[string]any{"unit": "GB", "value": mb / 1024}
	}
	return map[string]any{"unit": "MB", "value": mb}
}

func gb(n int) map[string]any { return map[string]any{"unit": "GB", "value": n} }

type upgrade struct {
	id, name, typ, version string
}

func languageUpgrades(in *instance) []upgrade {
	versions := versionsAbove(languages[in.Language], in.LanguageVersion)
	out := make([]upgrade, 0, len(versions))
	for _, v := range versions {
		out = append(out, upgrade{id: languageID(in.Language, v), name: in.Language, typ: "language", version: v})
	}
	return out
}

func upgrades(in *instance) []upgrade {
	out := languageUpgrades(in)
	for _, v := range versionsAbove(databases[in.Database], in.DatabaseVersion) {
		out = append(out, upgrade{name: in.Database, typ: "database", version: v})
	}
	return out
}

// renderInstance builds the documented JSON: the list item fields, plus the
// details-only fields when details is set.
func (s *Server) renderInstance(c *call, in *instance, details bool) map[string]any {
	size := sizes[in.Size]
	dc, _ := findDatacenter(in.Datacenter)
	ups := upgrades(in)
	m := map[string]any{
		"id":                in.ID,
		"name":              in.Name,
		"size":              in.Size,
		"status":            in.Status,
		"snapshot_enabled":  in.SnapshotEnabled,
		"available_upgrade": len(ups) > 0,
		"created_at":        ts(in.CreatedAt),
		"expire_at":         ts(in.ExpireAt),
		"database":          map[string]any{"name": in.Database, "status": statusRunning, "version": in.DatabaseVersion},
		"language":          map[string]any{"name": in.Language, "single_application": false, "status": statusRunning, "version": in.LanguageVersion},
		"datacenter":        map[string]any{"code": dc.code, "name": dc.name, "region": dc.region},
		"sharing_space":     map[string]any{"id": in.OrgID, "name": s.orgName(in.OrgID)},
		"storage": map[string]any{
			"base":       gb(size.baseGB),
			"additional": gb(in.StorageAdditionalSize),
			"total":      gb(size.baseGB + in.StorageAdditionalSize),
		},
		"subscription_cancelled": in.SubscriptionCancelled,
	}
	if in.Autorenew {
		m["autorenew"] = map[string]any{"duration": 1, "duration_type": "m"}
	}
	if in.Domain != "" {
		m["domain"] = in.Domain
	}
	if !in.PasswordUpdatedAt.IsZero() {
		m["password_updated_at"] = ts(in.PasswordUpdatedAt)
	}
	if !details {
		return m
	}
	m["cpu"] = size.cpu
	m["ram"] = quantity(size.ramMB)
	host := strings.ToLower(dc.code) + ".gpaas.sim.invalid"
	user := strings.ReplaceAll(in.ID, "-", "")[:12]
	m["console"] = map[string]any{"enabled": in.ConsoleEnabled, "url": "ssh " + user + "@console." + host}

	vhosts := []map[string]any{}
	deploy := []map[string]any{}
	for _, vh := range in.vhosts {
		href := c.vhostURL(in.ID, vh.FQDN)
		vhosts = append(vhosts, map[string]any{"fqdn": vh.FQDN, "href": href})
		deploy = append(deploy, map[string]any{
			"cli": map[string]any{"init": "gandi-sim deploy init " + vh.FQDN},
			"git": map[string]any{
				"deploy": "ssh " + user + "@git." + host + " deploy " + vh.FQDN + ".git",
				"remote": user + "@git." + host + ":" + vh.FQDN + ".git",
				"url":    "git+ssh://" + user + "@git." + host + "/" + vh.FQDN + ".git",
			},
			"sftp": map[string]any{
				"directory":     "vhosts/" + vh.FQDN,
				"document_root": "vhosts/" + vh.FQDN + "/htdocs",
				"server":        "sftp." + host,
				"url":           "sftp://" + user + "@sftp." + host + "/",
			},
			"vhost": map[string]any{"fqdn": vh.FQDN, "href": href},
		})
	}
	m["vhosts"] = vhosts

	dbAccess := map[string]any{"host": "localhost"}
	if in.Database == dbPgSQL {
		dbAccess["port"] = 5432
		dbAccess["admins"] = []map[string]any{{"type": "phpPgAdmin", "url": "https://" + in.ID + ".admin." + host + "/phppgadmin/", "username": "hosting-db"}}
	} else {
		dbAccess["socket"] = "/srv/run/mysqld/mysqld.sock"
		dbAccess["admins"] = []map[string]any{{"type": "phpMyAdmin", "url": "https://" + in.ID + ".admin." + host + "/phpmyadmin/", "username": "root"}}
	}
	m["access_information"] = map[string]any{
		"admin_url": "https://" + in.ID + ".admin." + host + "/",
		"database":  dbAccess,
		"deploy":    deploy,
		"user":      user,
	}

	compatible := []map[string]any{}
	for _, a := range applications {
		if a.compatible(in.Language, in.Database, in.Size) {
			compatible = append(compatible, map[string]any{"name": a.name})
		}
	}
	m["compatible_applications"] = compatible

	upTo := []map[string]any{}
	for _, u := range ups {
		item := map[string]any{"name": u.name, "status": statusAvailable, "type": u.typ, "version": u.version}
		if u.id != "" {
			// Not in the docs: the ID PATCH language_id needs (see patchInstance).
			item["id"] = u.id
		}
		upTo = append(upTo, item)
	}
	m["upgrade_to"] = upTo
	m["booster"] = renderBooster(in, size, c.now)
	return m
}

func renderBooster(in *instance, size sizeSpec, now time.Time) map[string]any {
	next := map[string]any{
		"available":            in.boosterAvailable(now),
		"cooldown_days":        boosterCooldownDays,
		"default_cpu_override": size.cpu * 2,
		"default_ram_override": quantity(size.ramMB * 2),
		"duration_days":        boosterDurationDays,
	}
	if at, cooling := in.boosterAvailableAt(); cooling && now.Before(at) {
		next["available_at"] = ts(at)
	}
	b := map[string]any{"next": next}
	if in.Booster {
		override := in.BoosterSize
		if override == "" || override == "boosted" {
			override = in.Size
		}
		b["current"] = map[string]any{
			"cpu_override":  size.cpu * 2,
			"ram_override":  quantity(size.ramMB * 2),
			"size_override": override,
			"status":        statusActive,
			"created_at":    ts(in.boosterSince),
			"expires_at":    ts(in.boosterExpiresAt()),
		}
	}
	return b
}
