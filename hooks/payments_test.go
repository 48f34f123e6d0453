package hooks_test

import (
	"net/http"
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/testutil"
)

func placeVPSOrder(t *testing.T, w *orderWorld) map[string]any {
	t.Helper()
	res := w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, map[string]any{
		"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web1", "os": "debian-12"},
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	return res.Object(t)["invoice"].(map[string]any)
}

func TestStaffRecordsABankTransfer(t *testing.T) {
	w := newOrderWorld(t)
	inv := placeVPSOrder(t, w)
	record := func(amount int, currency string) *testutil.Response {
		return w.api.Do(http.MethodPost, "/api/collections/payments/records", w.staffTok, map[string]any{
			"customer": w.alice.Id, "invoice": inv["id"], "kind": "charge", "gateway": "manual", "status": "succeeded",
			"amount": amount, "currency": currency, "gateway_id": "bank-ref-" + currency,
		})
	}
	if res := record(1700, "EUR"); res.Status != http.StatusBadRequest {
		t.Errorf("foreign currency: %d %s", res.Status, res.Body)
	}
	if res := record(1700, "USD"); res.Status != 200 {
		t.Fatalf("bank transfer: %d %s", res.Status, res.Body)
	}
	paid, _ := ledger.FindInvoice(w.app, inv["id"].(string))
	if paid.Status() != ledger.StatusPaid {
		t.Errorf("invoice %s after the transfer", paid.Status())
	}
	// Customers record no payments.
	if res := w.api.Do(http.MethodPost, "/api/collections/payments/records", w.aliceTok, map[string]any{
		"customer": w.alice.Id, "invoice": inv["id"], "kind": "charge", "gateway": "manual", "status": "succeeded", "amount": 1, "currency": "USD",
	}); res.Status != http.StatusForbidden {
		t.Errorf("customer-made payment: %d", res.Status)
	}
}

func TestSandboxPaysOnlyInDevMode(t *testing.T) {
	w := newOrderWorld(t)
	inv := placeVPSOrder(t, w)
	if res := w.api.Do(http.MethodPost, "/api/invoices/"+inv["id"].(string)+"/pay/sandbox", w.aliceTok, nil); res.Status != http.StatusNotFound {
		t.Errorf("sandbox outside dev mode: %d", res.Status)
	}

	cfg, _ := config.FromEnv(func(k string) string { return map[string]string{"EZ_DEV": "1", "EZ_RATE_LIMITS": "false"}[k] })
	app := testutil.NewAppWith(t, cfg)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	bob := testutil.Customer(t, app, "bob@example.com", "USD")
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	api := testutil.NewAPI(t, app)
	res := api.Do(http.MethodPost, "/api/orders", testutil.Token(t, alice), map[string]any{"plan_price": price.Id})
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	body := res.Object(t)
	url := "/api/invoices/" + body["invoice"].(map[string]any)["id"].(string) + "/pay/sandbox"
	if res := api.Do(http.MethodPost, url, testutil.Token(t, bob), nil); res.Status != http.StatusNotFound {
		t.Errorf("someone else's invoice: %d", res.Status)
	}
	if res := api.Do(http.MethodPost, url, testutil.Token(t, alice), nil); res.Status != 200 || res.Object(t)["status"] != "paid" {
		t.Fatalf("sandbox payment: %d %s", res.Status, res.Body)
	}
	if res := api.Do(http.MethodPost, url, testutil.Token(t, alice), nil); res.Status != http.StatusConflict {
		t.Errorf("paying twice: %d", res.Status)
	}
	svc, _ := app.FindRecordById("services", body["service"].(map[string]any)["id"].(string))
	jobs, _ := app.FindAllRecords("provisioning_jobs")
	if svc.GetString("status") != "provisioning" || len(jobs) != 1 {
		t.Errorf("service %s, %d jobs", svc.GetString("status"), len(jobs))
	}
}
