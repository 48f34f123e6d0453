package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"
)

// What a customer holds: saved payment methods, subscriptions (the billing
// side of a purchase) and services (the server on its platform).
func init() {
	m.Register(func(app core.App) error {
		methods := core.NewBaseCollection("payment_methods")
		ownedBy(methods)
		// A customer's saved cards go with the account.
		if err := addRelations(app, methods, relationSpec{"customer", "customers", true, true}); err != nil {
			return err
		}
		methods.Fields.Add(
			&core.SelectField{Name: "gateway", Required: true, MaxSelect: 1, Values: []string{"stripe", "paypal"}},
			&core.TextField{Name: "gateway_ref", Required: true, Hidden: true, Max: 255, Help: "the gateway's payment method id"},
			&core.SelectField{Name: "kind", MaxSelect: 1, Values: []string{"card", "sepa_debit", "paypal", "other"}},
			&core.TextField{Name: "brand", Max: 40},
			&core.TextField{Name: "last4", Max: 4},
			&core.NumberField{Name: "exp_month", OnlyInt: true, Min: zero, Max: types.Pointer(12.0)},
			&core.NumberField{Name: "exp_year", OnlyInt: true, Min: zero},
			&core.BoolField{Name: "is_default"},
		)
		timestamps(methods)
		methods.AddIndex("idx_payment_methods_customer", false, "customer", "")
		methods.AddIndex("idx_payment_methods_gateway_ref", true, "gateway, gateway_ref", "")
		if err := app.Save(methods); err != nil {
			return err
		}

		subs := core.NewBaseCollection("subscriptions")
		ownedBy(subs)
		// Financial history: a customer or price with subscriptions cannot be deleted.
		if err := addRelations(app, subs,
			relationSpec{"customer", "customers", true, false},
			relationSpec{"plan", "plans", true, false},
			relationSpec{"plan_price", "plan_prices", true, false},
			relationSpec{"next_plan_price", "plan_prices", false, false},
			relationSpec{"coupon", "coupons", false, false},
			relationSpec{"payment_method", "payment_methods", false, false},
		); err != nil {
			return err
		}
		subs.Fields.Add(
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "active", "past_due", "cancelled", "expired"}},
			&core.SelectField{Name: "cycle", Required: true, MaxSelect: 1, Values: []string{"hourly", "monthly", "quarterly", "semiannual", "annual", "biennial", "triennial"}},
			currencyField("currency"),
			moneyField("amount", false),
			&core.NumberField{Name: "anchor_day", OnlyInt: true, Min: zero, Max: types.Pointer(31.0),
				Help: "day of month the cycle is anchored to; periods clamp to short months"},
			&core.DateField{Name: "current_period_start"},
			&core.DateField{Name: "current_period_end"},
			countField("coupon_cycles_used"),
			&core.BoolField{Name: "cancel_at_period_end"},
			&core.DateField{Name: "cancelled_at"},
			&core.TextField{Name: "cancel_reason", Max: 100},
			&core.TextField{Name: "cancel_comment", Max: 5000},
			&core.TextField{Name: "paypal_subscription_id", Hidden: true, Max: 255},
		)
		timestamps(subs)
		subs.AddIndex("idx_subscriptions_customer", false, "customer", "")
		subs.AddIndex("idx_subscriptions_status_period_end", false, "status, current_period_end", "")
		subs.AddIndex("idx_subscriptions_plan_price", false, "plan_price", "")
		subs.AddIndex("idx_subscriptions_paypal", false, "paypal_subscription_id", "paypal_subscription_id != ''")
		if err := app.Save(subs); err != nil {
			return err
		}

		services := core.NewBaseCollection("services")
		ownedBy(services)
		if err := addRelations(app, services,
			relationSpec{"customer", "customers", true, false},
			relationSpec{"subscription", "subscriptions", false, false},
			relationSpec{"plan", "plans", true, false},
			relationSpec{"payment_method", "payment_methods", false, false},
		); err != nil {
			return err
		}
		services.Fields.Add(
			&core.TextField{Name: "label", Max: 120, Presentable: true},
			&core.SelectField{Name: "service_type", Required: true, MaxSelect: 1, Values: []string{"vps", "dedicated", "hosting", "game_server"}},
			&core.SelectField{Name: "platform", Required: true, MaxSelect: 1, Values: []string{"virtfusion", "synergycp", "enhance", "pterodactyl", "manual"}},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "provisioning", "active", "suspended", "terminated", "cancelled", "failed"}},
			&core.SelectField{Name: "suspend_reason", MaxSelect: 1, Values: []string{"overdue", "staff", "abuse"}},
			&core.SelectField{Name: "power_state", MaxSelect: 1, Values: []string{"online", "offline", "unknown"}},
			&core.TextField{Name: "hostname", Max: 253},
			&core.TextField{Name: "domain", Max: 253},
			&core.JSONField{Name: "ip_addresses", MaxSize: 10000, Help: "list of IPv4 and IPv6 addresses"},
			&core.JSONField{Name: "options", MaxSize: 10000, Help: "what the customer chose when ordering (os, egg, ...)"},
			&core.NumberField{Name: "cpu_percent", Min: zero},
			countField("memory_used_mb"),
			countField("memory_total_mb"),
			countField("disk_used_mb"),
			countField("disk_total_mb"),
			&core.DateField{Name: "usage_updated_at"},
			&core.DateField{Name: "activated_at"},
			&core.DateField{Name: "suspended_at"},
			&core.DateField{Name: "terminated_at"},
			&core.BoolField{Name: "terminate_exempt", Help: "staff only: never terminate for non-payment"},
			&core.TextField{Name: "platform_service_id", Hidden: true, Max: 255, Help: "the server/account id on the platform"},
			&core.TextField{Name: "platform_user_id", Hidden: true, Max: 255},
			&core.TextField{Name: "credentials", Hidden: true, Max: 20000, Help: "AES-256-GCM sealed; revealed through /api/services/{id}/credentials"},
			&core.TextField{Name: "staff_notes", Hidden: true, Max: 20000},
		)
		timestamps(services)
		services.AddIndex("idx_services_customer", false, "customer", "")
		services.AddIndex("idx_services_subscription", false, "subscription", "")
		services.AddIndex("idx_services_plan", false, "plan", "")
		services.AddIndex("idx_services_status_platform", false, "status, platform", "")
		services.AddIndex("idx_services_platform_id", true, "platform, platform_service_id", "platform_service_id != ''")
		return app.Save(services)
	}, func(app core.App) error {
		return deleteAll(app, "services", "subscriptions", "payment_methods")
	})
}
