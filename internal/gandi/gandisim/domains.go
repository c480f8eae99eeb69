//nolint:goconst // JSON keys of hand-built response bodies read best as literals
package gandisim

import (
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/net/idna"
)

// liveDNSNameservers are what a domain at LiveDNS reports, and what a
// domain:nameservers task with service livedns sets.
var liveDNSNameservers = []string{"ns1.gandi.net", "ns2.gandi.net", "ns3.gandi.net"}

// AddDomain makes a domain held by orgID (visible to its members), at
// LiveDNS with no records and the right to manage them, so Web Hosting may
// alter its zone. It returns the domain's ID (the existing one if fqdn is
// known, whoever holds it). An empty orgID adds a zone held by no account,
// with LiveDNS nameservers.
func (s *Server) AddDomain(orgID, fqdn string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addDomainLocked(orgID, fqdn).ID
}

func (s *Server) addDomainLocked(orgID, fqdn string) *domain {
	fqdn = strings.ToLower(strings.TrimSuffix(fqdn, "."))
	if d := s.domainByFQDN(fqdn); d != nil {
		return d
	}
	uni, err := idna.Lookup.ToUnicode(fqdn)
	if err != nil {
		uni = fqdn
	}
	d := &domain{
		DomainView: DomainView{
			ID: uuid.NewString(), OrgID: orgID, FQDN: fqdn, FQDNUnicode: uni,
			Nameservers: slices.Clone(liveDNSNameservers), NameserverService: serviceLiveDNS,
			Records: []DNSRecord{}, Mailboxes: []string{}, WebRedirections: []WebRedirection{},
		},
		seq: s.nextSeq(), changedAt: s.now(),
	}
	s.domains[d.ID] = d
	return d
}

func (s *Server) domainByFQDN(fqdn string) *domain {
	for _, d := range s.domains {
		if d.FQDN == fqdn {
			return d
		}
	}
	return nil
}

// getDomain serves the one domain route the operator needs (the domain's ID
// from its FQDN). A domain of another organization, or a zone held by no
// account, is a 404 like an unknown one: the domain API does not reveal
// what exists elsewhere.
func getDomain(c *call) {
	d := c.s.domainByFQDN(strings.ToLower(c.r.PathValue("fqdn")))
	if d == nil || !c.p.member(d.OrgID) {
		c.fail(notFound("Domain"))
		return
	}
	c.json(http.StatusOK, map[string]any{
		"id":           d.ID,
		"fqdn":         d.FQDN,
		"fqdn_unicode": d.FQDNUnicode,
		"nameservers":  slices.Clone(d.Nameservers),
	})
}
