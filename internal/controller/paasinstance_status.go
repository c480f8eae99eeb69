package controller

import (
	"context"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"

	hostingv1alpha1 "github.com/gandi-operator/gandi-operator/api/v1alpha1"
	"github.com/gandi-operator/gandi-operator/internal/gandi/paas"
)

// paasToStatus copies what paas.info reports into status (vhosts and
// snapshots have their own steps).
func paasToStatus(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) {
	s := &pi.Status
	s.Name, s.State, s.CatalogName, s.Type, s.Size = info.Name, info.State, info.CatalogName, info.Type, info.Size
	s.Datacenter = &hostingv1alpha1.PaaSDatacenter{ID: int32(info.Datacenter.ID), Name: info.Datacenter.Name, Code: info.Datacenter.DCCode} //nolint:gosec // datacenter IDs are small
	s.DateStart, s.DateEnd, s.DateEndCommitment = timeOrNil(info.DateStart), timeOrNil(info.DateEnd), timeOrNil(info.DateEndCommitment)
	s.NeedUpgrade = info.NeedUpgrade
	s.Console = &hostingv1alpha1.PaaSConsoleStatus{Enabled: info.ConsoleInfo.Enabled, URL: info.Console, Until: timeOrNil(info.ConsoleInfo.DateEnd)}
	s.SFTPServer, s.GitServer = info.FTPServer, info.GitServer
	s.User = ""
	if info.User != 0 {
		s.User = strconv.Itoa(info.User)
	}
	s.DataDiskTotalSizeMB = info.DatadiskTotalSize
	s.AdditionalDiskGB = int32(info.DataDiskAdditionalSize) //nolint:gosec // bounded by Gandi (1024 GB)
	s.SnapshotProfile = nil
	if sp := info.SnapshotProfile; sp != nil && sp.ID != 0 {
		s.SnapshotProfile = &hostingv1alpha1.PaaSSnapshotProfile{ID: int32(sp.ID), Name: sp.Name} //nolint:gosec // profile IDs are small
	}
	active, _ := info.Autorenew["active"].(bool)
	s.Autorenew = active
}

func timeOrNil(t time.Time) *metav1.Time {
	if t.IsZero() {
		return nil
	}
	mt := metav1.NewTime(t.UTC())
	return &mt
}

// observeSnapshots lists the instance's snapshots. They are informative:
// a failure is logged and the last list kept.
func (r *PaaSInstanceReconciler) observeSnapshots(ctx context.Context, api paasAPI, pi *hostingv1alpha1.PaaSInstance, id int) {
	snaps, err := api.SnapshotList(ctx, &paas.PaasSnapshotListOptions{PaasID: id})
	if err != nil {
		log.FromContext(ctx).Info("could not list the instance's snapshots", "id", id, "error", err.Error())
		return
	}
	var out []hostingv1alpha1.PaaSSnapshotStatus
	for _, sn := range snaps {
		out = append(out, hostingv1alpha1.PaaSSnapshotStatus{Name: sn.Name, CreatedAt: timeOrNil(sn.DateCreated), SizeMB: int32(sn.Size), Type: sn.Type}) //nolint:gosec // sizes in MB fit
	}
	pi.Status.Snapshots = out
}

// checkType looks the instance's type up in the catalogue, at the usage
// interval (a type becomes deprecated rarely), and reports TypeDeprecated.
func (r *PaaSInstanceReconciler) checkType(ctx context.Context, api paasAPI, pi *hostingv1alpha1.PaaSInstance) {
	s := &pi.Status
	now := r.lifecycle().now()
	if s.TypeCheckedAt != nil && now.Sub(s.TypeCheckedAt.Time) < r.Timing.Usage && s.TypeVisibility != "" {
		return
	}
	visibility, err := lookupType(ctx, api, s.Type)
	if err != nil {
		log.FromContext(ctx).Info("could not look the type up in the catalogue", "type", s.Type, "error", err.Error())
		return
	}
	checked := metav1.NewTime(now)
	s.TypeVisibility, s.TypeCheckedAt = visibility, &checked
	r.reportType(pi, visibility)
}

// reportType sets TypeDeprecated, with a Warning event when it turns True.
func (r *PaaSInstanceReconciler) reportType(pi *hostingv1alpha1.PaaSInstance, visibility string) {
	typ := pi.Spec.Type
	if pi.Status.Type != "" {
		typ = pi.Status.Type
	}
	var msg string
	switch visibility {
	case paas.VisibilityDeprecated:
		msg = "the type " + typ + " is deprecated in Gandi's catalogue: it still runs, but plan a move to a current type (paas.type.list)"
	case "":
		if pi.Status.ID == "" {
			return
		}
		msg = "the type " + typ + " is no longer in Gandi's catalogue"
	default:
		setCondition(pi, hostingv1alpha1.ConditionTypeDeprecated, false, hostingv1alpha1.ReasonSupportedType, "the type "+typ+" is "+visibility+" in Gandi's catalogue")
		return
	}
	if !meta.IsStatusConditionTrue(pi.Status.Conditions, hostingv1alpha1.ConditionTypeDeprecated) {
		r.Events.warn(pi, hostingv1alpha1.ReasonDeprecatedType, "Observe", msg)
	}
	setCondition(pi, hostingv1alpha1.ConditionTypeDeprecated, true, hostingv1alpha1.ReasonDeprecatedType, msg)
}

// reportPaaSDrift says, in Observe mode, how Gandi differs from the spec
// where a Manage pass would act (planPaaS).
func reportPaaSDrift(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn, v freeView, hold paidHold) {
	plan := planPaaS(pi, info, v, hold)
	fields := plan.changes()
	for _, p := range plan.unsupported {
		fields = append(fields, p.message)
	}
	for _, vh := range missingVhosts(pi, info) {
		fields = append(fields, vh+" is missing")
	}
	if len(fields) == 0 {
		setCondition(pi, hostingv1alpha1.ConditionSynced, true, hostingv1alpha1.ReasonObserved,
			"managementPolicy is Observe: the instance matches the spec; nothing is written to Gandi")
		return
	}
	setCondition(pi, hostingv1alpha1.ConditionSynced, false, hostingv1alpha1.ReasonDriftDetected,
		"managementPolicy is Observe, nothing is written to Gandi; the instance differs from the spec in: "+strings.Join(fields, "; "))
}

// missingVhosts names the vhosts of the spec that info does not list, or
// lists while Gandi deletes them (not served; created again once gone:
// decideListedVhost).
func missingVhosts(pi *hostingv1alpha1.PaaSInstance, info *paas.PaasReturn) []string {
	on := map[string]string{}
	for _, vh := range info.Vhosts {
		on[vh.Name] = vh.State
	}
	var out []string
	for _, v := range pi.Spec.Vhosts {
		ascii, err := toASCII(v.FQDN)
		if err != nil {
			continue
		}
		state, present := on[ascii]
		switch decideListedVhost(state, present) {
		case listedCreate:
			out = append(out, "vhost "+ascii)
		case listedRecreate:
			out = append(out, "vhost "+ascii+" (Gandi is deleting it)")
		}
	}
	return out
}
