package whmcsgen

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"
)

// batchRows is how many rows one INSERT writes, as mysqldump does.
const batchRows = 500

// writer writes tables in the transaction of the current step (the
// tables of a step are filled together). It keeps the context of the one
// Generate call it serves.
type writer struct {
	ctx     context.Context
	tx      *sql.Tx
	out     io.Writer
	started time.Time
}

// inserter writes one table in multi-row INSERTs. The first error stops it
// and is returned by close.
type inserter struct {
	w     *writer
	name  string
	cols  []string
	args  []any
	rows  int
	total int
	full  string // the INSERT of a full batch, built once
	err   error
}

func (w *writer) table(name string, cols ...string) *inserter {
	return &inserter{w: w, name: name, cols: cols}
}

// add stages a row: a value per column, in order.
func (t *inserter) add(values ...any) {
	if len(values) != len(t.cols) {
		panic(fmt.Sprintf("whmcsgen: %d values for the %d columns of %s", len(values), len(t.cols), t.name))
	}
	if t.err != nil {
		return
	}
	t.args = append(t.args, values...)
	t.rows++
	if t.rows == batchRows {
		t.flush()
	}
}

func (t *inserter) flush() {
	if t.rows == 0 || t.err != nil {
		return
	}
	query := t.full
	if query == "" || t.rows != batchRows {
		query = t.insert(t.rows)
		if t.rows == batchRows {
			t.full = query
		}
	}
	if _, err := t.w.tx.ExecContext(t.w.ctx, query, t.args...); err != nil {
		t.err = fmt.Errorf("write %s rows %d to %d: %w", t.name, t.total+1, t.total+t.rows, err)
		return
	}
	t.total += t.rows
	t.rows, t.args = 0, t.args[:0]
}

func (t *inserter) insert(rows int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO `" + t.name + "` (`" + strings.Join(t.cols, "`,`") + "`) VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", len(t.cols)), ",") + ")"
	for i := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	return b.String()
}

// close writes what is left and reports the table.
func (t *inserter) close() error {
	t.flush()
	if t.err != nil {
		return t.err
	}
	fmt.Fprintf(t.w.out, "  %-22s %7d rows  (%s)\n", t.name, t.total, time.Since(t.w.started).Round(time.Millisecond))
	return nil
}
