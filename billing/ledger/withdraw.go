package ledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// WithdrawLines takes lines off an open invoice that should no longer bill
// them (the later periods of a cancelled subscription on a renewal invoice
// shared with other subscriptions): the lines are deleted and the totals
// recomputed, its rounding line redone. An invoice left with nothing to
// bill is voided instead, with why as the staff note.
//
// When the credit and payments already applied exceed the new total, the
// excess goes back to the customer so the invoice's figures stay what it
// holds: credit first, as a positive applied entry that reverses the use,
// then payments, as account credit like any overpayment. An invoice left
// with nothing to pay is then paid.
func WithdrawLines(ctx context.Context, app core.App, inv *Invoice, lineIDs []string, why string) error {
	if !Editable(inv.Status()) {
		return fmt.Errorf("invoice %s: %w", Label(inv), ErrNotEditable)
	}
	items, err := Items(app, inv.Id)
	if err != nil {
		return err
	}
	var keep, drop []*core.Record
	for _, it := range items {
		if slices.Contains(lineIDs, it.Id) || isRounding(it) {
			drop = append(drop, it)
		} else {
			keep = append(keep, it)
		}
	}
	if len(keep) == 0 {
		return Void(ctx, app, inv, why)
	}
	for _, it := range drop {
		if err := app.DeleteWithContext(ctx, it); err != nil {
			return fmt.Errorf("invoice %s: line %q: %w", Label(inv), it.GetString("description"), err)
		}
	}
	return settleLines(ctx, app, inv, keep, why)
}

// settleLines saves an open invoice whose lines changed (keep are the
// lines it has now): rounded again, totals recomputed, what it holds beyond
// its new total given back, paid when nothing is left due, why noted.
func settleLines(ctx context.Context, app core.App, inv *Invoice, keep []*core.Record, why string) error {
	var err error
	if inv.Status() == StatusOpen {
		if keep, err = addRounding(ctx, app, inv, keep, 0); err != nil {
			return err
		}
	}
	RecomputeFrom(inv, keep)
	if err := returnExcess(ctx, app, inv); err != nil {
		return err
	}
	if inv.Status() == StatusOpen && inv.AmountDue() == 0 {
		inv.Set("status", StatusPaid)
	}
	if why != "" {
		inv.Set("staff_notes", appendNote(inv.GetString("staff_notes"), why))
	}
	if err := app.SaveWithContext(ctx, inv); err != nil {
		return fmt.Errorf("invoice %s: %w", Label(inv), err)
	}
	return nil
}

// returnExcess gives back what inv holds beyond its total, lowering its
// credit_applied and amount_paid to match.
func returnExcess(ctx context.Context, app core.App, inv *Invoice) error {
	credit, paid := inv.GetInt64("credit_applied"), inv.GetInt64("amount_paid")
	excess := credit + paid - max(inv.Total(), 0)
	if excess <= 0 {
		return nil
	}
	fromCredit := min(excess, credit)
	fromPaid := excess - fromCredit
	inv.Set("credit_applied", credit-fromCredit)
	inv.Set("amount_paid", paid-fromPaid)
	setAmountDue(inv)
	for _, r := range []struct {
		amount int64
		reason string
		what   string
	}{
		{fromCredit, CreditApplied, "Credit applied to invoice %s beyond its new total, returned"},
		{fromPaid, CreditOverpayment, "Paid on invoice %s beyond its new total"},
	} {
		if r.amount <= 0 {
			continue
		}
		if _, err := AddCredit(ctx, app, CreditEntry{
			CustomerID: inv.CustomerID(), Currency: inv.Currency(), Amount: r.amount, Reason: r.reason,
			InvoiceID: inv.Id, Description: fmt.Sprintf(r.what, Label(inv)),
		}); err != nil {
			return err
		}
	}
	return nil
}
