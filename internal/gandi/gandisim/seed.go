package gandisim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"sigs.k8s.io/yaml"
)

// Seed is state to load before a test or a demo: objects that already exist
// "at Gandi", so adoption and import can be exercised. See testdata/seed.yaml.
type Seed struct {
	Accounts  []Account      `json:"accounts,omitempty"`
	Domains   []SeedDomain   `json:"domains,omitempty"`
	Instances []SeedInstance `json:"instances,omitempty"`
	Templates []SeedTemplate `json:"templates,omitempty"`
}

// SeedDomain is a domain and its zone. With an org it is held by that
// organization and, without nameservers, at LiveDNS; without an org it is a
// zone held by no simulated account (registered elsewhere), at a DNS
// provider's nameservers unless given.
type SeedDomain struct {
	Org         string      `json:"org,omitempty"`
	ID          string      `json:"id,omitempty"`
	FQDN        string      `json:"fqdn"`
	Nameservers []string    `json:"nameservers,omitempty"` // custom nameservers (LiveDNS's own make it livedns)
	Records     []DNSRecord `json:"records,omitempty"`
	Mailboxes   []string    `json:"mailboxes,omitempty"`
	// RecordsReadOnly: the org may not manage the records, so Web Hosting
	// cannot alter the zone (is_alterable false) even at LiveDNS.
	RecordsReadOnly bool `json:"records_read_only,omitempty"`
}

// SeedRuntime is a language or database with its version.
type SeedRuntime struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// SeedInstance is a pre-existing instance. Any documented size is allowed,
// legacy ones included; any version too (a legacy instance may run one the
// create route no longer offers).
type SeedInstance struct {
	Org                   string      `json:"org,omitempty"` // owner; AddInstance takes it as an argument instead
	ID                    string      `json:"id,omitempty"`
	Name                  string      `json:"name"`
	Size                  string      `json:"size"`
	Status                string      `json:"status,omitempty"`     // default active
	Location              string      `json:"location,omitempty"`   // FR (default) or LU
	Datacenter            string      `json:"datacenter,omitempty"` // default from location
	Language              SeedRuntime `json:"language,omitzero"`    // default php, recommended version
	Database              SeedRuntime `json:"database,omitzero"`    // default mysql, recommended version
	StorageAdditionalSize int         `json:"storage_additional_size,omitempty"`
	SnapshotEnabled       bool        `json:"snapshot_enabled,omitempty"`
	Autorenew             bool        `json:"autorenew,omitempty"`
	Password              string      `json:"password,omitempty"` // sets password_updated_at
	Domain                string      `json:"domain,omitempty"`
	DiskUsedBytes         int64       `json:"disk_used_bytes,omitempty"`
	CreatedAt             time.Time   `json:"created_at,omitzero"` // default now
	ExpireAt              time.Time   `json:"expire_at,omitzero"`  // default created_at + 1 month
	Vhosts                []SeedVhost `json:"vhosts,omitempty"`
}

// SeedVhost is a vhost of a seeded instance.
type SeedVhost struct {
	FQDN                    string           `json:"fqdn"`
	Status                  string           `json:"status,omitempty"`    // default running
	CreatedAt               time.Time        `json:"created_at,omitzero"` // default now
	IsATestVhost            bool             `json:"is_a_test_vhost,omitempty"`
	Application             *SeedApplication `json:"application,omitempty"`
	HTTPSStrategy           string           `json:"https_strategy,omitempty"` // default allow_HTTP_and_HTTPS
	Certificate             bool             `json:"certificate,omitempty"`
	AllowAlteration         bool             `json:"allow_alteration,omitempty"`
	AllowAlterationOverride bool             `json:"allow_alteration_override,omitempty"`
}

// SeedApplication is the application installed on a seeded vhost.
type SeedApplication struct {
	Name       string         `json:"name"`
	Parameters map[string]any `json:"parameters,omitempty"`
	Status     string         `json:"status,omitempty"` // default running
}

// SeedTemplate is a template; Public ones belong to no organization and are
// read-only for everyone.
type SeedTemplate struct {
	Org         string         `json:"org,omitempty"`
	Public      bool           `json:"public,omitempty"`
	ID          string         `json:"id,omitempty"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Payload     map[string]any `json:"payload"`
}

// ParseSeed reads a seed in YAML or JSON (JSON is YAML). Unknown fields are
// errors, so a typo in a seed file does not silently seed less.
func ParseSeed(data []byte) (*Seed, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var seed Seed
	if err := dec.Decode(&seed); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return &seed, nil
}

// LoadSeedFile parses a YAML or JSON seed file.
func LoadSeedFile(path string) (*Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseSeed(data)
}

// LoadSeed parses and applies a YAML or JSON seed.
func (s *Server) LoadSeed(data []byte) error {
	seed, err := ParseSeed(data)
	if err != nil {
		return err
	}
	return s.ApplySeed(seed)
}

// ApplySeed adds the seed's accounts and objects to the current state. It
// stops at the first invalid object; objects before it stay applied.
func (s *Server) ApplySeed(seed *Seed) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.now())
	for _, a := range seed.Accounts {
		if a.Token == "" {
			return errors.New("seed: account without token")
		}
		s.addAccountLocked(a)
	}
	for i, d := range seed.Domains {
		if err := s.seedDomain(d); err != nil {
			return fmt.Errorf("seed: domains[%d]: %w", i, err)
		}
	}
	for i, in := range seed.Instances {
		if _, err := s.addInstanceLocked(in.Org, in); err != nil {
			return fmt.Errorf("seed: instances[%d]: %w", i, err)
		}
	}
	for i, t := range seed.Templates {
		if _, err := s.addTemplateLocked(t.Org, t); err != nil {
			return fmt.Errorf("seed: templates[%d]: %w", i, err)
		}
	}
	return nil
}

func (s *Server) seedDomain(sd SeedDomain) error {
	if msg := hostnameProblem(sd.FQDN); msg != "" {
		return fmt.Errorf("fqdn %q: %s", sd.FQDN, msg)
	}
	if s.domainByFQDN(strings.ToLower(sd.FQDN)) != nil {
		return fmt.Errorf("domain %s already exists", sd.FQDN)
	}
	d := s.addDomainLocked(sd.Org, sd.FQDN)
	if sd.ID != "" {
		delete(s.domains, d.ID)
		d.ID = sd.ID
		s.domains[d.ID] = d
	}
	switch {
	case len(sd.Nameservers) > 0 && slices.Equal(sd.Nameservers, liveDNSNameservers):
	case len(sd.Nameservers) > 0:
		d.Nameservers, d.NameserverService = slices.Clone(sd.Nameservers), serviceCustom
	case sd.Org == "":
		d.Nameservers, d.NameserverService = slices.Clone(elsewhereNameservers), serviceCustom
	}
	d.RecordsReadOnly = sd.RecordsReadOnly
	for _, r := range sd.Records {
		if err := checkRecord(r); err != nil {
			return err
		}
		r.Values = slices.Clone(r.Values)
		d.upsertRecord(r)
	}
	d.Mailboxes = append(d.Mailboxes, sd.Mailboxes...)
	return nil
}

// AddInstance adds a pre-existing instance (status active unless given) owned
// by orgID and returns its ID. It is a test helper: an invalid SeedInstance
// panics.
func (s *Server) AddInstance(orgID string, in SeedInstance) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance(s.now())
	id, err := s.addInstanceLocked(orgID, in)
	if err != nil {
		panic("gandisim.AddInstance: " + err.Error())
	}
	return id
}

func (s *Server) addInstanceLocked(orgID string, si SeedInstance) (string, error) {
	now := s.now()
	if orgID == "" {
		return "", errors.New("an instance needs an org")
	}
	if err := normalizeSeedInstance(&si, now); err != nil {
		return "", err
	}
	if s.instances[si.ID] != nil {
		return "", fmt.Errorf("instance %s already exists", si.ID)
	}
	in := &instance{
		InstanceView: InstanceView{
			ID: si.ID, OrgID: orgID, Name: si.Name, Size: si.Size, Status: si.Status,
			Location: si.Location, Datacenter: si.Datacenter,
			Language: si.Language.Name, LanguageVersion: si.Language.Version,
			Database: si.Database.Name, DatabaseVersion: si.Database.Version,
			StorageAdditionalSize: si.StorageAdditionalSize, SnapshotEnabled: si.SnapshotEnabled,
			Autorenew: si.Autorenew, Duration: 1, Domain: si.Domain, DiskUsedBytes: si.DiskUsedBytes,
			CreatedAt: si.CreatedAt, ExpireAt: si.ExpireAt,
		},
		seq: s.nextSeq(), statusSince: now,
	}
	if si.Password != "" {
		in.Password, in.PasswordUpdatedAt = si.Password, now
	}
	for _, sv := range si.Vhosts {
		vh, err := s.seedVhost(in, sv, now)
		if err != nil {
			return "", fmt.Errorf("vhost %s: %w", sv.FQDN, err)
		}
		in.vhosts = append(in.vhosts, vh)
	}
	s.instances[in.ID] = in
	return in.ID, nil
}

// normalizeSeedInstance checks a seeded instance and fills its defaults.
func normalizeSeedInstance(si *SeedInstance, now time.Time) error {
	if !slices.Contains(allSizes, si.Size) {
		return fmt.Errorf("size %q is not one of %s", si.Size, quoteAll(allSizes))
	}
	if si.Status == "" {
		si.Status = statusActive
	}
	if !slices.Contains(instanceStates, si.Status) {
		return fmt.Errorf("status %q is not one of %s", si.Status, quoteAll(instanceStates))
	}
	if si.StorageAdditionalSize < 0 || si.StorageAdditionalSize > 1004 {
		return fmt.Errorf("storage_additional_size %d is outside 0..1004", si.StorageAdditionalSize)
	}
	if err := seedPlacement(si); err != nil {
		return err
	}
	if err := seedRuntimes(si); err != nil {
		return err
	}
	if si.ID == "" {
		si.ID = uuid.NewString()
	}
	if si.CreatedAt.IsZero() {
		si.CreatedAt = now
	}
	if si.ExpireAt.IsZero() {
		si.ExpireAt = si.CreatedAt.AddDate(0, 1, 0)
	}
	if si.Name == "" {
		si.Name = "webhosting-" + si.ID[:8]
	}
	return nil
}

// seedPlacement makes location and datacenter agree, deriving the missing one.
func seedPlacement(si *SeedInstance) error {
	if si.Datacenter != "" {
		dc, ok := findDatacenter(si.Datacenter)
		if !ok {
			return fmt.Errorf("unknown datacenter %q", si.Datacenter)
		}
		if si.Location != "" && si.Location != dc.region {
			return fmt.Errorf("datacenter %s is not in location %s", dc.code, si.Location)
		}
		si.Location = dc.region
	}
	if si.Location == "" {
		si.Location = "FR"
	}
	if _, ok := defaultDatacenter[si.Location]; !ok {
		return fmt.Errorf("location %q is not FR or LU", si.Location)
	}
	if si.Datacenter == "" {
		si.Datacenter = defaultDatacenter[si.Location]
	}
	return nil
}

// seedRuntimes defaults language and database; any version is accepted since
// a legacy instance may run one the create route no longer offers.
func seedRuntimes(si *SeedInstance) error {
	if si.Language.Name == "" {
		si.Language.Name = langPHP
	}
	if si.Database.Name == "" {
		si.Database.Name = dbMySQL
	}
	lang, ok := languages[si.Language.Name]
	if !ok {
		return fmt.Errorf("unknown language %q", si.Language.Name)
	}
	db, ok := databases[si.Database.Name]
	if !ok {
		return fmt.Errorf("unknown database %q", si.Database.Name)
	}
	if si.Language.Version == "" {
		si.Language.Version = lang.recommended
	}
	if si.Database.Version == "" {
		si.Database.Version = db.recommended
	}
	return nil
}

func (s *Server) seedVhost(in *instance, sv SeedVhost, now time.Time) (*vhost, error) {
	if msg := hostnameProblem(sv.FQDN); msg != "" {
		return nil, errors.New(msg)
	}
	fqdn := strings.ToLower(sv.FQDN)
	if in.findVhost(fqdn) != nil {
		return nil, errors.New("listed twice")
	}
	if s.servedElsewhere(in.ID, fqdn) {
		return nil, errors.New("another instance serves it")
	}
	vh := s.newVhost(in, fqdn, now)
	if !sv.CreatedAt.IsZero() {
		vh.CreatedAt = sv.CreatedAt
	}
	if sv.Status == "" {
		sv.Status = statusRunning
	}
	if !slices.Contains(vhostStates, sv.Status) {
		return nil, fmt.Errorf("status %q is not one of %s", sv.Status, quoteAll(vhostStates))
	}
	vh.Status, vh.IsATestVhost = sv.Status, sv.IsATestVhost
	if sv.Status == statusRunning {
		vh.runningAt, vh.LastCheckedAt = now, now
	}
	if sv.HTTPSStrategy != "" {
		if !slices.Contains(httpsStrategies, sv.HTTPSStrategy) {
			return nil, fmt.Errorf("https_strategy %q is not one of %s", sv.HTTPSStrategy, quoteAll(httpsStrategies))
		}
		vh.HTTPSStrategy = sv.HTTPSStrategy
	}
	if sv.Certificate {
		vh.Certificates = []CertificateView{{ID: uuid.NewString()}}
	}
	if app := sv.Application; app != nil {
		if _, ok := findApplication(app.Name); !ok {
			return nil, fmt.Errorf("unknown application %q", app.Name)
		}
		status := app.Status
		if status == "" {
			status = statusRunning
		}
		if !slices.Contains(appStates, status) {
			return nil, fmt.Errorf("application status %q is not one of %s", status, quoteAll(appStates))
		}
		vh.Application, vh.ApplicationParameters, vh.ApplicationStatus = app.Name, cloneMap(app.Parameters), status
	}
	vh.AllowAlteration, vh.AllowAlterationOverride = sv.AllowAlteration, sv.AllowAlterationOverride
	if sv.Status == statusRunning {
		// Gandi wrote the records of a running vhost it may alter the zone of.
		s.alterZone(in, vh, now)
	}
	vh.LastCheckedStatus = s.zoneStatus(in, vh)
	return vh, nil
}

// AddTemplate adds a template owned by orgID, or a public one when t.Public
// (orgID is then ignored). The payload is validated like a POST's.
func (s *Server) AddTemplate(orgID string, t SeedTemplate) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addTemplateLocked(orgID, t)
}

func (s *Server) addTemplateLocked(orgID string, t SeedTemplate) (string, error) {
	if t.Name == "" {
		return "", errors.New("a template needs a name")
	}
	if !t.Public && orgID == "" {
		return "", errors.New("a template needs an org unless it is public")
	}
	payload := cloneMap(t.Payload)
	if payload == nil {
		payload = map[string]any{}
	}
	v := &validator{}
	validatePayload(v, payload, "payload")
	if len(v.errs) > 0 {
		return "", errors.New(summarize(v.errs))
	}
	if !t.Public && s.templateNameTaken(orgID, t.Name, "") {
		return "", fmt.Errorf("a template named %s already exists in org %s", t.Name, orgID)
	}
	tpl := s.newTemplate(orgID, t.Name, t.Description, payload, t.Public, s.now())
	if t.ID != "" {
		if s.templates[t.ID] != nil {
			delete(s.templates, tpl.ID)
			return "", fmt.Errorf("template %s already exists", t.ID)
		}
		delete(s.templates, tpl.ID)
		tpl.ID = t.ID
		s.templates[tpl.ID] = tpl
	}
	return tpl.ID, nil
}

func newID() string { return uuid.NewString() }
