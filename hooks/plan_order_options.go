package hooks

import (
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// bindPlanOrderOptions keeps the choices a plan's order form derives from
// its platform in its public order_options whenever the plan is saved: the
// location names staff listed in the hidden platform_config (the platform
// ids stay hidden) and whether the platform takes saved SSH keys. The order
// is validated against these (billing/orders) and the driver maps the
// chosen name back to its id.
func bindPlanOrderOptions(app core.App, drivers map[string]provisioning.Provisioner) {
	derive := func(e *core.RecordEvent) error {
		rec := e.Record
		if driver := drivers[rec.GetString("platform")]; driver != nil {
			options := map[string]any{}
			raw, _ := json.Marshal(rec.Get("order_options"))
			if err := json.Unmarshal(raw, &options); err != nil {
				return e.Next() // not an object: left as staff wrote it, for its own validation to report
			}
			if options == nil {
				options = map[string]any{}
			}
			config := map[string]any{}
			raw, _ = json.Marshal(rec.Get("platform_config"))
			_ = json.Unmarshal(raw, &config)
			locations, sshKeys := provisioning.OfferedAtOrder(driver, config)
			_, hadLocations := options["locations"]
			_, hadKeys := options["ssh_keys"]
			delete(options, "locations")
			delete(options, "ssh_keys")
			if len(locations) > 0 {
				options["locations"] = locations
			}
			if sshKeys {
				options["ssh_keys"] = true
			}
			if hadLocations || hadKeys || len(locations) > 0 || sshKeys {
				rec.Set("order_options", options)
			}
		}
		return e.Next()
	}
	app.OnRecordCreate("plans").BindFunc(derive)
	app.OnRecordUpdate("plans").BindFunc(derive)
}
