package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Billing core additions: the counters behind gapless document numbers,
// how far each subscription has been invoiced, and why an invoice exists.
func init() {
	m.Register(func(app core.App) error {
		seqs := core.NewBaseCollection("number_sequences")
		seqs.Fields.Add(
			&core.TextField{Name: "series", Required: true, Max: 40, Help: "invoice, proforma, credit_note"},
			&core.TextField{Name: "key", Required: true, Max: 100, Help: "the formatted prefix; a new key restarts at 1"},
			countField("last"),
		)
		timestamps(seqs)
		seqs.AddIndex("idx_number_sequences_series_key", true, "series, `key`", "")
		if err := app.Save(seqs); err != nil {
			return err
		}

		subs, err := app.FindCollectionByNameOrId("subscriptions")
		if err != nil {
			return err
		}
		subs.Fields.Add(
			&core.DateField{Name: "anchor_at", Help: "start of the first period; later periods are computed from it"},
			&core.DateField{Name: "billed_until", Help: "end of the last period invoiced"},
		)
		subs.AddIndex("idx_subscriptions_status_billed", false, "status, billed_until", "")
		if err := app.Save(subs); err != nil {
			return err
		}

		invoices, err := app.FindCollectionByNameOrId("invoices")
		if err != nil {
			return err
		}
		invoices.Fields.Add(
			&core.SelectField{Name: "purpose", MaxSelect: 1,
				Values: []string{"order", "renewal", "plan_change", "overage", "manual"}},
			&core.JSONField{Name: "plan_change", MaxSize: 5000, Help: "the change this invoice pays for; applied when paid"},
			&core.DateField{Name: "void_at", Help: "voided automatically when still unpaid then"},
			&core.JSONField{Name: "tax", MaxSize: 2000,
				Help: "the tax treatment decided for this invoice (rate, inclusive, reverse charge); new lines use it"},
		)
		invoices.AddIndex("idx_invoices_void_at", false, "void_at", "void_at != ''")
		if err := app.Save(invoices); err != nil {
			return err
		}

		items, err := app.FindCollectionByNameOrId("invoice_items")
		if err != nil {
			return err
		}
		items.Fields.Add(&core.BoolField{Name: "tax_inclusive", Help: "amount already includes tax_amount"})
		if err := app.Save(items); err != nil {
			return err
		}

		// Whether a price includes tax is a property of each tax rate.
		st, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		st.Fields.RemoveByName("prices_include_tax")
		return app.Save(st)
	}, func(app core.App) error {
		if c, err := app.FindCollectionByNameOrId("settings"); err == nil {
			c.Fields.Add(&core.BoolField{Name: "prices_include_tax"})
			if err := app.Save(c); err != nil {
				return err
			}
		}
		if c, err := app.FindCollectionByNameOrId("invoice_items"); err == nil {
			c.Fields.RemoveByName("tax_inclusive")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		if c, err := app.FindCollectionByNameOrId("invoices"); err == nil {
			c.Fields.RemoveByName("tax")
			c.Fields.RemoveByName("purpose")
			c.Fields.RemoveByName("plan_change")
			c.Fields.RemoveByName("void_at")
			c.RemoveIndex("idx_invoices_void_at")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		if c, err := app.FindCollectionByNameOrId("subscriptions"); err == nil {
			c.Fields.RemoveByName("anchor_at")
			c.Fields.RemoveByName("billed_until")
			c.RemoveIndex("idx_subscriptions_status_billed")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return deleteAll(app, "number_sequences")
	})
}
