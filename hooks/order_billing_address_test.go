package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"
)

// TestOrderRoutesNeedABillingCountry: without a country the order route
// answers 400 naming "country" and writes nothing, while the quote route
// prices the order but lists the field as missing; once the customer has
// a country, the quote is final and says how the price recurs, and the
// invoice lines the API returns carry the same sentence.
func TestOrderRoutesNeedABillingCountry(t *testing.T) {
	w := newOrderWorld(t)
	w.alice.Set("country", "")
	if err := w.app.Save(w.alice); err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, w.app, "tax_rates", map[string]any{"name": "Sales tax", "country": "US", "rate": 10000, "active": true})
	body := map[string]any{"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web1.example.com", "os": "debian-12"}}
	before := w.count(t, orderCollections...)

	res := w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, body)
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"country"`) {
		t.Fatalf("order without a country: %d %s, want 400 naming country", res.Status, res.Body)
	}
	res = w.api.Do(http.MethodPost, "/api/orders/quote", w.aliceTok, body)
	if res.Status != http.StatusOK {
		t.Fatalf("quote without a country: %d %s", res.Status, res.Body)
	}
	if q := res.Object(t); len(q["missing"].([]any)) != 1 || q["missing"].([]any)[0] != "country" {
		t.Errorf("quote without a country: missing %v, want [country]", q["missing"])
	}
	for c, n := range w.count(t, orderCollections...) {
		if n != before[c] {
			t.Errorf("%s: %d records after the refusal, %d before", c, n, before[c])
		}
	}

	res = w.api.Do(http.MethodPatch, "/api/collections/customers/records/"+w.alice.Id, w.aliceTok, map[string]any{"country": "US"})
	if res.Status != http.StatusOK {
		t.Fatalf("saving the country: %d %s", res.Status, res.Body)
	}
	res = w.api.Do(http.MethodPost, "/api/orders/quote", w.aliceTok, body)
	q := res.Object(t)
	const want = "then $12.00 monthly plus 10% Sales tax"
	if res.Status != http.StatusOK || len(q["missing"].([]any)) != 0 || q["renews"] != want {
		t.Fatalf("quote with a country: %d missing %v renews %q, want %q", res.Status, q["missing"], q["renews"], want)
	}
	res = w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, body)
	if res.Status != http.StatusCreated {
		t.Fatalf("order with a country: %d %s", res.Status, res.Body)
	}
	invID := res.Object(t)["invoice"].(map[string]any)["id"].(string)
	res = w.api.Do(http.MethodGet, "/api/collections/invoice_items/records?filter=invoice%3D%27"+invID+"%27", w.aliceTok, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"renews":"`+want+`"`) {
		t.Errorf("the invoice lines: %d %s, want renews %q", res.Status, res.Body, want)
	}
	// Bob sees none of Alice's lines, sentence or not.
	res = w.api.Do(http.MethodGet, "/api/collections/invoice_items/records", testutil.Token(t, w.bob), nil)
	if res.Status != http.StatusOK || strings.Contains(string(res.Body), invID) {
		t.Errorf("another customer lists the lines: %d %s", res.Status, res.Body)
	}
}

// TestSignupKeepsTheCountry: sign-up may set the billing country, and a
// malformed one is refused with a 400 naming it.
func TestSignupKeepsTheCountry(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	signup := func(email, country string) *testutil.Response {
		return api.Do(http.MethodPost, "/api/collections/customers/records", "", map[string]any{
			"name": "New", "email": email, "password": "correct horse battery", "passwordConfirm": "correct horse battery",
			"currency": "USD", "country": country})
	}
	if res := signup("de@example.com", "DE"); res.Status != http.StatusOK {
		t.Fatalf("sign-up with a country: %d %s", res.Status, res.Body)
	}
	if c, err := app.FindAuthRecordByEmail("customers", "de@example.com"); err != nil || c.GetString("country") != "DE" {
		t.Errorf("signed-up country %v, %v", c, err)
	}
	if res := signup("bad@example.com", "Germany"); res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), `"country"`) {
		t.Errorf("sign-up with a malformed country: %d %s", res.Status, res.Body)
	}
}
