package jobs

import (
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/integrations/gateways"
)

// RunDunning chases the unpaid invoices at now, from the scheduler or
// `ezscale dunning run`. A saved method is charged when its own gateway is
// enabled and charges saved methods.
func RunDunning(app core.App, gw *gateways.Set, portalURL string, now time.Time, dryRun bool, progress io.Writer) ([]dunning.Action, error) {
	return dunning.Run(app, dunning.Options{Now: now, DryRun: dryRun, Chargers: gw.Chargers(), PortalURL: portalURL, Progress: progress})
}

func runDunning(app core.App, gw *gateways.Set, portalURL string, now time.Time) error {
	actions, err := RunDunning(app, gw, portalURL, now, false, io.Discard)
	if err != nil {
		app.Logger().Error("dunning run failed", "error", err, "actions", len(actions))
		return err
	}
	app.Logger().Info("dunning run", "actions", len(actions))
	return nil
}
