package dunning_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/testutil"
)

// Dunning charges the method chosen for a service through that method's
// own gateway and records the payment with its name; a method whose
// gateway does not charge is no charge, for a reason naming it.
func TestChargeGoesThroughTheMethodsGateway(t *testing.T) {
	for _, tc := range []struct {
		name       string
		serviceGW  string // gateway of the method chosen for the service, "" for the default Stripe card
		payPal     bool   // a second gateway, PayPal, charges saved methods
		wantCharge string // the gateway charged, "" for none
	}{
		{name: "default stripe card", payPal: true, wantCharge: payments.GatewayStripe},
		{name: "second gateway's method", serviceGW: payments.GatewayPayPal, payPal: true, wantCharge: payments.GatewayPayPal},
		{name: "method of a gateway that does not charge", serviceGW: payments.GatewayPayPal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			methodID := ""
			if tc.serviceGW != "" {
				m := testutil.Create(t, w.app, "payment_methods", map[string]any{"customer": w.customer.Id, "gateway": tc.serviceGW,
					"gateway_ref": "ref_" + tc.serviceGW})
				methodID = m.Id
				svc, _ := w.app.FindRecordById("services", w.order.Service.Id)
				svc.Set("payment_method", m.Id)
				if err := w.app.Save(svc); err != nil {
					t.Fatal(err)
				}
			}
			chargers := map[string]*fakeCharger{}
			enabled := map[string]gateway.Charger{}
			for _, name := range []string{payments.GatewayStripe, payments.GatewayPayPal} {
				if name == payments.GatewayPayPal && !tc.payPal {
					continue
				}
				chargers[name] = &fakeCharger{answer: func(n int) (gateway.ChargeResult, error) {
					return gateway.ChargeResult{GatewayID: fmt.Sprintf("%s_%d", name, n), Status: gateway.StatusSucceeded}, nil
				}}
				enabled[name] = chargers[name]
			}

			actions, err := dunning.Run(w.app, dunning.Options{Now: w.due.Add(time.Hour), Chargers: enabled})
			if err != nil {
				t.Fatal(err)
			}

			for name, ch := range chargers {
				if asked := len(ch.requests) > 0; asked != (name == tc.wantCharge) {
					t.Errorf("%s asked to charge: %v, want %v", name, asked, name == tc.wantCharge)
				}
			}
			inv := w.invoice(t, w.order.Invoice.Id)
			if tc.wantCharge == "" {
				var detail string
				for _, a := range actions {
					if a.Step == dunning.StepCharge {
						detail = a.Detail
					}
				}
				if !strings.HasPrefix(detail, "no charge: ") || !strings.Contains(detail, methodID) {
					t.Errorf("charge step %q, want no charge naming method %s (actions %v)", detail, methodID, actions)
				}
				if inv.Status() != ledger.StatusOpen {
					t.Errorf("invoice %s, want open", inv.Status())
				}
				return
			}
			ch := chargers[tc.wantCharge]
			if want := "ref_" + tc.serviceGW; tc.serviceGW != "" && ch.requests[0].PaymentMethodRef != want {
				t.Errorf("charged method %q, want %s", ch.requests[0].PaymentMethodRef, want)
			}
			p, err := payments.Find(w.app, tc.wantCharge, tc.wantCharge+"_1")
			if err != nil || p.GetString("status") != gateway.StatusSucceeded {
				t.Fatalf("payment through %s: %v %v", tc.wantCharge, p, err)
			}
			if inv.Status() != ledger.StatusPaid {
				t.Errorf("invoice %s, want paid", inv.Status())
			}
		})
	}
}
