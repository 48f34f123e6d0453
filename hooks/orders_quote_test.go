package hooks_test

import (
	"maps"
	"net/http"
	"testing"
)

func TestQuoteOrder(t *testing.T) {
	w := newOrderWorld(t)
	body := map[string]any{
		"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "web1.example.com", "os": "debian-12"},
	}
	collections := append(append([]string{}, orderCollections...), "audit_logs", "outbox", "provisioning_jobs")
	before := w.count(t, collections...)

	res := w.api.Do(http.MethodPost, "/api/orders/quote", w.aliceTok, body)
	if res.Status != http.StatusOK {
		t.Fatalf("quote: %d %s", res.Status, res.Body)
	}
	quote := res.Object(t)
	inv := quote["invoice"].(map[string]any)
	items := quote["items"].([]any)
	if inv["total"] != float64(1700) || inv["amount_due"] != float64(1700) || inv["currency"] != "USD" || len(items) != 2 {
		t.Errorf("quote: invoice %v, %d items", inv, len(items))
	}
	if _, leaked := inv["staff_notes"]; leaked {
		t.Error("the quote carries a hidden invoice field")
	}
	if after := w.count(t, collections...); !maps.Equal(before, after) {
		t.Errorf("a quote wrote records: before %v after %v", before, after)
	}

	// The order then invoices exactly what was quoted.
	res = w.api.Do(http.MethodPost, "/api/orders", w.aliceTok, body)
	if res.Status != http.StatusCreated {
		t.Fatalf("order: %d %s", res.Status, res.Body)
	}
	if got := res.Object(t)["invoice"].(map[string]any)["total"]; got != inv["total"] {
		t.Errorf("ordered total %v, quoted %v", got, inv["total"])
	}
}

func TestQuoteOrderRefusals(t *testing.T) {
	w := newOrderWorld(t)
	good := map[string]string{"hostname": "web1.example.com", "os": "debian-12"}
	tests := []struct {
		name   string
		token  string
		body   any
		status int
		field  string
	}{
		{"anonymous", "", map[string]any{"plan_price": w.vpsUSD.Id, "options": good}, http.StatusUnauthorized, ""},
		{"staff token", w.staffTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": good}, http.StatusForbidden, ""},
		{"no price", w.aliceTok, map[string]any{"options": good}, http.StatusBadRequest, "plan_price"},
		{"unknown coupon", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": good, "coupon": "NOPE"}, http.StatusBadRequest, "coupon"},
		{"foreign currency", w.aliceTok, map[string]any{"plan_price": w.vpsEUR.Id, "options": good}, http.StatusBadRequest, "plan_price"},
		{"hidden plan", w.aliceTok, map[string]any{"plan_price": w.hiddenUSD.Id}, http.StatusBadRequest, "plan_price"},
		{"bad hostname", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": map[string]string{"hostname": "-x-", "os": "debian-12"}}, http.StatusBadRequest, "options.hostname"},
		{"someone else's account", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "options": good, "customer": w.bob.Id}, http.StatusBadRequest, ""},
		{"unknown field", w.aliceTok, map[string]any{"plan_price": w.vpsUSD.Id, "price": 1}, http.StatusBadRequest, "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := w.api.Do(http.MethodPost, "/api/orders/quote", tc.token, tc.body)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", res.Status, tc.status, res.Body)
			}
			if tc.field != "" {
				data, _ := res.Object(t)["data"].(map[string]any)
				if _, ok := data[tc.field]; !ok {
					t.Errorf("error names no %q field: %s", tc.field, res.Body)
				}
			}
		})
	}
}
