package sqlitedb

import (
	"path/filepath"
	"testing"

	"github.com/pocketbase/dbx"
)

// openOneConn is a DBConnect database on one connection, so every query of
// a test reuses the same connection and its statement cache.
func openOneConn(t *testing.T) *dbx.DB {
	t.Helper()
	db, err := DBConnect(filepath.Join(t.TempDir(), "data.db"))
	if err != nil {
		t.Fatal(err)
	}
	db.DB().SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	if _, err := db.NewQuery("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").Execute(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b", "c"} {
		if _, err := db.Insert("items", dbx.Params{"name": name}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// The connections are the caching ones, and a repeated statement runs from
// the cache with its new arguments.
func TestStatementCacheReusesStatements(t *testing.T) {
	db := openOneConn(t)
	for _, want := range []string{"a", "b", "c"} {
		var got string
		if err := db.NewQuery("SELECT name FROM items WHERE name = {:name}").Bind(dbx.Params{"name": want}).Row(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("name %q, want %q", got, want)
		}
	}
	conn := cacheOf(t, db)
	if _, ok := conn.bySQL["SELECT name FROM items WHERE name = ?"]; !ok {
		t.Errorf("the query is not cached; cached: %v", cachedTexts(conn))
	}
}

// A query nested in one with the same text (rows of the outer still open
// on the same connection) gets a statement of its own: reusing the outer
// one would reset its rows.
func TestStatementCacheNestedSameQuery(t *testing.T) {
	db := openOneConn(t)
	const q = "SELECT name FROM items WHERE id >= {:from} ORDER BY id"
	// Cache the statement first, so the outer query runs the cached one.
	if _, err := db.NewQuery(q).Bind(dbx.Params{"from": 1}).Execute(); err != nil {
		t.Fatal(err)
	}
	err := db.Transactional(func(tx *dbx.Tx) error {
		outer, err := tx.NewQuery(q).Bind(dbx.Params{"from": 1}).Rows()
		if err != nil {
			return err
		}
		defer outer.Close()
		var got []string
		for outer.Next() {
			var name string
			if err := outer.Scan(&name); err != nil {
				return err
			}
			got = append(got, name)
			var inner []string
			if err := tx.NewQuery(q).Bind(dbx.Params{"from": 3}).Column(&inner); err != nil {
				return err
			}
			if len(inner) != 1 || inner[0] != "c" {
				t.Errorf("inner query %v, want [c]", inner)
			}
		}
		if err := outer.Err(); err != nil {
			return err
		}
		if len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
			t.Errorf("outer query %v, want [a b c]", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A cached statement sees a schema changed after it was prepared (SQLite
// re-prepares it), from its own connection or another.
func TestStatementCacheFollowsSchemaChanges(t *testing.T) {
	db := openOneConn(t)
	db.DB().SetMaxOpenConns(2)
	const q = "SELECT * FROM items WHERE id = 1"
	columns := func() []string {
		t.Helper()
		rows, err := db.NewQuery(q).Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		return cols
	}
	if got := columns(); len(got) != 2 {
		t.Fatalf("columns %v, want id, name", got)
	}
	if _, err := db.NewQuery("ALTER TABLE items ADD COLUMN price INTEGER NOT NULL DEFAULT 1200").Execute(); err != nil {
		t.Fatal(err)
	}
	if got := columns(); len(got) != 3 || got[2] != "price" {
		t.Errorf("columns after ALTER %v, want id, name, price", got)
	}
	var price int64
	if err := db.NewQuery("SELECT price FROM items WHERE id = 1").Row(&price); err != nil || price != 1200 {
		t.Errorf("price %d (%v), want 1200", price, err)
	}

	// Dropped and created again with other columns.
	if _, err := db.NewQuery("DROP TABLE items").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.NewQuery(q).Execute(); err == nil {
		t.Error("query on a dropped table succeeded")
	}
	if _, err := db.NewQuery("CREATE TABLE items (id INTEGER PRIMARY KEY, sku TEXT)").Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Insert("items", dbx.Params{"id": 1, "sku": "vps"}).Execute(); err != nil {
		t.Fatal(err)
	}
	if got := columns(); len(got) != 2 || got[1] != "sku" {
		t.Errorf("columns after re-create %v, want id, sku", got)
	}
}

// Multi-statement SQL (migrations) runs whole and is not cached.
func TestStatementCacheRunsScriptsWhole(t *testing.T) {
	db := openOneConn(t)
	script := "INSERT INTO items (name) VALUES ('d'); INSERT INTO items (name) VALUES ('e');"
	if _, err := db.NewQuery(script).Execute(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.NewQuery("SELECT COUNT(*) FROM items").Row(&n); err != nil || n != 5 {
		t.Errorf("%d items (%v), want 5", n, err)
	}
	if _, ok := cacheOf(t, db).bySQL[script]; ok {
		t.Error("a multi-statement script was cached")
	}
}

// The cache keeps at most its size, dropping the least recently used.
func TestStatementCacheBounded(t *testing.T) {
	db := openOneConn(t)
	conn := cacheOf(t, db)
	conn.size = 2
	texts := []string{"SELECT 1", "SELECT 2", "SELECT 1", "SELECT 3"}
	for _, q := range texts {
		if _, err := db.NewQuery(q).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	got := cachedTexts(conn)
	if len(got) != 2 || got[0] != "SELECT 3" || got[1] != "SELECT 1" {
		t.Errorf("cached %v, want [SELECT 3, SELECT 1]", got)
	}
}

// cacheOf is the cache of db's single connection.
func cacheOf(t *testing.T, db *dbx.DB) *stmtCacheConn {
	t.Helper()
	conn, err := db.DB().Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cache *stmtCacheConn
	err = conn.Raw(func(dc any) error {
		cache, _ = dc.(*stmtCacheConn)
		return nil
	})
	if err != nil || cache == nil {
		t.Fatalf("connection is not a statement cache (%v)", err)
	}
	return cache
}

// cachedTexts are the cached statements' texts, most recently used first.
func cachedTexts(c *stmtCacheConn) []string {
	var texts []string
	for e := c.lru.Front(); e != nil; e = e.Next() {
		texts = append(texts, e.Value.(*cachedStmt).query)
	}
	return texts
}
