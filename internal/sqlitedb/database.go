// Package sqlitedb opens the platform's SQLite databases: PocketBase's
// driver and pragmas, a capped read pool with smaller page caches, and
// each connection keeping its recent statements prepared. The server, the
// commands and the tests all build their apps through Config, so what is
// tested and measured is what runs.
package sqlitedb

import (
	"database/sql"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The SQLite connection pools. Each pooled connection keeps a page cache
// of its own (PocketBase's default 32 MB), filled as requests touch pages
// of a large database, and PocketBase allows 120 open connections: under
// load that grew the server to 488 MB, mostly copies of pages the OS
// already caches. modernc's SQLite is CPU-bound, so on a few cores more
// connections than concurrent queries only queue on the CPU: a capped pool
// kept open (no reconnect, no cold cache after a burst) with a smaller cache
// each serves the same requests in far less memory (README, Performance).
const (
	// DataMaxOpenConns caps the read pool of data.db.
	DataMaxOpenConns = 16
	// poolCacheKiB is each pooled connection's page cache.
	poolCacheKiB = 8000
	// writerCacheKiB is the single writer's page cache: PocketBase's, since
	// the billing runs write through it.
	writerCacheKiB = 32000
)

// DBConnect opens a database as PocketBase's DefaultDBConnect does (same
// driver and pragmas) but with the pooled connections' smaller page cache,
// each connection keeping its recent statements prepared (stmtcache.go),
// and transactions that take the write lock when they begin.
//
// PocketBase writes through one connection, so its deferred transactions
// never meet another writer inside the process. But the database has other
// writers: Litestream's connection (its checkpoint barrier) while
// replicating, and a CLI command beside the server. A deferred transaction
// that has read and then writes after one of them committed fails at once
// with SQLITE_BUSY_SNAPSHOT (517), which no busy timeout retries: payment
// webhooks failed that way under replication. BEGIN IMMEDIATE waits for the
// lock (busy_timeout) instead. Only the writer connection begins
// transactions; the read pool never does.
func DBConnect(dbPath string) (*dbx.DB, error) {
	// busy_timeout first: a connection must block on busy before it sets WAL.
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=journal_size_limit(200000000)" +
		"&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)" +
		fmt.Sprintf("&_pragma=cache_size(-%d)&_defensive=1&_txlock=immediate", poolCacheKiB)
	drv, err := registeredDriver("sqlite")
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(stmtCacheConnector{driver: drv, dsn: dbPath + pragmas})
	return dbx.NewFromDB(db, "sqlite"), nil
}

// Config completes c with the platform's connection settings.
func Config(c core.BaseAppConfig) core.BaseAppConfig {
	c.DataMaxOpenConns, c.DataMaxIdleConns, c.DBConnect = DataMaxOpenConns, DataMaxOpenConns, DBConnect
	return c
}

// BindWriterCache gives data.db's single writer connection PocketBase's
// full page cache back after each bootstrap. Its pool holds one connection
// that is never closed for being idle, so the pragma stays with it.
func BindWriterCache(app core.App) {
	app.OnBootstrap().BindFunc(func(e *core.BootstrapEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		writer, ok := e.App.NonconcurrentDB().(*dbx.DB)
		if !ok {
			return nil
		}
		writer.DB().SetConnMaxIdleTime(0)
		_, err := writer.NewQuery(fmt.Sprintf("PRAGMA cache_size = -%d", writerCacheKiB)).Execute()
		return err
	})
}
