// Package health is the deep health check a load balancer asks before it
// sends traffic: the database takes writes, the scheduled jobs keep their
// schedule, no provisioning job is stuck past its lease, and the replica
// (when replication is on) keeps up. A failing check is named, in words
// of our own: raw errors go to the log, not to the caller.
package health

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/metrics"
)

// Defaults of a Checker.
const (
	// DefaultLease is provisioning.Worker's default lease: a job running
	// longer than that was left by a worker that died.
	DefaultLease = 10 * time.Minute
	// DefaultMaxReplicationLag is how far behind the replica may be.
	DefaultMaxReplicationLag = 5 * time.Minute
	// cacheFor keeps a burst of probes from queueing writes.
	cacheFor = 5 * time.Second
	// checkTimeout bounds each check that waits on something.
	checkTimeout = 3 * time.Second
)

// Result is one check's outcome.
type Result struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Report is the outcome of every check.
type Report struct {
	Healthy bool      `json:"healthy"`
	Checks  []Result  `json:"checks"`
	At      time.Time `json:"at"`
}

// Failing names the checks that failed.
func (r Report) Failing() []string {
	var out []string
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c.Name)
		}
	}
	return out
}

// Checker runs the checks on App.
type Checker struct {
	App               core.App
	Lease             time.Duration // 0: DefaultLease
	MaxReplicationLag time.Duration // 0: DefaultMaxReplicationLag

	mu     sync.Mutex
	last   Report
	lastAt time.Time
}

// Check runs every check, or answers the report of the last few seconds.
func (c *Checker) Check(ctx context.Context) Report {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.lastAt.IsZero() && time.Since(c.lastAt) < cacheFor {
		return c.last
	}
	c.last, c.lastAt = c.Run(ctx), time.Now()
	return c.last
}

// Run runs every check now.
func (c *Checker) Run(ctx context.Context) Report {
	now := clock.Now(c.App)
	r := Report{Healthy: true, At: now}
	add := func(name string, err error) {
		res := Result{Name: name, OK: err == nil}
		if err != nil {
			res.Detail = err.Error()
			r.Healthy = false
		}
		r.Checks = append(r.Checks, res)
	}
	add("database", c.databaseWritable(ctx))
	add("jobs", c.jobsOnSchedule(now))
	add("provisioning", c.provisioningMoving(now))
	if rep := metrics.ReplicationOf(c.App); rep != nil {
		add("replication", c.replicating(ctx, rep))
	}
	return r
}

// databaseWritable takes the write lock and writes (a throw-away table in
// a transaction rolled back), so a full disk, a read-only file or a lock
// held for too long fails it.
func (c *Checker) databaseWritable(ctx context.Context) error {
	db, ok := c.App.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return errors.New("the check ran inside a transaction")
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	err := db.TransactionalContext(ctx, nil, func(tx *dbx.Tx) error {
		if _, err := tx.NewQuery("CREATE TABLE _ezscale_health_probe (at TEXT)").Execute(); err != nil {
			return err
		}
		return errProbeWritten
	})
	if errors.Is(err, errProbeWritten) {
		return nil
	}
	c.App.Logger().Error("health: database not writable", "error", err)
	return errors.New("the database does not take writes")
}

// errProbeWritten rolls the probe back once it is written.
var errProbeWritten = errors.New("probe written")

// jobsOnSchedule fails when a scheduled job has not run for twice its
// interval.
func (c *Checker) jobsOnSchedule(now time.Time) error {
	late := metrics.For(c.App).Jobs().Overdue(now)
	if len(late) == 0 {
		return nil
	}
	msg := ""
	for i, o := range late {
		if i > 0 {
			msg += "; "
		}
		msg += lateText(o, now)
	}
	return fmt.Errorf("%s", msg)
}

// lateText says how late o is.
func lateText(o metrics.Overdue, now time.Time) string {
	if o.LastRun.IsZero() {
		return fmt.Sprintf("%s has not run since the server started (every %s)", o.Job, o.Every)
	}
	return fmt.Sprintf("%s last ran %s ago (every %s)", o.Job, now.Sub(o.LastRun).Truncate(time.Second), o.Every)
}

// provisioningMoving fails when a provisioning job has been running past
// its lease: its worker died or hangs, and the service waits.
func (c *Checker) provisioningMoving(now time.Time) error {
	lease := c.Lease
	if lease <= 0 {
		lease = DefaultLease
	}
	var n int
	err := c.App.DB().NewQuery(`SELECT COUNT(*) FROM provisioning_jobs WHERE status = 'running' AND locked_at < {:expired}`).
		Bind(dbx.Params{"expired": now.Add(-lease).Format(types.DefaultDateLayout)}).Row(&n)
	if err != nil {
		c.App.Logger().Error("health: provisioning jobs", "error", err)
		return fmt.Errorf("provisioning jobs could not be read")
	}
	if n > 0 {
		return fmt.Errorf("%d provisioning jobs running past their %s lease", n, lease)
	}
	return nil
}

// replicating fails when replication is broken or the replica lags.
func (c *Checker) replicating(ctx context.Context, rep metrics.Replication) error {
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	lag, err := rep.ReplicationLag(ctx)
	if err != nil {
		c.App.Logger().Error("health: replication", "error", err)
		return fmt.Errorf("replication is broken")
	}
	maxLag := c.MaxReplicationLag
	if maxLag <= 0 {
		maxLag = DefaultMaxReplicationLag
	}
	if lag > maxLag {
		return fmt.Errorf("the replica is %s behind (at most %s)", lag.Truncate(time.Second), maxLag)
	}
	return nil
}
