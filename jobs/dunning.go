package jobs

import (
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/gateways"
)

// RunDunning chases the unpaid invoices at now, from the scheduler or
// `ezscale dunning run`. Saved methods are charged when a gateway that
// charges them is enabled.
func RunDunning(app core.App, gw *gateways.Set, portalURL string, now time.Time, dryRun bool, progress io.Writer) ([]dunning.Action, error) {
	opts := dunning.Options{Now: now, DryRun: dryRun, PortalURL: portalURL, Progress: progress}
	if charger, ok := gateways.First[gateway.Charger](gw); ok {
		opts.Charger = charger
	}
	return dunning.Run(app, opts)
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
