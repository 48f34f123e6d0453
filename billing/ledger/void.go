package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// Void voids an issued or draft invoice, noting why for staff. What was
// already applied to it comes back as account credit (see returnOnVoid),
// in the caller's transaction.
func Void(ctx context.Context, app core.App, inv *Invoice, why string) error {
	if inv.Status() == StatusVoid {
		return nil
	}
	inv.Set("status", StatusVoid)
	if why != "" {
		inv.Set("staff_notes", appendNote(inv.GetString("staff_notes"), why))
	}
	if err := app.SaveWithContext(ctx, inv); err != nil {
		return fmt.Errorf("void invoice %s: %w", Label(inv), err)
	}
	return nil
}

// voided sets what a void invoice shows, nothing left to pay, and returns
// what it held; stored is the invoice as it was before the void.
func voided(ctx context.Context, app core.App, inv, stored *Invoice, now time.Time) error {
	if inv.GetDateTime("voided_at").IsZero() {
		inv.Set("voided_at", now)
	}
	inv.Set("amount_due", 0)
	return returnOnVoid(ctx, app, inv, stored)
}

// returnOnVoid gives the customer back, as account credit, what an invoice
// being voided holds: the credit applied to it and what they paid on it.
//
// Payments become credit rather than blocking the void: only charges of
// paid invoices can be refunded, so an open invoice partly paid could
// otherwise neither be voided nor refunded, and the automatic voids
// (expired upgrades, cancelled renewals) could not happen at all. The
// charge stays recorded against the void invoice; the money is the
// customer's to spend on their next invoices, and staff give it back in
// cash outside the gateway if asked.
//
// The void invoice keeps credit_applied and amount_paid as they were, a
// record of what had been applied to it; the entries added here (reason
// void, the invoice named) are what returns them: one for the credit, one
// for the payments.
func returnOnVoid(ctx context.Context, app core.App, inv, stored *Invoice) error {
	credit := stored.GetInt64("credit_applied")
	paid := stored.GetInt64("amount_paid") - stored.GetInt64("amount_refunded")
	inv.Set("credit_applied", credit)
	inv.Set("amount_paid", stored.GetInt64("amount_paid"))
	for _, r := range []struct {
		amount int64
		what   string
	}{
		{credit, "Credit applied to void invoice %s, returned"},
		{paid, "Paid on void invoice %s, kept as credit"},
	} {
		if r.amount <= 0 {
			continue
		}
		if _, err := AddCredit(ctx, app, CreditEntry{
			CustomerID: inv.CustomerID(), Currency: inv.Currency(), Amount: r.amount, Reason: CreditVoid,
			InvoiceID: inv.Id, Description: fmt.Sprintf(r.what, Label(inv)),
		}); err != nil {
			return fmt.Errorf("void invoice %s: %w", Label(inv), err)
		}
	}
	return nil
}

// appendNote adds a line to staff notes.
func appendNote(notes, line string) string {
	return strings.TrimSpace(notes + "\n" + line)
}
