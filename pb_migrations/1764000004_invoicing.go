package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The ledger: invoices and their lines, payments and refunds, account
// credit, coupon redemptions, and the orders that start it all. Financial
// rows never cascade away with a customer: such a customer cannot be deleted.
func init() {
	m.Register(func(app core.App) error {
		invoices := core.NewBaseCollection("invoices")
		ownedBy(invoices)
		if err := addRelations(app, invoices,
			relationSpec{"customer", "customers", true, false},
			relationSpec{"coupon", "coupons", false, false},
		); err != nil {
			return err
		}
		invoices.Fields.Add(
			&core.TextField{Name: "number", Max: 64, Presentable: true, Help: "assigned when the invoice leaves draft"},
			&core.TextField{Name: "series", Max: 64},
			&core.TextField{Name: "proforma_number", Max: 64},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"draft", "open", "paid", "void", "uncollectible", "refunded", "partially_refunded"}},
			currencyField("currency"),
			moneyField("subtotal", true),
			moneyField("discount_total", false),
			moneyField("tax_total", false),
			moneyField("total", true),
			moneyField("credit_applied", false),
			moneyField("amount_paid", false),
			moneyField("amount_refunded", false),
			moneyField("amount_due", false),
			&core.DateField{Name: "issued_at"},
			&core.DateField{Name: "due_at"},
			&core.DateField{Name: "paid_at"},
			&core.DateField{Name: "voided_at"},
			&core.JSONField{Name: "seller", MaxSize: 10000, Help: "seller details frozen when issued"},
			&core.JSONField{Name: "buyer", MaxSize: 10000, Help: "buyer details frozen when issued"},
			&core.JSONField{Name: "tax_summary", MaxSize: 10000, Help: "per rate: name, rate, base, tax; frozen when issued"},
			&core.BoolField{Name: "reverse_charge"},
			&core.TextField{Name: "notes", Max: 5000, Help: "shown on the invoice"},
			&core.TextField{Name: "staff_notes", Hidden: true, Max: 20000},
			&core.NumberField{Name: "charge_attempts", OnlyInt: true, Min: zero},
			&core.DateField{Name: "next_charge_at"},
			&core.JSONField{Name: "dunning", Hidden: true, MaxSize: 10000, Help: "dunning steps already taken, so each runs once"},
		)
		timestamps(invoices)
		invoices.AddIndex("idx_invoices_number", true, "number", "number != ''")
		invoices.AddIndex("idx_invoices_customer", false, "customer", "")
		invoices.AddIndex("idx_invoices_status_due", false, "status, due_at", "")
		invoices.AddIndex("idx_invoices_next_charge", false, "next_charge_at", "status = 'open'")
		invoices.AddIndex("idx_invoices_coupon", false, "coupon", "coupon != ''")
		if err := app.Save(invoices); err != nil {
			return err
		}

		items := core.NewBaseCollection("invoice_items")
		ownedBy(items)
		// Lines exist only as part of their invoice.
		if err := addRelations(app, items,
			relationSpec{"invoice", "invoices", true, true},
			relationSpec{"customer", "customers", true, false},
			relationSpec{"subscription", "subscriptions", false, false},
			relationSpec{"service", "services", false, false},
			relationSpec{"tax_rate", "tax_rates", false, false},
		); err != nil {
			return err
		}
		items.Fields.Add(
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1,
				Values: []string{"period", "setup", "proration", "overage", "hourly", "discount", "adjustment"}},
			&core.TextField{Name: "description", Required: true, Max: 500},
			&core.NumberField{Name: "quantity", Required: true, OnlyInt: true, Min: one},
			moneyField("unit_amount", true),
			moneyField("amount", true),
			&core.NumberField{Name: "tax_rate_value", OnlyInt: true, Min: zero, Max: maxPercent, Help: "thousandths of a percent, frozen"},
			moneyField("tax_amount", true),
			&core.DateField{Name: "period_start"},
			&core.DateField{Name: "period_end"},
			&core.BoolField{Name: "waived", Help: "overage waived by staff before the invoice is issued"},
			&core.NumberField{Name: "sort_order", OnlyInt: true},
		)
		timestamps(items)
		items.AddIndex("idx_invoice_items_invoice", false, "invoice", "")
		items.AddIndex("idx_invoice_items_customer", false, "customer", "")
		items.AddIndex("idx_invoice_items_service", false, "service", "service != ''")
		// One subscription period is billed once, however many renewals share an invoice.
		items.AddIndex("idx_invoice_items_subscription_period", true, "subscription, period_start", "kind = 'period' AND subscription != ''")
		if err := app.Save(items); err != nil {
			return err
		}

		payments := core.NewBaseCollection("payments")
		ownedBy(payments)
		if err := addRelations(app, payments,
			relationSpec{"customer", "customers", true, false},
			relationSpec{"invoice", "invoices", false, false},
			relationSpec{"payment_method", "payment_methods", false, false},
		); err != nil {
			return err
		}
		payments.Fields.Add(
			&core.SelectField{Name: "kind", Required: true, MaxSelect: 1, Values: []string{"charge", "refund"}},
			&core.SelectField{Name: "gateway", Required: true, MaxSelect: 1, Values: []string{"stripe", "paypal", "manual", "credit", "sandbox"}},
			&core.TextField{Name: "gateway_id", Max: 255, Help: "the gateway's charge/refund id"},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "succeeded", "failed", "requires_action"}},
			moneyField("amount", false),
			currencyField("currency"),
			moneyField("fee", false),
			&core.TextField{Name: "failure_code", Max: 100},
			&core.TextField{Name: "failure_message", Max: 1000},
			&core.TextField{Name: "reason", Max: 1000, Help: "refund reason"},
			&core.NumberField{Name: "attempt", OnlyInt: true, Min: zero},
			&core.DateField{Name: "paid_at"},
		)
		timestamps(payments)
		payments.AddIndex("idx_payments_gateway_id", true, "gateway, gateway_id", "gateway_id != ''")
		payments.AddIndex("idx_payments_customer", false, "customer", "")
		payments.AddIndex("idx_payments_invoice", false, "invoice", "invoice != ''")
		payments.AddIndex("idx_payments_paid_at", false, "paid_at", "")
		if err := app.Save(payments); err != nil {
			return err
		}
		// A refund points at the charge it returns: a self relation, added
		// once the collection exists.
		payments.Fields.Add(&core.RelationField{Name: "refund_of", CollectionId: payments.Id, MaxSelect: 1})
		payments.AddIndex("idx_payments_refund_of", false, "refund_of", "refund_of != ''")

		credit := core.NewBaseCollection("credit_entries")
		ownedBy(credit)
		if err := addRelations(app, credit,
			relationSpec{"customer", "customers", true, false},
			relationSpec{"invoice", "invoices", false, false},
		); err != nil {
			return err
		}
		credit.Fields.Add(
			currencyField("currency"),
			&core.NumberField{Name: "amount", Required: true, OnlyInt: true, Help: "minor units; positive adds credit, negative uses it"},
			&core.SelectField{Name: "reason", Required: true, MaxSelect: 1,
				Values: []string{"overpayment", "downgrade", "cancellation", "refund", "manual", "applied", "import"}},
			&core.TextField{Name: "description", Max: 500},
		)
		timestamps(credit)
		credit.AddIndex("idx_credit_entries_customer_currency", false, "customer, currency", "")
		credit.AddIndex("idx_credit_entries_invoice", false, "invoice", "invoice != ''")

		redemptions := core.NewBaseCollection("coupon_redemptions")
		ownedBy(redemptions)
		if err := addRelations(app, redemptions,
			relationSpec{"coupon", "coupons", true, false},
			relationSpec{"customer", "customers", true, false},
			relationSpec{"invoice", "invoices", false, false},
		); err != nil {
			return err
		}
		redemptions.Fields.Add(moneyField("amount_off", false), currencyField("currency"))
		timestamps(redemptions)
		redemptions.AddIndex("idx_coupon_redemptions_coupon_customer", false, "coupon, customer", "")
		redemptions.AddIndex("idx_coupon_redemptions_customer", false, "customer", "")

		orders := core.NewBaseCollection("orders")
		ownedBy(orders)
		if err := addRelations(app, orders,
			relationSpec{"customer", "customers", true, false},
			relationSpec{"plan_price", "plan_prices", true, false},
			relationSpec{"coupon", "coupons", false, false},
			relationSpec{"subscription", "subscriptions", false, false},
			relationSpec{"service", "services", false, false},
			relationSpec{"invoice", "invoices", false, false},
		); err != nil {
			return err
		}
		orders.Fields.Add(
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "pending_approval", "active", "cancelled", "fraud"}},
			&core.JSONField{Name: "options", MaxSize: 10000},
			&core.TextField{Name: "ip", Hidden: true, Max: 64},
		)
		timestamps(orders)
		orders.AddIndex("idx_orders_customer", false, "customer", "")
		orders.AddIndex("idx_orders_status", false, "status", "")

		return saveAll(app, payments, credit, redemptions, orders)
	}, func(app core.App) error {
		return deleteAll(app, "orders", "coupon_redemptions", "credit_entries", "payments", "invoice_items", "invoices")
	})
}
