package migrations_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

// The collections DESIGN.md names, and which of them a customer owns.
var designCollections = map[string]bool{
	"customers": false, "plans": false, "plan_prices": false, "orders": true, "subscriptions": true,
	"services": true, "invoices": true, "invoice_items": true, "payments": true, "payment_methods": true,
	"credit_entries": true, "coupons": false, "coupon_redemptions": true, "tax_rates": false,
	"provisioning_jobs": false, "bandwidth_usage": true, "bandwidth_daily": true, "support_tickets": true,
	"announcements": false, "audit_logs": false, "outbox": false, "webhook_events": false, "settings": false,
}

func TestEveryCollectionExists(t *testing.T) {
	app := testutil.NewApp(t)
	for name, owned := range designCollections {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			t.Errorf("collection %s missing: %v", name, err)
			continue
		}
		if owned {
			f, ok := c.Fields.GetByName("customer").(*core.RelationField)
			if !ok {
				t.Errorf("%s: customer-owned collection without a customer relation", name)
				continue
			}
			customers, _ := app.FindCollectionByNameOrId("customers")
			if f.CollectionId != customers.Id || f.MaxSelect != 1 || !f.Required {
				t.Errorf("%s.customer: want a required single relation to customers, got %+v", name, f)
			}
			if !hasIndexOn(c, "customer") {
				t.Errorf("%s: no index leads with customer", name)
			}
		}
	}
	if _, err := app.FindCollectionByNameOrId("users"); err == nil {
		t.Error(`the default "users" collection should be replaced by customers`)
	}
}

func TestUniqueIndexes(t *testing.T) {
	app := testutil.NewApp(t)
	want := map[string]string{
		"plan_prices":    "(plan, currency, cycle)",
		"invoices":       "(number) WHERE number != ''",
		"payments":       "(gateway, gateway_id) WHERE gateway_id != ''",
		"webhook_events": "(gateway, event_id)",
		"services":       "(platform, platform_service_id) WHERE platform_service_id != ''",
		"invoice_items":  "(subscription, period_start) WHERE kind = 'period' AND subscription != ''",
	}
	for col, expr := range want {
		c, err := app.FindCollectionByNameOrId(col)
		if err != nil {
			t.Fatal(err)
		}
		found := slices.ContainsFunc(c.Indexes, func(idx string) bool {
			return strings.Contains(idx, "UNIQUE") && strings.Contains(idx, expr)
		})
		if !found {
			t.Errorf("%s: no unique index %s among %v", col, expr, c.Indexes)
		}
	}
}

func TestRerunChangesNothing(t *testing.T) {
	app := testutil.NewApp(t)
	before := snapshot(t, app)
	if err := app.RunAllMigrations(); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if after := snapshot(t, app); after != before {
		t.Fatal("running the migrations again changed the schema")
	}
}

func TestHiddenFields(t *testing.T) {
	app := testutil.NewApp(t)
	for col, fields := range map[string][]string{
		"customers":       {"notes", "stripe_customer_id", "paypal_payer_id"},
		"services":        {"credentials", "staff_notes", "platform_service_id", "platform_user_id"},
		"plans":           {"platform_config"},
		"plan_prices":     {"stripe_price_id", "paypal_plan_id"},
		"payment_methods": {"gateway_ref"},
		"invoices":        {"staff_notes", "dunning"},
		"subscriptions":   {"paypal_subscription_id"},
		"audit_logs":      {"ip", "user_agent"},
	} {
		c, _ := app.FindCollectionByNameOrId(col)
		for _, f := range fields {
			if field := c.Fields.GetByName(f); field == nil || !field.GetHidden() {
				t.Errorf("%s.%s must be a hidden field", col, f)
			}
		}
	}
}

func hasIndexOn(c *core.Collection, column string) bool {
	return slices.ContainsFunc(c.Indexes, func(idx string) bool {
		_, cols, ok := strings.Cut(idx, "(")
		cols = strings.Trim(strings.TrimSpace(cols), "`")
		return ok && strings.HasPrefix(cols, column)
	})
}

func snapshot(t *testing.T, app core.App) string {
	t.Helper()
	var rows []struct {
		Name    string `db:"name"`
		Fields  string `db:"fields"`
		Indexes string `db:"indexes"`
	}
	if err := app.DB().NewQuery("SELECT name, fields, indexes FROM _collections ORDER BY name").All(&rows); err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := app.DB().NewQuery("SELECT count(*) FROM _migrations").Row(&applied); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(struct {
		Rows    any
		Applied int
	}{rows, applied})
	return string(b)
}
