package migrations

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// OS reinstall through the provisioning queue: a job action "reinstall",
// and a flag on the service the customer's page shows ("Reinstalling…")
// and the power, panel and reinstall routes refuse on. The queue sets and
// clears it; nobody else writes it.
func init() {
	m.Register(func(app core.App) error {
		if err := editJobActions(app, func(v []string) []string {
			if slices.Contains(v, "reinstall") {
				return v
			}
			return append(v, "reinstall")
		}); err != nil {
			return err
		}
		services, err := app.FindCollectionByNameOrId("services")
		if err != nil {
			return err
		}
		if services.Fields.GetByName("reinstalling") == nil {
			services.Fields.Add(&core.BoolField{Name: "reinstalling", Help: "a reinstall job is queued or running (set by the queue)"})
		}
		return app.Save(services)
	}, func(app core.App) error {
		services, err := app.FindCollectionByNameOrId("services")
		if err != nil {
			return err
		}
		services.Fields.RemoveByName("reinstalling")
		if err := app.Save(services); err != nil {
			return err
		}
		return editJobActions(app, func(v []string) []string {
			return slices.DeleteFunc(v, func(a string) bool { return a == "reinstall" })
		})
	})
}

// editJobActions changes the actions a provisioning job may take.
func editJobActions(app core.App, edit func([]string) []string) error {
	c, err := app.FindCollectionByNameOrId("provisioning_jobs")
	if err != nil {
		return err
	}
	action := c.Fields.GetByName("action").(*core.SelectField)
	action.Values = edit(slices.Clone(action.Values))
	return app.Save(c)
}
