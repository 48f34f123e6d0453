package sqlitedb

import (
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	_ "github.com/pocketbase/pocketbase/migrations" // the system tables Bootstrap creates
)

// cacheKiB is the page cache of a connection of db, in KiB.
func cacheKiB(t *testing.T, db dbx.Builder) int {
	t.Helper()
	var pages int
	if err := db.NewQuery("PRAGMA cache_size").Row(&pages); err != nil {
		t.Fatal(err)
	}
	return -pages
}

func TestConnectionPoolsAndPageCaches(t *testing.T) {
	app := core.NewBaseApp(core.BaseAppConfig{
		DataDir:          t.TempDir(),
		DataMaxOpenConns: DataMaxOpenConns,
		DataMaxIdleConns: DataMaxOpenConns,
		DBConnect:        DBConnect,
	})
	BindWriterCache(app)
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()

	if got := cacheKiB(t, app.ConcurrentDB()); got != poolCacheKiB {
		t.Errorf("pooled connection cache %d KiB, want %d", got, poolCacheKiB)
	}
	if got := cacheKiB(t, app.NonconcurrentDB()); got != writerCacheKiB {
		t.Errorf("writer cache %d KiB, want %d", got, writerCacheKiB)
	}
	pool := app.ConcurrentDB().(*dbx.DB).DB().Stats()
	if pool.MaxOpenConnections != DataMaxOpenConns {
		t.Errorf("read pool max open %d, want %d", pool.MaxOpenConnections, DataMaxOpenConns)
	}

	// The pragmas PocketBase relies on are still set.
	var mode string
	if err := app.ConcurrentDB().NewQuery("PRAGMA journal_mode").Row(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q (%v), want wal", mode, err)
	}
	var fk int
	if err := app.ConcurrentDB().NewQuery("PRAGMA foreign_keys").Row(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys %d (%v), want on", fk, err)
	}
}
