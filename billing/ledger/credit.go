package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	CreditVoid         = "void"
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

// Balances is a customer's account credit in every currency they have
// credit entries in.
func Balances(app core.App, customerID string) (map[string]int64, error) {
	var rows []struct {
		Currency string `db:"currency"`
		Sum      int64  `db:"s"`
	}
	err := app.DB().Select("currency", "COALESCE(SUM(amount), 0) AS s").From(CreditCollection).
		Where(dbx.HashExp{"customer": customerID}).GroupBy("currency").All(&rows)
	if err != nil {
		return nil, fmt.Errorf("credit balances of %s: %w", customerID, err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.Currency] = r.Sum
	}
	return out, nil
}

// CreditEntry is one change of a customer's credit.
type CreditEntry struct {
	CustomerID  string
	Currency    string
	Amount      int64 // positive adds credit, negative uses it
	Reason      string
	InvoiceID   string
	Description string
	// Unused time returned (downgrade, cancellation): the subscription and
	// the span of time this credit gives back.
	Subscription string
	PeriodStart  time.Time
	PeriodEnd    time.Time
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
	rec := NewCreditRecord(col, e)
	if err := app.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("credit entry for %s: %w", e.CustomerID, err)
	}
	return rec, nil
}

// NewCreditRecord builds, unsaved, a credit ledger entry.
func NewCreditRecord(col *core.Collection, e CreditEntry) *core.Record {
	rec := core.NewRecord(col)
	rec.Set("customer", e.CustomerID)
	rec.Set("currency", e.Currency)
	rec.Set("amount", e.Amount)
	rec.Set("reason", e.Reason)
	rec.Set("invoice", e.InvoiceID)
	rec.Set("description", e.Description)
	if e.Subscription != "" {
		rec.Set("subscription", e.Subscription)
		rec.Set("period_start", e.PeriodStart)
		rec.Set("period_end", e.PeriodEnd)
	}
	return rec
}

// CreditUse is the ledger entry for credit Issue applied to inv.
func CreditUse(inv *Invoice, used int64) CreditEntry {
	return CreditEntry{
		CustomerID: inv.CustomerID(), Currency: inv.Currency(), Amount: -used,
		Reason: CreditApplied, InvoiceID: inv.Id, Description: "applied to invoice",
	}
}

// Errors of ApplyCredit.
var (
	ErrNothingDue = errors.New("nothing is due on this invoice")
	ErrNoCredit   = errors.New("there is no account credit to use")
)

// ApplyCredit pays an open invoice from the customer's credit balance: all
// of what is due when the balance covers it (the invoice is then paid and
// fulfilled like any other payment), else as much as the balance allows.
// It returns the invoice after the change and the credit used. Transactions
// are serialised, so two requests never spend the same credit twice.
func ApplyCredit(ctx context.Context, app core.App, invoiceID string) (*Invoice, int64, error) {
	var inv *Invoice
	var used int64
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if inv, err = FindInvoice(tx, invoiceID); err != nil {
			return err
		}
		if inv.Status() != StatusOpen || inv.AmountDue() <= 0 {
			return ErrNothingDue
		}
		balance, err := Balance(tx, inv.CustomerID(), inv.Currency())
		if err != nil {
			return err
		}
		if balance <= 0 {
			return ErrNoCredit
		}
		used = min(balance, inv.AmountDue())
		inv.Set("credit_applied", inv.GetInt64("credit_applied")+used)
		setAmountDue(inv)
		if inv.AmountDue() == 0 {
			inv.Set("status", StatusPaid)
		}
		if err := tx.SaveWithContext(ctx, inv); err != nil {
			return fmt.Errorf("invoice %s: %w", Label(inv), err)
		}
		_, err = AddCredit(ctx, tx, CreditUse(inv, used))
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return inv, used, nil
}
