package planchange

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// Warning is something a quote tells the customer before they confirm.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	UsedMB  int64  `json:"used_mb"`
	PlanMB  int64  `json:"plan_mb"`
}

// WarningDiskTooSmall: the service stores more than the new plan's disk
// holds; the platform may refuse the resize or the service may stop
// working until the customer frees space.
const WarningDiskTooSmall = "disk_too_small"

// fitWarnings compares what the service uses with what the plan toPlan
// gives. A plan that does not state its disk gives no warning.
func fitWarnings(svc *provisioning.Service, toPlan *core.Record) []Warning {
	warnings := []Warning{}
	used, disk := svc.DiskUsedMB(), PlanDiskMB(toPlan)
	if disk > 0 && used > disk {
		warnings = append(warnings, Warning{Code: WarningDiskTooSmall, UsedMB: used, PlanMB: disk,
			Message: fmt.Sprintf("%s has %s of disk but this service uses %s: free up space before changing, or the change may fail or leave the service unable to run.",
				toPlan.GetString("name"), mib(disk), mib(used))})
	}
	return warnings
}

// PlanDiskMB is the disk a plan gives in MiB: its disk_mb, else a game
// server's limits.disk in platform_config (Pterodactyl counts MiB); 0 when
// the plan does not say.
func PlanDiskMB(plan *core.Record) int64 {
	if mb := plan.GetInt64("disk_mb"); mb > 0 {
		return mb
	}
	var cfg struct {
		Limits struct {
			Disk int64 `json:"disk"`
		} `json:"limits"`
	}
	if plan.GetString("platform") == "pterodactyl" && plan.UnmarshalJSONField("platform_config", &cfg) == nil && cfg.Limits.Disk > 0 {
		return cfg.Limits.Disk
	}
	return 0
}

// mib writes a size for people: whole GiB from 1 GiB up (one decimal when
// not whole), else MiB.
func mib(mb int64) string {
	if mb < 1024 {
		return fmt.Sprintf("%d MB", mb)
	}
	if mb%1024 == 0 {
		return fmt.Sprintf("%d GB", mb/1024)
	}
	return fmt.Sprintf("%d.%d GB", mb/1024, mb%1024*10/1024)
}
