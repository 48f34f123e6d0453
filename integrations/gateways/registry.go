package gateways

import (
	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/config"
)

// Registration is how the platform wires one payment gateway; the callers
// (webhook routes, refunds, dunning, the portal's options) iterate the
// registrations instead of naming gateways.
type Registration struct {
	// Name is the gateway's name in payments.gateway,
	// payment_methods.gateway and webhook_events.gateway, and the last
	// segment of its webhook route, /api/webhooks/{Name}.
	Name string
	// Open builds the client cfg has credentials for, or nil when it has
	// none.
	Open func(cfg *config.Config) (gateway.Gateway, error)
	// HandleEvent applies a verified webhook event; a stored event is
	// re-run with it even while the gateway is off.
	HandleEvent webhooks.Handler
	// PortalOptions is what GET /api/payment-options says of the gateway
	// given its client, nil when it is off.
	PortalOptions func(client gateway.Gateway) any
}

// registered is every gateway the platform knows, in the order routes are
// bound and options listed. A new gateway is one line here.
var registered = []Registration{stripeGateway, payPalGateway}

// EventHandler is the named gateway's webhook event handler, whether or
// not it is enabled, so staff can re-run any stored event.
func EventHandler(name string) (webhooks.Handler, bool) {
	for _, r := range registered {
		if r.Name == name {
			return r.HandleEvent, true
		}
	}
	return nil, false
}
