package replication

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/s3test"
)

// storage starts a SeaweedFS S3 gateway with an empty bucket and returns a
// replica Config pointing at it.
func storage(t *testing.T) (*s3test.Server, Config) {
	t.Helper()
	srv := s3test.Start(t)
	srv.CreateBucket(t, "ezdr")
	return srv, Config{Bucket: "ezdr", Path: "billing", Endpoint: srv.Endpoint(), Region: s3test.Region,
		AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, MaxLag: 2 * time.Second}
}

// openDB opens dir's data.db as PocketBase does: WAL mode, a busy timeout.
func openDB(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBName)+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS invoices (number INTEGER PRIMARY KEY, amount INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func issue(t *testing.T, db *sql.DB, from, to int) {
	t.Helper()
	for n := from; n <= to; n++ {
		if _, err := db.Exec("INSERT INTO invoices (number, amount) VALUES (?, ?)", n, n*100); err != nil {
			t.Fatalf("invoice %d: %v", n, err)
		}
	}
}

// invoiceNumbers reads a restored data.db: how many invoices, the highest
// number, and whether the numbers are gapless from 1.
func invoiceNumbers(t *testing.T, dir string) (count, highest int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, DBName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow("SELECT COUNT(*), COALESCE(MAX(number), 0) FROM invoices").Scan(&count, &highest); err != nil {
		t.Fatal(err)
	}
	return count, highest
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// synced waits until the replicator has opened the replica, then pushes
// what is committed.
func synced(t *testing.T, r *Replicator) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := r.Sync(t.Context())
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica not in sync after 30 s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestReplicaRestoresLatestAndPointInTime(t *testing.T) {
	_, cfg := storage(t)
	live := t.TempDir()
	db := openDB(t, live)
	r := Start(live, cfg, quiet(), nil, nil)
	t.Cleanup(func() { r.Close(context.Background()) })

	issue(t, db, 1, 40)
	synced(t, r)
	time.Sleep(1100 * time.Millisecond) // LTX files carry millisecond times; keep the two batches apart
	between := time.Now()
	time.Sleep(1100 * time.Millisecond)
	issue(t, db, 41, 75)
	began := time.Now()
	synced(t, r)
	t.Logf("replication of 35 transactions took %s", time.Since(began).Round(time.Millisecond))
	if lag, err := r.ReplicationLag(t.Context()); err != nil || lag != 0 {
		t.Errorf("ReplicationLag() = %s, %v after a sync; want 0, nil", lag, err)
	}

	latest := filepath.Join(t.TempDir(), "pb_data")
	began = time.Now()
	if err := Restore(t.Context(), cfg, RestoreRequest{From: cfg.URL(), Dir: latest}); err != nil {
		t.Fatal(err)
	}
	t.Logf("restore of the latest state took %s", time.Since(began).Round(time.Millisecond))
	if n, hi := invoiceNumbers(t, latest); n != 75 || hi != 75 {
		t.Errorf("latest restore has %d invoices up to %d; want 75 gapless", n, hi)
	}

	past := filepath.Join(t.TempDir(), "pb_data")
	if err := Restore(t.Context(), cfg, RestoreRequest{From: cfg.URL(), At: between, Dir: past}); err != nil {
		t.Fatal(err)
	}
	if n, hi := invoiceNumbers(t, past); n != 40 || hi != 40 {
		t.Errorf("restore at %s has %d invoices up to %d; want the first 40", between.Format(time.RFC3339Nano), n, hi)
	}

	if err := Restore(t.Context(), cfg, RestoreRequest{From: cfg.URL(), Dir: latest}); !errors.Is(err, ErrDirNotEmpty) {
		t.Errorf("a second restore into %s = %v; want ErrDirNotEmpty", latest, err)
	}
}

// TestStorageDownKeepsTheAppRunning stops the storage under a replicating
// database: writes still succeed, and replication is reported broken once
// the replica trails by more than MaxLag.
func TestStorageDownKeepsTheAppRunning(t *testing.T) {
	srv, cfg := storage(t)
	live := t.TempDir()
	db := openDB(t, live)
	var alerts atomic.Int32
	var cause atomic.Value
	r := Start(live, cfg, quiet(), func(err error) { alerts.Add(1); cause.Store(err) }, nil)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.Close(ctx)
	})
	issue(t, db, 1, 5)
	synced(t, r)
	if _, err := r.ReplicationLag(t.Context()); err != nil {
		t.Fatalf("ReplicationLag() with storage up = %v", err)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	issue(t, db, 6, 20) // the app goes on writing
	deadline := time.Now().Add(cfg.MaxLag + 10*time.Second)
	for alerts.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if alerts.Load() != 1 {
		t.Fatalf("broken alerts = %d within %s of the storage going away; want 1", alerts.Load(), cfg.MaxLag+10*time.Second)
	}
	t.Logf("alerted: %v", cause.Load())
	if _, err := r.ReplicationLag(t.Context()); err == nil {
		t.Error("ReplicationLag() reports no error while the storage is down")
	}
	issue(t, db, 21, 25)
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM invoices").Scan(&n); err != nil || n != 25 {
		t.Errorf("invoices = %d, %v while storage is down; want 25 (writes unaffected)", n, err)
	}
}
