package hooks

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"

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

	check := func(e *core.RecordRequestEvent) error {
		if err := checkOnPlatform(e, drivers); err != nil {
			return e.BadRequestError("Failed to save the plan.",
				validation.Errors{"platform_config": validation.NewError("validation_platform_config", err.Error())})
		}
		return e.Next()
	}
	app.OnRecordCreateRequest("plans").BindFunc(check)
	app.OnRecordUpdateRequest("plans").BindFunc(check)
}

// platformChecker is a driver that can check a plan's config against the
// platform itself, such as the variables of a Pterodactyl egg.
type platformChecker interface {
	CheckPlatform(ctx context.Context, config map[string]any) error
}

// checkOnPlatform asks the plan's platform whether it would build servers
// of the plan. It calls the platform, so it runs in the request hooks,
// before the save and its transaction, and only when staff set the config
// or platform. Only the platform's refusal refuses the plan: a platform
// that cannot be reached is logged, and the save goes ahead.
func checkOnPlatform(e *core.RecordRequestEvent, drivers map[string]provisioning.Provisioner) error {
	rec := e.Record
	checker, ok := drivers[rec.GetString("platform")].(platformChecker)
	if !ok {
		return nil
	}
	config := map[string]any{}
	raw, _ := json.Marshal(rec.Get("platform_config"))
	_ = json.Unmarshal(raw, &config)
	if !rec.IsNew() {
		old := map[string]any{}
		rawOld, _ := json.Marshal(rec.Original().Get("platform_config"))
		_ = json.Unmarshal(rawOld, &old)
		if rec.Original().GetString("platform") == rec.GetString("platform") && reflect.DeepEqual(old, config) {
			return nil
		}
	}
	err := checker.CheckPlatform(e.Request.Context(), config)
	var pe *provisioning.Error
	if err != nil && !(errors.As(err, &pe) && pe.Permanent) {
		e.App.Logger().Warn("plan saved without checking it on its platform", "plan", rec.Id,
			"platform", rec.GetString("platform"), "error", err.Error())
		return nil
	}
	return err
}
