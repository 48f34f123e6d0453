package hooks_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

const webhookSecret = "whsec_test_secret"

func stripeApp(t testing.TB) (core.App, *testutil.API) {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"EZ_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef", "EZ_RATE_LIMITS": "false",
			"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": webhookSecret}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWith(t, cfg)
	return app, testutil.NewAPI(t, app)
}

func paymentSucceeded(eventID, pi, invoiceID, customerID string, amount int64) []byte {
	return []byte(fmt.Sprintf(`{"id":%q,"object":"event","type":"payment_intent.succeeded","api_version":"2026-03-25.dahlia","created":%d,
"data":{"object":{"id":%q,"object":"payment_intent","amount":%d,"amount_received":%d,"currency":"usd","status":"succeeded",
"metadata":{"invoice_id":%q,"customer_id":%q}}}}`, eventID, time.Now().Unix(), pi, amount, amount, invoiceID, customerID))
}

func deliver(h http.Handler, body []byte, signature string) int {
	req := httptest.NewRequest(http.MethodPost, "/api/webhooks/stripe", bytes.NewReader(body))
	req.Header.Set("Stripe-Signature", signature)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestStripeWebhookPaysOnceUnderFiftyDeliveries(t *testing.T) {
	app, api := stripeApp(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	res := api.Do(http.MethodPost, "/api/orders", testutil.Token(t, alice), map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	invID := res.Object(t)["invoice"].(map[string]any)["id"].(string)
	body := paymentSucceeded("evt_1", "pi_1", invID, alice.Id, 1200)
	sig := stripe.SignPayload(webhookSecret, body, time.Now())

	var wg sync.WaitGroup
	codes := make(chan int, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- deliver(api.Handler(), body, sig)
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 200 {
			t.Errorf("delivery answered %d", c)
		}
	}
	inv, _ := ledger.FindInvoice(app, invID)
	paymentsN, _ := app.CountRecords("payments")
	jobs, _ := app.CountRecords("provisioning_jobs")
	events, _ := app.CountRecords("webhook_events")
	if inv.Status() != ledger.StatusPaid || paymentsN != 1 || jobs != 1 || events != 1 {
		t.Errorf("after 50 deliveries: invoice %s, %d payments, %d jobs, %d events", inv.Status(), paymentsN, jobs, events)
	}
}

func TestStripeWebhookRefusals(t *testing.T) {
	app, api := stripeApp(t)
	body := paymentSucceeded("evt_2", "pi_2", "noinvoice000000", "nocustomer00000", 500)
	good := stripe.SignPayload(webhookSecret, body, time.Now())
	cases := []struct {
		name   string
		body   []byte
		sig    string
		status int
	}{
		{"tampered body", bytes.Replace(body, []byte("500"), []byte("5"), 1), good, 400},
		{"wrong secret", body, stripe.SignPayload("whsec_other", body, time.Now()), 400},
		{"expired signature", body, stripe.SignPayload(webhookSecret, body, time.Now().Add(-6*time.Minute)), 400},
		{"no signature", body, "", 400},
		{"over 1 MiB", append(body, bytes.Repeat([]byte(" "), 1<<20)...), good, 413},
	}
	for _, tc := range cases {
		if got := deliver(api.Handler(), tc.body, tc.sig); got != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.status)
		}
	}
	if n, _ := app.CountRecords("webhook_events"); n != 0 {
		t.Fatalf("refused deliveries stored %d events", n)
	}
	// A genuine event about an invoice we do not know is kept for staff.
	if got := deliver(api.Handler(), body, good); got != 200 {
		t.Fatalf("unknown invoice: %d", got)
	}
	ev, err := app.FindFirstRecordByFilter("webhook_events", "event_id = 'evt_2'")
	if err != nil || ev.GetString("status") != "unmatched" || !ev.GetBool("flagged") {
		t.Errorf("unmatched event: %v %v", ev, err)
	}
	// Not a Stripe app: no route.
	plain := testutil.NewAPI(t, testutil.NewApp(t))
	if got := deliver(plain.Handler(), body, good); got != http.StatusNotFound {
		t.Errorf("webhook route without Stripe configured: %d", got)
	}
}

func TestStaffRefundRoute(t *testing.T) {
	w := newOrderWorld(t)
	inv := placeVPSOrder(t, w)
	res := w.api.Do(http.MethodPost, "/api/collections/payments/records", w.staffTok, map[string]any{
		"customer": w.alice.Id, "invoice": inv["id"], "kind": "charge", "gateway": "manual", "status": "succeeded",
		"amount": 1700, "currency": "USD", "gateway_id": "bank-1",
	})
	if res.Status != 200 {
		t.Fatalf("payment: %d %s", res.Status, res.Body)
	}
	paymentID := res.Object(t)["id"].(string)
	url := "/api/staff/payments/" + paymentID + "/refund"
	if r := w.api.Do(http.MethodPost, url, w.aliceTok, map[string]any{"amount": 100}); r.Status != http.StatusForbidden && r.Status != http.StatusUnauthorized {
		t.Errorf("customer refund: %d", r.Status)
	}
	if r := w.api.Do(http.MethodPost, url, w.staffTok, map[string]any{"amount": 1701, "reason": "x"}); r.Status != 400 || !strings.Contains(string(r.Body), "at most") {
		t.Errorf("over-refund: %d %s", r.Status, r.Body)
	}
	if r := w.api.Do(http.MethodPost, url, w.staffTok, map[string]any{"amount": 700, "reason": "goodwill"}); r.Status != 200 {
		t.Fatalf("refund: %d %s", r.Status, r.Body)
	}
	paid, _ := ledger.FindInvoice(w.app, inv["id"].(string))
	notes, _ := w.app.FindAllRecords("credit_notes")
	if paid.Status() != ledger.StatusPartiallyRefunded || len(notes) != 1 {
		t.Fatalf("after refund: %s, %d credit notes", paid.Status(), len(notes))
	}
	pdfURL := "/api/credit-notes/" + notes[0].Id + "/pdf"
	if r := w.api.Do(http.MethodGet, pdfURL, w.aliceTok, nil); r.Status != 200 || !bytes.HasPrefix(r.Body, []byte("%PDF")) {
		t.Errorf("credit note PDF: %d", r.Status)
	}
	if r := w.api.Do(http.MethodGet, pdfURL, testutil.Token(t, w.bob), nil); r.Status != http.StatusNotFound {
		t.Errorf("someone else's credit note: %d", r.Status)
	}
}

func TestStripeCardRoutesAreTheOwnersOnly(t *testing.T) {
	app, api := stripeApp(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	bob := testutil.Customer(t, app, "bob@example.com", "USD")
	card := testutil.Create(t, app, "payment_methods", map[string]any{"customer": alice.Id, "gateway": "stripe", "gateway_ref": "pm_a", "is_default": true})
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	res := api.Do(http.MethodPost, "/api/orders", testutil.Token(t, alice), map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	invID := res.Object(t)["invoice"].(map[string]any)["id"].(string)
	bobTok := testutil.Token(t, bob)
	for name, tc := range map[string]struct{ method, url string }{
		"delete A's card":       {http.MethodDelete, "/api/payment-methods/" + card.Id},
		"make A's card default": {http.MethodPost, "/api/payment-methods/" + card.Id + "/default"},
		"pay A's invoice":       {http.MethodPost, "/api/invoices/" + invID + "/pay"},
	} {
		if res := api.Do(tc.method, tc.url, bobTok, nil); res.Status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", name, res.Status)
		}
	}
	if _, err := app.FindRecordById("payment_methods", card.Id); err != nil {
		t.Error("A's card is gone")
	}
}
