// Package v1alpha1 holds the hosting.gandi-operator.dev/v1alpha1 API: the
// kinds a cluster uses to own Gandi Web Hosting instances, their vhosts, and
// Gandi configuration templates applied to domains.
//
// +kubebuilder:object:generate=true
// +groupName=hosting.gandi-operator.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

var (
	// GroupVersion is the group and version of every kind in this package.
	GroupVersion = schema.GroupVersion{Group: "hosting.gandi-operator.dev", Version: "v1alpha1"}

	// SchemeBuilder registers the kinds of this package with a scheme.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the kinds of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&HostingInstance{}, &HostingInstanceList{},
		&Vhost{}, &VhostList{},
		&Template{}, &TemplateList{},
		&TemplateApplication{}, &TemplateApplicationList{},
		&PaaSInstance{}, &PaaSInstanceList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
