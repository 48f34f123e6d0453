package analytics

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// BucketLabels are the ageing bands of overdue invoices, by whole days
// past due: an invoice due yesterday evening is 0 days past due.
var BucketLabels = []string{"0-30", "31-60", "61-90", "90+"}

// current labels open invoices not yet due (or without a due date).
const current = "current"

// receivablesSQL sums open invoices per currency and age band, from
// idx_invoices_receivables alone.
const receivablesSQL = `SELECT currency, CASE
			WHEN due_at = '' OR due_at >= {:now} THEN 'current'
			WHEN due_at > {:d31} THEN '0-30'
			WHEN due_at > {:d61} THEN '31-60'
			WHEN due_at > {:d91} THEN '61-90'
			ELSE '90+' END AS bucket,
			COUNT(*) AS n, SUM(amount_due) AS amount
		FROM invoices WHERE status = 'open'
		GROUP BY 1, 2`

type bucketRow struct {
	Currency string `db:"currency"`
	Bucket   string `db:"bucket"`
	N        int64  `db:"n"`
	Amount   int64  `db:"amount"`
}

// receivables sums what open invoices still ask for, as of r.Now (a
// snapshot: past ranges do not change it). Outstanding is every open
// invoice's amount_due; overdue the part whose due date has passed, aged
// into BucketLabels, so the buckets add up to overdue. Drafts are not
// issued and uncollectible invoices are written off: neither counts.
// Each currency's amount per bucket is converted and rounded once.
func receivables(app core.App, r Range, conv *converter, sum *Summary) error {
	now := r.Now.UTC()
	ago := func(days int) string { return now.AddDate(0, 0, -days).Format(types.DefaultDateLayout) }
	var rows []bucketRow
	err := app.DB().NewQuery(receivablesSQL).
		Bind(dbx.Params{"now": now.Format(types.DefaultDateLayout), "d31": ago(31), "d61": ago(61), "d91": ago(91)}).All(&rows)
	if err != nil {
		return err
	}
	rec := Receivables{Buckets: make([]Bucket, len(BucketLabels))}
	index := map[string]int{}
	for i, label := range BucketLabels {
		rec.Buckets[i].Label = label
		index[label] = i
	}
	for _, row := range rows {
		v, err := conv.convert(row.Currency, ratInt(row.Amount))
		if err != nil {
			return err
		}
		rec.Outstanding += v
		if row.Bucket == current {
			continue
		}
		rec.Overdue += v
		b := &rec.Buckets[index[row.Bucket]]
		b.Amount += v
		b.Count += row.N
	}
	sum.Receivables = rec
	return nil
}
