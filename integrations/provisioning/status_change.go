package provisioning

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// allowedByStaff lists where staff may move a service in the dashboard and
// the platform action each move queues.
var allowedByStaff = map[[2]ServiceStatus]Action{
	{ServiceActive, ServiceSuspended}:     ActionSuspend,
	{ServiceSuspended, ServiceActive}:     ActionUnsuspend,
	{ServiceActive, ServiceTerminated}:    ActionTerminate,
	{ServiceSuspended, ServiceTerminated}: ActionTerminate,
	{ServiceFailed, ServiceTerminated}:    ActionTerminate,
}

// StaffStatusChange turns a staff edit of a service's status into the
// platform action it means, queued in the same transaction, and records
// the reason of a suspension (staff, unless they chose abuse). Impossible
// moves, such as bringing back a terminated service, are refused.
func StaffStatusChange(ctx context.Context, tx core.App, rec *core.Record, staffID string) error {
	svc, before := AsService(rec), AsService(rec.Original())
	from, to := before.Status(), svc.Status()
	if from == to {
		return nil
	}
	action, ok := allowedByStaff[[2]ServiceStatus{from, to}]
	if !ok {
		return fmt.Errorf("a service cannot go from %s to %s", from, to)
	}
	now := time.Now().UTC()
	switch to {
	case ServiceSuspended:
		if svc.SuspendReason() == "" || svc.SuspendReason() == before.SuspendReason() {
			svc.SetSuspendReason(SuspendStaff)
		}
		svc.SetSuspendedAt(now)
	case ServiceActive:
		svc.SetSuspendReason("")
	}
	_, err := Enqueue(ctx, tx, Job{ServiceID: svc.Id, Action: action, RequestedBy: "staff " + staffID,
		DedupeKey: fmt.Sprintf("staff:%s:%s:%d", svc.Id, action, now.UnixNano())})
	return err
}
