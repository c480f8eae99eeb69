package gandisim

import (
	"net/http"
	"strings"

	"github.com/google/uuid"
)

// Org is an organization. CanBill, inside an Account, says whether that user
// may bill the organization (pay with sharing_id).
type Org struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	CanBill bool   `json:"can_bill,omitempty"`
}

// Account maps a token to a user and the organizations the user belongs to.
// Orgs[0] is the user's own organization: the default owner and biller, which
// the user can always bill, as the docs' "pay as an individual" says.
type Account struct {
	Token string `json:"token"`
	// APIKey: the token is a legacy API key sent as "Authorization: Apikey
	// <token>"; otherwise it is a personal access token sent as "Bearer".
	APIKey  bool   `json:"api_key,omitempty"`
	User    string `json:"user"`
	Orgs    []Org  `json:"orgs"`
	Expired bool   `json:"expired,omitempty"`
	// ReadOnly tokens may read but every write answers 403, standing in for a
	// token created without the permissions a write needs.
	ReadOnly bool `json:"read_only,omitempty"`
}

var personalOrgSpace = uuid.MustParse("0b9d9a57-3c61-4a0f-8d6e-0c7d8f1b2a33")

// AddAccount registers (or replaces) the account of a token. Without Orgs the
// user gets a personal organization derived from the user name.
func (s *Server) AddAccount(a Account) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addAccountLocked(a)
}

func (s *Server) addAccountLocked(a Account) {
	if a.User == "" {
		a.User = "user"
	}
	if len(a.Orgs) == 0 {
		a.Orgs = []Org{{ID: uuid.NewSHA1(personalOrgSpace, []byte(a.User)).String(), Name: a.User, CanBill: true}}
	}
	a.Orgs = append([]Org(nil), a.Orgs...)
	a.Orgs[0].CanBill = true
	for _, o := range a.Orgs {
		if o.Name != "" || s.orgNames[o.ID] == "" {
			s.orgNames[o.ID] = o.Name
		}
	}
	s.accounts[a.Token] = &a
}

type principal struct {
	acct *Account
	orgs map[string]Org
}

func (p *principal) own() string { return p.acct.Orgs[0].ID }

func (p *principal) member(orgID string) bool {
	_, ok := p.orgs[orgID]
	return ok
}

func (p *principal) orgIDs() []string {
	ids := make([]string, 0, len(p.acct.Orgs))
	for _, o := range p.acct.Orgs {
		ids = append(ids, o.ID)
	}
	return ids
}

// authenticate follows the docs' split: 401 is a bad authentication attempt
// (no or malformed header, wrong API key), 403 is a bearer token that is
// unknown, expired or lacks permission.
func (s *Server) authenticate(r *http.Request) (*principal, *apiError) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, newError(http.StatusUnauthorized, "Missing Authorization header.")
	}
	scheme, cred, ok := strings.Cut(h, " ")
	cred = strings.TrimSpace(cred)
	if !ok || cred == "" {
		return nil, newError(http.StatusUnauthorized, "Malformed Authorization header.")
	}
	a := s.accounts[cred]
	switch strings.ToLower(scheme) {
	case "bearer":
		if a == nil || a.APIKey {
			return nil, forbidden("The access token does not exist.")
		}
		if a.Expired {
			return nil, forbidden("The access token has expired.")
		}
	case "apikey":
		if a == nil || !a.APIKey || a.Expired {
			return nil, newError(http.StatusUnauthorized, "Bad authentication attempt because of a wrong API Key.")
		}
	default:
		return nil, newError(http.StatusUnauthorized, "Unsupported authentication scheme.")
	}
	p := &principal{acct: a, orgs: map[string]Org{}}
	for _, o := range a.Orgs {
		p.orgs[o.ID] = o
	}
	return p, nil
}

// sharingFilter reads the sharing_id query parameter of a list: it narrows the
// organizations to one, which must be the caller's.
func (c *call) sharingFilter() ([]string, *apiError) {
	id := c.r.URL.Query().Get("sharing_id")
	if id == "" {
		return c.p.orgIDs(), nil
	}
	if !c.p.member(id) {
		return nil, forbidden("You do not have access to this organization.")
	}
	return []string{id}, nil
}

// billingOrg is the organization a paid create is billed to: the caller's own,
// or sharing_id, on which the caller needs billing rights.
func (c *call) billingOrg() (string, *apiError) {
	id := c.r.URL.Query().Get("sharing_id")
	if id == "" {
		return c.p.own(), nil
	}
	o, ok := c.p.orgs[id]
	if !ok {
		return "", forbidden("You do not have access to this organization.")
	}
	if !o.CanBill {
		return "", forbidden("You do not have billing permissions on this organization.")
	}
	return id, nil
}

func (s *Server) orgName(id string) string { return s.orgNames[id] }
