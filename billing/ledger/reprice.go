package ledger

import (
	"context"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
)

// RepriceLines gives lines of an open invoice new unit amounts (a plan
// change applied to a period already invoiced ahead: the renewal must bill
// the new price and the coupon the new plan still has). Each line is
// re-taxed with the invoice's frozen treatment; a line priced at zero is
// taken off. The totals are recomputed and the rounding line redone.
//
// When the credit and payments already applied exceed the new total, the
// excess goes back to the customer (see WithdrawLines); an invoice left
// with nothing to pay is then paid.
func RepriceLines(ctx context.Context, app core.App, inv *Invoice, prices map[string]int64, why string) error {
	if !Editable(inv.Status()) {
		return fmt.Errorf("invoice %s: %w", Label(inv), ErrNotEditable)
	}
	items, err := Items(app, inv.Id)
	if err != nil {
		return err
	}
	keep := make([]*core.Record, 0, len(items))
	for _, it := range items {
		unit, ok := prices[it.Id]
		switch {
		case isRounding(it) || (ok && unit == 0):
			if err := app.DeleteWithContext(ctx, it); err != nil {
				return fmt.Errorf("invoice %s: line %q: %w", Label(inv), it.GetString("description"), err)
			}
			continue
		case ok && unit != it.GetInt64("unit_amount"):
			it.Set("unit_amount", unit)
			if err := retax(inv, it); err != nil {
				return fmt.Errorf("invoice %s: line %q: %w", Label(inv), it.GetString("description"), err)
			}
			if err := app.SaveWithContext(ctx, it); err != nil {
				return fmt.Errorf("invoice %s: line %q: %w", Label(inv), it.GetString("description"), err)
			}
		}
		keep = append(keep, it)
	}
	return settleLines(ctx, app, inv, keep, why)
}
