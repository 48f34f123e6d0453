package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Credit that returns unused time (a downgrade, a cancellation) names the
// subscription and the span of time it returns, so no span is returned
// twice and the ledger check can hold it against what was paid for it.
// Credit returned from a voided invoice gets its own reason.
func init() {
	m.Register(func(app core.App) error {
		credit, err := app.FindCollectionByNameOrId("credit_entries")
		if err != nil {
			return err
		}
		sub, err := relationTo(app, "subscription", "subscriptions", false, false)
		if err != nil {
			return err
		}
		credit.Fields.Add(sub,
			&core.DateField{Name: "period_start", Help: "start of the unused time this credit returns"},
			&core.DateField{Name: "period_end", Help: "end of the unused time this credit returns"},
		)
		if f, ok := credit.Fields.GetByName("reason").(*core.SelectField); ok {
			f.Values = append(f.Values, "void")
		}
		credit.AddIndex("idx_credit_entries_subscription", false, "subscription", "subscription != ''")
		return app.Save(credit)
	}, func(app core.App) error {
		credit, err := app.FindCollectionByNameOrId("credit_entries")
		if err != nil {
			return err
		}
		credit.Fields.RemoveByName("subscription")
		credit.Fields.RemoveByName("period_start")
		credit.Fields.RemoveByName("period_end")
		if f, ok := credit.Fields.GetByName("reason").(*core.SelectField); ok {
			f.Values = f.Values[:len(f.Values)-1]
		}
		credit.RemoveIndex("idx_credit_entries_subscription")
		return app.Save(credit)
	})
}
