package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TemplateSpec is a Gandi configuration template: a recipe of DNS records,
// nameservers, mailboxes and web redirections to apply to domains.
type TemplateSpec struct {
	ManagedFields `json:",inline"`

	// SharingID is the Gandi organization that owns the template, a
	// lowercase UUID such as fe0b931c-18c5-11e9-b9b5-00163ec4cb00. Absent:
	// the organization of the credential's user. Create-only.
	// +kubebuilder:validation:MaxLength=36
	// +kubebuilder:validation:Pattern=`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`
	// +optional
	SharingID string `json:"sharingID,omitempty"`

	// Name of the template at Gandi, unique within the organization. Defaults
	// to this object's name. Not blank.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self.trim().size() > 0",message="spec.name must not be blank: Gandi refuses an empty name"
	// +optional
	Name string `json:"name,omitempty"`

	// Description of the template's purpose. Absent: the description at
	// Gandi is left as it is (an adopted template keeps its own). Set to ""
	// to clear it.
	// +kubebuilder:validation:MaxLength=1024
	// +optional
	Description *string `json:"description,omitempty"`

	// Payload is what the template does to a domain. Each part (namespace)
	// is optional, but at least one must be set. Every change is sent to
	// Gandi as the full payload.
	Payload TemplatePayload `json:"payload"`
}

// TemplatePayload is a template's recipe, one field per Gandi namespace.
// +kubebuilder:validation:MinProperties=1
type TemplatePayload struct {
	// DNSRecords (namespace dns:records) sets the domain's DNS records; only
	// useful when the domain uses LiveDNS (see nameservers). Exactly one of
	// default: true (Gandi's default records) or records.
	// +optional
	DNSRecords *DNSRecordsPayload `json:"dnsRecords,omitempty"`

	// Mailboxes (namespace domain:mailboxes) adds at most 2 mailboxes to the
	// domain if they do not exist yet.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=2
	// +listType=map
	// +listMapKey=login
	// +optional
	Mailboxes []Mailbox `json:"mailboxes,omitempty"`

	// Nameservers (namespace domain:nameservers) sets the domain's
	// nameservers.
	// +optional
	Nameservers *NameserversPayload `json:"nameservers,omitempty"`

	// WebRedirects (namespace domain:webredirs) adds web redirections to the
	// domain.
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +listType=atomic
	// +optional
	WebRedirects []WebRedirect `json:"webRedirects,omitempty"`
}

// DNSRecordsPayload is the dns:records namespace.
// +kubebuilder:validation:XValidation:rule="has(self.default) && self.default ? !has(self.records) : (has(self.records) && size(self.records) > 0)",message="spec.payload.dnsRecords takes exactly one of default: true or records"
type DNSRecordsPayload struct {
	// Default, when true, uses Gandi's default DNS records. Not together with
	// records.
	// +optional
	Default *bool `json:"default,omitempty"`

	// Records to set, one entry per name and type (list every value of a
	// record set in its values). Not together with default.
	// +kubebuilder:validation:MaxItems=500
	// +listType=map
	// +listMapKey=name
	// +listMapKey=type
	// +optional
	Records []DNSRecord `json:"records,omitempty"`
}

// DNSRecord is one DNS record set of a template.
type DNSRecord struct {
	// Name of the record relative to the domain: "@" for the domain itself,
	// "www", "_dmarc", "*"... Labels of letters, digits, "_", "*" or "@", not
	// starting or ending with "-", separated by dots, no trailing dot.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[_*@a-zA-Z0-9]([-_*@a-zA-Z0-9]{0,61}[_*@a-zA-Z0-9])?(\.[_*@a-zA-Z0-9]([-_*@a-zA-Z0-9]{0,61}[_*@a-zA-Z0-9])?)*$`
	Name string `json:"name"`

	// Type of the record.
	// +kubebuilder:validation:Enum=A;AAAA;ALIAS;CAA;CDS;CNAME;DNAME;DS;KEY;LOC;MX;NAPTR;NS;OPENPGPKEY;PTR;RP;SPF;SRV;SSHFP;TLSA;TXT;WKS
	Type string `json:"type"`

	// Values of the record, e.g. ["203.0.113.1"] or ["10 spool.mail.gandi.net."].
	// No value may be empty or only blanks. An A record takes IPv4
	// addresses, an AAAA record IPv6 ones: any other value is refused
	// before anything is sent (Synced InvalidSpec; the CRD cannot check it
	// within the API server's cost budget).
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=100
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:Pattern=`\S`
	// +listType=atomic
	Values []string `json:"values"`

	// TTL in seconds, 300 to 2592000. Absent: Gandi's default.
	// +kubebuilder:validation:Minimum=300
	// +kubebuilder:validation:Maximum=2592000
	// +optional
	TTL int32 `json:"ttl,omitempty"`
}

// Mailbox is a mailbox the template adds to a domain.
type Mailbox struct {
	// Login of the mailbox: the part before the @, e.g. "contact" or
	// "first.last". Lowercase letters and digits, with single ".", "-" or "_"
	// between them; at most 64 characters.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=64
	// +kubebuilder:validation:Pattern=`^[a-z0-9]+([._-][a-z0-9]+)*$`
	Login string `json:"login"`
}

// NameserversPayload is the domain:nameservers namespace.
// +kubebuilder:validation:XValidation:rule="self.service == 'livedns' ? (!has(self.addresses) || size(self.addresses) == 0) : (has(self.addresses) && size(self.addresses) > 0)",message="spec.payload.nameservers.addresses must be empty when service is livedns and set when service is custom"
type NameserversPayload struct {
	// Service is "livedns" (Gandi's LiveDNS nameservers) or "custom" (the
	// addresses below).
	// +kubebuilder:validation:Enum=custom;livedns
	Service string `json:"service"`

	// Addresses of the nameservers, for service custom only: host names such
	// as "ns1.example.net", in ASCII and lowercase, a trailing dot allowed.
	// +kubebuilder:validation:MaxItems=13
	// +kubebuilder:validation:items:MaxLength=254
	// +kubebuilder:validation:items:Pattern=`^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.?$`
	// +listType=atomic
	// +optional
	Addresses []string `json:"addresses,omitempty"`
}

// WebRedirect is a web redirection the template adds to a domain.
type WebRedirect struct {
	// Type of redirection: cloak, http301 or http302.
	// +kubebuilder:validation:Enum=cloak;http301;http302
	Type string `json:"type"`

	// URL to redirect to: an http or https URL with a host, e.g.
	// "https://www.example.com/".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && url(self).getScheme() in ['http', 'https'] && size(url(self).getHost()) > 0",message="url must be an http or https URL with a host, e.g. https://www.example.com/"
	URL string `json:"url"`

	// Host to redirect from (the source host name, including the domain),
	// e.g. "www.example.com". In ASCII (punycode) and lowercase: labels of
	// letters, digits and inner hyphens, separated by dots, no trailing dot.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$`
	// +optional
	Host string `json:"host,omitempty"`

	// Override replaces an existing DNS record for the host; otherwise an
	// existing record makes the redirection fail.
	// +optional
	Override bool `json:"override,omitempty"`

	// Protocol: http, https or httpsonly.
	// +kubebuilder:validation:Enum=http;https;httpsonly
	// +optional
	Protocol string `json:"protocol,omitempty"`
}

// TemplateStatus is what Gandi last reported about the template.
type TemplateStatus struct {
	// Conditions: Ready (Gandi's payload equals the spec) and Synced (the
	// last reconcile applied the spec without error).
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

	// ID of the template at Gandi.
	// +optional
	ID string `json:"id,omitempty"`

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

	// Name of the template at Gandi.
	// +optional
	Name string `json:"name,omitempty"`

	// Editable is false for Gandi's public templates, which are never
	// modified or deleted.
	// +optional
	Editable *bool `json:"editable,omitempty"`

	// Namespaces the template implements, e.g. dns:records.
	// +listType=atomic
	// +optional
	Namespaces []string `json:"namespaces,omitempty"`

	// Variables of the template.
	// +listType=atomic
	// +optional
	Variables []string `json:"variables,omitempty"`

	// PayloadHash is a hash of the normalized payload Gandi holds; a
	// TemplateApplication applies again when it changes.
	// +optional
	PayloadHash string `json:"payloadHash,omitempty"`
}

// Template is a Gandi configuration template owned by the cluster.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=gandi,shortName=gtpl
// +kubebuilder:validation:XValidation:rule="(has(self.spec.sharingID) == has(oldSelf.spec.sharingID) && (!has(self.spec.sharingID) || self.spec.sharingID == oldSelf.spec.sharingID)) || (has(oldSelf.status) && (!has(oldSelf.status.id) || size(oldSelf.status.id) == 0) && has(oldSelf.status.conditions) && oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'CreateRefused'))",message="spec.sharingID is create-only: a template cannot move to another organization (before the template exists, it can change while Gandi refuses the create: Ready reason CreateRefused)",fieldPath=.spec.sharingID
// +kubebuilder:printcolumn:name="Gandi Name",type=string,JSONPath=`.status.name`
// +kubebuilder:printcolumn:name="Namespaces",type=string,JSONPath=`.status.namespaces`,priority=1
// +kubebuilder:printcolumn:name="Editable",type=boolean,JSONPath=`.status.editable`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Synced",type=string,JSONPath=`.status.conditions[?(@.type=="Synced")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`,priority=1
// +kubebuilder:printcolumn:name="ID",type=string,JSONPath=`.status.id`,priority=1
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Template struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TemplateSpec   `json:"spec"`
	Status TemplateStatus `json:"status,omitempty"`
}

// TemplateList is a list of Template.
// +kubebuilder:object:root=true
type TemplateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Template `json:"items"`
}
