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
	"syscall"

	"github.com/gandi-operator/gandi-operator/internal/testenv"
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
	cp, err := testenv.Start(testenv.Options{CRDDir: crdDir})
	if err != nil {
		return err
	}
	defer func() { _ = cp.Stop() }()
	if err := cp.AdminKubeconfig("demo-admin", kubeconfigPath); err != nil {
		return err
	}
	fmt.Printf("control plane up at %s; kubeconfig %s\n", cp.Config.Host, kubeconfigPath)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	_ = os.Remove(kubeconfigPath)
	return nil
}
