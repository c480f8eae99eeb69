package install_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// No Docker engine runs where this project is built and tested, so the image
// itself is never built here. What CI builds instead is the binary the
// Dockerfile builds, with `make build`; this test checks that the two name
// the same flags, and that the final image is what the manifests assume
// (non-root UID 65532, nothing but the static binary).

const versionVar = "github.com/gandi-operator/gandi-operator/internal/version.Version"

type stage struct {
	from, name string
	lines      []string // instructions, continuation lines joined
}

func dockerStages(t *testing.T) []stage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var stages []stage
	var buf string
	for _, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSpace(raw)
		if buf == "" && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			buf += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		line, buf = strings.Join(strings.Fields(buf+line), " "), ""
		if f := strings.Fields(line); strings.EqualFold(f[0], "FROM") {
			s := stage{from: f[1]}
			if len(f) == 4 && strings.EqualFold(f[2], "AS") {
				s.name = f[3]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			if !strings.HasPrefix(strings.ToUpper(line), "ARG ") {
				t.Fatalf("Dockerfile: %q before the first FROM", line)
			}
			continue
		}
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, line)
	}
	if len(stages) < 2 {
		t.Fatalf("Dockerfile: want a multi-stage build, got %d stage(s)", len(stages))
	}
	return stages
}

// makeVar is the value of `NAME ?= value` in the Makefile.
func makeVar(t *testing.T, mk, name string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + ` \?= (.*)$`).FindStringSubmatch(mk)
	if m == nil {
		t.Fatalf("Makefile: no %s ?=", name)
	}
	return strings.TrimSpace(m[1])
}

func TestDockerfileBuildsWhatTheMakefileBuilds(t *testing.T) {
	stages := dockerStages(t)
	mkBytes, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	mk := string(mkBytes)

	// The Dockerfile's go build.
	var builder *stage
	var goBuild string
	for i := range stages {
		for _, l := range stages[i].lines {
			if strings.HasPrefix(l, "RUN ") && strings.Contains(l, "go build") {
				builder, goBuild = &stages[i], l
			}
		}
	}
	if builder == nil {
		t.Fatal("Dockerfile: no RUN ... go build")
	}
	ldRe := regexp.MustCompile(`-ldflags "([^"]*)"`)
	m := ldRe.FindStringSubmatch(goBuild)
	if m == nil {
		t.Fatalf("Dockerfile go build has no -ldflags \"...\": %s", goBuild)
	}
	dockerLD := m[1]
	for _, want := range []string{"CGO_ENABLED=0", " -trimpath ", " ./cmd"} {
		if !strings.Contains(goBuild+" ", want) {
			t.Errorf("Dockerfile go build lacks %q: %s", strings.TrimSpace(want), goBuild)
		}
	}
	if !strings.HasPrefix(dockerLD, "-s -w ") || !strings.Contains(dockerLD, "-X "+versionVar+"=${VERSION}") {
		t.Errorf("Dockerfile -ldflags %q: want -s -w -X %s=${VERSION}", dockerLD, versionVar)
	}
	var versionArg bool
	for _, l := range builder.lines {
		if l == "ARG VERSION" || strings.HasPrefix(l, "ARG VERSION=") {
			versionArg = true
		}
	}
	if !versionArg {
		t.Error("Dockerfile: the build stage has no ARG VERSION, so the version cannot be stamped by a build arg")
	}

	// The Makefile's, with the same flags.
	mkLD := makeVar(t, mk, "LDFLAGS")
	if strings.ReplaceAll(dockerLD, "${VERSION}", "$(VERSION)") != mkLD {
		t.Errorf("-ldflags differ: Dockerfile %q, Makefile LDFLAGS %q", dockerLD, mkLD)
	}
	if got := makeVar(t, mk, "GO_BUILD_FLAGS"); got != `-trimpath -ldflags "$(LDFLAGS)"` {
		t.Errorf("Makefile GO_BUILD_FLAGS = %s, want -trimpath -ldflags \"$(LDFLAGS)\"", got)
	}
	if !regexp.MustCompile(`(?m)^\tCGO_ENABLED=0 go build \$\(GO_BUILD_FLAGS\) -o \$\(LOCALBIN\)/manager \./cmd$`).MatchString(mk) {
		t.Error("Makefile: the build target does not run `CGO_ENABLED=0 go build $(GO_BUILD_FLAGS) -o $(LOCALBIN)/manager ./cmd`")
	}

	// The builder's Go is at least the go.mod's.
	goMod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if gm := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)`).FindSubmatch(goMod); gm != nil {
		im := regexp.MustCompile(`^golang:(\d+)\.(\d+)`).FindStringSubmatch(builder.from)
		if im == nil {
			t.Errorf("Dockerfile build stage %q is not a versioned golang image", builder.from)
		} else if minor(im[1], im[2]) < minor(string(gm[1]), string(gm[2])) {
			t.Errorf("Dockerfile builds with %s, go.mod needs go %s.%s", builder.from, gm[1], gm[2])
		}
	}

	// Every package of ours the manager imports is copied into the build.
	copied := map[string]bool{}
	for _, l := range builder.lines {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "COPY" && !strings.HasPrefix(f[1], "--") {
			for _, src := range f[1 : len(f)-1] {
				copied[strings.Trim(strings.TrimPrefix(src, "./"), "/")] = true
			}
		}
	}
	for _, want := range []string{"go.mod", "go.sum"} {
		if !copied[want] {
			t.Errorf("Dockerfile does not COPY %s", want)
		}
	}
	list := exec.CommandContext(t.Context(), "go", "list", "-deps", "-f", "{{if .Module}}{{if .Module.Main}}{{.ImportPath}}{{end}}{{end}}", "./cmd")
	list.Dir = root
	out, err := list.Output()
	if err != nil {
		t.Fatalf("go list -deps ./cmd: %v", err)
	}
	const module = "github.com/gandi-operator/gandi-operator/"
	for _, pkg := range strings.Fields(string(out)) {
		top, _, _ := strings.Cut(strings.TrimPrefix(pkg, module), "/")
		if !copied[top] {
			t.Errorf("the manager imports %s, but the Dockerfile does not COPY %s/", pkg, top)
		}
	}

	// The final image: distroless (or scratch), non-root 65532, the binary.
	final := stages[len(stages)-1]
	distroless := strings.HasPrefix(final.from, "gcr.io/distroless/static") && strings.HasSuffix(final.from, ":nonroot")
	if !distroless && final.from != "scratch" {
		t.Errorf("final image %q: want gcr.io/distroless/static:nonroot or scratch", final.from)
	}
	var user, entry, copyBin bool
	for _, l := range final.lines {
		switch {
		case l == "USER 65532" || l == "USER 65532:65532":
			user = true
		case strings.HasPrefix(l, "ENTRYPOINT "):
			entry = strings.Contains(l, "manager")
		case strings.HasPrefix(l, "COPY --from="+builder.name+" "):
			copyBin = true
		case strings.HasPrefix(l, "RUN "):
			t.Errorf("final stage runs %q: it has no shell, and needs nothing but the binary", l)
		}
	}
	if !user || !entry || !copyBin {
		t.Errorf("final stage: USER 65532 %v, ENTRYPOINT manager %v, COPY --from=%s %v", user, entry, builder.name, copyBin)
	}
}

func minor(major, min string) int {
	a, _ := strconv.Atoi(major)
	b, _ := strconv.Atoi(min)
	return a*1000 + b
}
