package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/numbering"
)

// BatchNumbers hands out numbers from an in-memory copy of the sequences,
// for a transaction that issues many invoices: one read and one write per
// series instead of per invoice. Flush must run in the same transaction
// before it commits; until then nothing else may take numbers from the
// same series (flush first, then let it).
type BatchNumbers struct {
	ctx  context.Context
	app  core.App
	seqs map[string]*core.Record
}

// NewBatchNumbers starts a batch on the transaction tx.
func NewBatchNumbers(ctx context.Context, tx core.App) *BatchNumbers {
	return &BatchNumbers{ctx: ctx, app: tx, seqs: map[string]*core.Record{}}
}

// Next implements NumberSource.
func (n *BatchNumbers) Next(series, format string, at time.Time) (string, error) {
	f, err := numbering.Parse(format)
	if err != nil {
		return "", err
	}
	key := f.Key(at)
	seq := n.seqs[series+"\x00"+key]
	if seq == nil {
		seq, err = n.app.FindFirstRecordByFilter(SequencesCollection, "series = {:s} && key = {:k}", dbx.Params{"s": series, "k": key})
		if errors.Is(err, sql.ErrNoRows) {
			col, cerr := n.app.FindCachedCollectionByNameOrId(SequencesCollection)
			if cerr != nil {
				return "", cerr
			}
			seq = core.NewRecord(col)
			seq.Set("series", series)
			seq.Set("key", key)
		} else if err != nil {
			return "", fmt.Errorf("%s sequence %s: %w", series, key, err)
		}
		n.seqs[series+"\x00"+key] = seq
	}
	next := seq.GetInt64("last") + 1
	seq.Set("last", next)
	return f.Number(at, next), nil
}

// Flush writes the counters back and forgets them, so later numbers are
// read afresh.
func (n *BatchNumbers) Flush() error {
	for k, seq := range n.seqs {
		if err := n.app.SaveWithContext(n.ctx, seq); err != nil {
			return fmt.Errorf("sequence %s: %w", seq.GetString("key"), err)
		}
		delete(n.seqs, k)
	}
	return nil
}
