package ledger

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/money"
)

// roundingPrefix starts the description of every rounding line, which is
// how totals tell it from a staff adjustment (it has no tax rate to report).
const roundingPrefix = "Rounding to "

// RoundingLine returns, unsaved, the line an invoice being issued needs so
// that what it leaves to pay after the customer's credit is a whole number
// of its currency's payable steps (money.Currency.Step: 10 fils for KWD,
// where Stripe refuses a last digit other than 0), or nil when it needs
// none. The line takes the remainder off: the customer is never asked for
// more than the invoice's lines, and the invoice's arithmetic stays exact
// and visible, with the total the sum of its lines. It is an untaxed
// adjustment, as a cash rounding is no supply. RoundingLine sets the
// invoice's totals from items; add the line to them and recompute.
func RoundingLine(col *core.Collection, inv *Invoice, items []*core.Record, credit int64) (*core.Record, error) {
	c, err := money.LookupCurrency(inv.Currency())
	if err != nil {
		return nil, fmt.Errorf("invoice %s: %w", Label(inv), err)
	}
	RecomputeFrom(inv, items)
	step := c.Step()
	rest := inv.AmountDue() - max(credit, 0)
	if step == 1 || rest <= 0 || rest%step == 0 {
		return nil, nil
	}
	off := rest % step
	order := 0
	for _, it := range items {
		order = max(order, it.GetInt("sort_order")+1)
	}
	rec := core.NewRecord(col)
	rec.Set("invoice", inv.Id)
	rec.Set("customer", inv.CustomerID())
	rec.Set("kind", KindAdjustment)
	rec.Set("description", fmt.Sprintf("%s%s, the smallest amount %s payments take", roundingPrefix, money.Amount{Minor: step, Currency: c.Code}, c.Code))
	rec.Set("quantity", 1)
	rec.Set("unit_amount", -off)
	rec.Set("amount", -off)
	rec.Set("tax_amount", 0)
	rec.Set("sort_order", order)
	return rec, nil
}

// WithRounding is items and, when the invoice needs one, its rounding line
// (unsaved), with the invoice's totals set from them: for the paths that
// build an invoice's lines in memory and write them in bulk.
func WithRounding(col *core.Collection, inv *Invoice, items []*core.Record, credit int64) ([]*core.Record, error) {
	line, err := RoundingLine(col, inv, items, credit)
	if err != nil || line == nil {
		return items, err
	}
	items = append(slices.Clip(items), line)
	RecomputeFrom(inv, items)
	return items, nil
}

// addRounding saves the rounding line of an invoice being issued, if it
// needs one, and returns its lines with it.
func addRounding(ctx context.Context, app core.App, inv *Invoice, items []*core.Record, credit int64) ([]*core.Record, error) {
	col, err := app.FindCachedCollectionByNameOrId(ItemsCollection)
	if err != nil {
		return nil, err
	}
	line, err := RoundingLine(col, inv, items, credit)
	if err != nil || line == nil {
		return items, err
	}
	if err := app.SaveWithContext(ctx, line); err != nil {
		return nil, fmt.Errorf("invoice %s rounding line: %w", Label(inv), err)
	}
	return append(slices.Clip(items), line), nil
}

// isRounding tells a rounding line, which stays out of the tax summary.
func isRounding(item *core.Record) bool {
	return item.GetString("kind") == KindAdjustment && item.GetString("tax_rate") == "" &&
		item.GetInt64("tax_amount") == 0 && strings.HasPrefix(item.GetString("description"), roundingPrefix)
}
