package gandi

// Instance states, as documented.
const (
	InstanceWaitingBill  = "waiting_bill"
	InstanceBeingCreated = "being_created"
	InstanceActive       = "active"
	InstancePaused       = "paused"
	InstanceLocked       = "locked"
	InstanceBeingDeleted = "being_deleted"
)

// Instance is a Web Hosting instance: the list item and, for GetInstance,
// the detail fields too (absent from list answers).
type Instance struct {
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	Status           string        `json:"status"`
	Size             string        `json:"size"`
	AvailableUpgrade bool          `json:"available_upgrade"`
	CreatedAt        Time          `json:"created_at"`
	ExpireAt         Time          `json:"expire_at"`
	Database         *Database     `json:"database,omitempty"`
	Datacenter       *Datacenter   `json:"datacenter,omitempty"`
	Language         *Language     `json:"language,omitempty"`
	SharingSpace     *SharingSpace `json:"sharing_space,omitempty"`
	SnapshotEnabled  bool          `json:"snapshot_enabled"`
	Storage          *Storage      `json:"storage,omitempty"`

	Autorenew *Autorenew `json:"autorenew,omitempty"`
	Domain    string     `json:"domain,omitempty"`
	// PasswordUpdatedAt is only present once a password is set.
	PasswordUpdatedAt     *Time `json:"password_updated_at,omitempty"`
	SubscriptionCancelled bool  `json:"subscription_cancelled,omitempty"`

	// Detail fields.
	AccessInformation      *AccessInformation `json:"access_information,omitempty"`
	Console                *Console           `json:"console,omitempty"`
	CPU                    int                `json:"cpu,omitempty"`
	RAM                    *Quantity          `json:"ram,omitempty"`
	Vhosts                 []VhostRef         `json:"vhosts,omitempty"`
	Booster                *Booster           `json:"booster,omitempty"`
	CompatibleApplications []AppRef           `json:"compatible_applications,omitempty"`
	UpgradeTo              []Upgrade          `json:"upgrade_to,omitempty"`
}

// Upgrade is an available language or database upgrade.
type Upgrade struct {
	// ID is what PATCH language_id takes. The docs say language_id is
	// "found in upgrade_to" yet list no id in its items; Gandi's entries for
	// language upgrades do carry one, so it is decoded here, and callers
	// send language_id only when the entry for the wanted version has an ID
	// (never a guessed value).
	ID      string `json:"id,omitempty"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Type    string `json:"type"` // "language" or "database"
	Version string `json:"version"`
}

// Datacenter is where an instance runs.
type Datacenter struct {
	Code   string `json:"code"` // FR-SD3, FR-SD5, FR-SD6, LU-BI1
	Name   string `json:"name"`
	Region string `json:"region"` // FR, LU
}

// SharingSpace is the organization that owns an object.
type SharingSpace struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// Quantity is a size with its unit ("MB" or "GB").
type Quantity struct {
	Unit  string `json:"unit"`
	Value int64  `json:"value"`
}

// Storage is an instance's disk: base, additional and total.
type Storage struct {
	Additional *Quantity `json:"additional,omitempty"`
	Base       *Quantity `json:"base,omitempty"`
	Total      *Quantity `json:"total,omitempty"`
}

// Autorenew is the renewal setting of an instance.
type Autorenew struct {
	Duration     int    `json:"duration"`
	DurationType string `json:"duration_type"` // "m"
}

// Console is the emergency serial-like console, reached through SSH.
type Console struct {
	Enabled bool   `json:"enabled"`
	URL     string `json:"url"`
}

// VhostRef names a vhost and links to its details.
type VhostRef struct {
	FQDN string `json:"fqdn"`
	Href string `json:"href"`
}

// AppRef names an application and its parameters.
type AppRef struct {
	Name       string         `json:"name"`
	Parameters map[string]any `json:"parameters,omitempty"`
}

// AccessInformation tells how to reach an instance (no secrets in it).
type AccessInformation struct {
	AdminURL string          `json:"admin_url"`
	Database *DatabaseAccess `json:"database,omitempty"`
	Deploy   []DeployAccess  `json:"deploy,omitempty"`
	User     string          `json:"user"`
}

// DatabaseAccess is how to reach an instance's database.
type DatabaseAccess struct {
	Admins []DatabaseAdmin `json:"admins,omitempty"`
	Host   string          `json:"host"`
	// Port is set when the database listens on TCP, Socket when on a UNIX
	// socket.
	Port   int    `json:"port,omitempty"`
	Socket string `json:"socket,omitempty"`
}

// DatabaseAdmin is a database web admin tool.
type DatabaseAdmin struct {
	Type     string `json:"type"` // phpMyAdmin, phpPgAdmin, Adminer
	URL      string `json:"url"`
	Username string `json:"username,omitempty"`
}

// DeployAccess is how to deploy one vhost.
type DeployAccess struct {
	CLI   *CLIAccess  `json:"cli,omitempty"`
	Git   *GitAccess  `json:"git,omitempty"`
	SFTP  *SFTPAccess `json:"sftp,omitempty"`
	Vhost *VhostRef   `json:"vhost,omitempty"`
}

// CLIAccess is the command-line deploy setup.
type CLIAccess struct {
	Init string `json:"init"`
}

// GitAccess is the git deploy setup.
type GitAccess struct {
	Deploy string `json:"deploy"`
	Remote string `json:"remote"`
	URL    string `json:"url"`
}

// SFTPAccess is the SFTP setup of a vhost.
type SFTPAccess struct {
	Directory    string `json:"directory"`
	DocumentRoot string `json:"document_root"`
	Server       string `json:"server"`
	URL          string `json:"url"`
}

// Booster is the temporary resource boost of an instance.
type Booster struct {
	Current *BoosterCurrent `json:"current,omitempty"`
	Next    *BoosterNext    `json:"next,omitempty"`
}

// BoosterCurrent is the boost in effect.
type BoosterCurrent struct {
	CPUOverride  int       `json:"cpu_override"`
	CreatedAt    Time      `json:"created_at"`
	ExpiresAt    Time      `json:"expires_at"`
	RAMOverride  *Quantity `json:"ram_override,omitempty"`
	SizeOverride string    `json:"size_override"`
	Status       string    `json:"status"` // being_created, active, being_deleted
}

// BoosterNext is the next boost that can be asked for.
type BoosterNext struct {
	Available          bool      `json:"available"`
	CooldownDays       int       `json:"cooldown_days"`
	DefaultCPUOverride int       `json:"default_cpu_override"`
	DefaultRAMOverride *Quantity `json:"default_ram_override,omitempty"`
	DurationDays       int       `json:"duration_days"`
	AvailableAt        *Time     `json:"available_at,omitempty"`
}

// Usage is an instance's disk usage.
type Usage struct {
	DiskSizeBytes int64 `json:"disk_size_bytes"`
	// DiskUsedBytes is optional in the docs: nil when Gandi did not say.
	DiskUsedBytes *int64 `json:"disk_used_bytes,omitempty"`
}
