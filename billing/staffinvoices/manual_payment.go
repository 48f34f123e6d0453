package staffinvoices

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/internal/clock"
)

// ManualPayment is money received outside the gateways, a bank transfer
// or a cheque, with the bank's reference for it.
type ManualPayment struct {
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Reference string    `json:"reference"`
	PaidAt    time.Time `json:"paid_at"`
}

// PaymentResult is the payment recorded, the invoice after it, and what
// of it exceeded the amount due and became account credit.
type PaymentResult struct {
	Payment *core.Record    `json:"payment"`
	Invoice *ledger.Invoice `json:"invoice"`
	Credit  int64           `json:"credit"`
}

// RecordPayment records a manual payment of an open (or written-off)
// invoice and applies it like a gateway's, in one transaction: what is
// due is paid (the invoice becomes paid, and what that sets off happens),
// and any excess becomes account credit naming the invoice. The reference
// is the payment's id: the same bank transfer is never recorded twice.
func (s Staff) RecordPayment(ctx context.Context, app core.App, invoiceID string, p ManualPayment) (*PaymentResult, error) {
	p.Reference = strings.TrimSpace(p.Reference)
	switch {
	case p.Reference == "":
		return nil, refuse("give the bank transfer's (or cheque's) reference")
	case len(p.Reference) > 255:
		return nil, refuse("the reference is at most 255 characters")
	case p.Amount <= 0:
		return nil, refuse("the amount received must be more than zero")
	}
	amount, err := money.New(p.Amount, p.Currency)
	if err != nil {
		return nil, refuse("amount: %v", err)
	}
	var res PaymentResult
	err = app.RunInTransaction(func(tx core.App) error {
		inv, err := findInvoice(tx, invoiceID)
		if err != nil {
			return err
		}
		if err := sameCurrency(inv, amount.Currency); err != nil {
			return err
		}
		if p.PaidAt.After(clock.Now(tx).Add(24 * time.Hour)) {
			return refuse("the payment date %s is in the future", p.PaidAt.Format(time.DateOnly))
		}
		switch inv.Status() {
		case ledger.StatusOpen, ledger.StatusUncollectible:
		case ledger.StatusDraft:
			return refuse("invoice %s is a draft: issue it before recording a payment", ledger.Label(inv))
		default:
			return refuse("invoice %s is %s: nothing is due on it; add the money as account credit instead", ledger.Label(inv), inv.Status())
		}
		switch existing, err := payments.Find(tx, payments.GatewayManual, p.Reference); {
		case err == nil:
			return refuse("a manual payment with reference %q is recorded already (payment %s)", p.Reference, existing.Id)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		due := inv.AmountDue()
		res.Payment, _, err = payments.ApplyChargeTo(s.ctx(ctx), tx, inv, payments.Charge{
			InvoiceID: inv.Id, Gateway: payments.GatewayManual, GatewayID: p.Reference, Amount: amount, PaidAt: p.PaidAt,
		})
		if errors.Is(err, payments.ErrInvalid) {
			return refuse("%v", err)
		}
		if err != nil {
			return err
		}
		res.Credit = max(amount.Minor-due, 0)
		if res.Invoice, err = findInvoice(tx, inv.Id); err != nil {
			return err
		}
		return s.note(tx, "invoice.payment", res.Invoice, fmt.Sprintf("manual payment %s of %s recorded (%s as credit)", p.Reference, amount, money.Amount{Minor: res.Credit, Currency: amount.Currency}))
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}
