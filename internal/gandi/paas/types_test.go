package paas

import "testing"

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
