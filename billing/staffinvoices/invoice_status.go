package staffinvoices

import (
	"context"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/clock"
)

// Issue issues a draft: its number, frozen parties and tax, due date and
// any account credit (an invoice credit covers is paid at once), and the
// invoice email queued, as every issued invoice's.
func (s Staff) Issue(ctx context.Context, app core.App, invoiceID string) (*ledger.Invoice, error) {
	var inv *ledger.Invoice
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if inv, err = findInvoice(tx, invoiceID); err != nil {
			return err
		}
		if inv.Status() != ledger.StatusDraft {
			return refuse("invoice %s is %s: it was issued already", ledger.Label(inv), inv.Status())
		}
		items, err := ledger.Items(tx, inv.Id)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return refuse("invoice %s has no lines: add one before issuing it", ledger.Label(inv))
		}
		if err := ledger.Finalize(s.ctx(ctx), tx, inv, clock.Now(tx)); err != nil {
			return err
		}
		return s.note(tx, "invoice.issue", inv, "issued as "+ledger.Label(inv))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// Void voids a draft, open or uncollectible invoice for a reason kept in
// its staff notes. What was applied to it (credit, partial payments)
// returns as account credit, as every void does. A paid invoice is not
// voided: its money is returned by a refund, which a credit note records.
func (s Staff) Void(ctx context.Context, app core.App, invoiceID, reason string) (*ledger.Invoice, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, refuse("give a reason for the void: it is kept in the invoice's staff notes")
	}
	if len(reason) > 500 {
		return nil, refuse("the reason is at most 500 characters")
	}
	var inv *ledger.Invoice
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if inv, err = findInvoice(tx, invoiceID); err != nil {
			return err
		}
		switch inv.Status() {
		case ledger.StatusDraft, ledger.StatusOpen, ledger.StatusUncollectible:
		case ledger.StatusVoid:
			return refuse("invoice %s is void already", ledger.Label(inv))
		default:
			return refuse("invoice %s is %s: a paid invoice cannot be voided; refund its payment instead (a credit note records it)",
				ledger.Label(inv), strings.ReplaceAll(inv.Status(), "_", " "))
		}
		held := inv.GetInt64("credit_applied") + inv.GetInt64("amount_paid")
		if err := ledger.Void(s.ctx(ctx), tx, inv, "Voided: "+reason); err != nil {
			return err
		}
		return s.note(tx, "invoice.void", inv, fmt.Sprintf("voided (%s); %d returned as credit", reason, held))
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}
