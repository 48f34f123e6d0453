package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// ticketNumberIndexes: an old WHMCS ticket link (viewticket.php?tid=…) is
// resolved by the ticket's number, in the archive and then in the
// SupportPal mirror; without these each visit read both tables whole.
var ticketNumberIndexes = map[string]string{
	"ticket_archive":  "idx_ticket_archive_number",
	"support_tickets": "idx_support_tickets_number",
}

func init() {
	m.Register(func(app core.App) error {
		for name, index := range ticketNumberIndexes {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.AddIndex(index, false, "number", "")
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		for name, index := range ticketNumberIndexes {
			c, err := app.FindCollectionByNameOrId(name)
			if err != nil {
				return err
			}
			c.RemoveIndex(index)
			if err := app.Save(c); err != nil {
				return err
			}
		}
		return nil
	})
}
