package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// Staff-assigned dedicated hardware: when no inventory server matches a
// dedicated order, the order waits for staff to pick one; the customer is
// told it is being prepared and how long that usually takes.
func init() {
	m.Register(func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.Add(&core.NumberField{Name: "hardware_prepare_hours", OnlyInt: true, Min: zero,
			Help: "hours staff usually need to prepare a dedicated server when none is in stock (shown to the customer)"})
		if err := app.Save(c); err != nil {
			return err
		}
		recs, err := app.FindAllRecords("settings")
		if err != nil {
			return err
		}
		for _, r := range recs {
			r.Set("hardware_prepare_hours", 24)
			if err := app.Save(r); err != nil {
				return err
			}
		}
		return nil
	}, func(app core.App) error {
		c, err := app.FindCollectionByNameOrId("settings")
		if err != nil {
			return err
		}
		c.Fields.RemoveByName("hardware_prepare_hours")
		return app.Save(c)
	})
}
