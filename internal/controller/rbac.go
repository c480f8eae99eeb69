package controller

// The operator's RBAC, in one place so that what it may do is read at a
// glance. controller-gen turns these markers into config/rbac/role.yaml.

// Secrets: get for the Secrets objects name (credentials, passwords,
// connection Secrets) and the default token; create and patch for the
// connection Secrets only (the operator patches, it never updates). list and
// watch serve the Secret watch, which asks only for Secrets labelled
// hosting.gandi-operator.dev/watch=true, metadata only (secretwatch.go).
// RBAC cannot restrict list or watch by label, so these verbs still cover
// every Secret the role reaches: all namespaces for this ClusterRole, the
// watched ones when the chart renders namespaced Roles (watchNamespaces).
//
// Finalizers are added and removed by patching the object itself, which
// needs no more than patch. update on hostinginstances/finalizers is for
// the connection Secret's controller owner reference: its
// blockOwnerDeletion needs it where the OwnerReferencesPermissionEnforcement
// admission plugin runs. Status is only ever patched, never read through
// its subresource.
//
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances,verbs=get;list;watch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances/finalizers,verbs=update
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances/status,verbs=patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=paasinstances,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=paasinstances/status,verbs=patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templateapplications,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templateapplications/status,verbs=patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templates,verbs=get;list;watch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templates,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templates/status,verbs=patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=vhosts,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=vhosts/status,verbs=patch
