package seed

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// SyntheticPassword is the password of every synthetic customer, so that a
// load test can sign in as any of them.
const SyntheticPassword = "ezscale-seed-1234"

// SyntheticDomain is the email domain of every synthetic customer.
const SyntheticDomain = "seed.ezscale.test"

const (
	defaultBatch        = 1000 // customers per transaction
	invoicesPerCustomer = 24
	history             = 730 * 24 * time.Hour // how far back the data reaches
	dueDays             = 7
)

// SyntheticOptions says how much synthetic data to add.
type SyntheticOptions struct {
	Customers int   // customers to add
	Seed      int64 // the same seed on the same catalog gives the same data
	BatchSize int   // customers per transaction; 0 means 1,000
}

// SyntheticResult counts what Synthetic wrote.
type SyntheticResult struct {
	First, Last int            // customer numbers, as in SyntheticEmail
	Rows        map[string]int // rows per collection
	Elapsed     time.Duration
}

// TotalRows is the number of rows written in all collections.
func (r SyntheticResult) TotalRows() int {
	n := 0
	for _, v := range r.Rows {
		n += v
	}
	return n
}

// SyntheticEmail is the email of synthetic customer number n.
func SyntheticEmail(n int) string {
	return fmt.Sprintf("customer%05d@%s", n, SyntheticDomain)
}

// Synthetic adds opts.Customers customers with two years of history each:
// payment method, subscriptions, services, invoices with their lines,
// payments (charges, failed charges, refunds) and credit entries, in the
// customer's currency and priced from the catalog (the demo catalog is
// created first when there are no plans). Customers are numbered after the
// highest synthetic customer already stored, so it can be run again to grow
// a database.
//
// For speed, rows go straight into SQLite through prepared INSERTs, opts.BatchSize
// customers per transaction: record hooks (the audit log among them) do not
// run for synthetic data, which has no actor and no history to record. The
// rows are stored exactly as PocketBase stores records, so they load, validate
// and serve like records saved through the API. Everything is derived from
// opts.Seed except secrets: each customer's tokenKey comes from crypto/rand.
func Synthetic(app core.App, opts SyntheticOptions, progress io.Writer) (SyntheticResult, error) {
	start := time.Now()
	if opts.Customers <= 0 {
		return SyntheticResult{}, errors.New("seed: the number of customers must be positive")
	}
	batch := cmp.Or(opts.BatchSize, defaultBatch)
	db, ok := app.NonconcurrentDB().(*dbx.DB)
	if !ok {
		return SyntheticResult{}, errors.New("seed: Synthetic writes its own transactions; call it outside of one")
	}

	g, err := newGenerator(app, opts.Seed)
	if err != nil {
		return SyntheticResult{}, err
	}
	first, err := nextCustomerNumber(app)
	if err != nil {
		return SyntheticResult{}, err
	}

	// One pinned connection, so its page cache stays warm between batches.
	ctx := context.Background()
	conn, err := db.DB().Conn(ctx)
	if err != nil {
		return SyntheticResult{}, err
	}
	defer conn.Close()
	restore, err := setCacheSize(ctx, conn, seedCacheKiB)
	if err != nil {
		return SyntheticResult{}, err
	}
	defer restore()

	res := SyntheticResult{First: first, Last: first + opts.Customers - 1, Rows: map[string]int{}}
	reported := 0
	for done := 0; done < opts.Customers; {
		n := min(batch, opts.Customers-done)
		if err := g.batch(ctx, conn, first+done, n, res.Rows); err != nil {
			return res, err
		}
		done += n
		if tenth := done * 10 / opts.Customers; tenth > reported || done == opts.Customers {
			reported = tenth
			elapsed := time.Since(start)
			fmt.Fprintf(progress, "%6.1fs %8d/%d customers %10d rows %9.0f rows/s\n", elapsed.Seconds(),
				done, opts.Customers, res.TotalRows(), float64(res.TotalRows())/elapsed.Seconds())
		}
	}

	// Fresh statistics let the query planner pick the per-customer indexes
	// on tables that grew by orders of magnitude. The checkpoint folds the
	// WAL into data.db, so readers that follow need not search a large WAL.
	for _, q := range []string{"ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return res, fmt.Errorf("seed: %s: %w", q, err)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// seedCacheKiB is the page cache of the seeding connection. Random ids
// spread a batch's index inserts over whole b-trees; in PocketBase's 32 MB
// cache the dirty pages spill and are read back. Measured on 2 cores,
// 10,000 customers: 53 s with 32 MB and 500 a batch, 39 s with 200 MB and 1,000.
const seedCacheKiB = 200_000

// setCacheSize sets conn's page cache until restore is called.
func setCacheSize(ctx context.Context, conn *sql.Conn, kib int) (restore func(), err error) {
	var was int
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", kib)); err != nil {
		return nil, err
	}
	return func() { conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", was)) }, nil
}

// nextCustomerNumber follows the highest synthetic customer already stored.
func nextCustomerNumber(app core.App) (int, error) {
	var last int
	err := app.DB().NewQuery(`SELECT COALESCE(MAX(CAST(substr(email, 9, instr(email, '@') - 9) AS INTEGER)), 0)
		FROM customers WHERE email GLOB 'customer[0-9]*@` + SyntheticDomain + `'`).Row(&last)
	return last + 1, err
}

// writer inserts rows through one prepared statement per collection in
// the current transaction. A collection's columns are fixed by its first
// row. The first error sticks and turns later inserts into no-ops, so the
// generator reads as a list of rows and checks once per batch.
type writer struct {
	tx    *sql.Tx
	cols  map[string][]string
	stmts map[string]*sql.Stmt
	rows  map[string]int
	err   error
}

// insert writes one row of collection given as column, value pairs.
func (w *writer) insert(collection string, pairs ...any) {
	if w.err != nil {
		return
	}
	n := len(pairs) / 2
	cols, known := w.cols[collection]
	if !known {
		cols = make([]string, n)
		for i := range cols {
			cols[i] = pairs[2*i].(string)
		}
		w.cols[collection] = cols
	}
	args := make([]any, n)
	for i := range args {
		if len(cols) != n || pairs[2*i] != cols[i] {
			w.err = fmt.Errorf("seed: %s rows differ in their columns at %v", collection, pairs[2*i])
			return
		}
		args[i] = pairs[2*i+1]
	}
	stmt := w.stmts[collection]
	if stmt == nil {
		q := fmt.Sprintf("INSERT INTO `%s` (`%s`) VALUES (%s)", collection,
			strings.Join(cols, "`, `"), strings.TrimSuffix(strings.Repeat("?, ", n), ", "))
		if stmt, w.err = w.tx.Prepare(q); w.err != nil {
			return
		}
		w.stmts[collection] = stmt
	}
	if _, w.err = stmt.Exec(args...); w.err != nil {
		w.err = fmt.Errorf("seed: insert into %s: %w", collection, w.err)
		return
	}
	w.rows[collection]++
}

// batch writes customers first..first+n-1 in one transaction and adds the
// rows written to rows.
func (g *generator) batch(ctx context.Context, conn *sql.Conn, first, n int, rows map[string]int) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	g.w = &writer{tx: tx, cols: g.cols, stmts: map[string]*sql.Stmt{}, rows: map[string]int{}}
	for i := range n {
		g.customer(first + i)
	}
	for _, s := range g.w.stmts {
		s.Close()
	}
	if g.w.err == nil {
		g.w.err = g.seq.save(tx, g.id)
	}
	if g.w.err != nil {
		tx.Rollback()
		return g.w.err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for k, v := range g.w.rows {
		rows[k] += v
	}
	return nil
}

// ts formats t the way PocketBase stores dates; the zero time is empty.
func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(types.DefaultDateLayout)
}

// jsonText is v as the JSON text PocketBase stores in a JSON column.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only fixed shapes of strings and numbers are encoded
	}
	return string(b)
}
