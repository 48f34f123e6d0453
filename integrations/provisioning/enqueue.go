// Package provisioning is the durable queue of work on the hosting
// platforms: a row in provisioning_jobs per action on a service.
package provisioning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/internal/clock"
)

// Collection is the queue.
const Collection = "provisioning_jobs"

// Action is what a job does to a service on its platform
// (provisioning_jobs.action).
type Action string

// Actions a job can take on a service.
const (
	ActionCreate     Action = "create"
	ActionSuspend    Action = "suspend"
	ActionUnsuspend  Action = "unsuspend"
	ActionTerminate  Action = "terminate"
	ActionChangePlan Action = "change_plan"
)

// Job describes work to queue.
type Job struct {
	ServiceID string
	Action    Action
	// DedupeKey names the cause ("invoice:<id>:create"): queueing the same
	// cause twice yields the one job already queued.
	DedupeKey   string
	Payload     map[string]any
	RequestedBy string
	RunAfter    time.Time
}

// Enqueue adds a job in the caller's transaction, so the job exists exactly
// when the change that caused it commits. It returns the existing job when
// one with the same dedupe key is queued already.
func Enqueue(ctx context.Context, app core.App, j Job) (*core.Record, error) {
	if j.DedupeKey != "" {
		existing, err := app.FindFirstRecordByFilter(Collection, "dedupe_key = {:k}", dbx.Params{"k": j.DedupeKey})
		if err == nil {
			return existing, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	col, err := app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, err
	}
	if j.RunAfter.IsZero() {
		j.RunAfter = clock.Now(app)
	}
	queued := AsQueuedJob(core.NewRecord(col))
	queued.SetServiceID(j.ServiceID)
	queued.SetAction(j.Action)
	queued.SetStatus(JobPending)
	queued.SetDedupeKey(j.DedupeKey)
	queued.SetPayload(j.Payload)
	queued.SetRequestedBy(j.RequestedBy)
	queued.SetRunAfter(recordTime(j.RunAfter))
	queued.SetMaxAttempts(8)
	if err := app.SaveWithContext(ctx, queued); err != nil {
		return nil, fmt.Errorf("queue %s for service %s: %w", j.Action, j.ServiceID, err)
	}
	return queued.ProxyRecord(), nil
}

// recordTime is t as a record's date field holds it.
func recordTime(t time.Time) types.DateTime {
	dt, _ := types.ParseDateTime(t) // a time.Time always parses
	return dt
}
