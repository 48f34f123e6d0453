package hooks_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/testutil"
)

// GET /api/account/upcoming-charges answers the signed-in customer's own
// next charges and totals only, and nobody signed out.
func TestUpcomingChargesRoute(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	plan, price := testutil.Plan(t, app, "vps", "USD", 1000)
	start := time.Now().UTC().AddDate(0, 0, -3)
	mine := map[string]string{}
	var tokens []string
	for _, email := range []string{"a@example.com", "b@example.com"} {
		c := testutil.Customer(t, app, email, "USD")
		tokens = append(tokens, testutil.Token(t, c))
		sub := testutil.Create(t, app, "subscriptions", map[string]any{"customer": c.Id, "plan": plan.Id, "plan_price": price.Id,
			"status": "active", "cycle": "monthly", "currency": "USD", "amount": 1000, "anchor_at": start,
			"current_period_start": start, "current_period_end": start.AddDate(0, 1, 0), "billed_until": start.AddDate(0, 1, 0)})
		svc := testutil.Create(t, app, "services", map[string]any{"customer": c.Id, "plan": plan.Id, "subscription": sub.Id,
			"service_type": "vps", "platform": "virtfusion", "status": "active"})
		mine[tokens[len(tokens)-1]] = svc.Id
	}
	for _, token := range tokens {
		r := api.Do(http.MethodGet, "/api/account/upcoming-charges", token, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		body := r.Object(t)
		charges, _ := body["charges"].([]any)
		if len(charges) != 1 {
			t.Fatalf("%d charges, want the customer's one: %v", len(charges), body)
		}
		ch, _ := charges[0].(map[string]any)
		if ch["service"] != mine[token] || ch["amount"] != float64(1000) || ch["currency"] != "USD" {
			t.Errorf("charge %v, want service %s at 1000 USD", ch, mine[token])
		}
		if totals, _ := body["totals"].(map[string]any); totals["USD"] != float64(1000) {
			t.Errorf("totals %v", body["totals"])
		}
	}
	if r := api.Do(http.MethodGet, "/api/account/upcoming-charges", "", nil); r.Status != http.StatusUnauthorized {
		t.Errorf("signed out: status %d", r.Status)
	}
}
