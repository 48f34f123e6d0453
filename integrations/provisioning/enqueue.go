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

	"github.com/ezscale/ezscale/internal/clock"
)

// Collection is the queue.
const Collection = "provisioning_jobs"

// Actions a job can take on a service.
const (
	ActionCreate     = "create"
	ActionSuspend    = "suspend"
	ActionUnsuspend  = "unsuspend"
	ActionTerminate  = "terminate"
	ActionChangePlan = "change_plan"
)

// Job describes work to queue.
type Job struct {
	ServiceID string
	Action    string
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
	rec := core.NewRecord(col)
	rec.Set("service", j.ServiceID)
	rec.Set("action", j.Action)
	rec.Set("status", "pending")
	rec.Set("dedupe_key", j.DedupeKey)
	rec.Set("payload", j.Payload)
	rec.Set("requested_by", j.RequestedBy)
	rec.Set("run_after", j.RunAfter)
	rec.Set("max_attempts", 8)
	if err := app.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("queue %s for service %s: %w", j.Action, j.ServiceID, err)
	}
	return rec, nil
}
