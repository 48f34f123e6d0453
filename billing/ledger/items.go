package ledger

import (
	"context"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/settings"
)

// PrepareNew fills what a hand-made invoice (a staff create in the
// dashboard) leaves out: the customer's currency and the tax treatment.
// Invoices are created as drafts; issuing is a status change.
func PrepareNew(app core.App, inv *Invoice) error {
	if inv.Status() == "" {
		inv.Set("status", StatusDraft)
	}
	if inv.Status() != StatusDraft {
		return fmt.Errorf("create invoices as drafts, then set them to open to issue them")
	}
	customer, err := app.FindRecordById(customers.Collection, inv.CustomerID())
	if err != nil {
		return fmt.Errorf("invoice customer %q: %w", inv.CustomerID(), err)
	}
	if inv.Currency() == "" {
		inv.Set("currency", customers.As(customer).Currency())
	}
	if inv.GetString("purpose") == "" {
		inv.Set("purpose", PurposeManual)
	}
	if _, ok := treatmentOf(inv); !ok {
		s, err := settings.Load(app)
		if err != nil {
			return err
		}
		rates, err := Rates(app)
		if err != nil {
			return err
		}
		inv.Set("tax", Decide(s, rates, customer))
	}
	return nil
}

// CheckDeletable allows deleting drafts only: an issued invoice keeps its
// number for ever, and is voided instead.
func CheckDeletable(inv *Invoice) error {
	if inv.Status() != StatusDraft {
		return fmt.Errorf("invoice %s is %s: only drafts can be deleted; void it instead", Label(inv), inv.Status())
	}
	return nil
}

// BeforeItemSave keeps a line consistent with its invoice: the invoice
// must still be editable, and the line belongs to the invoice's customer.
func BeforeItemSave(app core.App, item *core.Record) error {
	inv, err := FindInvoice(app, item.GetString("invoice"))
	if err != nil {
		return fmt.Errorf("invoice line: invoice %q: %w", item.GetString("invoice"), err)
	}
	if !Editable(inv.Status()) {
		return fmt.Errorf("invoice %s: %w", Label(inv), ErrNotEditable)
	}
	item.Set("customer", inv.CustomerID())
	return nil
}

// BeforeItemDelete refuses to remove lines of a settled invoice.
func BeforeItemDelete(app core.App, item *core.Record) error {
	inv, err := FindInvoice(app, item.GetString("invoice"))
	if err != nil {
		return nil // the invoice itself is going: a cascade delete of a draft
	}
	if !Editable(inv.Status()) {
		return fmt.Errorf("invoice %s: %w", Label(inv), ErrNotEditable)
	}
	return nil
}

// StaffEditedItem recomputes a line's amount and tax from its quantity and
// unit amount, for lines typed in the dashboard.
func StaffEditedItem(app core.App, item *core.Record) error {
	inv, err := FindInvoice(app, item.GetString("invoice"))
	if err != nil {
		return err
	}
	return retax(inv, item)
}

// RecomputeAndSave refreshes an invoice's totals after its lines changed.
func RecomputeAndSave(ctx context.Context, app core.App, invoiceID string) error {
	inv, err := FindInvoice(app, invoiceID)
	if err != nil {
		return err
	}
	if err := Recompute(app, inv); err != nil {
		return err
	}
	return app.SaveWithContext(ctx, inv)
}
