package methods

import (
	"context"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// ErrCannotCharge is a saved method whose own gateway is not enabled or
// does not charge saved methods: no other gateway may charge it instead.
var ErrCannotCharge = errors.New("this payment method cannot be charged")

// Default is the customer's default saved method, whatever its gateway.
func Default(app core.App, customerID string) (*core.Record, error) {
	return app.FindFirstRecordByFilter(Collection, "customer = {:c} && is_default = true", dbx.Params{"c": customerID})
}

// ChargeSaved charges what inv has due to method, a saved method of
// customer, through the charger of the method's own gateway (chargers is
// by gateway name), and returns the reservation and the gateway's answer
// for the caller to record (payments.SettleCharge). The attempt is
// reserved first and charged under its idempotency key; a gateway that
// could not be reached gives the attempt back. A method its gateway cannot
// charge answers ErrCannotCharge, naming the method, before anything is
// reserved.
func ChargeSaved(ctx context.Context, app core.App, chargers map[string]gateway.Charger, customer *customers.Customer, inv *ledger.Invoice, method *core.Record) (*payments.Reservation, gateway.ChargeResult, error) {
	gw := method.GetString("gateway")
	charger, ok := chargers[gw]
	if !ok {
		return nil, gateway.ChargeResult{}, fmt.Errorf("%w: payment method %s is saved with %s, which is not enabled or does not charge saved methods",
			ErrCannotCharge, method.Id, gw)
	}
	gwCustomer, _ := GatewayCustomer(customer, gw)
	r, err := payments.ReserveCharge(ctx, app, inv.Id, gw, method.Id)
	if err != nil {
		return nil, gateway.ChargeResult{}, err
	}
	res, err := charger.Charge(ctx, gateway.ChargeRequest{
		InvoiceID: inv.Id, CustomerID: customer.Id, GatewayCustomerID: gwCustomer,
		PaymentMethodRef: method.GetString("gateway_ref"), Amount: r.Amount, Description: "Invoice " + ledger.Label(inv),
		IdempotencyKey: r.Key(),
	})
	if err != nil {
		if rerr := payments.ReleaseCharge(ctx, app, r); rerr != nil {
			return nil, res, errors.Join(err, rerr)
		}
		return nil, res, err
	}
	return r, res, nil
}

// GatewayCustomer is who the customer is at gw, and whether gw knows them
// well enough to charge their saved methods: Stripe charges a saved card
// only together with the customer (cus_…) it is saved under; the other
// gateways are told none and need none.
func GatewayCustomer(customer *customers.Customer, gw string) (id string, known bool) {
	if gw != payments.GatewayStripe {
		return "", true
	}
	return customer.StripeCustomerID(), customer.StripeCustomerID() != ""
}
