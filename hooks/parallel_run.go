package hooks

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/internal/settings"
)

// refuseWhileWHMCSServes answers 403 to a customer WHMCS still serves
// (parallelrun): their orders, payments, saved cards and service changes
// are made in WHMCS until the cutover, so nothing here may diverge from
// it. Staff impersonating them are refused alike; staff themselves pass.
// Bind it to every route that writes a customer's money or service.
var refuseWhileWHMCSServes = &hook.Handler[*core.RequestEvent]{
	Id: "ezscaleParallelRun",
	Func: func(e *core.RequestEvent) error {
		if e.Auth != nil && parallelrun.Held(e.Auth) {
			return e.ForbiddenError(parallelrun.ErrHeld.Error(), nil)
		}
		return e.Next()
	},
}

// bindParallelRun keeps a held customer's account as WHMCS has it: only
// their password may change (two-factor and passkeys have routes of their
// own, which stay open), not their profile nor their address, which the
// daily import brings from WHMCS. Their own record carries the announced
// cutover date, for the portal's banner.
func bindParallelRun(app core.App) {
	app.OnRecordUpdateRequest(customers.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		if e.HasSuperuserAuth() || !parallelrun.Held(e.Record.Original()) {
			return e.Next()
		}
		if err := onlyFields(changedFields(e.Record), parallelrun.AccountFieldsWhileHeld); err != nil {
			return e.ForbiddenError(parallelrun.ErrHeld.Error(), err)
		}
		return e.Next()
	})
	app.OnRecordRequestEmailChangeRequest(customers.Collection).BindFunc(func(e *core.RecordRequestEmailChangeRequestEvent) error {
		if parallelrun.Held(e.Record) && !e.HasSuperuserAuth() {
			return e.ForbiddenError(parallelrun.ErrHeld.Error(), nil)
		}
		return e.Next()
	})
	app.OnRecordEnrich(customers.Collection).BindFunc(func(e *core.RecordEnrichEvent) error {
		if !parallelrun.Held(e.Record) || e.RequestInfo == nil || e.RequestInfo.Auth == nil || e.RequestInfo.Auth.Id != e.Record.Id {
			return e.Next()
		}
		rec, err := settings.Record(e.App)
		if err != nil {
			return err
		}
		e.Record.WithCustomData(true)
		e.Record.Set("whmcs_cutover_planned", rec.GetDateTime("whmcs_cutover_planned"))
		return e.Next()
	})
}
