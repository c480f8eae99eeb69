//nolint:goconst // the catalog tables repeat enum values (sizes, versions) by design
package gandisim

import (
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
)

// The docs give enums but no figures for sizes, language versions or
// datacenter names; the values below are the simulator's own and only need to
// be self-consistent (cpu/ram/storage of a size, region of a datacenter).

type sizeSpec struct {
	cpu    int
	ramMB  int
	baseGB int
	legacy bool
	rank   int // comparable across legacy and current offers, for application minimum sizes
}

var sizes = map[string]sizeSpec{
	"s":        {cpu: 1, ramMB: 256, baseGB: 10, legacy: true, rank: 0},
	"s+":       {cpu: 1, ramMB: 512, baseGB: 20, legacy: true, rank: 0},
	"m":        {cpu: 2, ramMB: 1024, baseGB: 20, legacy: true, rank: 1},
	"l":        {cpu: 2, ramMB: 2048, baseGB: 50, legacy: true, rank: 2},
	"xl":       {cpu: 4, ramMB: 4096, baseGB: 50, legacy: true, rank: 2},
	"xxl":      {cpu: 4, ramMB: 8192, baseGB: 100, legacy: true, rank: 3},
	"starter":  {cpu: 1, ramMB: 1024, baseGB: 10, rank: 0},
	"advanced": {cpu: 2, ramMB: 2048, baseGB: 50, rank: 1},
	"pro":      {cpu: 4, ramMB: 4096, baseGB: 100, rank: 2},
	"business": {cpu: 8, ramMB: 8192, baseGB: 200, rank: 3},
}

// legacyOrder lists the legacy sizes, the only ones PATCH may resize.
var legacyOrder = []string{"s", "s+", "m", "l", "xl", "xxl"}

// Statuses the lifecycle moves objects through.
const (
	statusWaitingBill  = "waiting_bill"
	statusBeingCreated = "being_created"
	statusActive       = "active"
	statusRunning      = "running"
	statusBeingDeleted = "being_deleted"
	// statusPaasDeleted is PaasState "deleted": an instance Gandi deleted
	// and still shows (MarkPaasDeleted).
	statusPaasDeleted = "deleted"
	// statusPaasPaused and statusPaasLocked are PaasStates Gandi holds an
	// instance in (SetPaasState).
	statusPaasPaused = "paused"
	statusPaasLocked = "locked"
	statusAvailable  = "available" // an offered version or upgrade
	statusError      = "error"     // a refused Dry-Run, a validation body
)

const (
	langPHP        = "php"
	dbMySQL        = "mysql"
	dbPgSQL        = "pgsql"
	serviceLiveDNS = "livedns"
)

var (
	allSizes        = []string{"s", "s+", "m", "l", "xl", "xxl", "starter", "advanced", "pro", "business"}
	createSizes     = []string{"starter", "advanced", "pro", "business"}
	resizeTargets   = []string{"s+", "m", "l", "xxl"}
	boosterSizes    = append(slices.Clone(allSizes), "boosted")
	instanceStates  = []string{"waiting_bill", "being_created", "active", "paused", "locked", "being_deleted"}
	vhostStates     = []string{"being_created", "running", "being_deleted", "locked", "waiting_ownership", "ownership_validated", "validation_failed"}
	appStates       = []string{"error", "running", "being_created", "cancelled"}
	httpsStrategies = []string{"HTTP_only", "allow_HTTP_and_HTTPS", "redirect_HTTP_to_HTTPS"}
	instanceActions = []string{"restart", "console", "reset_database_password"}
	contactTypes    = []string{"individual", "company", "association", "publicbody"}
	contactLangs    = []string{"en", "es", "fr", "ja", "zh-hans", "zh-hant"}
	validations     = []string{"pending", "done", "failed", "deleted", "none"}
)

type datacenter struct{ code, name, region string }

var datacenters = []datacenter{
	{"FR-SD3", "Paris (SD3)", "FR"},
	{"FR-SD5", "Paris (SD5)", "FR"},
	{"FR-SD6", "Paris (SD6)", "FR"},
	{"LU-BI1", "Bissen (BI1)", "LU"},
}

// defaultDatacenter is where a create lands for a location; the docs only let
// the caller choose the region.
var defaultDatacenter = map[string]string{"FR": "FR-SD5", "LU": "LU-BI1"}

func findDatacenter(code string) (datacenter, bool) {
	for _, d := range datacenters {
		if d.code == code {
			return d, true
		}
	}
	return datacenter{}, false
}

// runtime is a language or database: the versions a create may ask for, in
// ascending order, and the one chosen when the caller gives none.
type runtime struct {
	versions    []string
	recommended string
}

var languages = map[string]runtime{
	langPHP:  {versions: []string{"8.1", "8.2", "8.3"}, recommended: "8.3"},
	"python": {versions: []string{"3.10", "3.11", "3.12"}, recommended: "3.12"},
	"nodejs": {versions: []string{"18", "20", "22"}, recommended: "20"},
	"ruby":   {versions: []string{"3.2", "3.3"}, recommended: "3.3"},
}

var databases = map[string]runtime{
	dbMySQL: {versions: []string{"5.7", "8.0"}, recommended: "8.0"},
	dbPgSQL: {versions: []string{"13", "14", "15", "16"}, recommended: "16"},
}

var (
	languageNames = []string{langPHP, "python", "nodejs", "ruby"}
	databaseNames = []string{dbMySQL, dbPgSQL}
)

// compareVersions orders dotted numeric versions ("8.10" > "8.9").
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x - y
		}
	}
	return 0
}

// versionsAbove lists the catalog versions newer than current: the upgrades an
// instance is offered.
func versionsAbove(rt runtime, current string) []string {
	var out []string
	for _, v := range rt.versions {
		if compareVersions(v, current) > 0 {
			out = append(out, v)
		}
	}
	return out
}

var languageIDSpace = uuid.MustParse("6f1c0d1e-5a1b-4c33-9f3e-2b7a0c1d9e10")

// languageID is stable across restarts so that an ID read from upgrade_to stays
// valid for the PATCH that uses it.
func languageID(name, version string) string {
	return uuid.NewSHA1(languageIDSpace, []byte(name+" "+version)).String()
}

type appRequirement struct {
	language, languageVersion string
	database, databaseVersion string
	minimumSize               string
}

type application struct {
	name, label  string
	requirements []appRequirement
}

var applications = []application{
	{"drupal", "Drupal", []appRequirement{
		{langPHP, "8.3", dbMySQL, "8.0", "starter"},
		{langPHP, "8.3", dbPgSQL, "16", "starter"},
	}},
	{"matomo", "Matomo", []appRequirement{{langPHP, "8.3", dbMySQL, "8.0", "starter"}}},
	{"nextcloud", "Nextcloud", []appRequirement{
		{langPHP, "8.2", dbMySQL, "8.0", "advanced"},
		{langPHP, "8.2", dbPgSQL, "16", "advanced"},
	}},
	{"prestashop", "PrestaShop", []appRequirement{{langPHP, "8.1", dbMySQL, "8.0", "advanced"}}},
	{"wordpress", "WordPress", []appRequirement{{langPHP, "8.3", dbMySQL, "8.0", "starter"}}},
}

func findApplication(name string) (application, bool) {
	for _, a := range applications {
		if a.name == name {
			return a, true
		}
	}
	return application{}, false
}

// compatible says whether app can run on an instance; the docs publish the
// requirements, so the simulator enforces them rather than accepting any pair.
func (a application) compatible(language, database, size string) bool {
	for _, r := range a.requirements {
		if r.language == language && r.database == database && sizes[size].rank >= sizes[r.minimumSize].rank {
			return true
		}
	}
	return false
}
