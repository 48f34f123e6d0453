package standins

import (
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/paypal/paypalsim"
	"github.com/ezscale/ezscale/internal/config"
)

// Dev-mode PayPal simulator credentials: public, dev mode only.
const (
	devPayPalClientID     = "dev-client"
	devPayPalClientSecret = "dev-secret"
	devPayPalWebhookID    = "dev-webhook"
)

// startPayPal points cfg at a PayPal simulator when it has no client id;
// the simulator delivers its webhooks to this server, as PayPal would.
func startPayPal(cfg *config.Config) (stop func(), err error) {
	if cfg.PayPal.ClientID != "" {
		return func() {}, nil
	}
	sim := paypalsim.New(paypalsim.Options{ClientID: devPayPalClientID, ClientSecret: devPayPalClientSecret,
		WebhookID: devPayPalWebhookID, WebhookURL: cfg.PublicURL + "/api/webhooks/" + payments.GatewayPayPal})
	base, stop := sim.Start()
	cfg.PayPal = config.PayPal{ClientID: devPayPalClientID, ClientSecret: devPayPalClientSecret, WebhookID: devPayPalWebhookID, APIBase: base}
	return stop, nil
}
