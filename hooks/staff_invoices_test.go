package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The console's invoice routes, through HTTP as the console calls them:
// staff only, a day's work (create, edit, issue, pay by bank, refund part
// to credit, resend), and every refusal a 400 or 404 with its reason that
// changes nothing.
func TestStaffInvoiceRoutes(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	customer := testutil.Customer(t, app, "a@example.com", "USD")
	staffTok := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	customerTok := testutil.Token(t, customer)

	create := map[string]any{"customer": customer.Id, "currency": "USD",
		"lines": []map[string]any{{"description": "Migration", "quantity": 1, "unit_amount": 5000}}}
	for _, tok := range []string{"", customerTok} {
		if res := api.Do(http.MethodPost, "/api/staff/invoices", tok, create); res.Status != http.StatusUnauthorized && res.Status != http.StatusForbidden {
			t.Errorf("create by a non-staff caller: %d", res.Status)
		}
	}
	res := api.Do(http.MethodPost, "/api/staff/invoices", staffTok, create)
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	id := res.Object(t)["id"].(string)
	base := "/api/staff/invoices/" + id

	step := func(name, method, path string, body any, want int) map[string]any {
		t.Helper()
		res := api.Do(method, path, staffTok, body)
		if res.Status != want {
			t.Fatalf("%s: %d %s, want %d", name, res.Status, res.Body, want)
		}
		return res.Object(t)
	}
	step("add a line", http.MethodPost, base+"/lines", map[string]any{"currency": "USD", "description": "Extra disk", "quantity": 2, "unit_amount": 250}, 200)
	inv := step("issue", http.MethodPost, base+"/issue", nil, 200)
	if inv["status"] != "open" || inv["number"] == "" || inv["amount_due"] != float64(5500) {
		t.Fatalf("issued: %v", inv)
	}
	paid := step("bank transfer", http.MethodPost, base+"/payments", map[string]any{"amount": 5500, "currency": "USD", "reference": "BT-42", "paid_at": "2026-12-01"}, 200)
	charge := paid["payment"].(map[string]any)
	if paid["invoice"].(map[string]any)["status"] != "paid" || charge["gateway_id"] != "BT-42" {
		t.Fatalf("paid: %v", paid)
	}
	refund := step("refund part to credit", http.MethodPost, base+"/refunds", map[string]any{"payment": charge["id"], "amount": 1500, "currency": "USD", "reason": "Late delivery", "to": "credit"}, 200)
	if refund["status"] != "succeeded" || refund["gateway"] != "credit" {
		t.Errorf("refund: %v", refund)
	}
	step("resend", http.MethodPost, base+"/resend", nil, 200)
	note, err := app.FindFirstRecordByFilter("credit_notes", "invoice = {:i}", dbx.Params{"i": id})
	if err != nil {
		t.Fatalf("credit note: %v", err)
	}
	for _, path := range []string{"/api/invoices/" + id + "/pdf", "/api/credit-notes/" + note.Id + "/pdf"} {
		if res := api.Do(http.MethodGet, path, staffTok, nil); res.Status != http.StatusOK || !strings.HasPrefix(string(res.Body), "%PDF") {
			t.Errorf("staff download %s: %d", path, res.Status)
		}
	}

	count := func() [3]int64 {
		var out [3]int64
		for i, c := range []string{"payments", "credit_entries", "invoice_items"} {
			out[i], _ = app.CountRecords(c)
		}
		return out
	}
	before := count()
	refusals := []struct {
		name, method, path string
		body               any
		status             int
		reason             string
	}{
		{"void a paid invoice", http.MethodPost, base + "/void", map[string]any{"reason": "x"}, 400, "cannot be voided"},
		{"refund more than paid", http.MethodPost, base + "/refunds", map[string]any{"payment": charge["id"], "amount": 4001, "currency": "USD", "reason": "x", "to": "credit"}, 400, "at most 40.00 USD"},
		{"refund in another currency", http.MethodPost, base + "/refunds", map[string]any{"payment": charge["id"], "amount": 100, "currency": "EUR", "reason": "x", "to": "method"}, 400, "EUR"},
		{"a negative payment", http.MethodPost, base + "/payments", map[string]any{"amount": -100, "currency": "USD", "reference": "BT-43"}, 400, "more than zero"},
		{"a payment date that is no date", http.MethodPost, base + "/payments", map[string]any{"amount": 100, "currency": "USD", "reference": "BT-43", "paid_at": "yesterday"}, 400, "YYYY-MM-DD"},
		{"a line on an issued invoice", http.MethodPost, base + "/lines", map[string]any{"currency": "USD", "description": "More", "quantity": 1, "unit_amount": 100}, 400, "only a draft"},
		{"a create in another currency", http.MethodPost, "/api/staff/invoices", map[string]any{"customer": customer.Id, "currency": "GBP", "lines": create["lines"]}, 400, "GBP"},
		{"an unknown field", http.MethodPost, base + "/void", map[string]any{"why": "x"}, 400, "Malformed"},
		{"an unknown invoice", http.MethodPost, "/api/staff/invoices/nosuchinvoice12/issue", nil, 404, ""},
	}
	for _, tc := range refusals {
		res := api.Do(tc.method, tc.path, staffTok, tc.body)
		if res.Status != tc.status || !strings.Contains(string(res.Body), tc.reason) {
			t.Errorf("%s: %d %s, want %d with %q", tc.name, res.Status, res.Body, tc.status, tc.reason)
		}
	}
	if after := count(); after != before {
		t.Errorf("refusals changed the books: %v → %v", before, after)
	}

	got, _ := ledger.FindInvoice(app, id)
	if got.Status() != ledger.StatusPartiallyRefunded || got.GetInt64("amount_refunded") != 1500 {
		t.Errorf("invoice %s, %d refunded", got.Status(), got.GetInt64("amount_refunded"))
	}
	for _, action := range []string{"invoice.create", "invoice.line_add", "invoice.issue", "invoice.payment", "invoice.refund", "invoice.resend"} {
		if n, _ := app.CountRecords("audit_logs", dbx.HashExp{"action": action, "record_id": id, "actor_kind": "superuser"}); n != 1 {
			t.Errorf("%d audit entries %s by staff", n, action)
		}
	}
	rep, err := ledgercheck.Run(app)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger check: %s", v)
	}
}
