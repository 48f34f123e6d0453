package health

import (
	"context"
	"errors"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/metrics"
)

// SweepEvery is how often the server runs the checks and alerts staff.
const SweepEvery = time.Minute

// hourKey is the hour an alert is deduplicated in: one Discord message a
// cause an hour, however often the sweep sees it.
func hourKey(at time.Time) string { return at.UTC().Format("2006-01-02T15") }

// Sweep runs the checks the way the server does every minute and alerts
// staff on Discord about a job that missed its schedule and about broken
// replication, each at most once an hour.
func (c *Checker) Sweep(ctx context.Context) Report {
	r := c.Run(ctx)
	now := clock.Now(c.App)
	for _, o := range metrics.For(c.App).Jobs().Overdue(now) {
		last := "never since the server started"
		if !o.LastRun.IsZero() {
			last = o.LastRun.UTC().Format(time.RFC3339)
		}
		_, err := notify.Staff(ctx, c.App, notify.Alert{Key: "job_missed_schedule",
			Data:      notify.Data{"Job": o.Job, "Every": o.Every.String(), "LastRun": last},
			DedupeKey: "job_missed_schedule:" + o.Job + ":" + hourKey(now)})
		if err != nil {
			c.App.Logger().Error("health: alert a missed job", "job", o.Job, "error", err)
		}
	}
	if rep := metrics.ReplicationOf(c.App); rep != nil {
		lagCtx, cancel := context.WithTimeout(ctx, checkTimeout)
		_, err := rep.ReplicationLag(lagCtx)
		cancel()
		if err != nil {
			if err := ReplicationBroken(ctx, c.App, err); err != nil {
				c.App.Logger().Error("health: alert broken replication", "error", err)
			}
		}
	}
	return r
}

// Watch sweeps every interval (the server passes SweepEvery) until ctx ends
// or the app is torn down.
func (c *Checker) Watch(ctx context.Context, every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			// An app torn down without a terminate event (tests, the chaos
			// bench reset theirs) has no database left to check.
			if !c.App.IsBootstrapped() {
				return
			}
			c.Sweep(ctx)
		}
	}
}

// ReplicationBroken tells staff that the database no longer streams to its
// replica, at most once an hour. The replication code calls it when it
// gives up retrying; the sweep calls it when the status it reports is an
// error.
func ReplicationBroken(ctx context.Context, app core.App, cause error) error {
	if cause == nil {
		return errors.New("replication broken: no cause given")
	}
	_, err := notify.Staff(ctx, app, notify.Alert{Key: "replication_broken",
		Data:      notify.Data{"Error": cause.Error()},
		DedupeKey: "replication_broken:" + hourKey(clock.Now(app))})
	return err
}

// BackupFailed tells staff that a backup (name: the file or the run) was
// not made, at most once an hour for the same backup.
func BackupFailed(ctx context.Context, app core.App, name string, cause error) error {
	if name == "" || cause == nil {
		return errors.New("backup failed: name the backup and its cause")
	}
	_, err := notify.Staff(ctx, app, notify.Alert{Key: "backup_failed",
		Data:      notify.Data{"Backup": name, "Error": cause.Error()},
		DedupeKey: "backup_failed:" + name + ":" + hourKey(clock.Now(app))})
	return err
}
