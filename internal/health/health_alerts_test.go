package health_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/health"
	"github.com/ezscale/ezscale/internal/metrics"
	"github.com/ezscale/ezscale/internal/testutil"
)

// alerts are the Discord messages queued with template key.
func alerts(t *testing.T, app core.App, key string) []*core.Record {
	t.Helper()
	recs, err := app.FindAllRecords("outbox", dbx.HashExp{"channel": "discord", "template": key})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestMissedScheduleAlertsOnceAnHour(t *testing.T) {
	app := testutil.NewApp(t)
	now := t0
	clock.Set(app, func() time.Time { return now })
	metrics.For(app).Jobs().Expect("billing", 24*time.Hour)
	c := &health.Checker{App: app}
	ctx := context.Background()

	now = t0.Add(47 * time.Hour)
	c.Sweep(ctx)
	if n := len(alerts(t, app, "job_missed_schedule")); n != 0 {
		t.Fatalf("%d alerts before the job is late", n)
	}
	now = t0.Add(49 * time.Hour)
	c.Sweep(ctx)
	now = now.Add(50 * time.Minute) // 07:50, same hour
	c.Sweep(ctx)
	got := alerts(t, app, "job_missed_schedule")
	if len(got) != 1 {
		t.Fatalf("%d alerts in one hour, want 1", len(got))
	}
	if s := got[0].GetString("subject"); s != "Scheduled job billing missed its schedule" || got[0].GetString("severity") != "danger" {
		t.Errorf("alert %q (%s)", s, got[0].GetString("severity"))
	}
	now = now.Add(15 * time.Minute) // the next hour
	c.Sweep(ctx)
	if n := len(alerts(t, app, "job_missed_schedule")); n != 2 {
		t.Errorf("%d alerts over two hours, want 2", n)
	}
	metrics.For(app).Jobs().Ran("billing", time.Second, false)
	now = now.Add(time.Hour)
	c.Sweep(ctx)
	if n := len(alerts(t, app, "job_missed_schedule")); n != 2 {
		t.Errorf("alerted after the job ran again: %d alerts", n)
	}
}

func TestSweepAlertsBrokenReplication(t *testing.T) {
	app := testutil.NewApp(t)
	clock.Set(app, func() time.Time { return t0 })
	metrics.SetReplication(app, replica{err: errors.New("s3: connection refused")})
	c := &health.Checker{App: app}
	c.Sweep(context.Background())
	c.Sweep(context.Background())
	got := alerts(t, app, "replication_broken")
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1", len(got))
	}
}

func TestReplicationAndBackupAlerts(t *testing.T) {
	app := testutil.NewApp(t)
	clock.Set(app, func() time.Time { return t0 })
	ctx := context.Background()
	cause := errors.New("s3: access denied")

	if err := health.ReplicationBroken(ctx, app, nil); err == nil {
		t.Error("replication broken without a cause: no error")
	}
	if err := health.BackupFailed(ctx, app, "", cause); err == nil {
		t.Error("backup failed without a name: no error")
	}
	if err := health.BackupFailed(ctx, app, "daily", nil); err == nil {
		t.Error("backup failed without a cause: no error")
	}
	if n := len(alerts(t, app, "replication_broken")) + len(alerts(t, app, "backup_failed")); n != 0 {
		t.Fatalf("refused calls queued %d alerts", n)
	}

	for range 2 {
		if err := health.ReplicationBroken(ctx, app, cause); err != nil {
			t.Fatal(err)
		}
		if err := health.BackupFailed(ctx, app, "pb_backup_1.zip", cause); err != nil {
			t.Fatal(err)
		}
	}
	if err := health.BackupFailed(ctx, app, "pb_backup_2.zip", cause); err != nil {
		t.Fatal(err)
	}
	if n := len(alerts(t, app, "replication_broken")); n != 1 {
		t.Errorf("replication broken twice in an hour: %d alerts, want 1", n)
	}
	backups := alerts(t, app, "backup_failed")
	if len(backups) != 2 {
		t.Fatalf("two backups failed: %d alerts, want 2", len(backups))
	}
	if s := backups[0].GetString("subject") + backups[1].GetString("subject"); s != "Backup failed: pb_backup_1.zipBackup failed: pb_backup_2.zip" &&
		s != "Backup failed: pb_backup_2.zipBackup failed: pb_backup_1.zip" {
		t.Errorf("subjects %q", s)
	}
}

// TestWatchEndsWithItsApp: an app torn down without a terminate event (as
// the chaos bench reset its apps) ends the sweep at its next tick instead of
// querying a closed database, which crashed the chaos run.
func TestWatchEndsWithItsApp(t *testing.T) {
	app := testutil.NewApp(t)
	c := &health.Checker{App: app}
	if err := app.ResetBootstrapState(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Watch(context.Background(), 5*time.Millisecond)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sweep still runs on a torn-down app")
	}
}
