package paas

import (
	"regexp"
	"testing"
)

// The engine is the one the name ends with, version or not; a name that
// ends in none is not taken to have one.
func TestTypeDatabase(t *testing.T) {
	for name, want := range map[string]string{
		"php7.3mysql5.7":      DatabaseMySQL,
		"phpmysql":            DatabaseMySQL,
		"php.5.4mysql.5.5":    DatabaseMySQL,
		"nodejs6mysql5.6":     DatabaseMySQL,
		"php7.3pgsql9.6":      DatabasePgSQL,
		"rubypgsql":           DatabasePgSQL,
		"python3.6mongodb3.2": DatabaseMongoDB,
		"nodejsmongodb":       DatabaseMongoDB,
		"php7.3":              "",
		"mysql5.7":            "",
		"php7.3mysql5.7-beta": "",
		"":                    "",
	} {
		if got := TypeDatabase(name); got != want {
			t.Errorf("TypeDatabase(%q) = %q, want %q", name, got, want)
		}
	}
}

// The types whose name says they embed another engine than MySQL have no
// MySQL root password; the CRD's CEL rule judges by NotMySQLTypePattern
// and must agree.
func TestMayHaveMySQL(t *testing.T) {
	notMySQL := regexp.MustCompile(NotMySQLTypePattern)
	for name, want := range map[string]bool{
		"php7.3mysql5.7":      true,
		"phpmysql":            true,
		"nodejs6mysql5.6":     true,
		"php7.3":              true, // no engine named: not refused
		"mysql5.7":            true,
		"php7.3mysql5.7-beta": true,
		"php7.3pgsql9.6":      false,
		"rubypgsql":           false,
		"ruby2.3pgsql9.7":     false,
		"python3.6mongodb3.2": false,
		"nodejsmongodb":       false,
		"pgsql9.6":            true, // an engine without a language is no name the docs list
		"phppgsqlmysql5.7":    true,
		"phpmysqlpgsql9.6":    false,
	} {
		if got := MayHaveMySQL(name); got != want {
			t.Errorf("MayHaveMySQL(%q) = %v, want %v", name, got, want)
		}
		if matched := notMySQL.MatchString(name); matched == want {
			t.Errorf("NotMySQLTypePattern matches %q: %v, but MayHaveMySQL says %v", name, matched, want)
		}
	}
}
