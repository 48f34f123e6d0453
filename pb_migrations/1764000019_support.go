package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Support (integrations/support): each customer's SupportPal user id, what
// the ticket mirror needs to page and notify (closed tickets, SupportPal's
// own update time, the last message seen) and the sync cursors of jobs that
// poll a system without webhooks.
func init() {
	m.Register(func(app core.App) error {
		customers, err := app.FindCollectionByNameOrId("customers")
		if err != nil {
			return err
		}
		customers.Fields.Add(&core.NumberField{Name: "supportpal_user_id", Hidden: true, OnlyInt: true, Min: zero,
			Help: "the customer's user in SupportPal, found by email or created on first use"})
		customers.AddIndex("idx_customers_supportpal_user", false, "supportpal_user_id", "")

		tickets, err := app.FindCollectionByNameOrId("support_tickets")
		if err != nil {
			return err
		}
		tickets.Fields.Add(
			&core.BoolField{Name: "closed"},
			&core.TextField{Name: "status_colour", Max: 20},
			&core.DateField{Name: "remote_updated_at", Help: "SupportPal's updated_at: the refresh cursor"},
			&core.NumberField{Name: "last_message_id", Hidden: true, OnlyInt: true, Min: zero,
				Help: "the newest message seen; a newer one makes the sync read the thread"},
		)
		tickets.AddIndex("idx_support_tickets_customer_closed", false, "customer, closed, last_reply_at", "")

		cursors := core.NewBaseCollection("sync_cursors")
		cursors.Fields.Add(
			&core.TextField{Name: "name", Required: true, Max: 100, Presentable: true},
			&core.DateField{Name: "synced_at", Help: "when the last successful run started"},
		)
		timestamps(cursors)
		cursors.AddIndex("idx_sync_cursors_name", true, "name", "")

		return saveAll(app, customers, tickets, cursors)
	}, func(app core.App) error {
		if err := deleteAll(app, "sync_cursors"); err != nil {
			return err
		}
		tickets, err := app.FindCollectionByNameOrId("support_tickets")
		if err != nil {
			return err
		}
		tickets.RemoveIndex("idx_support_tickets_customer_closed")
		for _, f := range []string{"closed", "status_colour", "remote_updated_at", "last_message_id"} {
			tickets.Fields.RemoveByName(f)
		}
		customers, err := app.FindCollectionByNameOrId("customers")
		if err != nil {
			return err
		}
		customers.RemoveIndex("idx_customers_supportpal_user")
		customers.Fields.RemoveByName("supportpal_user_id")
		return saveAll(app, tickets, customers)
	})
}
