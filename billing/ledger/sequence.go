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

// Number series.
const (
	SeriesInvoice    = "invoice"
	SeriesProforma   = "proforma"
	SeriesCreditNote = "credit_note"
)

// NextNumber takes the next number of a series. It must run in the same
// transaction as the save of the document that gets the number: the
// counter and the document commit or roll back together, so numbers have
// no gaps, and PocketBase serialises write transactions, so no two
// documents get the same number.
func NextNumber(ctx context.Context, tx core.App, series, format string, at time.Time) (string, error) {
	f, err := numbering.Parse(format)
	if err != nil {
		return "", err
	}
	key := f.Key(at)
	seq, err := tx.FindFirstRecordByFilter(SequencesCollection, "series = {:s} && key = {:k}", dbx.Params{"s": series, "k": key})
	if errors.Is(err, sql.ErrNoRows) {
		col, cerr := tx.FindCachedCollectionByNameOrId(SequencesCollection)
		if cerr != nil {
			return "", cerr
		}
		seq = core.NewRecord(col)
		seq.Set("series", series)
		seq.Set("key", key)
	} else if err != nil {
		return "", fmt.Errorf("%s sequence %s: %w", series, key, err)
	}
	next := seq.GetInt64("last") + 1
	seq.Set("last", next)
	if err := tx.SaveWithContext(ctx, seq); err != nil {
		return "", fmt.Errorf("%s sequence %s: %w", series, key, err)
	}
	return f.Number(at, next), nil
}
