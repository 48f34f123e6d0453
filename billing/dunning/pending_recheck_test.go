package dunning_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// lookupCharger is a gateway whose first charge stays pending and whose
// webhook never comes; asked about it, it says what became of it.
type lookupCharger struct {
	gatewayCharger
	mu      sync.Mutex
	outcome gateway.ChargeResult
	asked   int
}

func (l *lookupCharger) PaymentIntentStatus(_ context.Context, id string) (gateway.ChargeResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asked++
	res := l.outcome
	res.GatewayID = id
	return res, nil
}

// A charge pending for a day whose webhook was lost is looked up at the
// gateway and settled as its webhook would have settled it.
func TestLostWebhookOfAPendingChargeIsLookedUp(t *testing.T) {
	for _, outcome := range []gateway.ChargeResult{
		{Status: gateway.StatusSucceeded},
		{Status: gateway.StatusFailed, FailureCode: "insufficient_funds"},
		{Status: gateway.StatusPending},
	} {
		t.Run(outcome.Status, func(t *testing.T) {
			w := newWorld(t)
			charger := &lookupCharger{outcome: outcome}
			charger.answer = func(req gateway.ChargeRequest, n int) (gateway.ChargeResult, error) {
				if n == 1 {
					return gateway.ChargeResult{GatewayID: "pi_lost_webhook", Status: gateway.StatusPending}, nil
				}
				return gateway.ChargeResult{GatewayID: fmt.Sprintf("pi_declined_%d", n), Status: gateway.StatusFailed, FailureCode: "card_declined"}, nil
			}
			w.run(t, 0, charger)
			if actions := w.run(t, 0, charger); len(actions) != 0 || charger.asked != 0 {
				t.Fatalf("the same day: %v, gateway asked %d times; want nothing done, nothing asked", actions, charger.asked)
			}
			actions := w.run(t, 1, charger)
			if charger.asked != 1 {
				t.Fatalf("a day later the gateway was asked %d times, want 1", charger.asked)
			}
			p, _ := payments.Find(w.app, payments.GatewayStripe, "pi_lost_webhook")
			inv := w.invoice(t, w.order.Invoice.Id)
			switch outcome.Status {
			case gateway.StatusSucceeded:
				if actions[0].Step != dunning.StepRechecked || p.GetString("status") != gateway.StatusSucceeded || inv.Status() != ledger.StatusPaid {
					t.Errorf("succeeded at the gateway: %v, payment %s, invoice %s", actions, p.GetString("status"), inv.Status())
				}
			case gateway.StatusFailed:
				if actions[0].Step != dunning.StepRechecked || p.GetString("status") != gateway.StatusFailed {
					t.Errorf("failed at the gateway: %v, payment %s", actions, p.GetString("status"))
				}
				w.run(t, 3, charger)
				if len(charger.requests) != 2 {
					t.Errorf("the chase did not go on after the failure: %d charges", len(charger.requests))
				}
			default:
				if actions[0].Step != dunning.StepHeld || p.GetString("status") != gateway.StatusPending || len(charger.requests) != 1 {
					t.Errorf("still pending at the gateway: %v, payment %s, %d charges", actions, p.GetString("status"), len(charger.requests))
				}
			}
		})
	}
}
