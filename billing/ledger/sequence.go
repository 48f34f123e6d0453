package ledger

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"
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
	b := NewBatchNumbers(ctx, tx)
	n, err := b.Next(series, format, at)
	if err != nil {
		return "", err
	}
	return n, b.Flush()
}
