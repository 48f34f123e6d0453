package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/testutil"
)

// Staff make and fix invoices in the dashboard: every edit of a line
// updates the invoice, issuing numbers it, and a paid one stays as it is.
func TestStaffEditInvoicesInTheDashboard(t *testing.T) {
	w := newOrderWorld(t)
	testutil.Create(t, w.app, "tax_rates", map[string]any{"name": "Sales tax", "country": "US", "rate": 10000, "active": true})
	alice, _ := w.app.FindRecordById("customers", w.alice.Id)
	alice.Set("country", "US")
	if err := w.app.Save(alice); err != nil {
		t.Fatal(err)
	}
	api, tok := w.api, w.staffTok

	res := api.Do(http.MethodPost, "/api/collections/invoices/records", tok, map[string]any{"customer": w.alice.Id})
	if res.Status != 200 {
		t.Fatalf("create draft: %d %s", res.Status, res.Body)
	}
	inv := res.Object(t)
	if inv["status"] != "draft" || inv["currency"] != "USD" {
		t.Fatalf("hand-made invoice: %v", inv)
	}
	id := inv["id"].(string)
	line := func(qty, unit int) *testutil.Response {
		return api.Do(http.MethodPost, "/api/collections/invoice_items/records", tok, map[string]any{
			"invoice": id, "customer": w.alice.Id, "kind": "adjustment", "description": "Migration work", "quantity": qty, "unit_amount": unit,
		})
	}
	if res := line(3, 2500); res.Status != 200 {
		t.Fatalf("add line: %d %s", res.Status, res.Body)
	}
	item := line(1, 1000).Object(t)
	if got := reloadInvoice(t, w, id); got.Total() != 9350 || got.GetInt64("tax_total") != 850 {
		t.Errorf("after two lines: total %d tax %d, want 9350 and 850", got.Total(), got.GetInt64("tax_total"))
	}

	for name, qty := range map[string]int{"negative quantity": -1, "zero quantity": 0} {
		if res := line(qty, 1000); res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
	}

	res = api.Do(http.MethodPatch, "/api/collections/invoice_items/records/"+item["id"].(string), tok, map[string]any{"quantity": 2})
	if res.Status != 200 {
		t.Fatalf("edit line: %d %s", res.Status, res.Body)
	}
	if got := reloadInvoice(t, w, id); got.Total() != 10450 {
		t.Errorf("after the edit: total %d, want 10450", got.Total())
	}

	res = api.Do(http.MethodPatch, "/api/collections/invoices/records/"+id, tok, map[string]any{"status": "open"})
	if res.Status != 200 || !strings.HasPrefix(res.Object(t)["number"].(string), "INV-") {
		t.Fatalf("issue: %d %s", res.Status, res.Body)
	}
	// Paid comes from money: marking it by hand is refused, as is setting
	// any figure the ledger keeps; a manual payment of what is due pays it.
	for name, body := range map[string]map[string]any{
		"mark paid":         {"status": "paid"},
		"set amount paid":   {"amount_paid": 10450},
		"set the total":     {"total": 1},
		"renumber":          {"number": "INV-X"},
		"refunded by hand":  {"status": "refunded"},
		"backdate the paid": {"paid_at": "2020-01-01 00:00:00.000Z"},
	} {
		res = api.Do(http.MethodPatch, "/api/collections/invoices/records/"+id, tok, body)
		if res.Status != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, res.Status, res.Body)
		}
	}
	if got := reloadInvoice(t, w, id); got.Status() != ledger.StatusOpen || got.GetInt64("amount_paid") != 0 || got.Total() != 10450 {
		t.Fatalf("refused edits changed the invoice: %s paid %d total %d", got.Status(), got.GetInt64("amount_paid"), got.Total())
	}
	res = api.Do(http.MethodPost, "/api/collections/payments/records", tok, map[string]any{
		"customer": w.alice.Id, "invoice": id, "kind": "charge", "gateway": "manual", "status": "succeeded", "amount": 10450, "currency": "USD",
	})
	if res.Status != 200 {
		t.Fatalf("manual payment: %d %s", res.Status, res.Body)
	}

	res = api.Do(http.MethodPatch, "/api/collections/invoice_items/records/"+item["id"].(string), tok, map[string]any{"quantity": 5})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "cannot change") {
		t.Errorf("editing a paid invoice's line: %d %s", res.Status, res.Body)
	}
	res = api.Do(http.MethodPatch, "/api/collections/invoices/records/"+id, tok, map[string]any{"status": "open"})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "cannot go from paid to open") {
		t.Errorf("paid back to open: %d %s", res.Status, res.Body)
	}
	if got := reloadInvoice(t, w, id); got.Total() != 10450 || got.Status() != ledger.StatusPaid {
		t.Errorf("the paid invoice changed: %d %s", got.Total(), got.Status())
	}
}

func reloadInvoice(t *testing.T, w *orderWorld, id string) *ledger.Invoice {
	t.Helper()
	inv, err := ledger.FindInvoice(w.app, id)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}
