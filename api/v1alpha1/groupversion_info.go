// Package v1alpha1 holds the hosting.gandi-operator.dev/v1alpha1 API: the
// kinds a cluster uses to own Gandi Web Hosting instances, their vhosts, and
// Gandi configuration templates applied to domains.
//
// +kubebuilder:object:generate=true
// +groupName=hosting.gandi-operator.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "hosting.gandi-operator.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a scheme.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion}

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)
