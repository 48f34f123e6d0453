// Package hooks wires record events and requests to the domain packages.
// It decides when something happens; billing/, integrations/ and jobs/
// decide what happens.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/config"
)

// Register binds every hook and route of the platform to app. main.go and
// the tests call it alike, so tests run the same app that production does.
// It fails only when a configured integration cannot be built.
func Register(app core.App, cfg *config.Config) error {
	gw, err := gateways.FromConfig(cfg)
	if err != nil {
		return err
	}
	bindAppSettings(app, cfg)
	bindAudit(app)
	bindCustomers(app)
	bindSettings(app)
	bindInvoices(app)
	bindOrderRoutes(app)
	bindServiceRoutes(app)
	bindInvoicePDF(app)
	bindPayments(app, cfg, gw)
	bindWebhooks(app, gw)
	bindPaymentMethods(app, gw)
	bindDevMode(app, cfg)
	return nil
}
