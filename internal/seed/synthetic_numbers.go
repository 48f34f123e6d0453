package seed

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/numbering"
)

// invoiceNumbers numbers invoices in the settings' format and continues
// the ledger's counters in number_sequences. Synthetic writes the counters
// back with each batch, so invoices the platform issues after seeding never
// collide with seeded ones.
type invoiceNumbers struct {
	format  numbering.Format
	last    map[string]int64 // per key, e.g. INV-2025-{SEQ}
	touched map[string]bool  // keys used since the last save
}

func loadInvoiceNumbers(app core.App, format string) (*invoiceNumbers, error) {
	f, err := numbering.Parse(format)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		Key  string `db:"key"`
		Last int64  `db:"last"`
	}
	err = app.DB().Select("key", "last").From(ledger.SequencesCollection).
		Where(dbx.HashExp{"series": ledger.SeriesInvoice}).All(&rows)
	n := &invoiceNumbers{format: f, last: map[string]int64{}, touched: map[string]bool{}}
	for _, r := range rows {
		n.last[r.Key] = r.Last
	}
	return n, err
}

func (n *invoiceNumbers) next(issued time.Time) string {
	key := n.format.Key(issued)
	n.last[key]++
	n.touched[key] = true
	return n.format.Number(issued, n.last[key])
}

// save upserts the counters used since the last save in tx.
func (n *invoiceNumbers) save(tx *sql.Tx, newID func() string) error {
	now := ts(time.Now())
	for key := range n.touched {
		_, err := tx.Exec("INSERT INTO `"+ledger.SequencesCollection+"` (id, series, `key`, last, created, updated) VALUES (?, ?, ?, ?, ?, ?)"+
			" ON CONFLICT (series, `key`) DO UPDATE SET last = excluded.last, updated = excluded.updated",
			newID(), ledger.SeriesInvoice, key, n.last[key], now, now)
		if err != nil {
			return fmt.Errorf("seed: invoice sequence %s: %w", key, err)
		}
	}
	clear(n.touched)
	return nil
}
