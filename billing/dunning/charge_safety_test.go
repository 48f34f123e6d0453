package dunning_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/testutil"
)

// gatewayCharger answers each request with a function of it, and keeps
// every request and every succeeded answer: what the card was charged.
type gatewayCharger struct {
	mu        sync.Mutex
	requests  []gateway.ChargeRequest
	succeeded []string
	answer    func(req gateway.ChargeRequest, n int) (gateway.ChargeResult, error)
}

func (g *gatewayCharger) Charge(_ context.Context, req gateway.ChargeRequest) (gateway.ChargeResult, error) {
	g.mu.Lock()
	g.requests = append(g.requests, req)
	n := len(g.requests)
	g.mu.Unlock()
	res, err := g.answer(req, n)
	if err == nil && res.Status == gateway.StatusSucceeded {
		g.mu.Lock()
		g.succeeded = append(g.succeeded, res.GatewayID)
		g.mu.Unlock()
	}
	return res, err
}

func (g *gatewayCharger) keys() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var keys []string
	for _, r := range g.requests {
		keys = append(keys, r.IdempotencyKey)
	}
	return keys
}

func succeeds(req gateway.ChargeRequest, n int) (gateway.ChargeResult, error) {
	return gateway.ChargeResult{GatewayID: fmt.Sprintf("pi_%s_%d", req.InvoiceID, n), Status: gateway.StatusSucceeded}, nil
}

// inBooks fails the test unless every charge a gateway took is a succeeded
// payments row.
func (w *world) inBooks(t *testing.T, chargers ...*gatewayCharger) {
	t.Helper()
	for _, g := range chargers {
		for _, id := range g.succeeded {
			p, err := payments.Find(w.app, payments.GatewayStripe, id)
			if err != nil || p.GetString("status") != gateway.StatusSucceeded {
				t.Errorf("charge %s taken from the card is not in the books (%v)", id, err)
			}
		}
	}
}

func (w *world) invoice(t *testing.T, id string) *ledger.Invoice {
	t.Helper()
	inv, err := ledger.FindInvoice(w.app, id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

// A customer paying another invoice now while the run is busy with the
// first: the run re-reads the second before charging it, and does not.
func TestPayNowDuringRunIsNotChargedAgain(t *testing.T) {
	w := newWorld(t)
	_, price := testutil.Plan(t, w.app, "game", "USD", 800)
	second, err := orders.Place(ctx, w.app, w.customer, orders.Request{PlanPrice: price.Id}, orders.By{}, w.due.AddDate(0, 0, -7))
	if err != nil {
		t.Fatal(err)
	}
	invoices := map[string]bool{w.order.Invoice.Id: true, second.Invoice.Id: true}
	portal := &gatewayCharger{answer: succeeds}
	var paidByCustomer string
	run := &gatewayCharger{}
	run.answer = func(req gateway.ChargeRequest, n int) (gateway.ChargeResult, error) {
		if n == 1 {
			for id := range invoices {
				if id != req.InvoiceID {
					paidByCustomer = id
					if _, err := methods.PayNow(ctx, w.app, stripeCharges(portal), w.customer, id, ""); err != nil {
						t.Errorf("pay now: %v", err)
					}
				}
			}
		}
		return succeeds(req, n)
	}
	w.run(t, 0, run)
	if paidByCustomer == "" {
		t.Fatal("the run charged nothing")
	}
	for _, r := range run.requests {
		if r.InvoiceID == paidByCustomer {
			t.Errorf("the run charged invoice %s the customer had just paid", paidByCustomer)
		}
	}
	w.inBooks(t, run, portal)
	for id := range invoices {
		if w.invoice(t, id).Status() != ledger.StatusPaid {
			t.Errorf("invoice %s not paid", id)
		}
	}
	if bal, _ := ledger.Balance(w.app, w.customer.Id, "USD"); bal != 0 {
		t.Errorf("credit %d: something was paid twice", bal)
	}
}

// Money that crosses another payment (a bank transfer arriving while the
// card is charged) is in the books as credit, and staff are told.
func TestChargeCrossingAnotherPaymentBecomesCredit(t *testing.T) {
	w := newWorld(t)
	inv := w.order.Invoice.Id
	charger := &gatewayCharger{answer: func(req gateway.ChargeRequest, n int) (gateway.ChargeResult, error) {
		err := w.app.RunInTransaction(func(tx core.App) error {
			_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv, Gateway: payments.GatewayManual,
				GatewayID: "bank-1", Amount: money.MustNew(1200, "USD")})
			return err
		})
		if err != nil {
			t.Error(err)
		}
		return succeeds(req, n)
	}}
	actions := w.run(t, 0, charger)

	w.inBooks(t, charger)
	if n := w.count(t, "payments", "status = 'succeeded' && kind = 'charge'"); n != 2 {
		t.Errorf("%d succeeded payments, want the transfer and the card", n)
	}
	if bal, _ := ledger.Balance(w.app, w.customer.Id, "USD"); bal != 1200 {
		t.Errorf("credit %d, want the card's 1200", bal)
	}
	if w.count(t, "outbox", "channel = 'discord' && template = 'payment_credited' && body_text ~ 'pi_'") != 1 {
		t.Error("staff were not told of the charge kept as credit")
	}
	if len(actions) != 1 || !strings.Contains(actions[0].Detail, "credit") {
		t.Errorf("actions %v", actions)
	}
}

// Dunning and pay now charge an attempt under one key: the attempt an
// outage left unspent is retried by pay now as the same charge.
func TestPayNowUsesDunningsAttemptKey(t *testing.T) {
	w := newWorld(t)
	down := &gatewayCharger{answer: func(gateway.ChargeRequest, int) (gateway.ChargeResult, error) {
		return gateway.ChargeResult{}, errors.New("timeout: the answer was lost")
	}}
	w.run(t, 0, down)
	portal := &gatewayCharger{answer: succeeds}
	if _, err := methods.PayNow(ctx, w.app, stripeCharges(portal), w.customer, w.order.Invoice.Id, ""); err != nil {
		t.Fatal(err)
	}
	if len(down.keys()) != 1 || len(portal.keys()) != 1 || down.keys()[0] != portal.keys()[0] {
		t.Errorf("dunning's key %v, pay now's %v: one attempt, one key", down.keys(), portal.keys())
	}
	// A declined pay now spends its attempt: dunning's next charge is the next attempt.
	w2 := newWorld(t)
	portal2 := &gatewayCharger{answer: func(gateway.ChargeRequest, int) (gateway.ChargeResult, error) {
		return gateway.ChargeResult{GatewayID: "pi_declined", Status: gateway.StatusFailed, FailureCode: "card_declined"}, nil
	}}
	if _, err := methods.PayNow(ctx, w2.app, stripeCharges(portal2), w2.customer, w2.order.Invoice.Id, ""); err != nil {
		t.Fatal(err)
	}
	run := &gatewayCharger{answer: succeeds}
	w2.run(t, 0, run)
	if len(run.keys()) != 1 || run.keys()[0] == portal2.keys()[0] {
		t.Errorf("dunning reused the key of a spent attempt: %v after %v", run.keys(), portal2.keys())
	}
}

// Two runs at once (or a run and a pay now) never charge one attempt twice.
func TestConcurrentRunsChargeOnce(t *testing.T) {
	w := newWorld(t)
	entered, release := make(chan struct{}), make(chan struct{})
	charger := &gatewayCharger{answer: func(req gateway.ChargeRequest, n int) (gateway.ChargeResult, error) {
		if n == 1 {
			close(entered)
			<-release
		}
		return succeeds(req, n)
	}}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if _, err := dunning.Run(w.app, dunning.Options{Now: w.due.Add(time.Hour), Chargers: stripeCharges(charger)}); err != nil {
			t.Error(err)
		}
	}()
	<-entered
	second := w.run(t, 0, charger)
	portal := &gatewayCharger{answer: succeeds}
	_, payErr := methods.PayNow(ctx, w.app, stripeCharges(portal), w.customer, w.order.Invoice.Id, "")
	close(release)
	wg.Wait()

	if len(charger.requests) != 1 || len(portal.requests) != 0 {
		t.Errorf("%d run charges and %d pay-now charges for one attempt", len(charger.requests), len(portal.requests))
	}
	if !errors.Is(payErr, methods.ErrChargeInProgress) {
		t.Errorf("pay now during the run's charge: %v", payErr)
	}
	if len(second) != 1 || second[0].Step != dunning.StepHeld {
		t.Errorf("the second run: %v", second)
	}
	w.inBooks(t, charger)
	if w.invoice(t, w.order.Invoice.Id).Status() != ledger.StatusPaid || w.count(t, "payments", "") != 1 {
		t.Error("the one charge did not pay the invoice exactly once")
	}
}

// A run that died between reserving and recording leaves an in-flight row:
// after the lease the next run takes it over under the same key.
func TestAbandonedChargeIsTakenOverWithItsKey(t *testing.T) {
	w := newWorld(t)
	r, err := payments.ReserveCharge(ctx, w.app, w.order.Invoice.Id, payments.GatewayStripe, "")
	if err != nil {
		t.Fatal(err)
	}
	charger := &gatewayCharger{answer: succeeds}
	if actions := w.run(t, 0, charger); len(charger.requests) != 0 || len(actions) != 1 || actions[0].Step != dunning.StepHeld {
		t.Fatalf("charged an invoice whose charge is in flight: %v", actions)
	}
	stale := time.Now().UTC().Add(-payments.ReservationLease - time.Minute).Format("2006-01-02 15:04:05.000Z")
	if _, err := w.app.DB().NewQuery("UPDATE payments SET updated = {:t} WHERE id = {:id}").
		Bind(map[string]any{"t": stale, "id": r.PaymentID}).Execute(); err != nil {
		t.Fatal(err)
	}
	w.run(t, 0, charger)
	if len(charger.requests) != 1 || charger.requests[0].IdempotencyKey != r.Key() {
		t.Errorf("keys %v, want the abandoned attempt's %s", charger.keys(), r.Key())
	}
	if w.count(t, "payments", "") != 1 || w.invoice(t, w.order.Invoice.Id).GetInt("charge_attempts") != 1 {
		t.Error("the taken-over attempt must stay one row and one attempt")
	}
}

func stripeEvent(id, typ, pi, invoiceID, status, failure string) gateway.Event {
	body := fmt.Sprintf(`{"id":%q,"object":"event","type":%q,"data":{"object":{"id":%q,"object":"payment_intent","amount":1200,
		"currency":"usd","status":%q,"metadata":{"invoice_id":%q}%s}}}`, id, typ, pi, status, invoiceID, failure)
	return gateway.Event{ID: id, Type: typ, Payload: []byte(body)}
}

// A pending (processing) charge holds the timeline until Stripe's webhook
// settles it: succeeded pays, failed lets dunning go on.
func TestPendingChargeHoldsTimeline(t *testing.T) {
	for _, settled := range []string{"payment_intent.succeeded", "payment_intent.payment_failed"} {
		t.Run(settled, func(t *testing.T) {
			w := newWorld(t)
			charger := &gatewayCharger{answer: func(req gateway.ChargeRequest, n int) (gateway.ChargeResult, error) {
				if n == 1 {
					return gateway.ChargeResult{GatewayID: "pi_processing", Status: gateway.StatusPending}, nil
				}
				return gateway.ChargeResult{GatewayID: fmt.Sprintf("pi_declined_%d", n), Status: gateway.StatusFailed, FailureCode: "insufficient_funds"}, nil
			}}
			w.run(t, 0, charger)
			for _, day := range []int{1, 3, 5, 7, 10} {
				actions := w.run(t, day, charger)
				if len(actions) != 1 || actions[0].Step != dunning.StepHeld {
					t.Errorf("day %d while pending: %v", day, actions)
				}
			}
			if len(charger.requests) != 1 || w.count(t, "outbox", "template = 'payment_failed' || template = 'invoice_overdue'") != 0 ||
				w.status(t, "services", w.order.Service.Id) != "active" || w.status(t, "subscriptions", w.order.Subscription.Id) != "active" {
				t.Fatalf("a pending charge was chased: %d charges, service %s", len(charger.requests), w.status(t, "services", w.order.Service.Id))
			}
			if p, err := payments.Find(w.app, payments.GatewayStripe, "pi_processing"); err != nil || p.GetString("status") != gateway.StatusPending {
				t.Fatalf("the pending charge is not recorded as pending: %v", err)
			}

			status, failure := "succeeded", ""
			if settled == "payment_intent.payment_failed" {
				status, failure = "requires_payment_method", `,"last_payment_error":{"code":"card_declined","decline_code":"insufficient_funds","message":"no funds"}`
			}
			ev := stripeEvent("evt_settle", settled, "pi_processing", w.order.Invoice.Id, status, failure)
			if _, err := webhooks.Receive(w.app, "stripe", ev, webhooks.HandleStripe); err != nil {
				t.Fatal(err)
			}
			w.run(t, 11, charger)
			p, _ := payments.Find(w.app, payments.GatewayStripe, "pi_processing")
			inv := w.invoice(t, w.order.Invoice.Id)
			if settled == "payment_intent.succeeded" {
				if p.GetString("status") != gateway.StatusSucceeded || inv.Status() != ledger.StatusPaid || len(charger.requests) != 1 {
					t.Errorf("succeeded webhook: payment %s, invoice %s, %d charges", p.GetString("status"), inv.Status(), len(charger.requests))
				}
				return
			}
			if p.GetString("status") != gateway.StatusFailed || p.GetString("failure_code") != "insufficient_funds" {
				t.Errorf("failed webhook left the payment %s", p.GetString("status"))
			}
			if len(charger.requests) != 2 || w.count(t, "outbox", "template = 'payment_failed'") == 0 ||
				w.status(t, "services", w.order.Service.Id) != "suspended" {
				t.Errorf("dunning did not resume after the failure: %d charges, service %s", len(charger.requests), w.status(t, "services", w.order.Service.Id))
			}
		})
	}
}

// PayPal collects an invoice of a subscription it pays: the card is never
// charged for it; notices and suspension keep to the policy.
func TestPayPalSubscriptionInvoiceIsNotChargedToCard(t *testing.T) {
	linkPayPal := func(w *world, id string) {
		sub, _ := w.app.FindRecordById("subscriptions", w.order.Subscription.Id)
		sub.Set("paypal_subscription_id", id)
		if err := w.app.Save(sub); err != nil {
			t.Fatal(err)
		}
	}
	w := newWorld(t)
	linkPayPal(w, "I-PAYPAL123")
	charger := &gatewayCharger{answer: succeeds}
	for _, day := range []int{-3, 0, 1, 3, 5, 7} {
		w.run(t, day, charger)
	}
	if len(charger.requests) != 0 {
		t.Fatalf("the card was charged %d times for a PayPal subscription's invoice", len(charger.requests))
	}
	if w.count(t, "outbox", "template = 'payment_reminder'") != 1 || w.count(t, "outbox", "template = 'payment_due'") != 0 {
		t.Error("want the reminder, and no request to pay what PayPal collects")
	}
	if w.status(t, "services", w.order.Service.Id) != "suspended" {
		t.Error("an invoice PayPal did not collect is suspended on the policy's day")
	}

	// Cancelled at PayPal (the webhook clears the link): the card takes over at the next retry.
	w = newWorld(t)
	linkPayPal(w, "I-PAYPAL456")
	w.run(t, 0, charger)
	linkPayPal(w, "")
	w.run(t, 1, charger)
	if len(charger.requests) != 1 || w.invoice(t, w.order.Invoice.Id).Status() != ledger.StatusPaid {
		t.Errorf("%d charges once PayPal no longer collects", len(charger.requests))
	}
}
