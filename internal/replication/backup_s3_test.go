package replication_test

import (
	"path/filepath"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/internal/replication"
	"github.com/ezscale/ezscale/internal/s3test"
	"github.com/ezscale/ezscale/internal/sqlitedb"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestBackupsGoToStorageAndRestore: PocketBase's backups land in the
// replica's bucket, ezscale restore unpacks one into an empty directory
// that opens with the data, and a backup that cannot be written alerts
// staff.
func TestBackupsGoToStorageAndRestore(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "ezbackups")
	env := map[string]string{"EZ_REPLICA_URL": "s3://ezbackups/db", "EZ_REPLICA_ENDPOINT": srv.Endpoint(),
		"EZ_REPLICA_ACCESS_KEY_ID": s3test.AccessKey, "EZ_REPLICA_SECRET_ACCESS_KEY": s3test.SecretKey, "EZ_BACKUP_KEEP": "3"}
	cfg, err := replication.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewApp(t)
	if err := replication.Bind(app, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := replication.ConfigureBackups(app, cfg); err != nil {
		t.Fatal(err)
	}
	if s := app.Settings().Backups; !s.S3.Enabled || s.S3.Bucket != "ezbackups" || s.CronMaxKeep != 3 {
		t.Fatalf("backup settings %+v", s)
	}
	customer := testutil.Customer(t, app, "kept@example.com", "EUR")

	const name = "pb_backup_20261207030000.zip"
	if err := app.CreateBackup(t.Context(), name); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "pb_data")
	if err := replication.Restore(t.Context(), cfg, replication.RestoreRequest{From: name, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	restored, err := tests.NewTestAppWithConfig(sqlitedb.Config(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env"}))
	if err != nil {
		t.Fatalf("open the restored backup: %v", err)
	}
	defer restored.Cleanup()
	if got, err := restored.FindRecordById("customers", customer.Id); err != nil || got.Email() != "kept@example.com" {
		t.Errorf("customer in the restored backup: %v, %v", got, err)
	}
	if err := replication.Restore(t.Context(), cfg, replication.RestoreRequest{From: "pb_backup_missing.zip", Dir: filepath.Join(t.TempDir(), "x")}); err == nil {
		t.Error("restoring a backup that does not exist succeeded")
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := app.CreateBackup(t.Context(), "pb_backup_20261208030000.zip"); err == nil {
		t.Fatal("a backup with the storage down succeeded")
	}
	n, err := app.CountRecords("outbox", dbx.HashExp{"channel": "discord", "template": "backup_failed"})
	if err != nil || n != 1 {
		t.Errorf("backup_failed alerts = %d, %v; want 1", n, err)
	}
}
