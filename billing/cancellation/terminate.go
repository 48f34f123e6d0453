package cancellation

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
)

// Termination is staff ending a service now.
type Termination struct {
	ServiceID string
	// Confirm is the service's label typed again, so a service is never
	// terminated by a slip of the mouse.
	Confirm string
	Reason  string
	// Credit what was paid for the unused time of the current period.
	Credit bool
}

// Terminate ends a service at once for staff: its subscription is cancelled
// now (later periods withdrawn, unused time credited if asked) and the
// platform's terminate job queued, or, for a service without a running
// subscription, the job alone, all in one transaction with the audit
// entry and its reason. The worker deletes the server afterwards.
func Terminate(ctx context.Context, app core.App, t Termination, by audit.Actor, now time.Time) (*core.Record, error) {
	reason, err := provisioning.StaffReason(t.Reason)
	if err != nil {
		return nil, err
	}
	var svc *core.Record
	err = app.RunInTransaction(func(tx core.App) error {
		if svc, err = provisioning.FindServiceForStaff(tx, t.ServiceID); err != nil {
			return err
		}
		switch st := provisioning.AsService(svc).Status(); st {
		case provisioning.ServiceActive, provisioning.ServiceSuspended, provisioning.ServiceFailed:
		default:
			return &Error{http.StatusConflict, "", "not_terminable", "only an active, suspended or failed service can be terminated; this one is " + string(st)}
		}
		if t.Confirm != notify.ServiceLabel(svc) {
			return &Error{http.StatusBadRequest, "confirm", "mismatch", "type the service's label, " + notify.ServiceLabel(svc) + ", to confirm"}
		}
		queued, err := terminationQueued(tx, svc.Id)
		if err != nil {
			return err
		}
		if queued {
			return &Error{http.StatusConflict, "", "terminating", "this service is being terminated already"}
		}
		ctx := audit.WithActor(ctx, by)
		_, err = Cancel(ctx, tx, svc, Request{When: Immediately, Comment: reason, Credit: t.Credit}, true, now)
		var ce *Error
		switch {
		case errors.As(err, &ce) && (ce.Code == "no_subscription" || ce.Code == "already_cancelled"):
			// Nothing left to bill: the platform job is all that remains.
			if _, err := provisioning.Enqueue(ctx, tx, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionTerminate,
				DedupeKey: "staff:" + svc.Id + ":terminate", RequestedBy: "staff " + by.ID}); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		return audit.Record(tx, by, "service.terminate", svc, reason)
	})
	return svc, err
}
