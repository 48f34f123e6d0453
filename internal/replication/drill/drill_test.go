// Package drill is the disaster-recovery drill: the platform's database
// replicates to a real S3 server (SeaweedFS) while billing data is written,
// the primary is abandoned mid-write, and a copy restored from the replica
// must hold everything acknowledged, with gapless invoice numbers and a
// clean ledger check. RPO, RTO and replication lag are logged.
package drill

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/replication"
	"github.com/ezscale/ezscale/internal/s3test"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/sqlitedb"
	"github.com/ezscale/ezscale/internal/testutil"
)

// books is what a restored copy must keep: paid invoices and the invoices
// numbered (the ledger check proves the numbers gapless).
type books struct {
	paid, invoices int
}

func readBooks(t *testing.T, app core.App) books {
	t.Helper()
	var b books
	err := app.DB().NewQuery(`SELECT
		(SELECT COUNT(*) FROM invoices WHERE status = 'paid') AS paid,
		(SELECT COUNT(*) FROM invoices WHERE number != '') AS invoices`).Row(&b.paid, &b.invoices)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDisasterRecoveryDrill(t *testing.T) {
	srv := s3test.Start(t)
	srv.CreateBucket(t, "ezdr")
	cfg := replication.Config{Bucket: "ezdr", Path: "billing", Endpoint: srv.Endpoint(), Region: s3test.Region,
		AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, MaxLag: time.Minute}

	primary := testutil.NewMigratedApp(t)
	r := replication.Start(primary.DataDir(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, nil)
	t.Cleanup(func() { r.Close(context.Background()) })

	// Billing batches; after each, wait (without forcing a sync) until the
	// replica holds it: that wait is the replication lag, and what it
	// covers is "acknowledged".
	var acked books
	var worstLag time.Duration
	for batch := int64(1); batch <= 4; batch++ {
		if _, err := seed.Synthetic(primary, seed.SyntheticOptions{Customers: 40, Seed: batch, BatchSize: 10}, io.Discard); err != nil {
			t.Fatal(err)
		}
		committed := time.Now()
		for {
			lag, err := r.ReplicationLag(t.Context())
			if err == nil && lag == 0 {
				break
			}
			if time.Since(committed) > 30*time.Second {
				t.Fatalf("batch %d not replicated within 30 s (lag %s, %v)", batch, lag, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		worstLag = max(worstLag, time.Since(committed))
		acked = readBooks(t, primary)
	}
	// The crash: a last batch is written and the primary is abandoned at
	// once, with no final sync; whatever of it reached the replica is a bonus.
	if _, err := seed.Synthetic(primary, seed.SyntheticOptions{Customers: 40, Seed: 5, BatchSize: 10}, io.Discard); err != nil {
		t.Fatal(err)
	}
	crashed := time.Now()

	target := filepath.Join(t.TempDir(), "pb_data")
	if err := replication.Restore(t.Context(), cfg, replication.RestoreRequest{From: cfg.URL(), Dir: target}); err != nil {
		t.Fatal(err)
	}
	restored, err := tests.NewTestAppWithConfig(sqlitedb.Config(core.BaseAppConfig{DataDir: target, EncryptionEnv: "pb_test_env"}))
	if err != nil {
		t.Fatalf("open the restored copy: %v", err)
	}
	defer restored.Cleanup()
	rto := time.Since(crashed)

	got := readBooks(t, restored)
	if got.paid < acked.paid || got.invoices < acked.invoices {
		t.Errorf("restored copy has %d paid of %d invoices; acknowledged before the crash: %d paid of %d", got.paid, got.invoices, acked.paid, acked.invoices)
	}
	report, err := ledgercheck.Run(restored)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range report.Violations {
		t.Errorf("ledger check on the restored copy: %v", v)
	}
	t.Logf("acknowledged %d paid / %d invoices; restored %d paid / %d (final unsynced batch: %d invoices)",
		acked.paid, acked.invoices, got.paid, got.invoices, readBooks(t, primary).invoices-acked.invoices)
	t.Logf("worst replication lag after a batch (RPO bound): %s; restore to a checked, open copy (RTO): %s",
		worstLag.Round(time.Millisecond), rto.Round(time.Millisecond))
}
