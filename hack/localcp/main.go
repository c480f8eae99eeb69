// Command localcp runs a local Kubernetes control plane (kube-apiserver and
// etcd from hack/control-plane.sh) with the operator's CRDs installed, and
// writes an admin kubeconfig, for the demo and for manual exploration. It
// runs until interrupted, then stops the control plane.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

func main() {
	kubeconfig := flag.String("write-kubeconfig", "", "where to write the admin kubeconfig (required)")
	crds := flag.String("crds", "config/crd/bases", "directory of CRDs to install")
	flag.Parse()
	if *kubeconfig == "" || os.Getenv("KUBEBUILDER_ASSETS") == "" {
		fmt.Fprintln(os.Stderr, "usage: KUBEBUILDER_ASSETS=$(hack/control-plane.sh) localcp -write-kubeconfig FILE [-crds DIR]")
		os.Exit(2)
	}
	if err := run(*kubeconfig, *crds); err != nil {
		fmt.Fprintln(os.Stderr, "localcp:", err)
		os.Exit(1)
	}
}

func run(kubeconfigPath, crdDir string) error {
	env := &envtest.Environment{
		CRDDirectoryPaths:     []string{crdDir},
		ErrorIfCRDPathMissing: true,
	}
	if _, err := env.Start(); err != nil {
		return fmt.Errorf("start control plane: %w", err)
	}
	defer func() { _ = env.Stop() }()

	user, err := env.AddUser(envtest.User{Name: "demo-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return fmt.Errorf("add admin user: %w", err)
	}
	data, err := user.KubeConfig()
	if err != nil {
		return fmt.Errorf("render kubeconfig: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(kubeconfigPath), 0o700); err != nil {
		return fmt.Errorf("create kubeconfig directory: %w", err)
	}
	// Written last and atomically: its presence tells scripts the API server is up.
	tmp := kubeconfigPath + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	if err := os.Rename(tmp, kubeconfigPath); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	fmt.Printf("control plane up at %s; kubeconfig %s\n", env.Config.Host, kubeconfigPath)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	_ = os.Remove(kubeconfigPath)
	return nil
}
