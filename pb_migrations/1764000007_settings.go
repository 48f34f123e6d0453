package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// settings is a single record with the business settings staff edit in the
// dashboard. hooks refuse a second record and its deletion.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("settings")
		c.Fields.Add(
			&core.TextField{Name: "company_name", Required: true, Max: 200, Presentable: true},
			&core.TextField{Name: "company_address", Max: 1000, Help: "postal address, one line per row"},
			&core.TextField{Name: "company_country", Required: true, Min: 2, Max: 2, Pattern: countryPattern},
			&core.TextField{Name: "company_region", Max: 100},
			&core.TextField{Name: "company_vat_id", Max: 20},
			&core.TextField{Name: "company_registration", Max: 100, Help: "company register number shown on invoices"},
			&core.EmailField{Name: "company_email", Required: true},
			&core.TextField{Name: "company_phone", Max: 40},
			&core.TextField{Name: "company_bank_details", Max: 1000, Help: "shown on invoices for bank transfer"},

			&core.TextField{Name: "invoice_number_format", Required: true, Max: 64,
				Help: "{YYYY}, {YY}, {MM} and {SEQ:n}; the sequence resets when the formatted prefix changes"},
			&core.TextField{Name: "credit_note_number_format", Required: true, Max: 64},
			&core.BoolField{Name: "proforma_mode", Help: "open invoices get a proforma number; the legal number is given on payment"},
			&core.TextField{Name: "proforma_number_format", Required: true, Max: 64},
			&core.NumberField{Name: "invoice_due_days", OnlyInt: true, Min: zero, Help: "days from issue to due date"},

			currencyField("base_currency"),
			&core.JSONField{Name: "currencies", MaxSize: 2000, Help: `currencies customers may use, e.g. ["USD","EUR","GBP"]`},
			&core.JSONField{Name: "exchange_rates", MaxSize: 5000,
				Help: `units of base currency per unit, as decimal strings, e.g. {"EUR":"1.08"}; reporting only, never charging`},

			&core.JSONField{Name: "renewal_lead_days", MaxSize: 2000, Help: `days before a period starts to invoice it, per cycle`},
			&core.BoolField{Name: "combine_renewals", Help: "one invoice per customer, currency and day for renewals"},
			&core.TextField{Name: "billing_run_time", Required: true, Min: 5, Max: 5, Pattern: `^([01]\d|2[0-3]):[0-5]\d$`, Help: "HH:MM UTC"},
			&core.NumberField{Name: "upgrade_invoice_void_days", OnlyInt: true, Min: zero},

			&core.NumberField{Name: "dunning_reminder_days", OnlyInt: true, Min: zero, Help: "reminder this many days before due"},
			&core.JSONField{Name: "dunning_retry_days", MaxSize: 1000, Help: "days after due to retry a failed charge, e.g. [1,3,5,7]"},
			&core.NumberField{Name: "dunning_suspend_days", OnlyInt: true, Min: zero, Help: "days past due before suspension"},
			&core.NumberField{Name: "dunning_terminate_days", OnlyInt: true, Min: zero, Help: "days suspended before termination"},

			&core.BoolField{Name: "tax_enabled"},
			&core.BoolField{Name: "prices_include_tax", Help: "catalog prices are tax inclusive"},
			&core.BoolField{Name: "eu_reverse_charge", Help: "no tax for EU business buyers with a VAT id in another member state"},

			&core.NumberField{Name: "high_value_order_threshold", OnlyInt: true, Min: zero, Help: "base currency minor units; alerts staff"},
			&core.JSONField{Name: "bandwidth_alert_percents", MaxSize: 1000, Help: "e.g. [75,90,100]"},
			&core.NumberField{Name: "bandwidth_settle_hours", OnlyInt: true, Min: zero, Help: "wait for late flow records before billing overage"},
		)
		timestamps(c)
		if err := app.Save(c); err != nil {
			return err
		}

		r := core.NewRecord(c)
		for k, v := range DefaultSettings() {
			r.Set(k, v)
		}
		return app.Save(r)
	}, func(app core.App) error {
		return deleteAll(app, "settings")
	})
}

// DefaultSettings are the values of a fresh install.
func DefaultSettings() map[string]any {
	return map[string]any{
		"company_name":              "EZSCALE Hosting",
		"company_address":           "1 Example Street\nSpringfield",
		"company_country":           "US",
		"company_email":             "billing@ezscale.example",
		"invoice_number_format":     "INV-{YYYY}-{SEQ:6}",
		"credit_note_number_format": "CN-{YYYY}-{SEQ:6}",
		"proforma_number_format":    "PRO-{YYYY}-{SEQ:6}",
		"invoice_due_days":          7,
		"base_currency":             "USD",
		"currencies":                []string{"USD", "EUR", "GBP"},
		"exchange_rates":            map[string]string{"EUR": "1.08", "GBP": "1.27"},
		"renewal_lead_days": map[string]int{
			"hourly": 0, "monthly": 7, "quarterly": 14, "semiannual": 14,
			"annual": 30, "biennial": 30, "triennial": 30,
		},
		"combine_renewals":           true,
		"billing_run_time":           "06:00",
		"upgrade_invoice_void_days":  3,
		"dunning_reminder_days":      3,
		"dunning_retry_days":         []int{1, 3, 5, 7},
		"dunning_suspend_days":       7,
		"dunning_terminate_days":     14,
		"tax_enabled":                true,
		"eu_reverse_charge":          true,
		"high_value_order_threshold": 50000,
		"bandwidth_alert_percents":   []int{75, 90, 100},
		"bandwidth_settle_hours":     24,
	}
}
