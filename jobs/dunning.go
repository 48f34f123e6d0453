package jobs

import (
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/stripe"
)

// Stripe can say what became of a charge whose webhook was lost.
var _ dunning.ChargeLookup = (*stripe.Client)(nil)

// RunDunning chases the unpaid invoices at now, from the scheduler or
// `ezscale dunning run`. Saved cards are charged when Stripe is configured.
func RunDunning(app core.App, gw *gateways.Set, portalURL string, now time.Time, dryRun bool, progress io.Writer) ([]dunning.Action, error) {
	opts := dunning.Options{Now: now, DryRun: dryRun, PortalURL: portalURL, Progress: progress}
	if gw != nil && gw.Stripe != nil {
		opts.Charger = gw.Stripe
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
