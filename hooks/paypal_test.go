package hooks_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/integrations/paypal/paypalsim"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

// paypalWorld is an app whose PayPal is the simulator.
func paypalWorld(t *testing.T) (*paypalsim.Simulator, string, core.App, *testutil.API) {
	t.Helper()
	sim := paypalsim.New(paypalsim.Options{ClientID: "cid", ClientSecret: "secret", WebhookID: "WH-ID"})
	base, stop := sim.Start()
	t.Cleanup(stop)
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef", "EZ_RATE_LIMITS": "false",
			"PAYPAL_CLIENT_ID": "cid", "PAYPAL_CLIENT_SECRET": "secret", "PAYPAL_WEBHOOK_ID": "WH-ID", "PAYPAL_API_BASE": base}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	return sim, base, app, testutil.NewAPI(t, app)
}

func deliverPayPal(h http.Handler, d paypalsim.Delivery) int {
	req := httptest.NewRequest(http.MethodPost, "/api/webhooks/paypal", bytes.NewReader(d.Body))
	for k, v := range d.Header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestPayPalOneOffPayment(t *testing.T) {
	sim, _, app, api := paypalWorld(t)
	alice := testutil.Customer(t, app, "alice@example.com", "EUR")
	bob := testutil.Customer(t, app, "bob@example.com", "EUR")
	_, price := testutil.Plan(t, app, "vps", "EUR", 1299)
	res := api.Do(http.MethodPost, "/api/orders", testutil.Token(t, alice), map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	invID := res.Object(t)["invoice"].(map[string]any)["id"].(string)

	if r := api.Do(http.MethodPost, "/api/invoices/"+invID+"/paypal", testutil.Token(t, bob), nil); r.Status != http.StatusNotFound {
		t.Errorf("someone else's invoice: %d", r.Status)
	}
	r := api.Do(http.MethodPost, "/api/invoices/"+invID+"/paypal", testutil.Token(t, alice), nil)
	if r.Status != 200 {
		t.Fatalf("checkout: %d %s", r.Status, r.Body)
	}
	orderID := r.Object(t)["order_id"].(string)
	if r.Object(t)["approve_url"] == "" {
		t.Error("no approve link")
	}
	if err := sim.Approve(orderID); err != nil {
		t.Fatal(err)
	}
	r = api.Do(http.MethodPost, "/api/invoices/"+invID+"/paypal/capture", testutil.Token(t, alice), map[string]string{"order_id": orderID})
	if r.Status != 200 {
		t.Fatalf("capture: %d %s", r.Status, r.Body)
	}
	inv, _ := ledger.FindInvoice(app, invID)
	if inv.Status() != ledger.StatusPaid {
		t.Fatalf("invoice %s after capture", inv.Status())
	}
	// Renewals by PayPal Subscriptions: a plan at our price, kept on the price.
	svcID := res.Object(t)["service"].(map[string]any)["id"].(string)
	r = api.Do(http.MethodPost, "/api/services/"+svcID+"/paypal-subscription", testutil.Token(t, alice), nil)
	if r.Status != 200 || r.Object(t)["approve_url"] == "" {
		t.Fatalf("paypal subscription: %d %s", r.Status, r.Body)
	}
	if p, _ := app.FindRecordById("plan_prices", price.Id); p.GetString("paypal_plan_id") == "" {
		t.Error("the PayPal plan id was not kept on the plan price")
	}
	if r := api.Do(http.MethodPost, "/api/services/"+svcID+"/paypal-subscription", testutil.Token(t, bob), nil); r.Status != http.StatusNotFound {
		t.Errorf("someone else's service: %d", r.Status)
	}
	if r := api.Do(http.MethodGet, "/api/payment-options", "", nil); r.Object(t)["paypal"] != true || r.Object(t)["stripe"] != nil || r.Object(t)["sandbox"] != false {
		t.Errorf("payment options: %s", r.Body)
	}

	// The capture's webhook arrives too: verified through PayPal, applied once.
	for _, d := range sim.Events() {
		if code := deliverPayPal(api.Handler(), d); code != 200 {
			t.Errorf("%s delivery: %d", d.Type, code)
		}
	}
	if n, _ := app.CountRecords("payments"); n != 1 {
		t.Errorf("%d payments after capture and its webhook", n)
	}
	// A forged delivery is refused and not stored.
	events := sim.Events()
	forged := events[len(events)-1]
	forged.Body = bytes.Replace(forged.Body, []byte("12.99"), []byte("0.01"), 1)
	before, _ := app.CountRecords("webhook_events")
	if code := deliverPayPal(api.Handler(), forged); code != http.StatusBadRequest {
		t.Errorf("forged delivery: %d", code)
	}
	if after, _ := app.CountRecords("webhook_events"); after != before {
		t.Error("a forged delivery was stored")
	}
}

func TestPayPalSubscriptionSalePaysTheOpenInvoice(t *testing.T) {
	w := newPayPalSubscriptionWorld(t)
	sim, app, api, body, subID := w.sim, w.app, w.api, w.order, w.subID
	alice, invID := w.customer, body["invoice"].(map[string]any)["id"].(string)
	ppSub := w.subscribe(t) // activates and takes the first payment
	sub, _ := app.FindRecordById("subscriptions", subID)
	inv, _ := ledger.FindInvoice(app, invID)
	if sub.GetString("paypal_subscription_id") != ppSub || inv.Status() != ledger.StatusPaid {
		t.Errorf("subscription link %q, invoice %s", sub.GetString("paypal_subscription_id"), inv.Status())
	}
	// A plan change moves the PayPal subscription to the new price: the
	// customer is emailed PayPal's approval link.
	svc, _ := app.FindRecordById("services", body["service"].(map[string]any)["id"].(string))
	svc.Set("status", "active")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	_, cheaper := testutil.Plan(t, app, "vps-small", "USD", 1000)
	if r := api.Do(http.MethodPost, "/api/services/"+svc.Id+"/change-plan", testutil.Token(t, alice), map[string]any{"plan_price": cheaper.Id}); r.Status != 200 {
		t.Fatalf("downgrade: %d %s", r.Status, r.Body)
	}
	if msg, err := app.FindFirstRecordByFilter("outbox", "template = 'paypal_revision'"); err != nil || !strings.Contains(msg.GetString("body_text"), "http") {
		t.Errorf("PayPal revision approval not sent: %v", err)
	}
	if p, _ := app.FindRecordById("plan_prices", cheaper.Id); p.GetString("paypal_plan_id") == "" {
		t.Error("no PayPal plan for the new price")
	}

	// A sale with no open invoice is money staff must place: kept, flagged.
	d, err := sim.CompleteSale(ppSub, money.MustNew(1500, "USD"))
	if err != nil {
		t.Fatal(err)
	}
	if code := deliverPayPal(api.Handler(), d); code != 200 {
		t.Fatalf("second sale: %d", code)
	}
	ev, err := app.FindFirstRecordByFilter("webhook_events", "event_id = {:id}", map[string]any{"id": d.ID})
	if err != nil || ev.GetString("status") != "unmatched" || !ev.GetBool("flagged") {
		t.Errorf("sale without an invoice: %v %v", ev, err)
	}
}

// payPalSubscriptionWorld is a customer's order of a 15.00 USD monthly VPS
// with a PayPal plan at that price, ready to be paid by PayPal
// subscriptions made on the simulator.
type payPalSubscriptionWorld struct {
	sim      *paypalsim.Simulator
	app      core.App
	api      *testutil.API
	customer *core.Record
	order    map[string]any // the order route's answer
	subID    string
	client   *paypal.Client
	planID   string
}

func newPayPalSubscriptionWorld(t *testing.T) *payPalSubscriptionWorld {
	t.Helper()
	sim, base, app, api := paypalWorld(t)
	w := &payPalSubscriptionWorld{sim: sim, app: app, api: api, customer: testutil.Customer(t, app, "alice@example.com", "USD")}
	_, price := testutil.Plan(t, app, "vps", "USD", 1500)
	res := api.Do(http.MethodPost, "/api/orders", testutil.Token(t, w.customer), map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	w.order = res.Object(t)
	w.subID = w.order["subscription"].(map[string]any)["id"].(string)
	var err error
	if w.client, err = paypal.New(paypal.Config{ClientID: "cid", ClientSecret: "secret", WebhookID: "WH-ID", APIBase: base}); err != nil {
		t.Fatal(err)
	}
	w.planID, err = w.client.EnsurePlan(context.Background(), paypal.PlanSpec{PlanPriceID: price.Id, Name: "VPS",
		Amount: money.MustNew(1500, "USD"), IntervalUnit: "MONTH"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// subscribe makes a PayPal subscription of the order's subscription, has
// the customer approve it and delivers PayPal's webhooks; it returns its id.
func (w *payPalSubscriptionWorld) subscribe(t *testing.T) string {
	t.Helper()
	id, _, err := w.client.CreateSubscription(context.Background(), w.planID, w.subID, paypal.SubscriptionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.sim.Approve(id); err != nil {
		t.Fatal(err)
	}
	for _, d := range w.sim.Events() {
		if code := deliverPayPal(w.api.Handler(), d); code != 200 {
			t.Errorf("%s: %d", d.Type, code)
		}
	}
	return id
}
