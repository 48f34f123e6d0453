package gateways

import (
	"github.com/ezscale/ezscale/billing/dunning"
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/webhooks"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/config"
)

// Stripe's abilities: it refunds, charges saved cards (and can say what
// became of a charge whose webhook was lost), and keeps the cards.
var (
	_ payments.Refunder    = (*stripe.Client)(nil)
	_ gateway.Charger      = (*stripe.Client)(nil)
	_ dunning.ChargeLookup = (*stripe.Client)(nil)
	_ methods.Cards        = (*stripe.Client)(nil)
)

// stripeGateway is Stripe: on with a secret key; the portal gets the
// publishable key for Stripe.js, or null when Stripe is off.
var stripeGateway = Registration{
	Name: payments.GatewayStripe,
	Open: func(cfg *config.Config) (gateway.Gateway, error) {
		if cfg.Stripe.SecretKey == "" {
			return nil, nil
		}
		c, err := stripe.New(stripe.Config{SecretKey: cfg.Stripe.SecretKey, PublishableKey: cfg.Stripe.PublishableKey,
			WebhookSecret: cfg.Stripe.WebhookSecret, APIBase: cfg.Stripe.APIBase})
		if err != nil {
			return nil, err
		}
		return c, nil
	},
	HandleEvent: webhooks.HandleStripe,
	PortalOptions: func(c gateway.Gateway) any {
		keyed, ok := c.(interface{ PublishableKey() string })
		if !ok {
			return nil
		}
		return map[string]string{"publishable_key": keyed.PublishableKey()}
	},
}
