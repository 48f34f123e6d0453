// Package hooks wires requests and request policy to the domain packages,
// and registers the domain packages' own rules (ledger, fulfilment).
// It decides when something happens; billing/, integrations/ and jobs/
// decide what happens.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/billing/fulfilment"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/secrets"
)

// Deps are the clients of outside systems the hooks call.
type Deps struct {
	Gateways  *gateways.Set
	Platforms map[string]provisioning.Provisioner // drivers by platform name
	Support   *support.Desk                       // the help desk; nil when off
}

// Register binds every hook and route of the platform to app. main.go and
// the tests call it alike, so tests run the same app that production does.
// deps are the outside systems the configuration enables.
func Register(app core.App, cfg *config.Config, deps Deps) {
	gw := deps.Gateways
	if gw == nil {
		gw = &gateways.Set{}
	}
	box, _ := secrets.New(cfg.EncryptionKey) // nil without a key: nothing is sealed or revealed
	// The domain's own rules: what keeps an invoice consistent and what a
	// paid invoice sets off, registered beside their models.
	ledger.Bind(app)
	fulfilment.Bind(app)
	bandwidth.Bind(app)

	bindAppSettings(app, cfg)
	bindRequestLog(app)
	bindMetrics(app, cfg)
	bindHTTPSecurity(app, cfg)
	bindHostPolicy(app, cfg)
	bindOpenAPI(app)
	bindAudit(app)
	bindCustomers(app)
	bindCustomerStatus(app)
	bindParallelRun(app)
	bindRealtime(app)
	bindSettings(app)
	bindOrderRoutes(app)
	bindServiceRoutes(app)
	bindServiceStatus(app)
	bindJobRetry(app)
	actions := newServiceActions(deps.Platforms, box)
	bindServiceActions(app, actions)
	bindServiceReinstall(app, deps.Platforms)
	bindStaffServices(app, actions)
	bindHardware(app, deps.Platforms)
	bindPlanValidation(app, deps.Platforms)
	bindPlanOrderOptions(app, deps.Platforms)
	provisioning.BindSSHKeys(app)
	bindInvoicePDF(app)
	bindInvoiceRenewals(app)
	bindPayments(app, cfg, gw)
	bindStaffInvoices(app, gw)
	bindWebhooks(app, gw)
	bindPaymentMethods(app, cfg, gw)
	bindTOTP(app, box)
	bindPasskeys(app, cfg)
	bindSessions(app)
	bindAPIKeys(app)
	bindCredit(app)
	bindUpcomingCharges(app)
	bindCurrencies(app)
	bindAccountMail(app)
	bindStaffAccess(app, cfg)
	bindStaffPasskeys(app, cfg)
	bindStaffCustomers(app)
	bindNotifications(app)
	bindOutboxEdits(app)
	bindAnalytics(app)
	bindStaffSearch(app)
	bindSupport(app, deps.Support)
	bindImportedLogins(app)
	bindWHMCSLinks(app)
	bindStaffQueue(app, cfg)
}
