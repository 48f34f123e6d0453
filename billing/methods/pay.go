package methods

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// Charger charges a saved card off-session.
type Charger interface {
	Charge(ctx context.Context, req gateway.ChargeRequest) (gateway.ChargeResult, error)
}

// ErrNothingDue is an invoice with nothing left to pay.
var ErrNothingDue = ledger.ErrNothingDue

// PayNow charges what is due on an open invoice of the customer with one
// of their saved cards (the default when methodID is empty) and records
// the outcome: paid, declined, or waiting for 3-D Secure.
func PayNow(ctx context.Context, app core.App, charger Charger, customer *core.Record, invoiceID, methodID string) (gateway.ChargeResult, error) {
	inv, err := ledger.FindInvoice(app, invoiceID)
	if err != nil || inv.CustomerID() != customer.Id || inv.Status() == ledger.StatusDraft {
		return gateway.ChargeResult{}, ErrNotFound
	}
	if inv.Status() != ledger.StatusOpen || inv.AmountDue() <= 0 {
		return gateway.ChargeResult{}, ErrNothingDue
	}
	var method *core.Record
	if methodID != "" {
		method, err = Owned(app, customer.Id, methodID)
	} else {
		method, err = app.FindFirstRecordByFilter(Collection, "customer = {:c} && gateway = 'stripe' && is_default = true", dbx.Params{"c": customer.Id})
		if err != nil {
			err = ErrNotFound
		}
	}
	if err != nil {
		return gateway.ChargeResult{}, err
	}
	attempt := inv.GetInt("charge_attempts") + 1
	amount := money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}
	res, err := charger.Charge(ctx, gateway.ChargeRequest{
		InvoiceID: inv.Id, CustomerID: customer.Id, GatewayCustomerID: customer.GetString("stripe_customer_id"),
		PaymentMethodRef: method.GetString("gateway_ref"), Amount: amount, Description: "Invoice " + ledger.Label(inv),
		IdempotencyKey: fmt.Sprintf("invoice:%s:pay:%d", inv.Id, attempt),
	})
	if err != nil {
		return res, err
	}
	return res, app.RunInTransaction(func(tx core.App) error {
		if res.Status == gateway.StatusSucceeded {
			_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayStripe,
				GatewayID: res.GatewayID, Amount: amount, PaymentMethod: method.Id})
			return err
		}
		if _, err := payments.RecordAttempt(ctx, tx, payments.Attempt{InvoiceID: inv.Id, Gateway: payments.GatewayStripe,
			GatewayID: res.GatewayID, Amount: amount, Status: res.Status, FailureCode: res.FailureCode,
			FailureMessage: res.FailureMessage, PaymentMethod: method.Id, Attempt: attempt}); err != nil {
			return err
		}
		fresh, err := ledger.FindInvoice(tx, inv.Id)
		if err != nil {
			return err
		}
		fresh.Set("charge_attempts", attempt)
		return tx.SaveWithContext(ctx, fresh)
	})
}
