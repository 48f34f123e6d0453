package bench

import (
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// FloorTables are the tables the renewal run writes rows into.
var FloorTables = []string{"invoices", "invoice_items", "audit_logs", "outbox"}

// FloorResult is what raw SQLite takes for the run's own rows: the floor
// no renewal run on this machine can beat.
type FloorResult struct {
	Rows      int           // rows inserted
	Writes    time.Duration // inserting them
	KeyChecks int           // point look-ups by a unique key
	Checks    time.Duration // making them
}

// Floor copies the rows of FloorTables from app's database, in the same
// sitting, into an empty database with the same tables and indexes, opened
// with PocketBase's connection pragmas (modernc SQLite, WAL,
// synchronous=NORMAL), and times the inserts alone: one prepared
// statement per table, executed per row, floorTx rows per transaction.
// Then it times keyChecks look-ups of outbox dedupe keys through their
// unique index, half of them present, half absent, as a re-run checks.
// Reading the rows back from app is not timed.
func Floor(app core.App, keyChecks int, out io.Writer) (FloorResult, error) {
	var res FloorResult
	dir, err := os.MkdirTemp("", "ezscale-bench-floor-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)
	dst, err := core.DefaultDBConnect(filepath.Join(dir, "floor.db"))
	if err != nil {
		return res, err
	}
	defer dst.Close()
	src := app.ConcurrentDB().(*dbx.DB).DB()

	var keys []string
	for _, table := range FloorTables {
		n, d, err := copyTable(src, dst.DB(), table, out)
		if err != nil {
			return res, fmt.Errorf("floor %s: %w", table, err)
		}
		res.Rows += n
		res.Writes += d
	}
	if err := dst.Select("dedupe_key").From("outbox").Where(dbx.NewExp("dedupe_key != ''")).Column(&keys); err != nil {
		return res, err
	}
	if len(keys) == 0 || keyChecks <= 0 {
		return res, nil
	}
	check, err := dst.DB().Prepare("SELECT 1 FROM outbox WHERE dedupe_key != '' AND dedupe_key = ?")
	if err != nil {
		return res, err
	}
	defer check.Close()
	started := time.Now()
	for i := 0; i < keyChecks; i++ {
		key := keys[i%len(keys)]
		if i%2 == 1 {
			key += ":absent"
		}
		var one int
		if err := check.QueryRow(key).Scan(&one); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return res, err
		}
	}
	res.KeyChecks, res.Checks = keyChecks, time.Since(started)
	fmt.Fprintf(out, "floor: %d key checks in %s\n", keyChecks, res.Checks.Round(time.Millisecond))
	return res, nil
}

// floorTx is how many rows the floor commits at once.
const floorTx = 5000

// copyTable creates table in dst as it is in src, with its indexes, and
// copies its rows, timing only the writes.
func copyTable(src, dst *sql.DB, table string, out io.Writer) (int, time.Duration, error) {
	var schema []string
	rows, err := src.Query("SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC", table)
	if err != nil {
		return 0, 0, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return 0, 0, err
		}
		schema = append(schema, s) // "table" sorts before "index"
	}
	rows.Close()
	for _, s := range schema {
		if _, err := dst.Exec(s); err != nil {
			return 0, 0, err
		}
	}

	var total int
	var spent time.Duration
	lastRowid := int64(0)
	for {
		batch, columns, last, err := readRows(src, table, lastRowid)
		if err != nil || len(batch) == 0 {
			if total > 0 {
				fmt.Fprintf(out, "floor: %s %d rows in %s\n", table, total, spent.Round(time.Millisecond))
			}
			return total, spent, err
		}
		lastRowid = last
		started := time.Now()
		if err := insertRows(dst, table, columns, batch); err != nil {
			return total, spent, err
		}
		spent += time.Since(started)
		total += len(batch)
	}
}

// readRows reads the next floorTx rows of table after rowid from.
func readRows(src *sql.DB, table string, from int64) (batch [][]any, columns []string, last int64, err error) {
	rows, err := src.Query(fmt.Sprintf("SELECT rowid, * FROM %q WHERE rowid > ? ORDER BY rowid LIMIT %d", table, floorTx), from)
	if err != nil {
		return nil, nil, 0, err
	}
	defer rows.Close()
	if columns, err = rows.Columns(); err != nil {
		return nil, nil, 0, err
	}
	columns = columns[1:]
	for rows.Next() {
		values := make([]any, len(columns)+1)
		ptrs := make([]any, len(values))
		for i := range values {
			ptrs[i] = &values[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, nil, 0, err
		}
		last = values[0].(int64)
		batch = append(batch, values[1:])
	}
	return batch, columns, last, rows.Err()
}

// insertRows writes batch in one transaction with one prepared INSERT.
func insertRows(dst *sql.DB, table string, columns []string, batch [][]any) error {
	names := make([]string, len(columns))
	for i, c := range columns {
		names[i] = fmt.Sprintf("%q", c)
	}
	tx, err := dst.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare(fmt.Sprintf("INSERT INTO %q (%s) VALUES (%s)", table, strings.Join(names, ", "),
		strings.TrimSuffix(strings.Repeat("?, ", len(columns)), ", ")))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, values := range batch {
		if _, err := stmt.Exec(values...); err != nil {
			return err
		}
	}
	return tx.Commit()
}
