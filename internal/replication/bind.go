package replication

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/health"
)

// alertTimeout bounds sending one alert.
const alertTimeout = 30 * time.Second

// Bind replicates app's database while `serve` runs, and points
// PocketBase's scheduled backups at the same bucket, when getenv configures
// a replica; with EZ_REPLICA_URL unset it changes nothing. Only serve
// replicates: a one-off command (ledger check, seed) must not fight the
// server's Litestream over the same database. The running replicator is
// the app's metrics.Replication (lag gauge, health check), and staff are
// alerted when replication breaks or a backup fails.
func Bind(app core.App, getenv func(string) string) error {
	cfg, err := FromEnv(getenv)
	if err != nil {
		return err
	}
	if !cfg.Enabled() {
		return nil
	}
	var running *Replicator
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := ConfigureBackups(e.App, cfg); err != nil {
			return fmt.Errorf("replication: configure backups: %w", err)
		}
		broken := func(cause error) {
			ctx, cancel := context.WithTimeout(context.Background(), alertTimeout)
			defer cancel()
			if err := health.ReplicationBroken(ctx, e.App, cause); err != nil {
				e.App.Logger().Error("replication: alert staff", "error", err)
			}
		}
		running = Start(e.App.DataDir(), cfg, e.App.Logger().WithGroup("replication"), broken, nil)
		Register(e.App, running)
		return e.Next()
	})
	app.OnBackupCreate().BindFunc(func(e *core.BackupEvent) error {
		err := e.Next()
		if err != nil {
			ctx, cancel := context.WithTimeout(context.Background(), alertTimeout)
			defer cancel()
			if alertErr := health.BackupFailed(ctx, e.App, e.Name, err); alertErr != nil {
				e.App.Logger().Error("replication: alert staff", "error", alertErr)
			}
		}
		return err
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		if running != nil {
			ctx, cancel := context.WithTimeout(context.Background(), alertTimeout)
			defer cancel()
			if err := running.Close(ctx); err != nil {
				e.App.Logger().Error("replication: closing", "error", err)
			}
		}
		return e.Next()
	})
	return nil
}

// ConfigureBackups makes PocketBase's scheduled backups go to cfg's bucket
// on cfg's schedule, keeping cfg.BackupKeep of them. The environment wins
// over the dashboard so that every server of a failover pair backs up the
// same way; the settings are saved only when they differ.
func ConfigureBackups(app core.App, cfg Config) error {
	s := app.Settings()
	want := s.Backups
	want.Cron, want.CronMaxKeep = cfg.BackupCron, cfg.BackupKeep
	want.S3 = core.S3Config{Enabled: true, Bucket: cfg.Bucket, Region: cfg.Region, Endpoint: cfg.Endpoint,
		AccessKey: cfg.AccessKey, Secret: cfg.SecretKey, ForcePathStyle: cfg.Endpoint != ""}
	if want == s.Backups {
		return nil
	}
	s.Backups = want
	return app.Save(s)
}
