package payments

import (
	"context"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/clock"
)

// GatewayCredit is the gateway of a refund paid into account credit rather
// than back to the card, PayPal or bank: no outside system is asked.
const GatewayCredit = "credit"

// RefundToCredit returns part or all of a charge as account credit, in
// one transaction: the refund row (gateway credit, naming its charge)
// settles at once like a gateway's, so the invoice becomes refunded or
// partially refunded and a credit note documents it, and a credit entry
// (reason refund, naming the invoice) gives the customer the amount to
// spend on their next invoices. The limits are those of Refund.
func RefundToCredit(ctx context.Context, app core.App, req RefundRequest) (*core.Record, error) {
	var refund *Payment
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if refund, _, err = reserveRefund(ctx, tx, req, GatewayCredit); err != nil {
			return err
		}
		if err := Settle(ctx, tx, refund, clock.Now(tx)); err != nil {
			return err
		}
		inv, err := ledger.FindInvoice(tx, refund.InvoiceID())
		if err != nil {
			return err
		}
		_, err = ledger.AddCredit(ctx, tx, ledger.CreditEntry{
			CustomerID: inv.CustomerID(), Currency: refund.Currency(), Amount: refund.Amount(),
			Reason: ledger.CreditRefund, InvoiceID: inv.Id,
			Description: fmt.Sprintf("Refund of invoice %s, as credit", ledger.Label(inv)),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return refund.ProxyRecord(), nil
}
