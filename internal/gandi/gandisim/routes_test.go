package gandisim

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestRoutesAreAllServed(t *testing.T) {
	// Every route template resolves on the mux, so faults and counters can
	// name each of them.
	sim := New(Options{})
	for _, route := range Routes() {
		method, path, _ := cut(route)
		req, _ := http.NewRequestWithContext(t.Context(), method, "http://sim"+fillPath(path), nil)
		if _, pattern := sim.mux.Handler(req); pattern != route {
			t.Errorf("%s resolves to %q", route, pattern)
		}
	}
}

func cut(route string) (string, string, bool) {
	for i := range route {
		if route[i] == ' ' {
			return route[:i], route[i+1:], true
		}
	}
	return route, "", false
}

func fillPath(p string) string {
	out := []byte{}
	for i := 0; i < len(p); i++ {
		if p[i] == '{' {
			for p[i] != '}' {
				i++
			}
			out = append(out, 'x')
			continue
		}
		out = append(out, p[i])
	}
	return string(out)
}

// TestDocListsEveryRoute keeps the package doc's route table complete: every
// Route constant, by name, appears in doc.go, and Routes() returns them all.
func TestDocListsEveryRoute(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range Routes() {
		listed[r] = true
	}
	n := 0
	ast.Inspect(f, func(node ast.Node) bool {
		vs, ok := node.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || !strings.HasPrefix(vs.Names[0].Name, "Route") {
			return true
		}
		n++
		name := vs.Names[0].Name
		value, _ := strconv.Unquote(vs.Values[0].(*ast.BasicLit).Value)
		if !strings.Contains(string(doc), " "+name+" ") {
			t.Errorf("doc.go does not list %s", name)
		}
		if !listed[value] {
			t.Errorf("Routes() lacks %s", name)
		}
		return true
	})
	if n != len(Routes()) {
		t.Errorf("%d Route constants, Routes() has %d", n, len(Routes()))
	}
}
