package dunning_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/testutil"
)

var ctx = context.Background()

// fakeCharger answers charges from a script and remembers the requests.
type fakeCharger struct {
	mu       sync.Mutex
	requests []gateway.ChargeRequest
	answer   func(n int) (gateway.ChargeResult, error)
}

func (f *fakeCharger) Charge(_ context.Context, req gateway.ChargeRequest) (gateway.ChargeResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	return f.answer(len(f.requests))
}

func declined(n int) (gateway.ChargeResult, error) {
	return gateway.ChargeResult{GatewayID: fmt.Sprintf("pi_declined_%d", n), Status: gateway.StatusFailed, FailureCode: "insufficient_funds"}, nil
}

type world struct {
	app      core.App
	customer *core.Record
	order    *orders.Result
	due      time.Time
}

// newWorld: an active service whose open invoice of 12.00 USD is due on
// due, and a customer with a saved default card.
func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	c, _ = app.FindRecordById("customers", c.Id)
	c.Set("stripe_customer_id", "cus_123")
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, app, "payment_methods", map[string]any{"customer": c.Id, "gateway": "stripe", "gateway_ref": "pm_card", "is_default": true})
	ordered := time.Date(2026, 3, 3, 6, 0, 0, 0, time.UTC)
	res, err := orders.Place(ctx, app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, ordered)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []*core.Record{res.Subscription, res.Service} {
		fresh, _ := app.FindRecordById(r.Collection().Name, r.Id)
		fresh.Set("status", "active")
		if err := app.Save(fresh); err != nil {
			t.Fatal(err)
		}
	}
	return &world{app: app, customer: c, order: res, due: ordered.AddDate(0, 0, 7)}
}

func (w *world) run(t *testing.T, day int, charger gateway.Charger) []dunning.Action {
	t.Helper()
	var chargers map[string]gateway.Charger
	if charger != nil {
		chargers = stripeCharges(charger)
	}
	actions, err := dunning.Run(w.app, dunning.Options{Now: w.due.AddDate(0, 0, day).Add(time.Hour), Chargers: chargers})
	if err != nil {
		t.Fatalf("day %d: %v", day, err)
	}
	return actions
}

// stripeCharges is the gateways when Stripe, charging with c, is the only
// one that charges saved methods.
func stripeCharges(c gateway.Charger) map[string]gateway.Charger {
	return map[string]gateway.Charger{payments.GatewayStripe: c}
}

func (w *world) count(t *testing.T, collection, filter string) int {
	t.Helper()
	recs, err := w.app.FindRecordsByFilter(collection, filter, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}

func (w *world) status(t *testing.T, collection, id string) string {
	t.Helper()
	rec, err := w.app.FindRecordById(collection, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.GetString("status")
}

func TestFullTimelineToTermination(t *testing.T) {
	w := newWorld(t)
	charger := &fakeCharger{answer: declined}
	steps := func(actions []dunning.Action) (out []string) {
		for _, a := range actions {
			out = append(out, a.Step)
		}
		return out
	}
	timeline := []struct {
		day  int
		want string
	}{
		{-4, "[]"},
		{-3, "[reminder]"},
		{0, "[charge]"},
		{1, "[retry_day_1 overdue_notice]"},
		{2, "[]"},
		{3, "[retry_day_3]"},
		{5, "[retry_day_5]"},
		{7, "[retry_day_7 suspended]"},
		{8, "[]"},
		{21, "[terminated]"},
		{30, "[]"},
	}
	for _, tc := range timeline {
		if got := fmt.Sprint(steps(w.run(t, tc.day, charger))); got != tc.want {
			t.Errorf("day %d: %s, want %s", tc.day, got, tc.want)
		}
		// Running again the same day does nothing more.
		if again := w.run(t, tc.day, charger); len(again) != 0 {
			t.Errorf("day %d repeated: %v", tc.day, again)
		}
	}
	if len(charger.requests) != 5 {
		t.Errorf("%d charges, want 5 (due date + 4 retries)", len(charger.requests))
	}
	keys := map[string]bool{}
	for _, r := range charger.requests {
		keys[r.IdempotencyKey] = true
		if r.InvoiceID != w.order.Invoice.Id || r.PaymentMethodRef != "pm_card" || r.Amount != money.MustNew(1200, "USD") {
			t.Errorf("charge request %+v", r)
		}
	}
	if len(keys) != 5 {
		t.Errorf("idempotency keys must differ per attempt: %v", keys)
	}
	if n := w.count(t, "payments", "status = 'failed' && failure_code = 'insufficient_funds'"); n != 5 {
		t.Errorf("%d failed payments recorded", n)
	}
	if got := w.status(t, "services", w.order.Service.Id); got != "suspended" {
		t.Errorf("service %s", got)
	}
	if w.count(t, "provisioning_jobs", "action = 'suspend'") != 1 || w.count(t, "provisioning_jobs", "action = 'terminate'") != 1 {
		t.Error("want one suspend and one terminate job")
	}
	if got := w.status(t, "subscriptions", w.order.Subscription.Id); got != "cancelled" {
		t.Errorf("subscription %s", got)
	}
	for _, tpl := range []string{"payment_reminder", "payment_failed", "invoice_overdue", "service_suspended"} {
		if w.count(t, "outbox", "template = '"+tpl+"'") == 0 {
			t.Errorf("no %s message", tpl)
		}
	}
	if w.count(t, "outbox", "template = 'payment_failed' && body_text ~ '/billing/invoices/"+w.order.Invoice.Id+"'") == 0 {
		t.Error("the payment-failed notice carries no pay link")
	}
}

func TestPaymentMidwayRestoresService(t *testing.T) {
	w := newWorld(t)
	charger := &fakeCharger{answer: declined}
	for _, day := range []int{0, 1, 3, 5, 7} {
		w.run(t, day, charger)
	}
	if w.status(t, "services", w.order.Service.Id) != "suspended" {
		t.Fatal("not suspended on day 7")
	}
	// The customer pays by bank transfer on day 9.
	err := w.app.RunInTransaction(func(tx core.App) error {
		_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: w.order.Invoice.Id, Gateway: payments.GatewayManual,
			GatewayID: "bank-1", Amount: money.MustNew(1200, "USD")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.count(t, "provisioning_jobs", "action = 'unsuspend'") != 1 || w.status(t, "subscriptions", w.order.Subscription.Id) != "active" {
		t.Error("payment did not queue the unsuspension or reactivate the subscription")
	}
	if actions := w.run(t, 21, charger); len(actions) != 0 {
		t.Errorf("a paid invoice is still chased: %v", actions)
	}
	if w.count(t, "provisioning_jobs", "action = 'terminate'") != 0 {
		t.Error("terminated after payment")
	}
}

func TestRetrySucceeds(t *testing.T) {
	w := newWorld(t)
	charger := &fakeCharger{answer: func(n int) (gateway.ChargeResult, error) {
		if n < 3 {
			return declined(n)
		}
		return gateway.ChargeResult{GatewayID: "pi_ok", Status: gateway.StatusSucceeded}, nil
	}}
	for _, day := range []int{0, 1, 3} {
		w.run(t, day, charger)
	}
	if w.status(t, "invoices", w.order.Invoice.Id) != ledger.StatusPaid {
		t.Fatal("the third charge did not pay the invoice")
	}
	if actions := w.run(t, 7, charger); len(actions) != 0 || len(charger.requests) != 3 {
		t.Errorf("chased after payment: %v, %d charges", actions, len(charger.requests))
	}
}

func TestGatewayDownRetriesNextRun(t *testing.T) {
	w := newWorld(t)
	down := &fakeCharger{answer: func(int) (gateway.ChargeResult, error) { return gateway.ChargeResult{}, errors.New("503 from Stripe") }}
	w.run(t, 0, down)
	if w.count(t, "payments", "") != 0 {
		t.Error("an outage was recorded as a payment")
	}
	up := &fakeCharger{answer: func(int) (gateway.ChargeResult, error) {
		return gateway.ChargeResult{GatewayID: "pi_late", Status: gateway.StatusSucceeded}, nil
	}}
	w.run(t, 0, up)
	if w.status(t, "invoices", w.order.Invoice.Id) != ledger.StatusPaid || up.requests[0].IdempotencyKey != down.requests[0].IdempotencyKey {
		t.Error("the charge after an outage must pay, with the same idempotency key")
	}
}

func TestExemptionsAndDryRun(t *testing.T) {
	w := newWorld(t)
	before := w.count(t, "outbox", "")
	actions, err := dunning.Run(w.app, dunning.Options{Now: w.due.AddDate(0, 0, 8), DryRun: true})
	if err != nil || len(actions) == 0 {
		t.Fatalf("dry run: %v %v", actions, err)
	}
	if w.count(t, "outbox", "") != before || w.status(t, "services", w.order.Service.Id) != "active" {
		t.Error("a dry run changed something")
	}
	w.customer, _ = w.app.FindRecordById("customers", w.customer.Id)
	w.customer.Set("dunning_exempt", true)
	if err := w.app.Save(w.customer); err != nil {
		t.Fatal(err)
	}
	for _, day := range []int{0, 7, 21} {
		w.run(t, day, nil)
	}
	if w.count(t, "provisioning_jobs", "action = 'terminate'") != 0 {
		t.Error("an exempt customer's service was terminated")
	}
	if w.count(t, "outbox", "template = 'payment_due'") != 1 {
		t.Error("without a gateway the customer is asked to pay")
	}
}
