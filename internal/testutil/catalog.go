package testutil

import (
	"testing"

	"github.com/pocketbase/pocketbase/core"
)

// Plan creates an active VPS plan with a monthly price in currency.
func Plan(t testing.TB, app core.App, slug, currency string, amount int64) (plan, price *core.Record) {
	t.Helper()
	plan = Create(t, app, "plans", map[string]any{
		"name": "Plan " + slug, "slug": slug, "service_type": "vps", "platform": "virtfusion",
		"status": "active", "platform_config": map[string]any{"package_id": 1},
	})
	price = Create(t, app, "plan_prices", map[string]any{
		"plan": plan.Id, "currency": currency, "cycle": "monthly", "amount": amount, "active": true,
	})
	return plan, price
}

// Service creates an active service of customer on a fresh plan, with its
// hidden fields filled so tests can check they never leak.
func Service(t testing.TB, app core.App, customer *core.Record) *core.Record {
	t.Helper()
	plan, _ := Plan(t, app, "plan-"+customer.Id, customer.GetString("currency"), 1000)
	return Create(t, app, "services", map[string]any{
		"customer": customer.Id, "plan": plan.Id, "service_type": "vps", "platform": "virtfusion",
		"status": "active", "hostname": "vps1.example.com",
		"credentials": "sealed-secret", "staff_notes": "secret staff note", "platform_service_id": "vf-" + customer.Id,
	})
}
