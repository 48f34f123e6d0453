package health_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/health"
	"github.com/ezscale/ezscale/internal/metrics"
	"github.com/ezscale/ezscale/internal/testutil"
)

type replica struct {
	lag time.Duration
	err error
}

func (r replica) ReplicationLag(context.Context) (time.Duration, error) { return r.lag, r.err }

var t0 = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)

func runningJob(t *testing.T, app core.App, lockedAt time.Time) {
	t.Helper()
	_, err := app.DB().Insert("provisioning_jobs", dbx.Params{"id": "job00000000000" + lockedAt.Format("5"), "action": "create",
		"status": "running", "locked_at": lockedAt.Format("2006-01-02 15:04:05.000Z")}).Execute()
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeepHealthChecks(t *testing.T) {
	for _, tc := range []struct {
		name    string
		arrange func(t *testing.T, app core.App) // at t0 on the app's clock
		failing string                           // the failing check, "" when healthy
		detail  string
	}{
		{name: "healthy", arrange: func(*testing.T, core.App) {}},
		{name: "a job within twice its interval", arrange: func(t *testing.T, app core.App) {
			metrics.For(app).Jobs().Expect("bandwidth", time.Hour)
			clock.Set(app, func() time.Time { return t0.Add(119 * time.Minute) })
		}},
		{name: "a job past twice its interval", arrange: func(t *testing.T, app core.App) {
			metrics.For(app).Jobs().Expect("bandwidth", time.Hour)
			clock.Set(app, func() time.Time { return t0.Add(121 * time.Minute) })
		}, failing: "jobs", detail: "bandwidth has not run since the server started"},
		{name: "a provisioning job inside its lease", arrange: func(t *testing.T, app core.App) {
			runningJob(t, app, t0.Add(-9*time.Minute))
		}},
		{name: "a provisioning job past its lease", arrange: func(t *testing.T, app core.App) {
			runningJob(t, app, t0.Add(-11*time.Minute))
		}, failing: "provisioning", detail: "1 provisioning jobs running past their 10m0s lease"},
		{name: "replica keeping up", arrange: func(t *testing.T, app core.App) {
			metrics.SetReplication(app, replica{lag: time.Minute})
		}},
		{name: "replica lagging", arrange: func(t *testing.T, app core.App) {
			metrics.SetReplication(app, replica{lag: 6 * time.Minute})
		}, failing: "replication", detail: "the replica is 6m0s behind"},
		{name: "replication broken", arrange: func(t *testing.T, app core.App) {
			metrics.SetReplication(app, replica{err: errors.New("s3: 403 secret-key-id")})
		}, failing: "replication", detail: "replication is broken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			clock.Set(app, func() time.Time { return t0 })
			tc.arrange(t, app)
			r := (&health.Checker{App: app}).Run(context.Background())
			failing := strings.Join(r.Failing(), ",")
			if failing != tc.failing || r.Healthy != (tc.failing == "") {
				t.Fatalf("failing %q healthy %v, want %q: %+v", failing, r.Healthy, tc.failing, r.Checks)
			}
			for _, c := range r.Checks {
				if !c.OK && !strings.Contains(c.Detail, tc.detail) {
					t.Errorf("%s: detail %q, want %q", c.Name, c.Detail, tc.detail)
				}
				if strings.Contains(c.Detail, "secret-key-id") {
					t.Errorf("%s: the raw error reached the answer: %q", c.Name, c.Detail)
				}
			}
		})
	}
}

func TestDeepHealthDatabaseNotWritable(t *testing.T) {
	app := testutil.NewApp(t)
	// A writer that holds the database's write connection longer than the
	// check waits.
	held, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = app.RunInTransaction(func(tx core.App) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	r := (&health.Checker{App: app}).Run(context.Background())
	close(release)
	if strings.Join(r.Failing(), ",") != "database" {
		t.Fatalf("failing %v, want database: %+v", r.Failing(), r.Checks)
	}
	if r := (&health.Checker{App: app}).Run(context.Background()); !r.Healthy {
		t.Errorf("after the writer finished: %+v", r.Checks)
	}
	if _, err := app.FindCollectionByNameOrId("_ezscale_health_probe"); err == nil {
		t.Error("the probe was left behind")
	}
	var n int
	_ = app.DB().NewQuery("SELECT COUNT(*) FROM sqlite_master WHERE name = '_ezscale_health_probe'").Row(&n)
	if n != 0 {
		t.Error("the probe table was committed")
	}
}
