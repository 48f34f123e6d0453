package provisioning

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/clock"
)

// StaffError is a staff action refused, with the HTTP status to answer and
// the reason the console shows.
type StaffError struct {
	Status  int
	Field   string
	Message string
}

func (e *StaffError) Error() string { return e.Message }

func refused(status int, field, format string, args ...any) *StaffError {
	return &StaffError{Status: status, Field: field, Message: fmt.Sprintf(format, args...)}
}

// maxReason bounds a reason staff type.
const maxReason = 1000

// StaffReason checks the reason staff give for an action on a service: it
// is required, since the audit log is where the next colleague reads why.
func StaffReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", refused(http.StatusBadRequest, "reason", "give a reason: it is kept in the audit log")
	}
	if len(reason) > maxReason {
		return "", refused(http.StatusBadRequest, "reason", "the reason is limited to %d characters", maxReason)
	}
	return reason, nil
}

// FindServiceForStaff is the service staff act on, or a 404 refusal.
func FindServiceForStaff(app core.App, id string) (*core.Record, error) {
	svc, err := app.FindRecordById(ServicesCollection, id)
	if err != nil {
		return nil, refused(http.StatusNotFound, "", "service not found")
	}
	return svc, nil
}

// StaffSetStatus moves a service to status (suspended or active) for staff,
// with the platform job it means queued in the same transaction (see
// StaffStatusChange) and an audit entry carrying the reason. The platform
// is called by the provisioning worker, never here.
func StaffSetStatus(ctx context.Context, app core.App, serviceID string, status ServiceStatus, reason string, by audit.Actor) (*core.Record, error) {
	reason, err := StaffReason(reason)
	if err != nil {
		return nil, err
	}
	var want ServiceStatus
	var action, verb string
	switch status {
	case ServiceSuspended:
		want, action, verb = ServiceActive, "service.suspend", "suspended"
	case ServiceActive:
		want, action, verb = ServiceSuspended, "service.unsuspend", "unsuspended"
	default:
		return nil, refused(http.StatusBadRequest, "status", "staff suspend or unsuspend a service here; %q is neither", status)
	}
	var rec *core.Record
	err = app.RunInTransaction(func(tx core.App) error {
		if rec, err = FindServiceForStaff(tx, serviceID); err != nil {
			return err
		}
		svc := AsService(rec)
		if from := svc.Status(); from != want {
			return refused(http.StatusConflict, "", "only a %s service can be %s; this one is %s", want, verb, from)
		}
		svc.SetStatus(status)
		if status == ServiceSuspended {
			svc.SetSuspendReason(SuspendStaff)
		}
		ctx := audit.WithActor(ctx, by)
		if err := StaffStatusChange(ctx, tx, rec, by.ID); err != nil {
			return err
		}
		if err := tx.SaveWithContext(ctx, svc); err != nil {
			return err
		}
		return audit.Record(tx, by, action, rec, reason)
	})
	return rec, err
}

// RetryJob gives a failed job a fresh set of attempts, due now, as the
// dashboard edit does (bindJobRetry).
func RetryJob(ctx context.Context, app core.App, serviceID, jobID string, by audit.Actor) (*core.Record, error) {
	return staffJobChange(ctx, app, serviceID, jobID, by, "job.retry", "", func(tx core.App, job *QueuedJob) error {
		job.SetStatus(JobPending)
		job.SetAttempts(0)
		job.SetRunAfter(recordTime(clock.Now(tx)))
		job.SetFinishedAt(types.DateTime{})
		return nil
	})
}

// CancelJob drops a failed job staff decided not to run again, with the
// reason. A create or terminate job cannot be dropped: the first leaves a
// paid service without its server, the second a cancelled one running;
// retry those, or terminate the service.
func CancelJob(ctx context.Context, app core.App, serviceID, jobID, reason string, by audit.Actor) (*core.Record, error) {
	reason, err := StaffReason(reason)
	if err != nil {
		return nil, err
	}
	return staffJobChange(ctx, app, serviceID, jobID, by, "job.cancel", reason, func(tx core.App, job *QueuedJob) error {
		if a := job.Action(); a == ActionCreate || a == ActionTerminate {
			return refused(http.StatusConflict, "", "a failed %s job cannot be dropped: retry it, or terminate the service", a)
		}
		job.SetStatus(JobCancelled)
		job.SetFinishedAt(recordTime(clock.Now(tx)))
		return nil
	})
}

func staffJobChange(ctx context.Context, app core.App, serviceID, jobID string, by audit.Actor, action, reason string,
	change func(tx core.App, job *QueuedJob) error) (*core.Record, error) {
	var job *QueuedJob
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		job, err = FindQueuedJob(tx, jobID)
		if err != nil || job.ServiceID() != serviceID {
			return refused(http.StatusNotFound, "", "provisioning job not found on this service")
		}
		if st := job.Status(); st != JobFailed {
			return refused(http.StatusConflict, "", "only a failed job can be retried or dropped; this one is %s", st)
		}
		if err := change(tx, job); err != nil {
			return err
		}
		if err := tx.SaveWithContext(audit.WithActor(ctx, by), job); err != nil {
			return err
		}
		return audit.Record(tx, by, action, job.ProxyRecord(), reason)
	})
	if job == nil {
		return nil, err
	}
	return job.ProxyRecord(), err
}
