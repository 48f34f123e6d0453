package provisioning

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/secrets"
)

// Worker runs queued jobs against the platforms. Jobs are claimed with one
// UPDATE, so two workers never run the same job; a service's jobs run in
// the order they were queued and a customer's one at a time; a job left
// running by a crash is taken up again once its lease has expired.
type Worker struct {
	App       core.App
	Drivers   map[string]Provisioner // by platform
	Box       *secrets.Box           // seals credentials; nil stores none
	Workers   int
	Lease     time.Duration // how long a claimed job may run before another worker may retry it
	Timeout   time.Duration // for one platform call
	BaseDelay time.Duration // first retry delay, doubled each attempt
	Now       func() time.Time
}

func (w *Worker) defaults() {
	if w.Workers <= 0 {
		w.Workers = 4
	}
	if w.Lease <= 0 {
		w.Lease = 10 * time.Minute
	}
	if w.Timeout <= 0 {
		w.Timeout = 2 * time.Minute
	}
	if w.BaseDelay <= 0 {
		w.BaseDelay = 30 * time.Second
	}
	if w.Now == nil {
		w.Now = func() time.Time { return time.Now().UTC() }
	}
}

// Claim takes the next due job atomically, or returns nil.
func (w *Worker) Claim(name string) (*core.Record, error) {
	w.defaults()
	now := w.Now()
	var row struct {
		ID string `db:"id"`
	}
	// Due (or running past its lease: a crashed worker's), not behind an
	// earlier job of the same service (but a terminate is not held up by a
	// create waiting for staff to assign hardware: it cancels it), and no
	// job of the same customer running: a customer's platform account is
	// made once, and a driver looking for a server of ours must not race
	// another create. A customer WHMCS still serves is not ours to
	// provision: their jobs wait, and the cutover cancels them.
	err := w.App.DB().NewQuery(`UPDATE {{provisioning_jobs}} SET status = 'running', locked_at = {:now}, locked_by = {:name},
		attempts = attempts + 1, updated = {:now}
		WHERE id = (
			SELECT j.id FROM provisioning_jobs j JOIN services s ON s.id = j.service
			WHERE ((j.status = 'pending' AND j.run_after <= {:now}) OR (j.status = 'running' AND j.locked_at < {:expired}))
			AND NOT EXISTS (SELECT 1 FROM provisioning_jobs e WHERE e.service = j.service AND e.id != j.id
				AND e.status = 'pending' AND e.created < j.created
				AND NOT (j.action = 'terminate' AND ` + WaitingForHardwareSQL("e") + `))
			AND NOT EXISTS (SELECT 1 FROM provisioning_jobs e JOIN services es ON es.id = e.service
				WHERE es.customer = s.customer AND e.id != j.id AND e.status = 'running' AND e.locked_at >= {:expired})
			AND ` + parallelrun.NotHeldSQL("s.customer") + `
			ORDER BY j.run_after, j.created LIMIT 1)
		RETURNING id`).Bind(dbx.Params{
		"now": now.Format(types.DefaultDateLayout), "name": name, "expired": now.Add(-w.Lease).Format(types.DefaultDateLayout),
	}).One(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil // nothing is due
	}
	if err != nil {
		return nil, fmt.Errorf("claim a provisioning job: %w", err)
	}
	return w.App.FindRecordById(Collection, row.ID)
}

// Run works the queue until ctx ends, with Workers goroutines.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	var wg sync.WaitGroup
	for i := 0; i < w.Workers; i++ {
		wg.Add(1)
		go func(n int) {
			defer wg.Done()
			name := fmt.Sprintf("worker-%d", n)
			for ctx.Err() == nil {
				job, err := w.Claim(name)
				if err != nil {
					w.App.Logger().Error("provisioning: claim a job", "worker", name, "error", err)
				}
				if job == nil {
					select {
					case <-ctx.Done():
					case <-time.After(time.Second):
					}
					continue
				}
				w.Process(ctx, job)
			}
		}(i)
	}
	wg.Wait()
}

// Process runs one claimed job and records the outcome.
func (w *Worker) Process(ctx context.Context, rec *core.Record) {
	w.defaults()
	job := AsQueuedJob(rec)
	actx := audit.WithActor(context.Background(), audit.Job("provisioning"))
	err := w.execute(ctx, actx, job)
	if err == nil {
		job.SetStatus(JobSucceeded)
		job.SetFinishedAt(recordTime(w.Now()))
		job.SetLastError("")
		w.record(actx, job)
		return
	}
	if job.Action() == ActionCreate && errors.Is(err, ErrNoHardware) {
		w.waitForHardware(actx, job, err)
		return
	}
	job.SetLastError(err.Error())
	var pe *Error
	permanent := errors.As(err, &pe) && pe.Permanent
	if permanent || job.Attempts() >= job.MaxAttempts() {
		job.SetStatus(JobFailed)
		job.SetFinishedAt(recordTime(w.Now()))
		err := w.App.RunInTransaction(func(tx core.App) error {
			if err := tx.SaveWithContext(actx, job); err != nil {
				return err
			}
			_, err := notify.Staff(actx, tx, notify.Alert{Key: "provisioning_failed", DedupeKey: "job:" + job.Id + ":failed",
				Data: notify.Data{"Action": string(job.Action()), "Service": job.ServiceID(), "Error": job.LastError()}})
			return err
		})
		if err != nil {
			w.App.Logger().Error("provisioning: record a failed job and alert staff", "job", job.Id, "error", err)
		}
		return
	}
	delay := backoff(w.BaseDelay, job.Attempts())
	if pe != nil && pe.RetryAfter > 0 {
		delay = pe.RetryAfter
	}
	job.SetStatus(JobPending)
	job.SetRunAfter(recordTime(w.Now().Add(delay)))
	w.record(actx, job)
}

// record saves a job's outcome. A save that fails is logged: the job stays
// running until its lease expires, when a worker claims it again.
func (w *Worker) record(actx context.Context, job *QueuedJob) {
	if err := w.App.SaveWithContext(actx, job); err != nil {
		w.App.Logger().Error("provisioning: record a job's outcome", "job", job.Id, "status", job.Status(), "error", err)
	}
}

// backoff doubles the delay each attempt, capped at six hours, with up to
// 20 % jitter so retries of many jobs do not arrive together.
func backoff(base time.Duration, attempt int) time.Duration {
	d := base << min(max(attempt-1, 0), 10)
	d = min(d, 6*time.Hour)
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}
