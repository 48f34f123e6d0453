package hooks

import (
	"encoding/json"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// bindPlanValidation checks a plan's platform config with its platform's
// driver when staff save the plan, so a bad package id or egg is caught
// then and not when a customer has paid.
func bindPlanValidation(app core.App, drivers map[string]provisioning.Provisioner) {
	app.OnRecordValidate("plans").BindFunc(func(e *core.RecordEvent) error {
		if err := e.Next(); err != nil {
			return err
		}
		driver := drivers[e.Record.GetString("platform")]
		if driver == nil {
			return nil
		}
		config := map[string]any{}
		raw, _ := json.Marshal(e.Record.Get("platform_config"))
		_ = json.Unmarshal(raw, &config)
		if err := driver.ValidateConfig(config); err != nil {
			return validation.Errors{"platform_config": validation.NewError("validation_platform_config", err.Error())}
		}
		return nil
	})
}
