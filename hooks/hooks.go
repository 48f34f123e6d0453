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
// gw are the payment gateways the configuration enables.
func Register(app core.App, cfg *config.Config, gw *gateways.Set) {
	bindAppSettings(app, cfg)
	bindAudit(app)
	bindCustomers(app)
	bindSettings(app)
	bindInvoices(app)
	bindOrderRoutes(app)
	bindServiceRoutes(app)
	bindServiceStatus(app)
	bindInvoicePDF(app)
	bindPayments(app, cfg, gw)
	bindWebhooks(app, gw)
	bindPaymentMethods(app, cfg, gw)
	bindDevMode(app, cfg)
}
