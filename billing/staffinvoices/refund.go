package staffinvoices

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
)

// Where a refund goes.
const (
	RefundToMethod = "method" // back the way it came: the card, PayPal, or (manual) by the bank, outside the app
	RefundToCredit = "credit" // account credit, for the customer's next invoices
)

// Refund returns part or all of a payment of an invoice, for a reason the
// customer reads on the credit note.
type Refund struct {
	Payment  string `json:"payment"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Reason   string `json:"reason"`
	To       string `json:"to"`
}

// ErrRefundPending is a gateway refund whose answer was not certain: it
// stays reserved and is retried (payments.ErrRefundPending).
var ErrRefundPending = payments.ErrRefundPending

// Refund refunds a charge of invoiceID within what the payments ledger
// allows (paid invoices only, never more than was paid less earlier
// refunds and time already credited). To credit it is one transaction;
// to the method the gateway is asked outside any transaction, the amount
// reserved first (payments.Refund). Either way a credit note records it.
func (s Staff) Refund(ctx context.Context, app core.App, refunders map[string]payments.Refunder, invoiceID string, r Refund) (*core.Record, error) {
	r.Reason = strings.TrimSpace(r.Reason)
	switch {
	case r.To != RefundToMethod && r.To != RefundToCredit:
		return nil, refuse("refund to %q: choose %q (the way it was paid) or %q (account credit)", r.To, RefundToMethod, RefundToCredit)
	case r.Reason == "":
		return nil, refuse("give a reason for the refund: the customer reads it on the credit note")
	case len(r.Reason) > 500:
		return nil, refuse("the reason is at most 500 characters")
	case r.Amount <= 0:
		return nil, refuse("a refund must be more than zero")
	}
	inv, err := findInvoice(app, invoiceID)
	if err != nil {
		return nil, err
	}
	charge, err := payments.FindPayment(app, r.Payment)
	if err != nil || charge.InvoiceID() != inv.Id {
		return nil, fmt.Errorf("payment %q of invoice %s: %w", r.Payment, ledger.Label(inv), ErrNotFound)
	}
	if err := sameCurrency(inv, r.Currency); err != nil {
		return nil, err
	}
	req := payments.RefundRequest{PaymentID: charge.Id, Amount: r.Amount, Reason: r.Reason}
	audited := func(tx core.App, refund *core.Record) error {
		return s.note(tx, "invoice.refund", inv, fmt.Sprintf("refund %s of %s to %s: %s (%s)",
			refund.Id, money.Amount{Minor: r.Amount, Currency: r.Currency}, r.To, r.Reason, payments.AsPayment(refund).Status()))
	}
	var refund *core.Record
	if r.To == RefundToCredit {
		err = app.RunInTransaction(func(tx core.App) error {
			var err error
			if refund, err = payments.RefundToCredit(s.ctx(ctx), tx, req); err != nil {
				return err
			}
			return audited(tx, refund)
		})
	} else {
		// The gateway is called between transactions: the refund's rows
		// are audited as this staff member's through the context, and the
		// action's entry follows the gateway's answer.
		refund, err = payments.Refund(s.ctx(ctx), app, refunders, req)
		if refund != nil && (err == nil || errors.Is(err, payments.ErrRefundPending)) {
			if aerr := audited(app, refund); aerr != nil {
				return refund, aerr
			}
		}
	}
	if errors.Is(err, payments.ErrInvalid) {
		return nil, refuse("%s", strings.TrimPrefix(err.Error(), payments.ErrInvalid.Error()+": "))
	}
	return refund, err
}
