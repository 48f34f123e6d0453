package whmcs_test

import (
	"slices"
	"testing"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestSubscriptionPriceNotForSale: service 11 is billed annually in EUR
// on product 2. When the catalog has no such imported price, the
// subscription takes the plan's own price for that currency and cycle, or
// else a new inactive one at the service's amount, noted.
func TestSubscriptionPriceNotForSale(t *testing.T) {
	tests := []struct {
		name    string
		change  string // what happened to the imported price
		created int
	}{
		{"priced in EZSCALE", "UPDATE plan_prices SET whmcs_id = '' WHERE whmcs_id = '2/EUR/annual'", 0},
		{"not for sale", "DELETE FROM plan_prices WHERE whmcs_id = '2/EUR/annual'", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			runImport(t, app, whmcs.Options{Only: []string{"products", "customers"}})
			plan, err := app.FindFirstRecordByData("plans", "whmcs_id", "2")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := app.DB().NewQuery(tc.change).Execute(); err != nil {
				t.Fatal(err)
			}
			rep := runImport(t, app, whmcs.Options{Only: []string{"services"}})
			if c := count(rep, "plan_prices"); c.Created != tc.created {
				t.Errorf("plan prices created: %+v, want %d", c, tc.created)
			}
			noted := slices.ContainsFunc(rep.Notes, func(p whmcs.Problem) bool {
				return p.Entity == "plan_prices" && p.ID == "2/EUR/annual"
			})
			if noted != (tc.created == 1) {
				t.Errorf("price noted: %v, want %v (%+v)", noted, tc.created == 1, rep.Notes)
			}
			sub, err := app.FindFirstRecordByData("subscriptions", "whmcs_id", "11")
			if err != nil {
				t.Fatal(err)
			}
			price, err := app.FindRecordById("plan_prices", sub.GetString("plan_price"))
			if err != nil {
				t.Fatal(err)
			}
			if price.GetString("plan") != plan.Id || price.GetString("currency") != "EUR" || price.GetString("cycle") != "annual" {
				t.Errorf("subscription 11 is on %v", price.FieldsData())
			}
			if tc.created == 1 && (price.GetBool("active") || price.GetInt("amount") != 3974 || price.GetString("whmcs_id") != "2/EUR/annual") {
				t.Errorf("the price made for it: %v, want inactive, 39.74", price.FieldsData())
			}

			again := runImport(t, app, whmcs.Options{Only: []string{"services"}})
			for _, entity := range []string{"plan_prices", "subscriptions", "services"} {
				if c := count(again, entity); c.Created+c.Updated != 0 {
					t.Errorf("second run: %+v", c)
				}
			}
		})
	}
}
