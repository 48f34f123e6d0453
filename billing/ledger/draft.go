package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/settings"
)

// Invoice purposes.
const (
	PurposeOrder      = "order"
	PurposeRenewal    = "renewal"
	PurposePlanChange = "plan_change"
	PurposeOverage    = "overage"
	PurposeManual     = "manual"
)

// NewDraft creates an empty draft invoice for customer in their currency,
// with the tax treatment decided now.
func NewDraft(ctx context.Context, app core.App, s *settings.Settings, t Treatment, customer *core.Record, purpose string) (*Invoice, error) {
	col, err := app.FindCachedCollectionByNameOrId(InvoicesCollection)
	if err != nil {
		return nil, err
	}
	inv := NewDraftRecord(col, t, customer, purpose)
	if err := app.SaveWithContext(ctx, inv); err != nil {
		return nil, fmt.Errorf("draft invoice for %s: %w", customer.Id, err)
	}
	return inv, nil
}

// NewDraftRecord builds, unsaved, an empty draft invoice for customer.
func NewDraftRecord(col *core.Collection, t Treatment, customer *core.Record, purpose string) *Invoice {
	rec := core.NewRecord(col)
	rec.Set("customer", customer.Id)
	rec.Set("currency", customers.As(customer).Currency())
	rec.Set("status", StatusDraft)
	rec.Set("purpose", purpose)
	rec.Set("tax", t)
	rec.Set("reverse_charge", t.ReverseCharge)
	return AsInvoice(rec)
}

// Finalize issues a draft invoice at the given time: it gets its number,
// frozen parties and tax, due date and any credit, in one transaction (see
// BeforeSave, which does the work for every path that issues an invoice,
// the dashboard included).
func Finalize(ctx context.Context, app core.App, inv *Invoice, at time.Time) error {
	if inv.Status() != StatusDraft {
		return fmt.Errorf("invoice %s is %s, only a draft can be issued", inv.Id, inv.Status())
	}
	return app.RunInTransaction(func(tx core.App) error {
		if err := Recompute(tx, inv); err != nil {
			return err
		}
		inv.Set("issued_at", at)
		inv.Set("status", StatusOpen)
		return tx.SaveWithContext(ctx, inv)
	})
}
