package methods_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/testutil"
)

// recordingCharger is a gateway that charges saved methods and keeps what
// it was asked.
type recordingCharger struct {
	id   string // the gateway id of its charges
	asks []gateway.ChargeRequest
}

func (r *recordingCharger) Charge(_ context.Context, req gateway.ChargeRequest) (gateway.ChargeResult, error) {
	r.asks = append(r.asks, req)
	return gateway.ChargeResult{GatewayID: r.id, Status: gateway.StatusSucceeded}, nil
}

// A saved method is charged through its own gateway and its payment is
// recorded with that gateway's name; a method whose gateway does not
// charge is refused by name, never charged through another gateway.
func TestPayNowChargesThroughTheMethodsGateway(t *testing.T) {
	for _, tc := range []struct {
		name       string
		gateway    string // of the saved method
		byDefault  bool   // pay with the default instead of naming the method
		payPal     bool   // a second gateway, PayPal, charges saved methods
		wantCharge string // the gateway charged, "" for none
	}{
		{name: "stripe card", gateway: payments.GatewayStripe, payPal: true, wantCharge: payments.GatewayStripe},
		{name: "second gateway's method", gateway: payments.GatewayPayPal, payPal: true, wantCharge: payments.GatewayPayPal},
		{name: "second gateway's default method", gateway: payments.GatewayPayPal, byDefault: true, payPal: true, wantCharge: payments.GatewayPayPal},
		{name: "method of a gateway that does not charge", gateway: payments.GatewayPayPal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			c := testutil.Customer(t, app, "a@example.com", "USD")
			c, _ = app.FindRecordById("customers", c.Id)
			c.Set("stripe_customer_id", "cus_1")
			if err := app.Save(c); err != nil {
				t.Fatal(err)
			}
			_, price := testutil.Plan(t, app, "vps", "USD", 1200)
			res, err := orders.Place(ctx, app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
			if err != nil {
				t.Fatal(err)
			}
			method := testutil.Create(t, app, methods.Collection, map[string]any{"customer": c.Id, "gateway": tc.gateway,
				"gateway_ref": "ref_" + tc.gateway, "is_default": tc.byDefault})
			chargers := map[string]*recordingCharger{payments.GatewayStripe: {id: "pi_1"}}
			if tc.payPal {
				chargers[payments.GatewayPayPal] = &recordingCharger{id: "CAP-1"}
			}
			enabled := map[string]gateway.Charger{}
			for name, ch := range chargers {
				enabled[name] = ch
			}
			methodID := method.Id
			if tc.byDefault {
				methodID = ""
			}

			_, err = methods.PayNow(ctx, app, enabled, c, res.Invoice.Id, methodID)

			for name, ch := range chargers {
				if asked := len(ch.asks) > 0; asked != (name == tc.wantCharge) {
					t.Errorf("%s asked to charge: %v, want %v", name, asked, name == tc.wantCharge)
				}
			}
			inv, _ := ledger.FindInvoice(app, res.Invoice.Id)
			if tc.wantCharge == "" {
				if !errors.Is(err, methods.ErrCannotCharge) || !strings.Contains(err.Error(), method.Id) {
					t.Fatalf("err = %v, want ErrCannotCharge naming method %s", err, method.Id)
				}
				if n, _ := app.CountRecords(payments.Collection); n != 0 || inv.Status() != ledger.StatusOpen {
					t.Errorf("%d payments, invoice %s: want none and open", n, inv.Status())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ch := chargers[tc.wantCharge]
			if ref := ch.asks[0].PaymentMethodRef; ref != "ref_"+tc.gateway {
				t.Errorf("charged method %q, want ref_%s", ref, tc.gateway)
			}
			p, err := payments.Find(app, tc.wantCharge, ch.id)
			if err != nil || p.GetString("status") != gateway.StatusSucceeded || p.GetString("payment_method") != method.Id {
				t.Fatalf("payment through %s: %v %v", tc.wantCharge, p, err)
			}
			if inv.Status() != ledger.StatusPaid {
				t.Errorf("invoice %s, want paid", inv.Status())
			}
		})
	}
}
