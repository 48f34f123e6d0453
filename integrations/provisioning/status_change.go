package provisioning

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// allowedByStaff lists where staff may move a service in the dashboard and
// the platform action each move queues.
var allowedByStaff = map[[2]string]string{
	{"active", "suspended"}:     ActionSuspend,
	{"suspended", "active"}:     ActionUnsuspend,
	{"active", "terminated"}:    ActionTerminate,
	{"suspended", "terminated"}: ActionTerminate,
	{"failed", "terminated"}:    ActionTerminate,
}

// StaffStatusChange turns a staff edit of a service's status into the
// platform action it means, queued in the same transaction, and records
// the reason of a suspension (staff, unless they chose abuse). Impossible
// moves, such as bringing back a terminated service, are refused.
func StaffStatusChange(ctx context.Context, tx core.App, svc *core.Record, staffID string) error {
	from, to := svc.Original().GetString("status"), svc.GetString("status")
	if from == to {
		return nil
	}
	action, ok := allowedByStaff[[2]string{from, to}]
	if !ok {
		return fmt.Errorf("a service cannot go from %s to %s", from, to)
	}
	now := time.Now().UTC()
	switch to {
	case "suspended":
		if svc.GetString("suspend_reason") == "" || svc.GetString("suspend_reason") == svc.Original().GetString("suspend_reason") {
			svc.Set("suspend_reason", "staff")
		}
		svc.Set("suspended_at", now)
	case "active":
		svc.Set("suspend_reason", "")
	}
	_, err := Enqueue(ctx, tx, Job{ServiceID: svc.Id, Action: action, RequestedBy: "staff " + staffID,
		DedupeKey: fmt.Sprintf("staff:%s:%s:%d", svc.Id, action, now.UnixNano())})
	return err
}
