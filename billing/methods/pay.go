package methods

import (
	"context"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/clock"
)

// ErrNothingDue is an invoice with nothing left to pay.
var ErrNothingDue = ledger.ErrNothingDue

// ErrChargeInProgress is an invoice another charge holds (dunning's, or a
// pay now in another tab, in flight or pending at the gateway).
var ErrChargeInProgress = payments.ErrChargeHeld

// PayNow charges what is due on an open invoice of the customer to one of
// their saved methods (the default when methodID is empty), through the
// charger of that method's own gateway (chargers is by gateway name), and
// records the outcome: paid, declined, pending, or waiting for 3-D Secure.
// The attempt is reserved first, like dunning's, and charged under the
// same idempotency key dunning would use for it, so the two never charge
// one invoice at once and a retried attempt is one charge. A method its
// gateway cannot charge answers ErrCannotCharge.
func PayNow(ctx context.Context, app core.App, chargers map[string]gateway.Charger, customer *core.Record, invoiceID, methodID string) (gateway.ChargeResult, error) {
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
	} else if method, err = Default(app, customer.Id); err != nil {
		err = ErrNotFound
	}
	if err != nil {
		return gateway.ChargeResult{}, err
	}
	r, res, err := ChargeSaved(ctx, app, chargers, customers.As(customer), inv, method)
	if err != nil {
		return res, err
	}
	return res, app.RunInTransaction(func(tx core.App) error {
		_, err := payments.SettleCharge(ctx, tx, r, res, clock.Now(app))
		return err
	})
}
