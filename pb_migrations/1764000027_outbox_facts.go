package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// A notice queued on a hot write path (the receipt and staff notice of a
// paid invoice) stores its template key and facts instead of its text, and
// the outbox renders it when it sends it: rendering inside the payment's
// transaction held the single write lock for every other writer. The
// rendered text is written back when the message is sent.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("outbox")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.JSONField{Name: "facts", MaxSize: 100000,
			Help: `template key and facts rendered at delivery, e.g. {"notice":"email","key":"payment_received","data":{...}}; empty when queued rendered`})
		return app.Save(c)
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("outbox")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("facts")
		return app.Save(c)
	})
}
