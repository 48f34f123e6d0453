package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
)

// mutableWhenSettled are the fields that may still change on a paid, void
// or refunded invoice.
var mutableWhenSettled = []string{"status", "notes", "staff_notes", "amount_refunded", "dunning", "updated"}

// BeforeSave enforces the invoice lifecycle on every save of an existing
// invoice, whoever makes it: status moves only forward, settled invoices
// keep their amounts, and leaving draft or getting paid assign what the
// new status needs. It runs inside the save's transaction and returns the
// status the invoice had, so callers can act on the transition.
func BeforeSave(ctx context.Context, app core.App, inv *Invoice) (string, error) {
	// The stored row, not the in-memory original: a record saved twice in
	// the same process still carries the state it was loaded with.
	stored, err := app.FindRecordById(InvoicesCollection, inv.Id)
	if err != nil {
		return "", fmt.Errorf("invoice %s: %w", inv.Id, err)
	}
	orig := AsInvoice(stored)
	from, to := orig.Status(), inv.Status()
	if !CanTransition(from, to) {
		return from, fmt.Errorf("invoice %s cannot go from %s to %s", invoiceLabel(inv), from, to)
	}
	if !Editable(from) {
		for _, f := range inv.Collection().Fields {
			name := f.GetName()
			if slices.Contains(mutableWhenSettled, name) {
				continue
			}
			if fmt.Sprint(orig.Get(name)) != fmt.Sprint(inv.Get(name)) {
				return from, fmt.Errorf("invoice %s: %w (field %s)", invoiceLabel(inv), ErrNotEditable, name)
			}
		}
		return from, nil
	}
	if from == to {
		if to == StatusOpen {
			setAmountDue(inv)
		}
		return from, nil
	}

	now := time.Now().UTC()
	switch to {
	case StatusOpen:
		return from, issue(ctx, app, inv, now)
	case StatusPaid:
		if from == StatusDraft {
			if err := issue(ctx, app, inv, now); err != nil {
				return from, err
			}
		}
		return from, markPaid(ctx, app, inv, now)
	case StatusVoid:
		if inv.GetDateTime("voided_at").IsZero() {
			inv.Set("voided_at", now)
		}
		inv.Set("amount_due", 0)
	}
	return from, nil
}

// issue freezes what an issued invoice shows and numbers it.
func issue(ctx context.Context, app core.App, inv *Invoice, now time.Time) error {
	s, err := settings.Load(app)
	if err != nil {
		return err
	}
	customer, err := app.FindRecordById("customers", inv.CustomerID())
	if err != nil {
		return fmt.Errorf("invoice %s: customer %s: %w", inv.Id, inv.CustomerID(), err)
	}
	if err := Recompute(app, inv); err != nil {
		return err
	}
	issuedAt := inv.GetDateTime("issued_at").Time()
	if issuedAt.IsZero() {
		issuedAt = now
		inv.Set("issued_at", issuedAt)
	}
	if inv.GetDateTime("due_at").IsZero() {
		inv.Set("due_at", issuedAt.AddDate(0, 0, s.InvoiceDueDays))
	}
	inv.Set("seller", SellerParty(s))
	inv.Set("buyer", BuyerParty(customer))

	if s.ProformaMode {
		n, err := NextNumber(ctx, app, SeriesProforma, s.ProformaNumberFormat, issuedAt)
		if err != nil {
			return err
		}
		inv.Set("proforma_number", n)
	} else if err := assignNumber(ctx, app, s, inv, issuedAt); err != nil {
		return err
	}

	if err := applyCredit(ctx, app, inv); err != nil {
		return err
	}
	if inv.AmountDue() == 0 {
		inv.Set("status", StatusPaid)
		return markPaid(ctx, app, inv, now)
	}
	return nil
}

// markPaid settles an invoice. In proforma mode this is when the legal
// number is given.
func markPaid(ctx context.Context, app core.App, inv *Invoice, now time.Time) error {
	if inv.GetDateTime("paid_at").IsZero() {
		inv.Set("paid_at", now)
	}
	inv.Set("amount_due", 0)
	if inv.Number() != "" {
		return nil
	}
	s, err := settings.Load(app)
	if err != nil {
		return err
	}
	return assignNumber(ctx, app, s, inv, now)
}

func assignNumber(ctx context.Context, app core.App, s *settings.Settings, inv *Invoice, at time.Time) error {
	if inv.Number() != "" {
		return nil
	}
	n, err := NextNumber(ctx, app, SeriesInvoice, s.InvoiceNumberFormat, at)
	if err != nil {
		return err
	}
	inv.Set("number", n)
	inv.Set("series", SeriesInvoice)
	return nil
}

func invoiceLabel(inv *Invoice) string {
	if n := inv.Number(); n != "" {
		return n
	}
	return inv.Id
}
