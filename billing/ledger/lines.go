package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/tax"
)

// Line kinds.
const (
	KindPeriod     = "period"
	KindSetup      = "setup"
	KindProration  = "proration"
	KindOverage    = "overage"
	KindHourly     = "hourly"
	KindDiscount   = "discount"
	KindAdjustment = "adjustment"
)

// Line is what a caller bills: the ledger adds the tax.
type Line struct {
	Kind         string
	Description  string
	Quantity     int64
	UnitAmount   int64 // minor units of the invoice currency, as listed
	Subscription string
	Service      string
	PeriodStart  time.Time
	PeriodEnd    time.Time
}

// ErrNotEditable is returned when lines or amounts of an issued and
// settled invoice would change.
var ErrNotEditable = errors.New("paid, void and refunded invoices cannot change, except for refunds and notes")

// AddLine adds a line to an editable invoice and taxes it with the
// invoice's treatment. The caller recomputes totals once all lines are in.
func AddLine(ctx context.Context, app core.App, inv *Invoice, l Line) (*core.Record, error) {
	col, err := app.FindCachedCollectionByNameOrId(ItemsCollection)
	if err != nil {
		return nil, err
	}
	rec, err := NewLine(col, inv, l)
	if err != nil {
		return nil, err
	}
	if err := app.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("line %q: %w", l.Description, err)
	}
	return rec, nil
}

// NewLine builds, unsaved, the taxed line record of l on inv.
func NewLine(col *core.Collection, inv *Invoice, l Line) (*core.Record, error) {
	if !Editable(inv.Status()) {
		return nil, ErrNotEditable
	}
	if l.Quantity < 1 {
		return nil, fmt.Errorf("line %q: quantity must be at least 1, got %d", l.Description, l.Quantity)
	}
	t, ok := treatmentOf(inv)
	if !ok {
		return nil, fmt.Errorf("invoice %s has no tax treatment", inv.Id)
	}
	amount := l.Quantity * l.UnitAmount
	if l.UnitAmount != 0 && amount/l.UnitAmount != l.Quantity {
		return nil, fmt.Errorf("line %q: amount overflows", l.Description)
	}
	lt, err := tax.Compute(amount, t.rate(), t.Charge)
	if err != nil {
		return nil, fmt.Errorf("line %q: %w", l.Description, err)
	}

	rec := core.NewRecord(col)
	rec.Set("invoice", inv.Id)
	rec.Set("customer", inv.CustomerID())
	rec.Set("kind", l.Kind)
	rec.Set("description", l.Description)
	rec.Set("quantity", l.Quantity)
	rec.Set("unit_amount", l.UnitAmount)
	rec.Set("amount", amount)
	rec.Set("tax_amount", lt.Tax)
	rec.Set("tax_inclusive", t.Charge && t.Inclusive)
	if t.Charge {
		rec.Set("tax_rate", t.RateID)
		rec.Set("tax_rate_value", t.Rate)
	}
	rec.Set("subscription", l.Subscription)
	rec.Set("service", l.Service)
	if !l.PeriodStart.IsZero() {
		rec.Set("period_start", l.PeriodStart)
		rec.Set("period_end", l.PeriodEnd)
	}
	return rec, nil
}

// retax recomputes a line's tax from its amount, for lines edited by staff.
func retax(inv *Invoice, item *core.Record) error {
	t, ok := treatmentOf(inv)
	if !ok {
		return nil
	}
	amount := item.GetInt64("quantity") * item.GetInt64("unit_amount")
	lt, err := tax.Compute(amount, t.rate(), t.Charge)
	if err != nil {
		return err
	}
	item.Set("amount", amount)
	item.Set("tax_amount", lt.Tax)
	item.Set("tax_inclusive", t.Charge && t.Inclusive)
	return nil
}
