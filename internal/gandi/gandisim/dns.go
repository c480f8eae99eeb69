package gandisim

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// The simulated DNS. Every zone the simulator knows is a domain: one with an
// OrgID is held by that organization (the domain API shows it to its
// members), one without is held by no simulated account, a domain
// registered elsewhere whose zone a person edits at their DNS provider. A
// person publishes records with PublishDNS, POST /_sim/dns or a seed; Web
// Hosting writes a vhost's records itself only into a zone it may alter.
// See the package doc for the rules a vhost's ownership follows.

// serviceCustom is a domain whose nameservers are not LiveDNS.
const serviceCustom = "custom"

// A vhost's ownership states.
const (
	statusWaitingOwnership   = "waiting_ownership"
	statusOwnershipValidated = "ownership_validated"
	statusValidationFailed   = "validation_failed"
)

// elsewhereNameservers are what a zone held by no simulated account reports.
var elsewhereNameservers = []string{"ns1.dns-provider.sim.invalid", "ns2.dns-provider.sim.invalid"}

// The record types that send a name to Web Hosting.
const (
	typeA     = "A"
	typeAAAA  = "AAAA"
	typeCNAME = "CNAME"
	typeTXT   = "TXT"
)

// pointing reports a record type Web Hosting writes, or would replace.
func pointing(typ string) bool { return typ == typeCNAME || typ == typeA || typ == typeAAAA }

// recordTTL is the TTL of the records Web Hosting writes into a zone.
const recordTTL = 10800

// txtPrefix starts every ownership TXT value.
const txtPrefix = "gandi-webhosting-verification="

// PublishDNS adds or replaces record sets (by name and type) in zone, as a
// person would at their DNS provider or in LiveDNS. A zone the simulator
// does not know is created, held by no account. Vhosts waiting for their
// ownership proof see the records at once.
func (s *Server) PublishDNS(zone string, records ...DNSRecord) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.advance(now)
	for _, r := range records {
		if err := checkRecord(r); err != nil {
			return err
		}
	}
	d, err := s.zoneForPublish(zone, now)
	if err != nil {
		return err
	}
	for _, r := range records {
		r.Values = slices.Clone(r.Values)
		d.upsertRecord(r)
	}
	d.changedAt = now
	s.advance(now)
	return nil
}

// UnpublishDNS removes the record sets called name from zone: all of them,
// or only those of type typ when it is set. An unknown zone is an error.
func (s *Server) UnpublishDNS(zone, name, typ string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.advance(now)
	d := s.domainByFQDN(strings.ToLower(strings.TrimSuffix(zone, ".")))
	if d == nil {
		return fmt.Errorf("no zone %s", zone)
	}
	d.Records = slices.DeleteFunc(d.Records, func(r DNSRecord) bool {
		return r.Name == name && (typ == "" || r.Type == typ)
	})
	d.changedAt = now
	s.advance(now)
	return nil
}

func checkRecord(r DNSRecord) error {
	switch {
	case !recordNameOK(r.Name):
		return fmt.Errorf("record name %q is invalid", r.Name)
	case !slices.Contains(recordTypes, r.Type):
		return fmt.Errorf("record type %q is not one of %s", r.Type, quoteAll(recordTypes))
	case len(r.Values) == 0:
		return fmt.Errorf("record %s %s has no values", r.Name, r.Type)
	}
	return nil
}

// zoneForPublish finds a zone by name, or makes one held by no account.
func (s *Server) zoneForPublish(zone string, now time.Time) (*domain, error) {
	zone = strings.ToLower(strings.TrimSuffix(zone, "."))
	if zone == "" {
		return nil, errors.New("a zone is required")
	}
	if msg := hostnameProblem(zone); msg != "" {
		return nil, fmt.Errorf("zone %q: %s", zone, msg)
	}
	if d := s.domainByFQDN(zone); d != nil {
		return d, nil
	}
	d := s.addDomainLocked("", zone)
	d.Nameservers, d.NameserverService, d.changedAt = slices.Clone(elsewhereNameservers), serviceCustom, now
	return d, nil
}

// dnsTargets are what a vhost's linked_dns_zone details tell a person to
// publish, and what the simulator looks for in the zone.
type dnsTargets struct {
	zone, key         string
	root              bool
	cname, ipv4, ipv6 string
	txt               string
}

// targetsOf derives a vhost's records: the TXT from the instance and the
// FQDN (so the same FQDN on another instance needs another proof), the CNAME
// from the datacenter.
func (s *Server) targetsOf(in *instance, fqdn string) dnsTargets {
	zone, _ := s.zoneOf(fqdn)
	sum := sha256.Sum256([]byte(in.ID + " " + fqdn))
	return dnsTargets{
		zone: zone, key: zoneKey(fqdn, zone), root: fqdn == zone,
		cname: strings.ToLower(in.Datacenter) + ".webaccel.gpaas.sim.invalid.",
		ipv4:  "192.0.2.10", ipv6: "2001:db8::10",
		txt: txtPrefix + hex.EncodeToString(sum[:16]),
	}
}

// values returns the values of the record set name/typ, nil when absent.
func (d *domain) values(name, typ string) []string {
	for _, r := range d.Records {
		if r.Name == name && r.Type == typ {
			return r.Values
		}
	}
	return nil
}

func sameHost(a, b string) bool {
	return strings.EqualFold(strings.TrimSuffix(a, "."), strings.TrimSuffix(b, "."))
}

func sameAddr(a, b string) bool {
	x, err1 := netip.ParseAddr(a)
	y, err2 := netip.ParseAddr(b)
	return err1 == nil && err2 == nil && x == y
}

// pointedBy: the zone sends the vhost's name to Web Hosting, by a CNAME to
// the web accelerator (not at the root, where a CNAME cannot be) or by an A
// or AAAA record with its addresses.
func (t dnsTargets) pointedBy(d *domain) bool {
	if d == nil {
		return false
	}
	if !t.root && slices.ContainsFunc(d.values(t.key, typeCNAME), func(v string) bool { return sameHost(v, t.cname) }) {
		return true
	}
	return slices.ContainsFunc(d.values(t.key, typeA), func(v string) bool { return sameAddr(v, t.ipv4) }) ||
		slices.ContainsFunc(d.values(t.key, typeAAAA), func(v string) bool { return sameAddr(v, t.ipv6) })
}

// hasTXT: the ownership TXT is published at the vhost's key. Surrounding
// quotes, as some DNS interfaces show TXT values, are ignored.
func (t dnsTargets) hasTXT(d *domain) bool {
	return d != nil && slices.ContainsFunc(d.values(t.key, typeTXT), func(v string) bool { return strings.Trim(v, `"`) == t.txt })
}

// conflictIn: a record Web Hosting would replace already sits at the key.
func (t dnsTargets) conflictIn(d *domain) bool {
	return d != nil && slices.ContainsFunc(d.Records, func(r DNSRecord) bool {
		return r.Name == t.key && pointing(r.Type)
	})
}

// write puts the vhost's pointing records into the zone, replacing the
// CNAME, A and AAAA record sets at the key.
func (t dnsTargets) write(d *domain, at time.Time) {
	d.Records = slices.DeleteFunc(d.Records, func(r DNSRecord) bool {
		return r.Name == t.key && pointing(r.Type)
	})
	if t.root {
		d.Records = append(d.Records,
			DNSRecord{Name: t.key, Type: typeA, TTL: recordTTL, Values: []string{t.ipv4}},
			DNSRecord{Name: t.key, Type: typeAAAA, TTL: recordTTL, Values: []string{t.ipv6}})
	} else {
		d.Records = append(d.Records, DNSRecord{Name: t.key, Type: typeCNAME, TTL: recordTTL, Values: []string{t.cname}})
	}
	d.changedAt = at
}

// alterable is linked_dns_zone.is_alterable: the vhost's zone is held by
// the instance's organization, at LiveDNS, with the right to manage its
// records.
func (s *Server) alterable(orgID, fqdn string) bool {
	_, d := s.zoneOf(fqdn)
	return d != nil && d.OrgID != "" && d.OrgID == orgID && d.NameserverService == serviceLiveDNS && !d.RecordsReadOnly
}

// alterableAtCreate is alterable for a vhost listed in an instance create
// that registers newDomain ("" for none): a vhost in the domain the create
// registers is alterable, since Gandi registers it at LiveDNS for org
// (choice), unless a longer domain already known holds the vhost's zone.
func (s *Server) alterableAtCreate(org, fqdn, newDomain string) bool {
	if newDomain != "" && (fqdn == newDomain || strings.HasSuffix(fqdn, "."+newDomain)) {
		if zone, d := s.zoneOf(fqdn); d == nil || len(zone) < len(newDomain) {
			return true
		}
	}
	return s.alterable(org, fqdn)
}

// wantsHTTPS: the vhost has, or was created to get, a certificate, which
// needs its name to point at Web Hosting.
func (vh *vhost) wantsHTTPS() bool {
	return vh.withFreeSSL || len(vh.Certificates) > 0
}

// proofSince reports whether the vhost's ownership is proven, and since
// when at the latest: its zone is alterable, or it carries the TXT (and, for
// HTTPS, the pointing records). The zone's last change bounds when the proof
// appeared, so a late look still dates the validation right.
func (s *Server) proofSince(in *instance, vh *vhost) (time.Time, bool) {
	_, d := s.zoneOf(vh.FQDN)
	if d == nil {
		return time.Time{}, false
	}
	if !s.alterable(in.OrgID, vh.FQDN) {
		t := s.targetsOf(in, vh.FQDN)
		if !t.hasTXT(d) || vh.wantsHTTPS() && !t.pointedBy(d) {
			return time.Time{}, false
		}
	}
	return d.changedAt, true
}

// alterZone is Web Hosting writing the vhost's records: only with
// allow_alteration, into an alterable zone, and over a record already at
// the key only with allow_alteration_override.
func (s *Server) alterZone(in *instance, vh *vhost, at time.Time) {
	if !vh.AllowAlteration || !s.alterable(in.OrgID, vh.FQDN) {
		return
	}
	_, d := s.zoneOf(vh.FQDN)
	t := s.targetsOf(in, vh.FQDN)
	if t.pointedBy(d) || t.conflictIn(d) && !vh.AllowAlterationOverride {
		return
	}
	t.write(d, at)
}

// zoneStatus is linked_dns_zone.last_checked_status, from the zone as it is.
func (s *Server) zoneStatus(in *instance, vh *vhost) string {
	_, d := s.zoneOf(vh.FQDN)
	t := s.targetsOf(in, vh.FQDN)
	alterable := s.alterable(in.OrgID, vh.FQDN)
	switch {
	case t.pointedBy(d) && vh.AllowAlteration && alterable:
		return "livedns_done"
	case t.pointedBy(d):
		return "altered"
	case !vh.AllowAlteration:
		return "unknown"
	case !alterable:
		return "livedns_error"
	case t.conflictIn(d):
		return "livedns_conflict"
	}
	return "unknown"
}

// recheckZone updates last_checked_status; last_checked_at moves only when
// the result changes, so a steady zone gives a steady answer.
func (s *Server) recheckZone(in *instance, vh *vhost, now time.Time) {
	if st := s.zoneStatus(in, vh); st != vh.LastCheckedStatus {
		vh.LastCheckedStatus, vh.LastCheckedAt = st, now
	}
}

// servedElsewhere reports whether an instance other than instanceID serves
// fqdn (in any state, being deleted included, or about to with an instance
// create).
func (s *Server) servedElsewhere(instanceID, fqdn string) bool {
	for _, in := range s.instances {
		if in.ID == instanceID {
			continue
		}
		if in.findVhost(fqdn) != nil || slices.ContainsFunc(in.pending, func(v *vhost) bool { return v.FQDN == fqdn }) {
			return true
		}
	}
	return false
}

func servedElsewhereMessage(fqdn string) string {
	return "The vhost " + fqdn + " is already served by another instance."
}

// checkAgain is a PATCH carrying linked_dns_zone: Gandi looks at the zone
// again. A running vhost gets its records written (when it may); one that
// waits for, or failed, its ownership validation waits again, for a whole
// VhostValidationTimeout.
func (s *Server) checkAgain(in *instance, vh *vhost, now time.Time) {
	switch vh.Status {
	case statusWaitingOwnership, statusValidationFailed:
		vh.Status, vh.statusSince = statusWaitingOwnership, now
	case statusRunning:
		s.alterZone(in, vh, now)
	}
	vh.LastCheckedStatus, vh.LastCheckedAt = s.zoneStatus(in, vh), now
}
