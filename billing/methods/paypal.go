package methods

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/paypal"
)

// PayPalOrders is PayPal's part of a one-off payment.
type PayPalOrders interface {
	CreateOrder(ctx context.Context, req paypal.OrderRequest) (orderID, approveURL string, err error)
	CaptureOrder(ctx context.Context, orderID string) (gateway.ChargeResult, error)
}

// PayPalCheckout starts paying an open invoice with PayPal: the order
// carries our invoice id, and the customer approves it at approveURL.
func PayPalCheckout(ctx context.Context, app core.App, pp PayPalOrders, customer *core.Record, invoiceID, returnURL, cancelURL string) (orderID, approveURL string, err error) {
	inv, err := payable(app, customer, invoiceID)
	if err != nil {
		return "", "", err
	}
	return pp.CreateOrder(ctx, paypal.OrderRequest{
		InvoiceID: inv.Id, CustomerID: customer.Id, Amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()},
		ReturnURL: returnURL, CancelURL: cancelURL,
	})
}

// PayPalCapture captures an approved order and applies it to the invoice.
// The capture webhook applies it too; whichever comes second changes nothing.
func PayPalCapture(ctx context.Context, app core.App, pp PayPalOrders, customer *core.Record, invoiceID, orderID string) (gateway.ChargeResult, error) {
	inv, err := payable(app, customer, invoiceID)
	if err != nil {
		return gateway.ChargeResult{}, err
	}
	res, err := pp.CaptureOrder(ctx, orderID)
	if err != nil || res.Status != gateway.StatusSucceeded {
		return res, err
	}
	return res, app.RunInTransaction(func(tx core.App) error {
		_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayPayPal,
			GatewayID: res.GatewayID, Amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}, PaidAt: time.Now().UTC()})
		return err
	})
}

// payable is an open invoice of the customer with something due.
func payable(app core.App, customer *core.Record, invoiceID string) (*ledger.Invoice, error) {
	inv, err := ledger.FindInvoice(app, invoiceID)
	if err != nil || inv.CustomerID() != customer.Id || inv.Status() == ledger.StatusDraft {
		return nil, ErrNotFound
	}
	if inv.Status() != ledger.StatusOpen || inv.AmountDue() <= 0 {
		return nil, ErrNothingDue
	}
	return inv, nil
}
