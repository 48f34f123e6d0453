package ledger

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Credit entry reasons.
const (
	CreditOverpayment  = "overpayment"
	CreditDowngrade    = "downgrade"
	CreditCancellation = "cancellation"
	CreditRefund       = "refund"
	CreditManual       = "manual"
	CreditApplied      = "applied"
)

// Balance is a customer's account credit in one currency: the sum of the
// ledger, never a stored field.
func Balance(app core.App, customerID, currency string) (int64, error) {
	var total struct {
		Sum int64 `db:"s"`
	}
	err := app.DB().Select("COALESCE(SUM(amount), 0) AS s").From(CreditCollection).
		Where(dbx.HashExp{"customer": customerID, "currency": currency}).One(&total)
	if err != nil {
		return 0, fmt.Errorf("credit balance of %s in %s: %w", customerID, currency, err)
	}
	return total.Sum, nil
}

// CreditEntry is one change of a customer's credit.
type CreditEntry struct {
	CustomerID  string
	Currency    string
	Amount      int64 // positive adds credit, negative uses it
	Reason      string
	InvoiceID   string
	Description string
}

// AddCredit appends an entry to the credit ledger.
func AddCredit(ctx context.Context, app core.App, e CreditEntry) (*core.Record, error) {
	if e.Amount == 0 {
		return nil, fmt.Errorf("credit entry for %s: amount is zero", e.CustomerID)
	}
	col, err := app.FindCachedCollectionByNameOrId(CreditCollection)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.Set("customer", e.CustomerID)
	rec.Set("currency", e.Currency)
	rec.Set("amount", e.Amount)
	rec.Set("reason", e.Reason)
	rec.Set("invoice", e.InvoiceID)
	rec.Set("description", e.Description)
	if err := app.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("credit entry for %s: %w", e.CustomerID, err)
	}
	return rec, nil
}

// applyCredit pays what it can of an invoice from the customer's credit in
// the invoice's currency.
func applyCredit(ctx context.Context, app core.App, inv *Invoice) error {
	due := inv.AmountDue()
	if due <= 0 {
		return nil
	}
	balance, err := Balance(app, inv.CustomerID(), inv.Currency())
	if err != nil || balance <= 0 {
		return err
	}
	use := min(balance, due)
	_, err = AddCredit(ctx, app, CreditEntry{
		CustomerID: inv.CustomerID(), Currency: inv.Currency(), Amount: -use,
		Reason: CreditApplied, InvoiceID: inv.Id, Description: "applied to invoice",
	})
	if err != nil {
		return err
	}
	inv.Set("credit_applied", inv.GetInt64("credit_applied")+use)
	setAmountDue(inv)
	return nil
}
