package gandi

// Request bodies for the instance routes. Every optional field is omitted
// when unset; fields where false or 0 is a real value are pointers (see Ptr).

// CreateInstanceRequest is the body of POST /instances. Location, Size and
// Type are required by Gandi; they are omitted when empty so that Gandi's
// own "required" message is what the caller sees.
type CreateInstanceRequest struct {
	Location string       `json:"location,omitempty"` // FR, LU
	Size     string       `json:"size,omitempty"`     // starter, advanced, pro, business
	Type     InstanceType `json:"type,omitzero"`

	Authentication *Authentication `json:"authentication,omitempty"`
	Autorenew      *bool           `json:"autorenew,omitempty"`
	Domain         *FreeDomain     `json:"domain,omitempty"`
	// Duration is in DurationUnit (months); Gandi defaults to 1.
	Duration              int            `json:"duration,omitempty"`
	DurationUnit          string         `json:"duration_unit,omitempty"` // "m"
	Name                  string         `json:"name,omitempty"`
	SnapshotEnabled       *bool          `json:"snapshot_enabled,omitempty"`
	StorageAdditionalSize *int           `json:"storage_additional_size,omitempty"` // GB, 0..1004
	Vhosts                []InitialVhost `json:"vhosts,omitempty"`
}

func (r CreateInstanceRequest) secrets() []string {
	if r.Authentication == nil {
		return nil
	}
	return []string{string(r.Authentication.Password)}
}

// InstanceType is the language and database of a new instance.
type InstanceType struct {
	Database DatabaseType `json:"database,omitzero"`
	Language LanguageType `json:"language,omitzero"`
}

// DatabaseType picks a database; an empty Version takes Gandi's recommended one.
type DatabaseType struct {
	Name    string `json:"name,omitempty"` // mysql, pgsql
	Version string `json:"version,omitempty"`
}

// LanguageType picks a language; an empty Version takes Gandi's recommended one.
type LanguageType struct {
	Name    string `json:"name,omitempty"` // php, python, nodejs, ruby
	Version string `json:"version,omitempty"`
}

// Authentication gives SFTP, git and control panel access. Password may be
// clear text or a MD5/SHA-256/SHA-512 crypt hash; the operator sends a
// SHA-512 hash so the clear text never leaves the cluster.
type Authentication struct {
	Password Secret `json:"password,omitempty"`
	// Keys are IDs of SSH keys registered through Gandi's SSH keys API.
	Keys []string `json:"keys,omitempty"`
	// SSHKeys are public keys in OpenSSH format.
	SSHKeys []string `json:"ssh_keys,omitempty"`
}

// FreeDomain registers the free domain offered with an instance.
type FreeDomain struct {
	FQDN            string         `json:"fqdn,omitempty"`
	Owner           *Contact       `json:"owner,omitempty"`
	Admin           *Contact       `json:"admin,omitempty"`
	Bill            *Contact       `json:"bill,omitempty"`
	Tech            *Contact       `json:"tech,omitempty"`
	ExtraParameters map[string]any `json:"extra_parameters,omitempty"`
	// Lang is the ISO-639-2 language code some IDN domains need.
	Lang string `json:"lang,omitempty"`
}

// Contact is a domain contact.
type Contact struct {
	Country    string `json:"country,omitempty"`
	Email      string `json:"email,omitempty"`
	Family     string `json:"family,omitempty"`
	Given      string `json:"given,omitempty"`
	StreetAddr string `json:"streetaddr,omitempty"`
	// Type is individual, company, association or publicbody.
	Type              string         `json:"type,omitempty"`
	BrandNumber       string         `json:"brand_number,omitempty"`
	City              string         `json:"city,omitempty"`
	DataObfuscated    *bool          `json:"data_obfuscated,omitempty"`
	ExtraParameters   map[string]any `json:"extra_parameters,omitempty"`
	Fax               string         `json:"fax,omitempty"`
	JOAnnounceNumber  string         `json:"jo_announce_number,omitempty"`
	JOAnnouncePage    string         `json:"jo_announce_page,omitempty"`
	JODeclarationDate string         `json:"jo_declaration_date,omitempty"`
	JOPublicationDate string         `json:"jo_publication_date,omitempty"`
	Lang              string         `json:"lang,omitempty"`
	MailObfuscated    *bool          `json:"mail_obfuscated,omitempty"`
	Mobile            string         `json:"mobile,omitempty"`
	OrgName           string         `json:"orgname,omitempty"`
	Phone             string         `json:"phone,omitempty"`
	Siren             string         `json:"siren,omitempty"`
	State             string         `json:"state,omitempty"`
	Validation        string         `json:"validation,omitempty"`
	Zip               string         `json:"zip,omitempty"`
}

// InitialVhost is a vhost created with the instance; WithFreeSSL is the only
// documented way to ask for a free certificate.
type InitialVhost struct {
	FQDN          string                `json:"fqdn"`
	Application   *VhostApplication     `json:"application,omitempty"`
	HTTPSStrategy string                `json:"https_strategy,omitempty"`
	LinkedDNSZone *LinkedDNSZoneRequest `json:"linked_dns_zone,omitempty"`
	WithFreeSSL   *bool                 `json:"with_free_ssl,omitempty"`
}

// UpdateInstanceRequest is the body of PATCH /instances/{id}. Only set
// fields are sent; a request with nothing set sends nothing at all.
type UpdateInstanceRequest struct {
	Booster        *bool           `json:"booster,omitempty"`
	BoosterOptions *BoosterOptions `json:"booster_options,omitempty"`
	// LanguageID comes from an Instance.UpgradeTo entry's ID (see Upgrade).
	LanguageID string `json:"language_id,omitempty"`
	Name       string `json:"name,omitempty"`
	Password   Secret `json:"password,omitempty"`
	// Size resizes legacy sizes only, to s+, m, l or xxl (payment).
	Size            string `json:"size,omitempty"`
	SnapshotEnabled *bool  `json:"snapshot_enabled,omitempty"`
	// StorageAdditionalSize in GB may only grow (payment).
	StorageAdditionalSize *int `json:"storage_additional_size,omitempty"`
}

// BoosterOptions picks the boosted size.
type BoosterOptions struct {
	Size string `json:"size,omitempty"`
}

// IsEmpty reports whether the request would change nothing.
func (r UpdateInstanceRequest) IsEmpty() bool { return r == UpdateInstanceRequest{} }

// Ptr returns a pointer to v, for the optional fields of requests.
func Ptr[T any](v T) *T { return &v }
