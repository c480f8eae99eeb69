package paas

import (
	"strings"
	"time"

	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// Sizes (PaasSizeEnum).
const (
	SizeS   = "s"
	SizeSP  = "s+"
	SizeM   = "m"
	SizeL   = "l"
	SizeXL  = "xl"
	SizeXXL = "xxl"
)

// States (PaasState); vhosts use being_created, running and being_deleted
// too.
const (
	StateRunning       = "running"
	StateBeingCreated  = "being_created"
	StateLocked        = "locked"
	StateDeleted       = "deleted"
	StatePaused        = "paused"
	StateBeingMigrated = "being_migrated"
	StateBeingDeleted  = "being_deleted"
)

// Type visibilities (PaasTypeVisibility).
const (
	VisibilityAll        = "all"
	VisibilityBeta       = "beta"
	VisibilityDeprecated = "deprecated"
	VisibilityAlpha      = "alpha"
	VisibilityInternal   = "internal"
)

// Database engines a type embeds (PaasTypeReturn.database).
const (
	DatabaseMySQL   = "mysql"
	DatabasePgSQL   = "pgsql"
	DatabaseMongoDB = "mongodb"
)

// TypeDatabase is the database engine PaaS type typeName embeds, read from
// the name: every name of the doc's PaasTypeServiceName list is a language
// then an engine, each with or without a version (php7.3pgsql9.6,
// nodejsmongodb, php.5.4mysql.5.5). It lets a caller without the API key
// (paas.type.list needs it) tell which types have MySQL, the only database
// reset_mysql_password resets. "" when the name ends in none of them.
func TypeDatabase(typeName string) string {
	for _, engine := range []string{DatabaseMySQL, DatabasePgSQL, DatabaseMongoDB} {
		i := strings.LastIndex(typeName, engine)
		if i <= 0 {
			continue
		}
		version := typeName[i+len(engine):]
		if strings.Trim(version, "0123456789.") == "" {
			return engine
		}
	}
	return ""
}

// MayHaveMySQL reports whether instances of PaaS type typeName may have a
// MySQL root password, the one paas.update's reset_mysql_password resets:
// false only when the name says the type embeds another engine
// (TypeDatabase). A name that carries no engine the docs list is not
// refused: nothing says it has no MySQL. The controller (which never sends
// the reset for such a type) and the kubectl plugin (which refuses to ask
// for it) both judge by it; the CRD's CEL rule on
// spec.resetMySQLPasswordRequest matches NotMySQLTypePattern, the same
// judgement as a regular expression (a test checks they agree).
func MayHaveMySQL(typeName string) bool {
	db := TypeDatabase(typeName)
	return db == "" || db == DatabaseMySQL
}

// NotMySQLTypePattern matches the type names MayHaveMySQL refuses: a
// language, then pgsql or mongodb with or without a version. It is the
// pattern of the CEL rule on PaaSInstanceSpec (api/v1alpha1), which cannot
// import it.
const NotMySQLTypePattern = `^.+(pgsql|mongodb)[0-9.]*$`

// PaasCreateParams is the parameter of paas.create.
type PaasCreateParams struct {
	DatacenterID int          `xmlrpc:"datacenter_id"`
	Duration     string       `xmlrpc:"duration"` // "1m", "12m", ...
	Name         string       `xmlrpc:"name"`
	Password     gandi.Secret `xmlrpc:"password"`
	Size         string       `xmlrpc:"size"`
	Type         string       `xmlrpc:"type"`
	// Fixed is the annual commitment.
	Fixed bool  `xmlrpc:"fixed,omitempty"`
	Keys  []int `xmlrpc:"keys,omitempty"`
	// Override needs ZoneAlter.
	Override bool `xmlrpc:"override,omitempty"`
	// Quantity is the additional disk in GB.
	Quantity        int      `xmlrpc:"quantity,omitempty"`
	SnapshotProfile *int     `xmlrpc:"snapshot_profile,omitempty"`
	SSHKey          []string `xmlrpc:"ssh_key,omitempty"`
	Trial           bool     `xmlrpc:"trial,omitempty"`
	Vhosts          []string `xmlrpc:"vhosts,omitempty"`
	ZoneAlter       bool     `xmlrpc:"zone_alter,omitempty"`
}

// PaasUpdateParams is the parameter of paas.update; unset fields are not
// sent.
type PaasUpdateParams struct {
	Console  *bool        `xmlrpc:"console,omitempty"`
	Keys     []int        `xmlrpc:"keys,omitempty"`
	Name     string       `xmlrpc:"name,omitempty"`
	Password gandi.Secret `xmlrpc:"password,omitempty"`
	// Quantity is the additional disk in GB.
	Quantity           *int   `xmlrpc:"quantity,omitempty"`
	ResetMySQLPassword bool   `xmlrpc:"reset_mysql_password,omitempty"`
	Size               string `xmlrpc:"size,omitempty"`
	// SnapshotProfile is "int or string" in the doc, which does not say
	// which string unsets; SetSnapshotProfile and UnsetSnapshotProfile
	// build the two forms (the empty string unsets).
	SnapshotProfile any      `xmlrpc:"snapshot_profile,omitempty"`
	SSHKey          []string `xmlrpc:"ssh_key,omitempty"`
	Upgrade         bool     `xmlrpc:"upgrade,omitempty"`
}

// SetSnapshotProfile is the PaasUpdateParams.SnapshotProfile that sets id.
func SetSnapshotProfile(id int) any { return id }

// UnsetSnapshotProfile is the PaasUpdateParams.SnapshotProfile that removes
// the profile.
func UnsetSnapshotProfile() any { return "" }

// RenewOptions is the parameter of paas.renew; both fields are mandatory.
type RenewOptions struct {
	Duration string `xmlrpc:"duration"`
	Fixed    bool   `xmlrpc:"fixed"`
}

// PaasCountOptions filters paas.count (and paas.list). Slices are sent as
// arrays, which the doc accepts wherever it says "array of ... or ...".
type PaasCountOptions struct {
	DataDiskAdditionalSizeBelow *int     `xmlrpc:"<data_disk_additional_size,omitempty"`
	DateEndBefore               string   `xmlrpc:"<date_end,omitempty"`
	DataDiskAdditionalSizeAbove *int     `xmlrpc:">data_disk_additional_size,omitempty"`
	DateEndAfter                string   `xmlrpc:">date_end,omitempty"`
	Contact                     []string `xmlrpc:"contact,omitempty"`
	DataDiskAdditionalSize      *int     `xmlrpc:"data_disk_additional_size,omitempty"`
	DatacenterID                []int    `xmlrpc:"datacenter_id,omitempty"`
	DateEnd                     string   `xmlrpc:"date_end,omitempty"`
	DateStart                   string   `xmlrpc:"date_start,omitempty"`
	ID                          []int    `xmlrpc:"id,omitempty"`
	Name                        []string `xmlrpc:"name,omitempty"`
	Size                        []string `xmlrpc:"size,omitempty"`
	State                       string   `xmlrpc:"state,omitempty"`
	Type                        []string `xmlrpc:"type,omitempty"`
	Vhost                       []string `xmlrpc:"vhost,omitempty"`
	NameLike                    []string `xmlrpc:"~name,omitempty"`
	VhostLike                   []string `xmlrpc:"~vhost,omitempty"`
}

// Paging is the pagination and sort of the list options.
type Paging struct {
	// ItemsPerPage defaults to 100 at Gandi.
	ItemsPerPage int `xmlrpc:"items_per_page,omitempty"`
	// Page counts from 0.
	Page   int    `xmlrpc:"page,omitempty"`
	SortBy string `xmlrpc:"sort_by,omitempty"`
}

// PaasListOptions filters and pages paas.list.
type PaasListOptions struct {
	PaasCountOptions
	Paging
}

// VhostListOptions filters paas.vhost.count and paas.vhost.list (the
// paging applies to the list).
type VhostListOptions struct {
	DateCreationBefore string `xmlrpc:"<date_creation,omitempty"`
	DateCreationAfter  string `xmlrpc:">date_creation,omitempty"`
	DateCreation       string `xmlrpc:"date_creation,omitempty"`
	ID                 []int  `xmlrpc:"id,omitempty"`
	Name               string `xmlrpc:"name,omitempty"`
	PaasID             int    `xmlrpc:"paas_id,omitempty"`
	State              string `xmlrpc:"state,omitempty"`
	NameLike           string `xmlrpc:"~name,omitempty"`
	Paging
}

// PaasSnapshotListOptions filters paas.snapshot.count and .list.
type PaasSnapshotListOptions struct {
	DateCreatedBefore string `xmlrpc:"<date_created,omitempty"`
	SizeBelow         *int   `xmlrpc:"<size,omitempty"`
	DateCreatedAfter  string `xmlrpc:">date_created,omitempty"`
	SizeAbove         *int   `xmlrpc:">size,omitempty"`
	DateCreated       string `xmlrpc:"date_created,omitempty"`
	Name              string `xmlrpc:"name,omitempty"`
	PaasID            int    `xmlrpc:"paas_id,omitempty"`
	Size              *int   `xmlrpc:"size,omitempty"`
	Type              string `xmlrpc:"type,omitempty"`
	NameLike          string `xmlrpc:"~name,omitempty"`
	Paging
}

// PaasTypeListOptions filters paas.type.count and .list.
type PaasTypeListOptions struct {
	CatalogPrefix []string `xmlrpc:"catalog_prefix,omitempty"`
	Category      []string `xmlrpc:"category,omitempty"`
	Database      []string `xmlrpc:"database,omitempty"`
	ID            []int    `xmlrpc:"id,omitempty"`
	Name          []string `xmlrpc:"name,omitempty"`
	Visibility    string   `xmlrpc:"visibility,omitempty"`
	Paging
}

// PaasDnsEntry is the parameter of paas.vhost.get_dns_entries.
type PaasDnsEntry struct { //nolint:revive // the doc's name
	Datacenter int    `xmlrpc:"datacenter"`
	Vhost      string `xmlrpc:"vhost"`
}

// PaasVhost is the parameter of paas.vhost.create.
type PaasVhost struct {
	PaasID int    `xmlrpc:"paas_id"`
	Vhost  string `xmlrpc:"vhost"`
	// Override replaces an existing DNS record; it needs ZoneAlter.
	Override bool `xmlrpc:"override,omitempty"`
	// ZoneAlter lets Gandi add the vhost to the domain's zone.
	ZoneAlter bool `xmlrpc:"zone_alter,omitempty"`
}

// Operation is what the asynchronous calls return. Its fields are those of
// Gandi's operation API, which this doc does not describe; progress is
// followed through paas.info and paas.vhost.info instead.
type Operation struct {
	ID   int    `xmlrpc:"id"`
	Type string `xmlrpc:"type"` // paas_vm_create, rproxy_update, ...
	Step string `xmlrpc:"step"`
	// PaasID is the instance the operation acts on. The doc does not list
	// it (Gandi's operation API has it); a create whose operations carry
	// none is settled by looking the instance up by name.
	PaasID      int       `xmlrpc:"paas_id"`
	DateCreated time.Time `xmlrpc:"date_created"`
	DateUpdated time.Time `xmlrpc:"date_updated"`
}

// ConsoleInfo is the emergency console's state.
type ConsoleInfo struct {
	DateEnd time.Time `xmlrpc:"date_end"`
	Enabled bool      `xmlrpc:"enabled"`
}

// MinimalServerReturn is a server of paas.list.
type MinimalServerReturn struct {
	ID int `xmlrpc:"id"`
}

// ServerReturn is a server of paas.info.
type ServerReturn struct {
	// GraphURLs is deprecated by the doc.
	GraphURLs map[string]any `xmlrpc:"graph_urls"`
	ID        int            `xmlrpc:"id"`
	UUID      int            `xmlrpc:"uuid"`
}

// SnapshotProfile is the instance's snapshot profile.
type SnapshotProfile struct {
	ID   int    `xmlrpc:"id"`
	Name string `xmlrpc:"name"`
}

// PaasOwnerReturn is the instance's owner.
type PaasOwnerReturn struct {
	Handle string `xmlrpc:"handle"`
	ID     int    `xmlrpc:"id"`
}

// Datacenter is PaasReturn's datacenter, whose members the doc does not
// list; these are those of Gandi's datacenter API.
type Datacenter struct {
	ID     int    `xmlrpc:"id"`
	Name   string `xmlrpc:"name"`
	DCCode string `xmlrpc:"dc_code"`
}

// PaasVHostShortReturn is a vhost of paas.info.
type PaasVHostShortReturn struct {
	DateCreation time.Time `xmlrpc:"date_creation"`
	ID           int       `xmlrpc:"id"`
	Name         string    `xmlrpc:"name"`
	PaasEntityID string    `xmlrpc:"paas_entity_id"`
	State        string    `xmlrpc:"state"`
}

// PaasListReturn is an instance of paas.list.
type PaasListReturn struct {
	CatalogName            string                `xmlrpc:"catalog_name"`
	Console                string                `xmlrpc:"console"`
	DataDiskAdditionalSize int                   `xmlrpc:"data_disk_additional_size"`
	DatacenterID           int                   `xmlrpc:"datacenter_id"`
	DateEnd                time.Time             `xmlrpc:"date_end"`
	DateEndCommitment      time.Time             `xmlrpc:"date_end_commitment"`
	DateStart              time.Time             `xmlrpc:"date_start"`
	EntityID               string                `xmlrpc:"entity_id"`
	ID                     int                   `xmlrpc:"id"`
	Name                   string                `xmlrpc:"name"`
	NeedUpgrade            bool                  `xmlrpc:"need_upgrade"`
	Servers                []MinimalServerReturn `xmlrpc:"servers"`
	Size                   string                `xmlrpc:"size"`
	SnapshotProfile        *SnapshotProfile      `xmlrpc:"snapshot_profile"`
	State                  string                `xmlrpc:"state"`
	Type                   string                `xmlrpc:"type"`
}

// PaasReturn is paas.info's answer.
type PaasReturn struct {
	// Autorenew's members are not in the doc.
	Autorenew              map[string]any `xmlrpc:"autorenew"`
	CatalogName            string         `xmlrpc:"catalog_name"`
	Console                string         `xmlrpc:"console"`
	ConsoleInfo            ConsoleInfo    `xmlrpc:"console_info"`
	DataDiskAdditionalSize int            `xmlrpc:"data_disk_additional_size"`
	Datacenter             Datacenter     `xmlrpc:"datacenter"`
	// DatadiskTotalSize is in megabytes, a string as the doc says.
	DatadiskTotalSize string                 `xmlrpc:"datadisk_total_size"`
	DateEnd           time.Time              `xmlrpc:"date_end"`
	DateEndCommitment time.Time              `xmlrpc:"date_end_commitment"`
	DateStart         time.Time              `xmlrpc:"date_start"`
	EntityID          string                 `xmlrpc:"entity_id"`
	FTPServer         string                 `xmlrpc:"ftp_server"`
	GitServer         string                 `xmlrpc:"git_server"`
	ID                int                    `xmlrpc:"id"`
	Name              string                 `xmlrpc:"name"`
	NeedUpgrade       bool                   `xmlrpc:"need_upgrade"`
	Owner             PaasOwnerReturn        `xmlrpc:"owner"`
	Servers           []ServerReturn         `xmlrpc:"servers"`
	Size              string                 `xmlrpc:"size"`
	SnapshotProfile   *SnapshotProfile       `xmlrpc:"snapshot_profile"`
	State             string                 `xmlrpc:"state"`
	Type              string                 `xmlrpc:"type"`
	User              int                    `xmlrpc:"user"` // an int, as the doc says
	Vhosts            []PaasVHostShortReturn `xmlrpc:"vhosts"`
}

// PaasVHostReturn is a vhost of paas.vhost.info and paas.vhost.list.
type PaasVHostReturn struct {
	CertID       int       `xmlrpc:"cert_id"`
	DateCreation time.Time `xmlrpc:"date_creation"`
	ID           int       `xmlrpc:"id"`
	Name         string    `xmlrpc:"name"`
	PaasEntityID string    `xmlrpc:"paas_entity_id"`
	PaasID       int       `xmlrpc:"paas_id"`
	State        string    `xmlrpc:"state"`
}

// PaasDiskReturn is a snapshot's source disk.
type PaasDiskReturn struct {
	DatacenterID int    `xmlrpc:"datacenter_id"`
	PaasID       int    `xmlrpc:"paas_id"`
	State        string `xmlrpc:"state"`
}

// PaasSnapshotReturn is a snapshot of paas.snapshot.info and .list. The doc
// gives it no ID although paas.snapshot.info takes one.
type PaasSnapshotReturn struct {
	DateCreated time.Time      `xmlrpc:"date_created"`
	Name        string         `xmlrpc:"name"`
	Size        int            `xmlrpc:"size"`
	Source      PaasDiskReturn `xmlrpc:"source"`
	Type        string         `xmlrpc:"type"`
}

// PaasTypeReturn is a type of paas.type.list.
type PaasTypeReturn struct {
	CatalogPrefix string `xmlrpc:"catalog_prefix"`
	Database      string `xmlrpc:"database"`
	Language      string `xmlrpc:"language"`
	Name          string `xmlrpc:"name"`
	Visibility    string `xmlrpc:"visibility"`
}

// DNSEntries is get_dns_entries' answer, whose members the doc does not
// list ("the keys you need to put in your zone, including the TXT record").
type DNSEntries map[string]any
