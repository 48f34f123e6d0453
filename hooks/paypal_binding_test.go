package hooks_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/integrations/paypal/paypalsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// orderPlan orders a fresh plan at amount as customer and returns the
// issued invoice and the service it pays for.
func orderPlan(t *testing.T, app core.App, api *testutil.API, customer *core.Record, slug, currency string, amount int64) (invoiceID, serviceID string) {
	t.Helper()
	_, price := testutil.Plan(t, app, slug, currency, amount)
	res := api.Do(http.MethodPost, "/api/orders", testutil.Token(t, customer), map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order %s: %d %s", slug, res.Status, res.Body)
	}
	body := res.Object(t)
	return body["invoice"].(map[string]any)["id"].(string), body["service"].(map[string]any)["id"].(string)
}

// approvedPayPalOrder starts paying an invoice with PayPal as customer and
// approves the order the way the buyer does on PayPal's page.
func approvedPayPalOrder(t *testing.T, sim *paypalsim.Simulator, api *testutil.API, customer *core.Record, invoiceID string) string {
	t.Helper()
	res := api.Do(http.MethodPost, "/api/invoices/"+invoiceID+"/paypal", testutil.Token(t, customer), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("checkout of %s: %d %s", invoiceID, res.Status, res.Body)
	}
	orderID := res.Object(t)["order_id"].(string)
	if err := sim.Approve(orderID); err != nil {
		t.Fatal(err)
	}
	return orderID
}

func capturePayPal(t *testing.T, api *testutil.API, customer *core.Record, invoiceID, orderID string) *testutil.Response {
	t.Helper()
	return api.Do(http.MethodPost, "/api/invoices/"+invoiceID+"/paypal/capture", testutil.Token(t, customer), map[string]string{"order_id": orderID})
}

// paypalCapture is the capture PayPal reports for an order, from its
// PAYMENT.CAPTURE.COMPLETED event: what PayPal took, not what we booked.
func paypalCapture(t *testing.T, sim *paypalsim.Simulator, orderID string) *paypal.Payment {
	t.Helper()
	for _, d := range sim.Events() {
		if d.Type != paypal.EventCaptureCompleted {
			continue
		}
		ev, err := paypal.ParseEvent(d.Body)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Payment.OrderID == orderID {
			return ev.Payment
		}
	}
	t.Fatalf("PayPal captured nothing for order %s", orderID)
	return nil
}

// assertUnpaid checks that an invoice is untouched by a refused capture:
// still open for its whole total, no payment, nothing provisioned.
func assertUnpaid(t *testing.T, app core.App, invoiceID, serviceID string) {
	t.Helper()
	inv, err := ledger.FindInvoice(app, invoiceID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Status() != ledger.StatusOpen || inv.GetInt64("amount_paid") != 0 || inv.AmountDue() != inv.Total() {
		t.Errorf("invoice %s: %s, paid %d, due %d of %d", invoiceID, inv.Status(), inv.GetInt64("amount_paid"), inv.AmountDue(), inv.Total())
	}
	if n, _ := app.CountRecords("payments", dbx.HashExp{"invoice": invoiceID}); n != 0 {
		t.Errorf("%d payments on invoice %s", n, invoiceID)
	}
	if n, _ := app.CountRecords("provisioning_jobs", dbx.HashExp{"service": serviceID}); n != 0 {
		t.Errorf("%d provisioning jobs for service %s", n, serviceID)
	}
	if svc, _ := app.FindRecordById("services", serviceID); svc.GetString("status") != "pending" {
		t.Errorf("service %s is %s", serviceID, svc.GetString("status"))
	}
}

// TestPayPalCaptureRefusesAnotherInvoicesOrder is issue 15: the order of a
// 4.00 invoice captured against a 128.00 one paid and provisioned it.
func TestPayPalCaptureRefusesAnotherInvoicesOrder(t *testing.T) {
	sim, _, app, api := paypalWorld(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	cheap, cheapSvc := orderPlan(t, app, api, alice, "vps-tiny", "USD", 400)
	dedicated, dedicatedSvc := orderPlan(t, app, api, alice, "dedi-big", "USD", 12800)
	orderID := approvedPayPalOrder(t, sim, api, alice, cheap)

	if r := capturePayPal(t, api, alice, dedicated, orderID); r.Status != http.StatusConflict {
		t.Fatalf("cheap order against the dedicated server's invoice: %d %s", r.Status, r.Body)
	}
	if n := sim.Stats().Captures; n != 0 {
		t.Fatalf("PayPal captured %d times for a refused capture", n)
	}
	assertUnpaid(t, app, dedicated, dedicatedSvc)
	assertUnpaid(t, app, cheap, cheapSvc)

	// The order still pays its own invoice, with what PayPal captured.
	if r := capturePayPal(t, api, alice, cheap, orderID); r.Status != http.StatusOK || r.Object(t)["status"] != "succeeded" {
		t.Fatalf("capture against its own invoice: %d %s", r.Status, r.Body)
	}
	captured := paypalCapture(t, sim, orderID)
	pay, err := app.FindFirstRecordByFilter("payments", "gateway = 'paypal' && gateway_id = {:id}", map[string]any{"id": captured.ID})
	if err != nil || pay.GetString("invoice") != cheap || pay.GetInt64("amount") != captured.Amount.Minor {
		t.Fatalf("payment of capture %s (%s): %v %v", captured.ID, captured.Amount, pay, err)
	}
	if inv, _ := ledger.FindInvoice(app, cheap); inv.Status() != ledger.StatusPaid {
		t.Errorf("the cheap invoice is %s", inv.Status())
	}
	assertUnpaid(t, app, dedicated, dedicatedSvc)
}

// TestPayPalCaptureRefusesAnotherCustomersOrder: an approved order is
// bound to its customer and invoice; bad order ids are refused clearly.
func TestPayPalCaptureRefusesAnotherCustomersOrder(t *testing.T) {
	sim, base, app, api := paypalWorld(t)
	alice := testutil.Customer(t, app, "alice@example.com", "EUR")
	bob := testutil.Customer(t, app, "bob@example.com", "EUR")
	aliceInv, _ := orderPlan(t, app, api, alice, "vps-a", "EUR", 1500)
	bobInv, bobSvc := orderPlan(t, app, api, bob, "vps-b", "EUR", 1500)
	aliceOrder := approvedPayPalOrder(t, sim, api, alice, aliceInv)

	// An order naming bob's invoice but made for alice (only PayPal's API
	// can make one: our checkout names the invoice's owner).
	client, err := paypal.New(paypal.Config{ClientID: "cid", ClientSecret: "secret", WebhookID: "WH-ID", APIBase: base})
	if err != nil {
		t.Fatal(err)
	}
	forged, _, err := client.CreateOrder(context.Background(), paypal.OrderRequest{InvoiceID: bobInv, CustomerID: alice.Id, Amount: money.MustNew(1500, "EUR")})
	if err != nil {
		t.Fatal(err)
	}
	if err := sim.Approve(forged); err != nil {
		t.Fatal(err)
	}

	// bob's own order, not approved at PayPal.
	r := api.Do(http.MethodPost, "/api/invoices/"+bobInv+"/paypal", testutil.Token(t, bob), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("checkout: %d %s", r.Status, r.Body)
	}
	unapproved := r.Object(t)["order_id"].(string)

	tests := []struct {
		name      string
		who       *core.Record
		invoiceID string
		body      map[string]string
		want      int
	}{
		{"alice's order against bob's invoice", bob, bobInv, map[string]string{"order_id": aliceOrder}, http.StatusConflict},
		{"an order for bob's invoice made for alice", bob, bobInv, map[string]string{"order_id": forged}, http.StatusConflict},
		{"bob capturing on alice's invoice", bob, aliceInv, map[string]string{"order_id": aliceOrder}, http.StatusNotFound},
		{"an order PayPal does not know", bob, bobInv, map[string]string{"order_id": "5O190127TN364715T"}, http.StatusNotFound},
		{"an id that is no order id", bob, bobInv, map[string]string{"order_id": "../../../v1/billing/plans"}, http.StatusNotFound},
		{"no order", bob, bobInv, map[string]string{"order_id": ""}, http.StatusBadRequest},
		{"bob's order before he approved it", bob, bobInv, map[string]string{"order_id": unapproved}, http.StatusConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := api.Do(http.MethodPost, "/api/invoices/"+tt.invoiceID+"/paypal/capture", testutil.Token(t, tt.who), tt.body)
			if r.Status != tt.want {
				t.Fatalf("%d %s, want %d", r.Status, r.Body, tt.want)
			}
			if msg, _ := r.Object(t)["message"].(string); msg == "" {
				t.Errorf("refusal without a message: %s", r.Body)
			}
		})
	}
	if n := sim.Stats().Captures; n != 0 {
		t.Fatalf("PayPal captured %d times for refused captures", n)
	}
	assertUnpaid(t, app, bobInv, bobSvc)
	if n, _ := app.CountRecords("payments"); n != 0 {
		t.Errorf("%d payments after refused captures", n)
	}
}

// TestPayPalCaptureBooksWhatPayPalCaptured: the order is the amount due
// when it was made; what PayPal captured is booked, whatever is due at
// capture time, so the ledger stays exact.
func TestPayPalCaptureBooksWhatPayPalCaptured(t *testing.T) {
	// Booked by the capture route, or by the capture's webhook when the
	// route's answer from PayPal was lost.
	for _, byWebhook := range []bool{false, true} {
		t.Run(fmt.Sprintf("credit applied between order and capture becomes credit again (webhook %v)", byWebhook), func(t *testing.T) {
			sim, _, app, api := paypalWorld(t)
			alice := testutil.Customer(t, app, "alice@example.com", "EUR")
			invID, _ := orderPlan(t, app, api, alice, "vps", "EUR", 1299)
			orderID := approvedPayPalOrder(t, sim, api, alice, invID)

			if _, err := ledger.AddCredit(context.Background(), app, ledger.CreditEntry{CustomerID: alice.Id, Currency: "EUR", Amount: 500,
				Reason: ledger.CreditManual, Description: "goodwill"}); err != nil {
				t.Fatal(err)
			}
			if r := api.Do(http.MethodPost, "/api/invoices/"+invID+"/pay/credit", testutil.Token(t, alice), nil); r.Status != http.StatusOK {
				t.Fatalf("pay with credit: %d %s", r.Status, r.Body)
			}
			if byWebhook {
				sim.DropNextResponse()
				if r := capturePayPal(t, api, alice, invID, orderID); r.Status != http.StatusBadGateway {
					t.Fatalf("capture with its answer lost: %d %s", r.Status, r.Body)
				}
				for _, d := range sim.Events() {
					if code := deliverPayPal(api.Handler(), d); code != http.StatusOK {
						t.Fatalf("%s delivery: %d", d.Type, code)
					}
				}
			} else if r := capturePayPal(t, api, alice, invID, orderID); r.Status != http.StatusOK {
				t.Fatalf("capture: %d %s", r.Status, r.Body)
			}
			captured := paypalCapture(t, sim, orderID)
			inv, _ := ledger.FindInvoice(app, invID)
			pays, _ := app.FindAllRecords("payments")
			if len(pays) != 1 || pays[0].GetInt64("amount") != captured.Amount.Minor || pays[0].GetString("currency") != captured.Amount.Currency {
				t.Fatalf("payments %v; PayPal captured %s", pays, captured.Amount)
			}
			if inv.Status() != ledger.StatusPaid || inv.GetInt64("amount_paid")+inv.GetInt64("credit_applied") != inv.Total() {
				t.Errorf("invoice %s: paid %d + credit %d of %d", inv.Status(), inv.GetInt64("amount_paid"), inv.GetInt64("credit_applied"), inv.Total())
			}
			// Every cent PayPal took is on the invoice or back in credit.
			balance, _ := ledger.Balance(app, alice.Id, "EUR")
			if over := captured.Amount.Minor - inv.GetInt64("amount_paid"); balance != over || over <= 0 {
				t.Errorf("credit balance %d, want the %d captured beyond what was due", balance, over)
			}
		})
	}
	t.Run("less than due leaves the rest due", func(t *testing.T) {
		sim, base, app, api := paypalWorld(t)
		alice := testutil.Customer(t, app, "alice@example.com", "EUR")
		invID, svcID := orderPlan(t, app, api, alice, "vps", "EUR", 1299)
		client, err := paypal.New(paypal.Config{ClientID: "cid", ClientSecret: "secret", WebhookID: "WH-ID", APIBase: base})
		if err != nil {
			t.Fatal(err)
		}
		orderID, _, err := client.CreateOrder(context.Background(), paypal.OrderRequest{InvoiceID: invID, CustomerID: alice.Id, Amount: money.MustNew(500, "EUR")})
		if err != nil {
			t.Fatal(err)
		}
		if err := sim.Approve(orderID); err != nil {
			t.Fatal(err)
		}
		if r := capturePayPal(t, api, alice, invID, orderID); r.Status != http.StatusOK {
			t.Fatalf("capture: %d %s", r.Status, r.Body)
		}
		captured := paypalCapture(t, sim, orderID)
		inv, _ := ledger.FindInvoice(app, invID)
		if inv.Status() != ledger.StatusOpen || inv.GetInt64("amount_paid") != captured.Amount.Minor || inv.AmountDue() != inv.Total()-captured.Amount.Minor {
			t.Errorf("invoice %s: paid %d, due %d of %d after capturing %s", inv.Status(), inv.GetInt64("amount_paid"), inv.AmountDue(), inv.Total(), captured.Amount)
		}
		if n, _ := app.CountRecords("provisioning_jobs", dbx.HashExp{"service": svcID}); n != 0 {
			t.Errorf("a part-paid order provisioned: %d jobs", n)
		}
	})
}

// TestPayPalCaptureOnce: a second capture of an order, a retry after a
// lost answer and the capture's webhook all record the one capture once.
func TestPayPalCaptureOnce(t *testing.T) {
	tests := []struct {
		name string
		// loseAnswer drops the capture's answer after PayPal took the money;
		// webhookFirst delivers PayPal's events before the customer retries.
		loseAnswer, webhookFirst bool
	}{
		{"captured twice", false, false},
		{"answer lost, retried", true, false},
		{"answer lost, webhook first", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, _, app, api := paypalWorld(t)
			alice := testutil.Customer(t, app, "alice@example.com", "USD")
			invID, _ := orderPlan(t, app, api, alice, "vps", "USD", 2500)
			orderID := approvedPayPalOrder(t, sim, api, alice, invID)

			if tt.loseAnswer {
				sim.DropNextResponse()
				if r := capturePayPal(t, api, alice, invID, orderID); r.Status != http.StatusBadGateway {
					t.Fatalf("capture with its answer lost: %d %s", r.Status, r.Body)
				}
				if n, _ := app.CountRecords("payments"); n != 0 {
					t.Fatalf("%d payments recorded without PayPal's answer", n)
				}
			} else if r := capturePayPal(t, api, alice, invID, orderID); r.Status != http.StatusOK {
				t.Fatalf("capture: %d %s", r.Status, r.Body)
			}
			if tt.webhookFirst {
				for _, d := range sim.Events() {
					if code := deliverPayPal(api.Handler(), d); code != http.StatusOK {
						t.Fatalf("%s delivery: %d", d.Type, code)
					}
				}
			}
			sim.ForgetRequestIDs() // a later retry meets the captured order, not the replayed answer
			for range 2 {
				if r := capturePayPal(t, api, alice, invID, orderID); r.Status != http.StatusOK || r.Object(t)["status"] != "succeeded" {
					t.Fatalf("capture again: %d %s", r.Status, r.Body)
				}
			}
			for _, d := range sim.Events() {
				if code := deliverPayPal(api.Handler(), d); code != http.StatusOK {
					t.Fatalf("%s delivery: %d", d.Type, code)
				}
			}

			captured := paypalCapture(t, sim, orderID)
			if n := sim.Stats().Captures; n != 1 {
				t.Fatalf("PayPal captured %d times", n)
			}
			pays, _ := app.FindAllRecords("payments")
			if len(pays) != 1 || pays[0].GetString("gateway_id") != captured.ID || pays[0].GetInt64("amount") != captured.Amount.Minor {
				t.Fatalf("payments %v; want capture %s of %s once", pays, captured.ID, captured.Amount)
			}
			inv, _ := ledger.FindInvoice(app, invID)
			balance, _ := ledger.Balance(app, alice.Id, "USD")
			if inv.Status() != ledger.StatusPaid || inv.GetInt64("amount_paid") != captured.Amount.Minor || balance != 0 {
				t.Errorf("invoice %s, paid %d, credit %d", inv.Status(), inv.GetInt64("amount_paid"), balance)
			}
		})
	}
}

// TestPayPalCaptureNothingDue: an approved order of an invoice paid
// meanwhile is not captured: PayPal would take money nothing asks for.
func TestPayPalCaptureNothingDue(t *testing.T) {
	sim, _, app, api := paypalWorld(t)
	alice := testutil.Customer(t, app, "alice@example.com", "GBP")
	invID, _ := orderPlan(t, app, api, alice, "vps", "GBP", 900)
	orderID := approvedPayPalOrder(t, sim, api, alice, invID)
	if _, err := ledger.AddCredit(context.Background(), app, ledger.CreditEntry{CustomerID: alice.Id, Currency: "GBP", Amount: 5000,
		Reason: ledger.CreditManual, Description: "goodwill"}); err != nil {
		t.Fatal(err)
	}
	if r := api.Do(http.MethodPost, "/api/invoices/"+invID+"/pay/credit", testutil.Token(t, alice), nil); r.Status != http.StatusOK {
		t.Fatalf("pay with credit: %d %s", r.Status, r.Body)
	}
	if r := capturePayPal(t, api, alice, invID, orderID); r.Status != http.StatusConflict {
		t.Fatalf("capture of a paid invoice's order: %d %s", r.Status, r.Body)
	}
	if n := sim.Stats().Captures; n != 0 {
		t.Fatalf("PayPal captured %d times for a paid invoice", n)
	}
	if n, _ := app.CountRecords("payments"); n != 0 {
		t.Errorf("%d payments", n)
	}
}
