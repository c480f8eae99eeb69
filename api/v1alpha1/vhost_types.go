package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// VhostSpec is a virtual host on a Gandi Web Hosting instance.
// +kubebuilder:validation:XValidation:rule="has(self.instanceRef) != has(self.instanceID)",message="exactly one of spec.instanceRef or spec.instanceID must be set"
type VhostSpec struct {
	ManagedFields `json:",inline"`

	// InstanceRef names the HostingInstance, in this namespace, the vhost
	// lives on. Its credentials are used unless credentialsRef is set. The
	// vhost waits (WaitingForInstance) until that instance is Ready.
	// Create-only; exactly one of instanceRef and instanceID.
	// +optional
	InstanceRef *LocalObjectReference `json:"instanceRef,omitempty"`

	// InstanceID is the Gandi ID of an instance not managed in this cluster,
	// a lowercase UUID (Gandi: "UUID of an instance"), e.g.
	// 7f3b6a52-0c1d-4e8f-9a2b-3c4d5e6f7a8b. Create-only; exactly one of
	// instanceRef and instanceID.
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	InstanceID string `json:"instanceID,omitempty"`

	// FQDN of the vhost, e.g. "www.example.com". In lowercase: labels of
	// letters, digits and inner hyphens, separated by dots, no trailing dot.
	// International names (e.g. "café.example.com") are sent to Gandi in
	// punycode; status shows both forms. An IP address is no vhost name.
	// Create-only.
	// +kubebuilder:validation:MinLength=3
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^([\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?\.)+[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]([-\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}]{0,61}[\p{Ll}\p{Lo}\p{Lm}\p{M}\p{Nd}])?$`
	// +kubebuilder:validation:XValidation:rule="!self.matches('[.][0-9]+$')",message="fqdn must be a host name, not an IP address: its last label cannot be all digits"
	FQDN string `json:"fqdn"`

	// Application Gandi installs on the vhost, e.g. {name: wordpress}.
	// Changing it (name or parameters) on a live vhost asks Gandi to install
	// that application on the site, over what it serves. Its parameters are
	// stored in this object in clear: put no password or other secret in
	// them.
	// +optional
	Application *VhostApplication `json:"application,omitempty"`

	// HTTPSStrategy is HTTP_only, allow_HTTP_and_HTTPS or
	// redirect_HTTP_to_HTTPS. Gandi applies it only once the vhost has a
	// certificate; until then the vhost reports WaitingForCertificate.
	// +kubebuilder:validation:Enum=HTTP_only;allow_HTTP_and_HTTPS;redirect_HTTP_to_HTTPS
	// +optional
	HTTPSStrategy string `json:"httpsStrategy,omitempty"`

	// LinkedDNSZone says whether Gandi may alter the DNS zone so the vhost
	// points at Web Hosting. When it may not (or the zone is not on LiveDNS),
	// publish the records listed in status.dns yourself.
	// +optional
	LinkedDNSZone *LinkedDNSZone `json:"linkedDNSZone,omitempty"`

	// CachePurgeRequest purges the vhost's cache once for each new value; any
	// value works, a timestamp reads well. The value last performed is in
	// status.lastCachePurge.
	// A value already set when this object takes hold of an existing vhost
	// it did not create (adopt, external-id) is not performed there: set a
	// new one.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	CachePurgeRequest string `json:"cachePurgeRequest,omitempty"`
}

// VhostStatus is what Gandi last reported about the vhost.
type VhostStatus struct {
	// Conditions: Ready (the vhost is running), Synced (the last reconcile
	// applied the spec without error) and DNSConfigured (the zone points at
	// the vhost; False lists the records to publish in status.dns).
	// +listType=map
	// +listMapKey=type
	// +optional
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// LastHandledReconcileAt is the value of the annotation
	// hosting.gandi-operator.dev/requested-at that the last pass which
	// observed the object at Gandi saw: equal to the annotation, the
	// requested reconcile has been done.
	// +optional
	LastHandledReconcileAt string `json:"lastHandledReconcileAt,omitempty"`

	// InstanceID is the Gandi ID of the instance the vhost lives on.
	// +optional
	InstanceID string `json:"instanceID,omitempty"`

	// FQDN in ASCII (punycode), as Gandi knows it.
	// +optional
	FQDN string `json:"fqdn,omitempty"`

	// FQDNUnicode is the FQDN in Unicode, as people read it.
	// +optional
	FQDNUnicode string `json:"fqdnUnicode,omitempty"`

	// State as Gandi reports it: being_created, running, being_deleted,
	// locked, waiting_ownership, ownership_validated or validation_failed.
	// +optional
	State string `json:"state,omitempty"`

	// LostClaimID is the Gandi ID (a Vhost's: its FQDN) this object
	// recorded when the operator last found another object of the cluster
	// managing it (Ready reason OwnedByAnotherObject); empty once this
	// object manages what it records. Only the operator writes status, so
	// an object that already lost a claim ranks below one with no status
	// for that ID: the object that bought it, restored without its status.
	// +optional
	LostClaimID string `json:"lostClaimID,omitempty"`

	// ObservedWith names the credentials the ID was last seen under at
	// Gandi. A later "not found" under other credentials (another
	// Secret, or the same one changed since) is not taken for "deleted
	// at Gandi": nothing is bought, deleted or let go on it (Ready reason
	// CredentialsChanged).
	// +optional
	ObservedWith *ObservedCredentials `json:"observedWith,omitempty"`

	// IsTestVhost is true for Gandi's test vhosts.
	// +optional
	IsTestVhost bool `json:"isTestVhost,omitempty"`

	// CreatedAt is when Gandi created the vhost.
	// +optional
	CreatedAt *metav1.Time `json:"createdAt,omitempty"`

	// HTTPSStrategy as Gandi reports it (only once a certificate exists).
	// +optional
	HTTPSStrategy string `json:"httpsStrategy,omitempty"`

	// Certificates of the vhost.
	// +listType=atomic
	// +optional
	Certificates []CertificateStatus `json:"certificates,omitempty"`

	// Application installed on the vhost, with its status: being_created,
	// running, error or cancelled.
	// +optional
	Application *ApplicationStatus `json:"application,omitempty"`

	// DNS lists the records the zone needs for the vhost, and whether Gandi
	// found them.
	// +optional
	DNS *VhostDNSStatus `json:"dns,omitempty"`

	// LastCachePurge is the spec.cachePurgeRequest value last performed.
	// +optional
	LastCachePurge string `json:"lastCachePurge,omitempty"`

	// CreateRefusedAt is when Gandi last refused to create the vhost
	// because another instance serves the FQDN (Ready reason
	// CreateRefused, Synced reason AlreadyExists), maybe one of another
	// account, which this Vhost's credentials cannot see. Nothing the
	// operator can read shows when that instance lets the name go, so the
	// create is not sent again at each poll: only at the manager's detail
	// interval (--detail-interval, 30 minutes by default), or as soon as
	// the spec changes or a reconcile is requested (annotation
	// hosting.gandi-operator.dev/requested-at, kubectl gandi reconcile).
	// +optional
	CreateRefusedAt *metav1.Time `json:"createRefusedAt,omitempty"`
}

// CertificateStatus is a certificate of a vhost.
type CertificateStatus struct {
	// ID of the certificate at Gandi.
	ID string `json:"id,omitempty"`
	// Href of the certificate in Gandi's API.
	Href string `json:"href,omitempty"`
	// Pending is true while the certificate is being issued.
	Pending bool `json:"pending,omitempty"`
}

// ApplicationStatus is the application installed on a vhost.
type ApplicationStatus struct {
	// Name of the application.
	Name string `json:"name,omitempty"`
	// Status: being_created, running, error or cancelled.
	Status string `json:"status,omitempty"`
}

// VhostDNSStatus is the DNS configuration a vhost needs.
type VhostDNSStatus struct {
	// Domain is the zone the records belong in.
	Domain string `json:"domain,omitempty"`
	// Key is the record name in that zone ("@" at the zone's root).
	Key string `json:"key,omitempty"`
	// IsRoot is true when the vhost is the zone's root: publish A and AAAA
	// records (ipv4, ipv6) rather than a CNAME.
	IsRoot bool `json:"isRoot,omitempty"`
	// CNAME target, for a vhost below the zone's root.
	CNAME string `json:"cname,omitempty"`
	// IPv4 for an A record, at the zone's root.
	IPv4 string `json:"ipv4,omitempty"`
	// IPv6 for an AAAA record, at the zone's root.
	IPv6 string `json:"ipv6,omitempty"`
	// TXT record proving ownership of the domain.
	TXT string `json:"txt,omitempty"`
	// IsAlterable is true when Gandi can manage the zone itself.
	IsAlterable bool `json:"isAlterable,omitempty"`
	// AllowAlteration is true when Gandi is allowed to alter the zone.
	AllowAlteration bool `json:"allowAlteration,omitempty"`
	// LastCheckedStatus: altered, livedns_done, livedns_conflict,
	// livedns_error or unknown. Anything but altered or livedns_done means
	// the records above are still needed.
	LastCheckedStatus string `json:"lastCheckedStatus,omitempty"`
	// LastCheckedAt is when Gandi last checked the zone.
	// +optional
	LastCheckedAt *metav1.Time `json:"lastCheckedAt,omitempty"`
}

// Vhost is a virtual host on a Gandi Web Hosting instance.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=gandi,shortName=vh
// +kubebuilder:validation:XValidation:rule="(has(self.spec.instanceRef) == has(oldSelf.spec.instanceRef) && (!has(self.spec.instanceRef) || self.spec.instanceRef == oldSelf.spec.instanceRef)) && (has(self.spec.instanceID) == has(oldSelf.spec.instanceID) && (!has(self.spec.instanceID) || self.spec.instanceID == oldSelf.spec.instanceID)) || (has(oldSelf.status) && (!has(oldSelf.status.state) || size(oldSelf.status.state) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.instanceRef and spec.instanceID are create-only: a vhost cannot move to another instance (before the vhost exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec
// +kubebuilder:validation:XValidation:rule="self.spec.fqdn == oldSelf.spec.fqdn || (has(oldSelf.status) && (!has(oldSelf.status.state) || size(oldSelf.status.state) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.fqdn is create-only: create a new Vhost for another name (before the vhost exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.fqdn
// +kubebuilder:printcolumn:name="FQDN",type=string,JSONPath=`.spec.fqdn`
// +kubebuilder:printcolumn:name="Instance",type=string,JSONPath=`.spec.instanceRef.name`,description="the HostingInstance (spec.instanceRef)"
// +kubebuilder:printcolumn:name="Instance ID",type=string,JSONPath=`.status.instanceID`,description="the Gandi instance the vhost is on (spec.instanceID, or its HostingInstance's)"
// +kubebuilder:printcolumn:name="State",type=string,JSONPath=`.status.state`
// +kubebuilder:printcolumn:name="DNS",type=string,JSONPath=`.status.conditions[?(@.type=="DNSConfigured")].reason`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Vhost struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   VhostSpec   `json:"spec"`
	Status VhostStatus `json:"status,omitempty"`
}

// VhostList is a list of Vhost.
// +kubebuilder:object:root=true
type VhostList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Vhost `json:"items"`
}
