// Package testenv is the one way the operator's tests (and the demo's
// local control plane) start a real kube-apiserver and etcd: the binaries
// hack/control-plane.sh builds, found through KUBEBUILDER_ASSETS, with the
// operator's CRDs installed when asked.
package testenv

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
)

// ErrNoAssets says where the control-plane binaries come from.
var ErrNoAssets = errors.New("KUBEBUILDER_ASSETS is not set: run `make test`, or export KUBEBUILDER_ASSETS=$(hack/control-plane.sh)")

// ControlPlane is a running kube-apiserver and etcd.
type ControlPlane struct {
	env    *envtest.Environment
	Config *rest.Config
}

// Options say what the control plane starts with.
type Options struct {
	// CRDDir holds the CRDs to install; empty installs none.
	CRDDir string
}

// Start starts a control plane.
func Start(o Options) (*ControlPlane, error) {
	if os.Getenv("KUBEBUILDER_ASSETS") == "" {
		return nil, ErrNoAssets
	}
	env := &envtest.Environment{}
	if o.CRDDir != "" {
		env.CRDDirectoryPaths = []string{o.CRDDir}
		env.ErrorIfCRDPathMissing = true
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("start the control plane: %w", err)
	}
	return &ControlPlane{env: env, Config: cfg}, nil
}

// StartWithCRDs starts a control plane with the CRDs of config/crd/bases.
func StartWithCRDs() (*ControlPlane, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	return Start(Options{CRDDir: filepath.Join(root, "config", "crd", "bases")})
}

// Stop stops the control plane.
func (cp *ControlPlane) Stop() error { return cp.env.Stop() }

// AdminKubeconfig writes a kubeconfig of a system:masters user to path
// (atomically: its presence tells scripts the API server is up).
func (cp *ControlPlane) AdminKubeconfig(name, path string) error {
	user, err := cp.env.AddUser(envtest.User{Name: name, Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("add admin user: %w", err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("render kubeconfig: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create kubeconfig directory: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return nil
}

// Scheme knows Kubernetes' built-in kinds and the operator's.
func Scheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, err
	}
	if err := hostingv1alpha1.AddToScheme(s); err != nil {
		return nil, err
	}
	return s, nil
}

// RepoRoot is the directory of the module's go.mod, found from the
// working directory up (tests run in their package's directory).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Kubectl runs the kubectl built with the control plane as a
// system:masters user and returns what it printed.
func (cp *ControlPlane) Kubectl(args ...string) (string, error) {
	user, err := cp.env.AddUser(envtest.User{Name: "kubectl-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return "", fmt.Errorf("add kubectl user: %w", err)
	}
	ctl, err := user.Kubectl()
	if err != nil {
		return "", fmt.Errorf("kubectl for the admin user: %w", err)
	}
	stdout, stderr, err := ctl.Run(args...)
	out, _ := io.ReadAll(stdout)
	errOut, _ := io.ReadAll(stderr)
	if err != nil {
		return "", fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, errOut)
	}
	return string(out), nil
}
