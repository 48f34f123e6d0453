// Package stripe is the Stripe payment rail: it saves cards with
// SetupIntents, charges invoices off-session with PaymentIntents, refunds,
// and verifies and reads webhooks. Our invoices stay the ledger (see
// DESIGN.md): Stripe only moves the money, and every object created here
// carries our ids in metadata so a webhook finds its record.
//
// It is built on github.com/stripe/stripe-go/v85 (v85.0.0, API version
// 2026-03-25.dahlia), the newest major version on the module proxy. Its
// requests validate against stripe-mock v0.203.0, whose spec is a later
// version of the same "dahlia" release train, so the tests exercise the
// real client against the real schema.
//
// Only cards are saved, listed and charged: PaymentMethod describes a card,
// and naming payment_method_types=[card] on every intent also keeps Stripe
// from asking for a return_url, which an off-session charge cannot use.
package stripe

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v85"

	"github.com/ezscale/ezscale/integrations/gateway"
)

// Config is what the app reads from the environment (STRIPE_SECRET_KEY,
// STRIPE_PUBLISHABLE_KEY, STRIPE_WEBHOOK_SECRET, STRIPE_API_BASE).
type Config struct {
	SecretKey      string // sk_… or a restricted rk_… key
	PublishableKey string // pk_…, handed to Stripe.js in the portal
	WebhookSecret  string // whsec_… of our webhook endpoint
	// APIBase replaces https://api.stripe.com, e.g. stripe-mock's
	// http://127.0.0.1:12111 in tests. Empty means Stripe itself.
	APIBase    string
	HTTPClient *http.Client // nil means stripe-go's default (80 s timeout)
}

// Client talks to one Stripe account. It holds its own backends rather than
// stripe-go's globals, so clients with different keys or bases coexist.
type Client struct {
	api            *stripeapi.Client
	publishableKey string
	webhookSecret  string
}

var _ gateway.Gateway = (*Client)(nil)

// New returns a client, or an error when the secret key is missing or is
// not a secret key: the app must never offer a gateway that cannot charge.
func New(cfg Config) (*Client, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: no secret key configured")
	}
	if !strings.HasPrefix(cfg.SecretKey, "sk_") && !strings.HasPrefix(cfg.SecretKey, "rk_") {
		// The key itself is never echoed: errors end up in logs.
		return nil, errors.New("stripe: secret key must start with sk_ or rk_")
	}
	backend := &stripeapi.BackendConfig{
		HTTPClient: cfg.HTTPClient,
		// Every failure is returned to the caller, who logs it; stripe-go
		// would otherwise print it a second time to stderr.
		LeveledLogger: &stripeapi.LeveledLogger{Level: stripeapi.LevelNull},
	}
	if cfg.APIBase != "" {
		u, err := url.Parse(cfg.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("stripe: API base %q is not an http(s) URL", cfg.APIBase)
		}
		backend.URL = stripeapi.String(cfg.APIBase)
	}
	api := stripeapi.NewClient(cfg.SecretKey, stripeapi.WithBackends(stripeapi.NewBackendsWithConfig(backend)))
	return &Client{api: api, publishableKey: cfg.PublishableKey, webhookSecret: cfg.WebhookSecret}, nil
}

// PublishableKey is what the portal gives Stripe.js to confirm a
// SetupIntent or finish 3-D Secure.
func (c *Client) PublishableKey() string { return c.publishableKey }
