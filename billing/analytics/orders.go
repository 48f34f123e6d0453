package analytics

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// conversion counts the orders placed in the range and those whose
// invoice was paid (paid_at set, or a paid or refunded status: a refund
// after payment does not undo the conversion).
func conversion(app core.App, r Range, _ *converter, sum *Summary) error {
	var c Conversion
	err := app.DB().NewQuery(`SELECT COUNT(*) AS orders,
			COALESCE(SUM(i.paid_at != '' OR i.status IN ('paid', 'partially_refunded', 'refunded')), 0) AS paid
		FROM orders o LEFT JOIN invoices i ON i.id = o.invoice
		WHERE o.created >= {:from} AND o.created < {:end}`).
		Bind(dbx.Params{"from": r.From.Format(types.DefaultDateLayout), "end": r.end().Format(types.DefaultDateLayout)}).One(&c)
	if err != nil {
		return err
	}
	c.RateBP = ratioBP(c.Paid, c.Orders)
	sum.Conversion = c
	return nil
}
