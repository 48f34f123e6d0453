package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// The catalog: what can be sold (plans and their prices), the tax rates
// and the coupons that apply to a sale.
func init() {
	m.Register(func(app core.App) error {
		plans := core.NewBaseCollection("plans")
		plans.ListRule = types.Pointer(`status = "active"`)
		plans.ViewRule = plans.ListRule
		plans.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 120, Presentable: true},
			&core.TextField{Name: "slug", Required: true, Max: 80, Pattern: `^[a-z0-9]+(?:-[a-z0-9]+)*$`},
			&core.SelectField{Name: "service_type", Required: true, MaxSelect: 1, Values: []string{"vps", "dedicated", "hosting", "game_server"}},
			&core.SelectField{Name: "platform", Required: true, MaxSelect: 1, Values: []string{"virtfusion", "synergycp", "enhance", "pterodactyl", "manual"}},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1, Values: []string{"active", "hidden", "archived"},
				Help: "hidden plans are sold only by staff; archived ones not at all"},
			&core.EditorField{Name: "description", MaxSize: 20000},
			&core.JSONField{Name: "features", MaxSize: 20000, Help: `list of {"label","value"} shown in the comparison table`},
			&core.JSONField{Name: "order_options", MaxSize: 20000,
				Help: "what the customer must choose when ordering (hostname, os, egg, domain) and the allowed values"},
			&core.JSONField{Name: "platform_config", Hidden: true, MaxSize: 50000,
				Help: "platform specifics: package id, hypervisor group, node/location, egg, image, limits, hardware filter, Enhance plan id"},
			&core.NumberField{Name: "bandwidth_quota_gb", OnlyInt: true, Min: zero, Help: "decimal GB per period; 0 = unmetered"},
			&core.BoolField{Name: "track_stock"},
			countField("stock"),
			&core.BoolField{Name: "allow_waitlist", Help: "out of stock orders wait for staff approval instead of being refused"},
			&core.NumberField{Name: "sort_order", OnlyInt: true},
		)
		timestamps(plans)
		plans.AddIndex("idx_plans_slug", true, "slug", "")
		plans.AddIndex("idx_plans_status", false, "status", "")
		if err := app.Save(plans); err != nil {
			return err
		}

		prices := core.NewBaseCollection("plan_prices")
		prices.ListRule = types.Pointer(`active = true && plan.status = "active"`)
		prices.ViewRule = prices.ListRule
		if err := addRelations(app, prices, relationSpec{"plan", "plans", true, true}); err != nil {
			return err
		}
		prices.Fields.Add(
			currencyField("currency"),
			&core.SelectField{Name: "cycle", Required: true, MaxSelect: 1, Values: []string{"hourly", "monthly", "quarterly", "semiannual", "annual", "biennial", "triennial"}},
			moneyField("amount", false),
			moneyField("setup_fee", false),
			moneyField("overage_per_gb", false),
			&core.BoolField{Name: "active"},
			&core.TextField{Name: "stripe_price_id", Hidden: true, Max: 255},
			&core.TextField{Name: "paypal_plan_id", Hidden: true, Max: 255},
		)
		timestamps(prices)
		prices.AddIndex("idx_plan_prices_plan_currency_cycle", true, "plan, currency, cycle", "")

		taxRates := core.NewBaseCollection("tax_rates")
		taxRates.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
			&core.TextField{Name: "country", Required: true, Min: 2, Max: 2, Pattern: countryPattern},
			&core.TextField{Name: "region", Max: 100, Help: "empty = the whole country"},
			&core.NumberField{Name: "rate", OnlyInt: true, Min: zero, Max: maxPercent,
				Help: "thousandths of a percent: 20000 = 20%, 8875 = 8.875%"},
			&core.BoolField{Name: "inclusive", Help: "prices already include this tax"},
			&core.BoolField{Name: "active"},
		)
		timestamps(taxRates)
		taxRates.AddIndex("idx_tax_rates_country_region", false, "country, region", "")

		coupons := core.NewBaseCollection("coupons")
		plansCol, err := app.FindCollectionByNameOrId("plans")
		if err != nil {
			return err
		}
		coupons.Fields.Add(
			&core.TextField{Name: "code", Required: true, Max: 40, Pattern: `^[A-Z0-9_-]+$`, Presentable: true},
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"percent", "fixed"}},
			&core.NumberField{Name: "percent_off", OnlyInt: true, Min: zero, Max: hundred},
			&core.JSONField{Name: "amounts_off", MaxSize: 5000, Help: `fixed discount per currency in minor units, e.g. {"USD": 500}`},
			&core.RelationField{Name: "plans", CollectionId: plansCol.Id, MaxSelect: 1000, Help: "empty = every plan"},
			&core.SelectField{Name: "duration", Required: true, MaxSelect: 1, Values: []string{"once", "repeating", "forever"}},
			&core.NumberField{Name: "duration_cycles", OnlyInt: true, Min: zero, Help: "for repeating coupons"},
			&core.NumberField{Name: "max_uses", OnlyInt: true, Min: zero, Help: "0 = unlimited"},
			&core.BoolField{Name: "once_per_customer"},
			&core.DateField{Name: "starts_at"},
			&core.DateField{Name: "expires_at"},
			&core.JSONField{Name: "min_order", MaxSize: 5000, Help: `minimum order per currency in minor units, e.g. {"EUR": 2000}`},
			&core.BoolField{Name: "active"},
		)
		timestamps(coupons)
		coupons.AddIndex("idx_coupons_code", true, "code", "")

		return saveAll(app, prices, taxRates, coupons)
	}, func(app core.App) error {
		return deleteAll(app, "coupons", "tax_rates", "plan_prices", "plans")
	})
}
