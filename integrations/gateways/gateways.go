// Package gateways builds the payment gateways the configuration enables.
// A gateway without credentials is not built, so it is never offered.
package gateways

import (
	"fmt"

	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/config"
)

// Set is the configured gateways; a nil member is off.
type Set struct {
	Stripe *stripe.Client
	PayPal *paypal.Client
	// stop shuts down simulators started for dev mode.
	stop []func()
}

// Close stops what FromConfig started.
func (s *Set) Close() {
	for _, stop := range s.stop {
		stop()
	}
}

// FromConfig builds the gateways cfg has credentials for.
func FromConfig(cfg *config.Config) (*Set, error) {
	s := &Set{}
	if cfg.Stripe.SecretKey != "" {
		c, err := stripe.New(stripe.Config{SecretKey: cfg.Stripe.SecretKey, PublishableKey: cfg.Stripe.PublishableKey,
			WebhookSecret: cfg.Stripe.WebhookSecret, APIBase: cfg.Stripe.APIBase})
		if err != nil {
			return nil, fmt.Errorf("stripe: %w", err)
		}
		s.Stripe = c
	}
	pp := cfg.PayPal
	if pp.ClientID == "" && cfg.Dev {
		// Dev mode without PayPal credentials: a local simulator stands in,
		// delivering its webhooks to this server.
		sim := paypal.NewSimulator(paypal.SimOptions{ClientID: "dev-client", ClientSecret: "dev-secret", WebhookID: "dev-webhook",
			WebhookURL: cfg.PublicURL + "/api/webhooks/paypal"})
		base, stop := sim.Start()
		s.stop = append(s.stop, stop)
		pp = config.PayPal{ClientID: "dev-client", ClientSecret: "dev-secret", WebhookID: "dev-webhook", APIBase: base}
	}
	if pp.ClientID != "" {
		c, err := paypal.New(paypal.Config{ClientID: pp.ClientID, ClientSecret: pp.ClientSecret, WebhookID: pp.WebhookID, APIBase: pp.APIBase})
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("paypal: %w", err)
		}
		s.PayPal = c
	}
	return s, nil
}
