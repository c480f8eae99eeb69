package gandisim

import "strings"

// paasTypeNames is the doc's PaasTypeServiceName list, in its order.
var paasTypeNames = []string{
	"php5.4mysql", "php5.4pgsql", "nodejspgsql", "nodejsmongodb", "php5.4mongodb", "nodejsmysql",
	"pythonmysql", "pythonpgsql", "pythonmongodb", "rubymysql", "rubypgsql", "rubymongodb",
	"phpmysql", "phppgsql", "phpmongodb", "nodejsmysql5.6", "nodejspgsql9.4", "nodejsmongodb2.4",
	"php7mysql5.6", "php7pgsql9.4", "php7mongodb2.4", "php5.7mysql5.6", "php5.6pgsql9.4",
	"php5.6mongodb2.4", "nodejs6mongodb3.2", "nodejs6mysql5.6", "nodejs6mysql5.7", "nodejs6pgsql9.6",
	"php5.6mongodb3.2", "php5.6mysql5.7", "php5.6pgsql9.6", "php7.1mongodb3.2", "php7.1mysql5.6",
	"php7.1mysql5.7", "php7.1pgsql9.6", "python2.7mongodb3.2", "python2.7mysql5.6", "python2.7mysql5.7",
	"python2.7pgsql9.6", "python3.6mongodb3.2", "python3.6mysql5.6", "python3.6mysql5.7",
	"python3.6pgsql9.6", "ruby2.3mysql5.6", "ruby2.3mysql5.7", "ruby2.3pgsql9.6", "ruby2.3pgsql9.7",
	"ruby2.4mongodb3.2", "ruby2.4mysql5.6", "ruby2.4mysql5.7", "ruby2.4pgsql9.6", "php7.3mysql5.7",
	"php7.3pgsql9.6", "php7.3mongodb3.2", "php.5.4mysql.5.5", "php7.3mysql5.5", "php7.2mysql5.7",
}

// paasTypeVisibility: the doc gives names, not visibilities. Types without
// a language version (and the odd php.5.4mysql.5.5) are deprecated, the two
// newest combinations beta, the rest all.
func paasTypeVisibility(name string) string {
	switch name {
	case "php5.4mysql", "php5.4pgsql", "nodejspgsql", "nodejsmongodb", "php5.4mongodb", "nodejsmysql",
		"pythonmysql", "pythonpgsql", "pythonmongodb", "rubymysql", "rubypgsql", "rubymongodb",
		"phpmysql", "phppgsql", "phpmongodb", "php.5.4mysql.5.5":
		return "deprecated"
	case "php7.3mongodb3.2", "ruby2.3pgsql9.7":
		return "beta"
	}
	return "all"
}

// paasTypeView is a PaasTypeReturn, plus the filter-only id and category.
func paasTypeView(i int, name string) (view, filter map[string]any) {
	lang, db := name, ""
	for _, engine := range []string{"mysql", "pgsql", "mongodb"} {
		if k := strings.Index(name, engine); k > 0 {
			lang, db = strings.TrimSuffix(name[:k], "."), engine
			break
		}
	}
	view = map[string]any{
		"catalog_prefix": "paas_" + strings.TrimRight(lang, "0123456789."),
		keyDatabase:      db,
		keyLanguage:      lang,
		keyName:          name,
		"visibility":     paasTypeVisibility(name),
	}
	filter = map[string]any{"id": int64(i + 1), "category": "paas"}
	for k, v := range view {
		filter[k] = v
	}
	return view, filter
}

func knownPaasType(name string) bool {
	for _, n := range paasTypeNames {
		if n == name {
			return true
		}
	}
	return false
}

// paasDatacenters are Gandi's datacenter IDs of the legacy API.
var paasDatacenters = map[int]map[string]any{
	1: {"id": 1, keyName: "Equinix Paris", keyDCCode: "FR-SD2"},
	2: {"id": 2, keyName: "Level3 Baltimore", keyDCCode: "US-BA1"},
	3: {"id": 3, keyName: "Bissen", keyDCCode: "LU-BI1"},
	4: {"id": 4, keyName: "France, Paris", keyDCCode: "FR-SD3"},
	5: {"id": 5, keyName: "France, Paris", keyDCCode: "FR-SD5"},
}

// paasSnapshotProfiles are the profiles snapshot_profile may name.
var paasSnapshotProfiles = map[int]string{1: "minimal", 2: "standard", 3: "full"}
