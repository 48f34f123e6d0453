// Package gateways builds the payment gateways the configuration enables.
// A gateway without credentials is not built, so it is never offered.
package gateways

import (
	"fmt"

	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/config"
)

// Set is the configured gateways; a nil member is off.
type Set struct {
	Stripe *stripe.Client
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
	return s, nil
}
