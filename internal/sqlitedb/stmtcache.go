package sqlitedb

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"sync"
)

// stmtCacheSize is how many prepared statements each connection keeps.
// PocketBase's record and billing queries are a few hundred distinct texts
// at most; the hot ones (record lookups, rules, ledger checks) fit easily.
const stmtCacheSize = 128

// The connections' driver is modernc's SQLite, whose Conn runs SQL text
// directly: database/sql then never prepares, so every query paid SQLite's
// parser and planner again (a quarter of the webhook's and the customer
// API's CPU in their profiles). stmtCacheConn keeps each connection's
// recent single statements prepared, keyed by their text, and runs them
// again with new arguments. SQLite re-prepares a statement itself when the
// schema changed under it (sqlite3_prepare_v2), so a cached statement never
// runs against a stale schema.

// sqliteConn is what modernc's connection implements and database/sql
// looks for; the cache forwards all of it so database/sql behaves as it
// does on the bare driver.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// contextStmt is modernc's prepared statement.
type contextStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// stmtCacheConnector opens the driver's connections wrapped in a cache.
type stmtCacheConnector struct {
	driver driver.Driver
	dsn    string
}

// registeredDriver is the driver database/sql knows by name (modernc's
// "sqlite", registered by PocketBase's import of it).
func registeredDriver(name string) (driver.Driver, error) {
	db, err := sql.Open(name, "")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return db.Driver(), nil
}

func (c stmtCacheConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.driver.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteConn)
	if !ok {
		// Not the driver this was written for: run it as it is.
		return conn, nil
	}
	return newStmtCacheConn(inner, stmtCacheSize), nil
}

func (c stmtCacheConnector) Driver() driver.Driver { return c.driver }

// stmtCacheConn is one connection with its statement cache. A statement
// is taken out of the cache while it runs and put back once done (for a
// query: when its rows are closed), so a query nested in another with the
// same text prepares a statement of its own instead of resetting the
// outer one's rows.
type stmtCacheConn struct {
	inner sqliteConn
	size  int

	mu    sync.Mutex
	lru   list.List // of *cachedStmt, most recently used first
	bySQL map[string]*list.Element
}

type cachedStmt struct {
	query string
	stmt  contextStmt
}

func newStmtCacheConn(inner sqliteConn, size int) *stmtCacheConn {
	return &stmtCacheConn{inner: inner, size: size, bySQL: map[string]*list.Element{}}
}

// cacheable reports whether query is a single statement: SQL text with
// several statements (migrations) runs statement by statement and is not
// kept.
func cacheable(query string) bool {
	i := strings.IndexByte(query, ';')
	return i < 0 || strings.TrimSpace(query[i+1:]) == ""
}

// take removes and returns the cached statement for query, or prepares one.
func (c *stmtCacheConn) take(ctx context.Context, query string) (*cachedStmt, error) {
	c.mu.Lock()
	if e, ok := c.bySQL[query]; ok {
		c.lru.Remove(e)
		delete(c.bySQL, query)
		c.mu.Unlock()
		return e.Value.(*cachedStmt), nil
	}
	c.mu.Unlock()
	s, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	cs, ok := s.(contextStmt)
	if !ok {
		s.Close()
		return nil, driver.ErrSkip
	}
	return &cachedStmt{query: query, stmt: cs}, nil
}

// put returns a statement that is done running to the cache, closing the
// least recently used one beyond the cache's size (or s itself when an
// equal statement was put back meanwhile by a nested query).
func (c *stmtCacheConn) put(s *cachedStmt) {
	c.mu.Lock()
	var evicted []*cachedStmt
	if _, ok := c.bySQL[s.query]; ok {
		evicted = append(evicted, s)
	} else {
		c.bySQL[s.query] = c.lru.PushFront(s)
		for c.lru.Len() > c.size {
			old := c.lru.Remove(c.lru.Back()).(*cachedStmt)
			delete(c.bySQL, old.query)
			evicted = append(evicted, old)
		}
	}
	c.mu.Unlock()
	for _, old := range evicted {
		old.stmt.Close()
	}
}

func (c *stmtCacheConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if !cacheable(query) {
		return c.inner.QueryContext(ctx, query, args)
	}
	s, err := c.take(ctx, query)
	if errors.Is(err, driver.ErrSkip) {
		return c.inner.QueryContext(ctx, query, args)
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		// The statement's state after a failed run is the driver's
		// business: start again from a fresh one next time.
		s.stmt.Close()
		return nil, err
	}
	return &cachedRows{Rows: rows, conn: c, stmt: s}, nil
}

func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if !cacheable(query) {
		return c.inner.ExecContext(ctx, query, args)
	}
	s, err := c.take(ctx, query)
	if errors.Is(err, driver.ErrSkip) {
		return c.inner.ExecContext(ctx, query, args)
	}
	if err != nil {
		return nil, err
	}
	res, err := s.stmt.ExecContext(ctx, args)
	if err != nil {
		s.stmt.Close()
		return nil, err
	}
	c.put(s)
	return res, nil
}

// Close closes the cached statements before the connection they belong to.
func (c *stmtCacheConn) Close() error {
	c.mu.Lock()
	for e := c.lru.Front(); e != nil; e = e.Next() {
		e.Value.(*cachedStmt).stmt.Close()
	}
	c.lru.Init()
	c.bySQL = map[string]*list.Element{}
	c.mu.Unlock()
	return c.inner.Close()
}

func (c *stmtCacheConn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }

func (c *stmtCacheConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}

// Begin is driver.Conn's; database/sql calls BeginTx.
func (c *stmtCacheConn) Begin() (driver.Tx, error) {
	return c.inner.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *stmtCacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}

func (c *stmtCacheConn) Ping(ctx context.Context) error { return c.inner.Ping(ctx) }

func (c *stmtCacheConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }

func (c *stmtCacheConn) IsValid() bool { return c.inner.IsValid() }

// cachedRows puts its statement back in the cache when closed. It forwards
// the column type methods database/sql asks the driver's rows for, with
// database/sql's own answers when the rows have none.
type cachedRows struct {
	driver.Rows
	conn   *stmtCacheConn
	stmt   *cachedStmt
	closed bool
}

func (r *cachedRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if err := r.Rows.Close(); err != nil {
		r.stmt.stmt.Close()
		return err
	}
	r.conn.put(r.stmt)
	return nil
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(index int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(index)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(index int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(index)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(index int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(index)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(index int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(index)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(index int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(index)
	}
	return reflect.TypeFor[any]()
}
