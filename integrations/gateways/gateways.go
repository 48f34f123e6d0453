// Package gateways builds the payment gateways the configuration enables,
// from the registered ones (registry.go). A gateway without credentials is
// not built, so it is never offered.
package gateways

import (
	"fmt"

	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/internal/config"
)

// Set is the enabled gateways; the zero Set enables none.
type Set struct {
	clients map[string]gateway.Gateway // by gateway name
}

// Enabled is a gateway the configuration enables: how it is wired and its
// client.
type Enabled struct {
	Registration
	Client gateway.Gateway
}

// Of is the set of clients given by gateway name, for a caller that builds
// its own (a simulation).
func Of(clients map[string]gateway.Gateway) *Set {
	s := &Set{clients: map[string]gateway.Gateway{}}
	for name, c := range clients {
		if c != nil {
			s.clients[name] = c
		}
	}
	return s
}

// FromConfig builds the gateways cfg has credentials for.
func FromConfig(cfg *config.Config) (*Set, error) {
	s := &Set{clients: map[string]gateway.Gateway{}}
	for _, r := range registered {
		c, err := r.Open(cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		if c != nil {
			s.clients[r.Name] = c
		}
	}
	return s, nil
}

// Enabled lists the enabled gateways in registration order.
func (s *Set) Enabled() []Enabled {
	var on []Enabled
	for _, r := range registered {
		if c := s.client(r.Name); c != nil {
			on = append(on, Enabled{Registration: r, Client: c})
		}
	}
	return on
}

// Refunders are the enabled gateways that refund, by gateway name; a
// payment through any other (manual, sandbox) is refunded outside the app.
func (s *Set) Refunders() map[string]payments.Refunder { return byName[payments.Refunder](s) }

// Chargers are the enabled gateways that charge saved methods, by gateway
// name: a saved method is charged through its own gateway, never another's.
func (s *Set) Chargers() map[string]gateway.Charger { return byName[gateway.Charger](s) }

// byName is the enabled gateways that have the ability T, by gateway name.
func byName[T any](s *Set) map[string]T {
	able := map[string]T{}
	for _, g := range s.Enabled() {
		if t, ok := g.Client.(T); ok {
			able[g.Name] = t
		}
	}
	return able
}

// PaymentOptions is what the portal may offer, by gateway name: each
// registered gateway says what it offers, or that it is off.
func (s *Set) PaymentOptions() map[string]any {
	opts := map[string]any{}
	for _, r := range registered {
		opts[r.Name] = r.PortalOptions(s.client(r.Name))
	}
	return opts
}

// First is the first enabled gateway, in registration order, that has the
// ability T (an interface such as gateway.Charger).
func First[T any](s *Set) (T, bool) {
	for _, g := range s.Enabled() {
		if t, ok := g.Client.(T); ok {
			return t, true
		}
	}
	var none T
	return none, false
}

// client is the named gateway's client, nil when it is off; a nil Set
// enables none.
func (s *Set) client(name string) gateway.Gateway {
	if s == nil {
		return nil
	}
	return s.clients[name]
}
