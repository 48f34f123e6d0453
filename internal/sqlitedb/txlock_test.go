package sqlitedb_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/sqlitedb"
)

// TestWriteTransactionWaitsForAnotherWriter: a transaction that reads and
// then writes while another connection (Litestream's, a CLI command's)
// commits in between waits for it instead of failing with
// SQLITE_BUSY_SNAPSHOT (517), which PocketBase's deferred transactions
// did: payment webhooks failed that way while the database replicated.
func TestWriteTransactionWaitsForAnotherWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data.db")
	server, err := sqlitedb.DBConnect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	other, err := sqlitedb.DBConnect(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := server.NewQuery("CREATE TABLE invoices (number INTEGER PRIMARY KEY)").Execute(); err != nil {
		t.Fatal(err)
	}

	otherDone := make(chan error, 1)
	err = server.Transactional(func(tx *dbx.Tx) error {
		var highest int
		if err := tx.NewQuery("SELECT COALESCE(MAX(number), 0) FROM invoices").Row(&highest); err != nil {
			return err
		}
		go func() {
			_, err := other.NewQuery("INSERT INTO invoices (number) VALUES (100)").Execute()
			otherDone <- err
		}()
		select {
		case err := <-otherDone: // the other writer got in between
			otherDone <- err
		case <-time.After(300 * time.Millisecond): // it waits for this transaction
		}
		_, err := tx.NewQuery("INSERT INTO invoices (number) VALUES ({:n})").Bind(dbx.Params{"n": highest + 1}).Execute()
		return err
	})
	if err != nil {
		t.Fatalf("the transaction failed because another connection wrote: %v", err)
	}
	if err := <-otherDone; err != nil {
		t.Fatalf("the other writer: %v", err)
	}
	var n int
	if err := server.NewQuery("SELECT COUNT(*) FROM invoices").Row(&n); err != nil || n != 2 {
		t.Errorf("invoices = %d, %v; want both writes", n, err)
	}
}
