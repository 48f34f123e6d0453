package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Covering indexes for the staff analytics (billing/analytics): with
// every column a query needs in the index, SQLite never visits the wide
// table rows. Revenue groups a year of succeeded payments by day: indexed
// by the day itself (the expression the query groups by), they are read
// in group order with no sort. Receivables read every open invoice.
// Past MRR undoes the subscription amount changes in the audit log, a
// handful among every update of every subscription: a partial index holds
// just those. Measured on 10,000 seeded customers (README, "Staff
// analytics").
func init() {
	m.Register(func(app core.App) error {
		payments, err := app.FindCollectionByNameOrId("payments")
		if err != nil {
			return err
		}
		payments.AddIndex("idx_payments_revenue", false, "status, substr(paid_at, 1, 10), currency, kind, amount, paid_at", "")
		invoices, err := app.FindCollectionByNameOrId("invoices")
		if err != nil {
			return err
		}
		invoices.AddIndex("idx_invoices_receivables", false, "status, due_at, currency, amount_due", "")
		audit, err := app.FindCollectionByNameOrId("audit_logs")
		if err != nil {
			return err
		}
		audit.AddIndex("idx_audit_logs_subscription_amounts", false, "collection, action, created",
			"collection = 'subscriptions' AND json_extract(changes, '$.amount') IS NOT NULL")
		return saveAll(app, payments, invoices, audit)
	}, func(app core.App) error {
		for name, index := range map[string]string{"payments": "idx_payments_revenue", "invoices": "idx_invoices_receivables",
			"audit_logs": "idx_audit_logs_subscription_amounts"} {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				continue
			}
			c.RemoveIndex(index)
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
