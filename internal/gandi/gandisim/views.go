package gandisim

import (
	"encoding/json"
	"slices"
	"time"
)

// The views are the simulator's own snapshot types for tests and /_sim/state.
// They are deliberately not the API's JSON shapes: tests should look at the
// wire through HTTP, and at the simulator's state through these.

// InstanceView is an instance as the simulator holds it.
type InstanceView struct {
	ID                    string    `json:"id"`
	OrgID                 string    `json:"org_id"`
	Name                  string    `json:"name"`
	Size                  string    `json:"size"`
	Status                string    `json:"status"`
	Location              string    `json:"location"`   // FR or LU
	Datacenter            string    `json:"datacenter"` // e.g. FR-SD5
	Language              string    `json:"language"`
	LanguageVersion       string    `json:"language_version"`
	Database              string    `json:"database"`
	DatabaseVersion       string    `json:"database_version"`
	StorageAdditionalSize int       `json:"storage_additional_size"` // GB
	SnapshotEnabled       bool      `json:"snapshot_enabled"`
	Autorenew             bool      `json:"autorenew"`
	Duration              int       `json:"duration"` // months, from the create
	Booster               bool      `json:"booster"`
	BoosterSize           string    `json:"booster_size,omitempty"`
	ConsoleEnabled        bool      `json:"console_enabled"`
	Password              string    `json:"-"` // exactly as last received; see LastPassword
	PasswordUpdatedAt     time.Time `json:"password_updated_at,omitzero"`
	// PasswordChanges counts the PATCHes that set the password after the
	// create (a counter: UpdateInstance ignores it).
	PasswordChanges       int       `json:"password_changes"`
	SSHKeys               []string  `json:"ssh_keys,omitempty"`
	SSHKeyIDs             []string  `json:"ssh_key_ids,omitempty"`
	Domain                string    `json:"domain,omitempty"` // free domain registered with the instance
	SubscriptionCancelled bool      `json:"subscription_cancelled"`
	DiskUsedBytes         int64     `json:"disk_used_bytes"`
	CreatedAt             time.Time `json:"created_at"`
	ExpireAt              time.Time `json:"expire_at"`
	// Vhosts lists the FQDNs of the instance's vhosts; ignored by UpdateInstance.
	Vhosts []string `json:"vhosts"`
}

// VhostView is a vhost as the simulator holds it.
type VhostView struct {
	InstanceID            string         `json:"instance_id"`
	FQDN                  string         `json:"fqdn"`
	Status                string         `json:"status"`
	IsATestVhost          bool           `json:"is_a_test_vhost"`
	Application           string         `json:"application,omitempty"`
	ApplicationParameters map[string]any `json:"application_parameters,omitempty"`
	ApplicationStatus     string         `json:"application_status,omitempty"`
	// HTTPSStrategy is the stored value; the API reports it only while the
	// vhost has a certificate.
	HTTPSStrategy           string            `json:"https_strategy,omitempty"`
	Certificates            []CertificateView `json:"certificates,omitempty"`
	AllowAlteration         bool              `json:"allow_alteration"`
	AllowAlterationOverride bool              `json:"allow_alteration_override"`
	LastCheckedStatus       string            `json:"last_checked_status"`
	LastCheckedAt           time.Time         `json:"last_checked_at,omitzero"`
	PurgeCount              int               `json:"purge_count"`
	CreatedAt               time.Time         `json:"created_at"`
}

// CertificateView is a certificate attached to a vhost.
type CertificateView struct {
	ID      string `json:"id"`
	Pending bool   `json:"pending"`
}

// TemplateView is a configuration template. Public templates have no OrgID and
// are not editable.
type TemplateView struct {
	ID          string         `json:"id"`
	OrgID       string         `json:"org_id,omitempty"`
	OrgName     string         `json:"orgname"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Payload     map[string]any `json:"payload"`
	Public      bool           `json:"public"`
	Editable    bool           `json:"editable"`
	CreatedAt   time.Time      `json:"created_at"`
}

// DomainView is a domain with what applied templates changed on it.
type DomainView struct {
	ID          string   `json:"id"`
	OrgID       string   `json:"org_id"`
	FQDN        string   `json:"fqdn"`
	FQDNUnicode string   `json:"fqdn_unicode"`
	Nameservers []string `json:"nameservers"`
	// NameserverService is "livedns" or "custom".
	NameserverService string `json:"nameserver_service"`
	// RecordsReadOnly: the organization may not manage the zone's records,
	// so Web Hosting cannot alter it even at LiveDNS.
	RecordsReadOnly bool             `json:"records_read_only,omitempty"`
	DefaultRecords  bool             `json:"default_records"` // last dns:records applied was {default: true}
	Records         []DNSRecord      `json:"records"`
	Mailboxes       []string         `json:"mailboxes"`
	WebRedirections []WebRedirection `json:"web_redirections"`
}

// DNSRecord is one record set of a domain.
type DNSRecord struct {
	Name   string   `json:"name"`
	Type   string   `json:"type"`
	TTL    int      `json:"ttl,omitempty"`
	Values []string `json:"values"`
}

// WebRedirection is one web redirection of a domain.
type WebRedirection struct {
	Host     string `json:"host"` // full host name; the domain itself for the apex
	Type     string `json:"type"`
	URL      string `json:"url"`
	Protocol string `json:"protocol,omitempty"`
	Override bool   `json:"override,omitempty"`
}

// DispatchView is a template dispatch.
type DispatchView struct {
	ID           string         `json:"id"`
	TemplateID   string         `json:"template_id"`
	TemplateName string         `json:"template_name"`
	TargetID     string         `json:"target_id"`
	TargetName   string         `json:"target_name"`
	State        int            `json:"state"`
	StateMsg     string         `json:"state_msg,omitempty"`
	Tasks        map[string]int `json:"tasks"` // namespace -> 0, 10, 20 or 30
	// DoneReads counts the GETs of the dispatch that answered it finished
	// (every task at 20 or 30, or the whole dispatch at 20 or 30): a client
	// can only have seen it done after one of those.
	DoneReads int `json:"done_reads"`
}

// Internal state: each embeds its view so snapshots are plain copies.

type instance struct {
	InstanceView
	seq          int64
	statusSince  time.Time
	vhosts       []*vhost
	pending      []*vhost // from the create body; they appear once the instance is active
	actions      []string
	boosterSince time.Time
	// boosterEnded is when the last boost ended (at its expiry or turned
	// off), zero if none has: the cooldown counts from it.
	boosterEnded time.Time
	// updates are the PATCHes Gandi accepted and has not applied yet, in
	// the order it accepted them.
	updates []instanceUpdate
}

type vhost struct {
	VhostView
	seq         int64
	statusSince time.Time
	runningAt   time.Time
	appSince    time.Time
	withFreeSSL bool
}

type template struct {
	TemplateView
	seq int64
}

type domain struct {
	DomainView
	seq int64
	// changedAt is when the zone (records or nameservers) last changed: a
	// proof found in it cannot be older.
	changedAt time.Time
}

func (in *instance) snapshot() InstanceView {
	v := in.InstanceView
	v.SSHKeys = slices.Clone(v.SSHKeys)
	v.SSHKeyIDs = slices.Clone(v.SSHKeyIDs)
	v.Vhosts = []string{}
	for _, vh := range in.vhosts {
		v.Vhosts = append(v.Vhosts, vh.FQDN)
	}
	return v
}

func (vh *vhost) snapshot() VhostView {
	v := vh.VhostView
	v.ApplicationParameters = cloneMap(v.ApplicationParameters)
	v.Certificates = slices.Clone(v.Certificates)
	return v
}

func (t *template) snapshot() TemplateView {
	v := t.TemplateView
	v.Payload = cloneMap(v.Payload)
	return v
}

func (d *domain) snapshot() DomainView {
	v := d.DomainView
	v.Nameservers = slices.Clone(v.Nameservers)
	v.Mailboxes = slices.Clone(v.Mailboxes)
	v.WebRedirections = slices.Clone(v.WebRedirections)
	v.Records = make([]DNSRecord, len(d.Records))
	for i, r := range d.Records {
		r.Values = slices.Clone(r.Values)
		v.Records[i] = r
	}
	return v
}

// cloneMap deep-copies decoded JSON so a snapshot never aliases live state.
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil
	}
	out, err := decodeObject(data)
	if err != nil {
		return nil
	}
	return out
}
