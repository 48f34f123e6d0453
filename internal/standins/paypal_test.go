package standins

import (
	"testing"

	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/config"
)

// TestStartPayPal: in dev mode without PayPal credentials the simulator
// stands in, and the registry builds a refunding PayPal gateway on it.
func TestStartPayPal(t *testing.T) {
	cfg := &config.Config{Dev: true, PublicURL: "http://127.0.0.1:8090"}
	stop, err := startPayPal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	s, err := gateways.FromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	on := s.Enabled()
	if len(on) != 1 || on[0].Name != "paypal" {
		t.Fatalf("enabled = %v, want the PayPal simulator only", on)
	}
	if _, ok := s.Refunders()["paypal"]; !ok {
		t.Error("PayPal does not refund")
	}
}

// TestStartPayPalKeepsConfigured: configured credentials are left as they are.
func TestStartPayPalKeepsConfigured(t *testing.T) {
	want := config.PayPal{ClientID: "id", ClientSecret: "s", WebhookID: "wh"}
	cfg := &config.Config{Dev: true, PayPal: want}
	stop, err := startPayPal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if cfg.PayPal != want {
		t.Errorf("PayPal = %+v, want %+v", cfg.PayPal, want)
	}
}
