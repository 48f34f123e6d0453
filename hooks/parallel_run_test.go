package hooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestHeldCustomerReadsButWritesNothing: a customer WHMCS still serves
// signs in and reads everything, but every write of their money, services
// or profile answers 403 saying why and changes nothing; their password
// stays theirs. After the cutover the same requests go through.
func TestHeldCustomerReadsButWritesNothing(t *testing.T) {
	w := newStatusWorld(t)
	planned := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	rec, _ := settings.Record(w.app)
	rec.Set("whmcs_cutover_planned", planned)
	if err := w.app.Save(rec); err != nil {
		t.Fatal(err)
	}
	testutil.HoldForWHMCS(t, w.app, w.alice.Id, true)
	base := "/api/services/" + w.svc.Id
	orders, _ := w.app.CountRecords("orders")
	credit, _ := w.app.CountRecords("credit_entries")

	writes := map[string]struct {
		method, path string
		body         any
	}{
		"power":             {http.MethodPost, base + "/power", map[string]string{"action": "restart"}},
		"plan change quote": {http.MethodGet, "/api/services/" + w.ordered + "/change-plan?plan_price=" + w.upgrade.Id, nil},
		"plan change":       {http.MethodPost, "/api/services/" + w.ordered + "/change-plan", map[string]string{"plan_price": w.upgrade.Id}},
		"cancel":            {http.MethodPost, "/api/services/" + w.ordered + "/cancel", map[string]string{"when": "period_end", "reason": "too_expensive"}},
		"service card":      {http.MethodPost, base + "/payment-method", map[string]string{"payment_method": ""}},
		"order":             {http.MethodPost, "/api/orders", map[string]any{"plan_price": w.price.Id}},
		"order quote":       {http.MethodPost, "/api/orders/quote", map[string]any{"plan_price": w.price.Id}},
		"pay with credit":   {http.MethodPost, "/api/invoices/" + w.invoice + "/pay/credit", nil},
		"profile address":   {http.MethodPatch, "/api/collections/customers/records/" + w.alice.Id, map[string]string{"address_line1": "1 New Street"}},
		"profile name":      {http.MethodPatch, "/api/collections/customers/records/" + w.alice.Id, map[string]string{"name": "Alice B"}},
		"email change":      {http.MethodPost, "/api/collections/customers/request-email-change", map[string]string{"newEmail": "new@example.com"}},
	}
	for name, tc := range writes {
		res := w.api.Do(tc.method, tc.path, w.tok, tc.body)
		if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "previous billing system") {
			t.Errorf("%s: %d %s, want 403 saying WHMCS still serves the account", name, res.Status, res.Body)
		}
	}
	after, _ := w.app.FindRecordById("customers", w.alice.Id)
	sub, _ := w.app.FindFirstRecordByData("services", "id", w.ordered)
	sub, _ = w.app.FindRecordById("subscriptions", sub.GetString("subscription"))
	if n, _ := w.app.CountRecords("orders"); n != orders || len(w.platform.actions) != 0 || after.GetString("name") != w.alice.GetString("name") ||
		after.GetString("address_line1") != "" || !after.GetBool("whmcs_billed") || sub.GetBool("cancel_at_period_end") {
		t.Errorf("a refused write changed something: orders %d→%d, platform %v, customer %v", orders, n, w.platform.actions, after.FieldsData())
	}
	if n, _ := w.app.CountRecords("credit_entries"); n != credit {
		t.Errorf("credit entries %d → %d", credit, n)
	}

	if res := w.api.Do(http.MethodPatch, "/api/collections/customers/records/"+w.alice.Id, w.tok, map[string]any{"whmcs_billed": false}); res.Status != http.StatusBadRequest {
		t.Errorf("switching itself on: %d %s, want 400 (staff's field)", res.Status, res.Body)
	}

	// What stays open: reading, the password, credentials and the banner's date.
	if res := w.api.Do(http.MethodGet, "/api/collections/invoices/records", w.tok, nil); res.Status != http.StatusOK || len(res.Items(t)) != 2 {
		t.Errorf("invoices: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodGet, base+"/credentials", w.tok, nil); res.Status != http.StatusOK {
		t.Errorf("credentials: %d %s", res.Status, res.Body)
	}
	res := w.api.Do(http.MethodGet, "/api/collections/customers/records/"+w.alice.Id, w.tok, nil)
	own := res.Object(t)
	if own["whmcs_billed"] != true || !strings.HasPrefix(own["whmcs_cutover_planned"].(string), "2027-01-15") {
		t.Errorf("own record: %d %s, want whmcs_billed and the planned date", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodPatch, "/api/collections/customers/records/"+w.alice.Id, w.tok, map[string]string{
		"oldPassword": "correct horse battery", "password": "a new horse battery", "passwordConfirm": "a new horse battery"}); res.Status != http.StatusOK {
		t.Errorf("password change: %d %s", res.Status, res.Body)
	}

	tok := testutil.Token(t, testutil.HoldForWHMCS(t, w.app, w.alice.Id, false)) // the password change renewed the token key
	if res := w.api.Do(http.MethodPost, "/api/services/"+w.ordered+"/cancel", tok, writes["cancel"].body); res.Status != http.StatusOK {
		t.Errorf("cancel after the cutover: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodPatch, "/api/collections/customers/records/"+w.alice.Id, tok, map[string]string{"name": "Alice B"}); res.Status != http.StatusOK {
		t.Errorf("profile after the cutover: %d %s", res.Status, res.Body)
	}
	if res := w.api.Do(http.MethodGet, "/api/collections/customers/records/"+w.alice.Id, tok, nil); strings.Contains(string(res.Body), "whmcs_cutover_planned") {
		t.Errorf("a live customer's record carries the banner date: %s", res.Body)
	}
}

// TestLiveCustomerCannotHoldThemselves: the marker is staff's and the
// import's, never a customer's.
func TestLiveCustomerCannotHoldThemselves(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	c := testutil.Customer(t, app, "bob@example.com", "USD")
	res := api.Do(http.MethodPatch, "/api/collections/customers/records/"+c.Id, testutil.Token(t, c), map[string]any{"whmcs_billed": true})
	if res.Status != http.StatusBadRequest {
		t.Errorf("%d %s, want 400", res.Status, res.Body)
	}
	if after, _ := app.FindRecordById("customers", c.Id); after.GetBool("whmcs_billed") {
		t.Error("the customer held themselves")
	}
}
