package controller

// The operator's RBAC, in one place so that what it may do is read at a
// glance. controller-gen turns these markers into config/rbac/role.yaml.

// +kubebuilder:rbac:groups="",resources=secrets,verbs=create;update;patch
// +kubebuilder:rbac:groups="",resources=secrets,verbs=get;list;watch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances,verbs=get;list;watch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances/finalizers,verbs=update
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=hostinginstances/status,verbs=get;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templateapplications,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templateapplications/status,verbs=get;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templates,verbs=get;list;watch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templates,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templates/finalizers,verbs=update
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=templates/status,verbs=get;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=vhosts,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=vhosts/finalizers,verbs=update
// +kubebuilder:rbac:groups=hosting.gandi-operator.dev,resources=vhosts/status,verbs=get;patch
