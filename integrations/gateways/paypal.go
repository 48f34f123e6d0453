package gateways

import (
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/internal/config"
)

// PayPal's abilities: it refunds, and takes one-off orders and
// subscriptions the customer approves; it never charges a saved method.
var (
	_ payments.Refunder     = (*paypal.Client)(nil)
	_ methods.PayPalOrders  = (*paypal.Client)(nil)
	_ methods.PayPalPlans   = (*paypal.Client)(nil)
	_ methods.PayPalReviser = (*paypal.Client)(nil)
)

// payPalGateway is PayPal: on with a client id; the portal gets whether it
// is on.
var payPalGateway = Registration{
	Name: payments.GatewayPayPal,
	Open: func(cfg *config.Config) (gateway.Gateway, error) {
		pp := cfg.PayPal
		if pp.ClientID == "" {
			return nil, nil
		}
		c, err := paypal.New(paypal.Config{ClientID: pp.ClientID, ClientSecret: pp.ClientSecret, WebhookID: pp.WebhookID, APIBase: pp.APIBase})
		if err != nil {
			return nil, err
		}
		return c, nil
	},
	HandleEvent:   webhooks.HandlePayPal,
	PortalOptions: func(c gateway.Gateway) any { return c != nil },
}
