package controller

import (
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi"
)

// describeInstance makes id the instance hi's status describes. What was
// read of another one at its own, slower interval (the disk usage) goes
// with it: it would otherwise stand beside the new ID until that interval
// ran out, and is read again for this one as soon as it is due.
func describeInstance(hi *hostingv1alpha1.HostingInstance, id string) {
	if hi.Status.ID != id {
		hi.Status.Usage = nil
	}
	hi.Status.ID = id
}

// instanceToStatus writes what Gandi reported into the status.
func instanceToStatus(hi *hostingv1alpha1.HostingInstance, inst *gandi.Instance) {
	st := &hi.Status
	st.ID, st.Name, st.State, st.Size, st.CPU = inst.ID, inst.Name, inst.Status, inst.Size, int32(inst.CPU) //nolint:gosec // CPU counts are small
	st.SnapshotEnabled = gandi.Ptr(inst.SnapshotEnabled)
	st.RAM = quantity(inst.RAM)
	st.CreatedAt, st.ExpireAt = timeOf(&inst.CreatedAt), timeOf(&inst.ExpireAt)
	st.Autorenew = renews(inst)
	st.PasswordUpdatedAt = timeOf(inst.PasswordUpdatedAt)
	st.Datacenter = nil
	if dc := inst.Datacenter; dc != nil {
		st.Datacenter = &hostingv1alpha1.Datacenter{Code: dc.Code, Name: dc.Name, Region: dc.Region}
	}
	st.Storage = nil
	if s := inst.Storage; s != nil {
		st.Storage = &hostingv1alpha1.StorageStatus{Base: quantity(s.Base), Additional: quantity(s.Additional), Total: quantity(s.Total)}
	}
	st.Language, st.Database = nil, nil
	if l := inst.Language; l != nil {
		st.Language = &hostingv1alpha1.SoftwareStatus{Name: l.Name, Version: l.Version, Status: l.Status}
	}
	if d := inst.Database; d != nil {
		st.Database = &hostingv1alpha1.SoftwareStatus{Name: d.Name, Version: d.Version, Status: d.Status}
	}
	st.Console = nil
	if c := inst.Console; c != nil {
		st.Console = &hostingv1alpha1.ConsoleStatus{Enabled: c.Enabled, URL: c.URL}
	}
	st.Access = accessStatus(inst.AccessInformation)
	st.Booster = boosterStatus(inst.Booster)
	st.Vhosts = nil
	for _, v := range inst.Vhosts {
		st.Vhosts = append(st.Vhosts, v.FQDN)
	}
	st.AvailableUpgrades = nil
	for _, u := range inst.UpgradeTo {
		st.AvailableUpgrades = append(st.AvailableUpgrades, hostingv1alpha1.UpgradeStatus{Type: u.Type, Name: u.Name, Version: u.Version, Status: u.Status})
	}
	st.CompatibleApplications = nil
	for _, a := range inst.CompatibleApplications {
		st.CompatibleApplications = append(st.CompatibleApplications, a.Name)
	}
}

func quantity(q *gandi.Quantity) string {
	if q == nil {
		return ""
	}
	return strconv.FormatInt(q.Value, 10) + q.Unit
}

// timeOf converts Gandi's time; seconds are all the status keeps, so that a
// re-read of the same instant compares equal and writes nothing.
func timeOf(t *gandi.Time) *metav1.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	mt := metav1.NewTime(t.Time.UTC().Truncate(1e9))
	return &mt
}

func accessStatus(a *gandi.AccessInformation) *hostingv1alpha1.AccessStatus {
	if a == nil {
		return nil
	}
	out := &hostingv1alpha1.AccessStatus{AdminURL: a.AdminURL, User: a.User}
	if db := a.Database; db != nil {
		out.Database = &hostingv1alpha1.DatabaseAccess{Host: db.Host, Port: int32(db.Port), Socket: db.Socket} //nolint:gosec // a TCP port fits
		for _, ad := range db.Admins {
			out.Database.Admins = append(out.Database.Admins, hostingv1alpha1.DatabaseAdmin{Type: ad.Type, URL: ad.URL, Username: ad.Username})
		}
	}
	for _, d := range a.Deploy {
		da := hostingv1alpha1.DeployAccess{}
		if d.Vhost != nil {
			da.VhostFQDN = d.Vhost.FQDN
		}
		if d.Git != nil {
			da.GitRemote, da.GitURL, da.GitDeploy = d.Git.Remote, d.Git.URL, d.Git.Deploy
		}
		if d.SFTP != nil {
			da.SFTPServer, da.SFTPURL, da.Directory, da.DocumentRoot = d.SFTP.Server, d.SFTP.URL, d.SFTP.Directory, d.SFTP.DocumentRoot
		}
		if d.CLI != nil {
			da.CLIInit = d.CLI.Init
		}
		out.Deploy = append(out.Deploy, da)
	}
	return out
}

func boosterStatus(b *gandi.Booster) *hostingv1alpha1.BoosterStatus {
	if b == nil {
		return nil
	}
	out := &hostingv1alpha1.BoosterStatus{}
	if c := b.Current; c != nil {
		out.Status, out.Size, out.ExpiresAt = c.Status, c.SizeOverride, timeOf(&c.ExpiresAt)
	}
	if n := b.Next; n != nil {
		out.Available, out.AvailableAt = n.Available, timeOf(n.AvailableAt)
	}
	return out
}
