package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// A service shows a power action in progress (starting, stopping,
// restarting) until its platform reports it done, and the CPU cores its
// platform reports beside the memory and disk totals.
func init() {
	m.Register(func(app core.App) error {
		services, err := app.FindCollectionByNameOrId("services")
		if err != nil {
			return err
		}
		power := services.Fields.GetByName("power_state").(*core.SelectField)
		power.Values = []string{"online", "offline", "starting", "stopping", "restarting", "unknown"}
		services.Fields.Add(countField("cpu_cores"))
		return app.Save(services)
	}, func(app core.App) error {
		services, err := app.FindCollectionByNameOrId("services")
		if err != nil {
			return err
		}
		if _, err := app.DB().NewQuery("UPDATE services SET power_state = 'unknown' WHERE power_state IN ('starting', 'stopping', 'restarting')").Execute(); err != nil {
			return err
		}
		power := services.Fields.GetByName("power_state").(*core.SelectField)
		power.Values = []string{"online", "offline", "unknown"}
		services.Fields.RemoveByName("cpu_cores")
		return app.Save(services)
	})
}
