package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// credit_notes document refunds: each has its own gapless number series and
// refers to the invoice it credits. They are issued by the refund flow only.
func init() {
	m.Register(func(app core.App) error {
		c := core.NewBaseCollection("credit_notes")
		ownedBy(c)
		if err := addRelations(app, c,
			relationSpec{"customer", "customers", true, false},
			relationSpec{"invoice", "invoices", true, false},
			relationSpec{"payment", "payments", true, false},
		); err != nil {
			return err
		}
		c.Fields.Add(
			&core.TextField{Name: "number", Required: true, Max: 64, Presentable: true},
			currencyField("currency"),
			&core.NumberField{Name: "amount", Required: true, OnlyInt: true, Min: one, Help: "minor units refunded"},
			&core.TextField{Name: "reason", Max: 1000},
			&core.DateField{Name: "issued_at", Required: true},
			&core.JSONField{Name: "seller", MaxSize: 10000},
			&core.JSONField{Name: "buyer", MaxSize: 10000},
		)
		timestamps(c)
		c.AddIndex("idx_credit_notes_number", true, "number", "")
		c.AddIndex("idx_credit_notes_customer", false, "customer", "")
		c.AddIndex("idx_credit_notes_invoice", false, "invoice", "")
		return app.Save(c)
	}, func(app core.App) error {
		return deleteAll(app, "credit_notes")
	})
}
