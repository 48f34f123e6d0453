package gateways

import (
	"testing"

	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/config"
)

func TestRegisteredGateways(t *testing.T) {
	var names []string
	for _, r := range registered {
		names = append(names, r.Name)
		if r.Open == nil || r.HandleEvent == nil || r.PortalOptions == nil {
			t.Errorf("%s: incomplete registration", r.Name)
		}
	}
	if len(names) != 2 || names[0] != "stripe" || names[1] != "paypal" {
		t.Fatalf("registered = %v, want [stripe paypal]", names)
	}
	for _, name := range []string{"stripe", "paypal"} {
		if _, ok := EventHandler(name); !ok {
			t.Errorf("no event handler for %s", name)
		}
	}
	if _, ok := EventHandler("manual"); ok {
		t.Error("manual payments have no webhook events")
	}
}

func TestFromConfigWithoutCredentials(t *testing.T) {
	s, err := FromConfig(&config.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if on := s.Enabled(); len(on) != 0 {
		t.Fatalf("enabled = %v, want none", on)
	}
	if _, ok := First[gateway.Charger](s); ok {
		t.Error("a charger without any gateway")
	}
	opts := s.PaymentOptions()
	if len(opts) != 2 || opts["stripe"] != nil || opts["paypal"] != false {
		t.Fatalf("options = %v, want stripe null and paypal false", opts)
	}
}

func TestAbilities(t *testing.T) {
	sc, err := stripe.New(stripe.Config{SecretKey: "sk_test_abc", PublishableKey: "pk_test_abc"})
	if err != nil {
		t.Fatal(err)
	}
	pc, err := paypal.New(paypal.Config{ClientID: "id", ClientSecret: "s", WebhookID: "wh"})
	if err != nil {
		t.Fatal(err)
	}
	s := Of(map[string]gateway.Gateway{"stripe": sc, "paypal": pc, "off": nil})
	if on := s.Enabled(); len(on) != 2 || on[0].Client != sc || on[1].Client != pc {
		t.Fatalf("enabled = %v, want stripe then paypal", on)
	}
	refunders := s.Refunders()
	if len(refunders) != 2 || refunders["stripe"] != payments.Refunder(sc) || refunders["paypal"] != payments.Refunder(pc) {
		t.Fatalf("refunders = %v", refunders)
	}
	if c, ok := First[gateway.Charger](s); !ok || c != gateway.Charger(sc) {
		t.Fatalf("charger = %v, want Stripe", c)
	}
	opts := s.PaymentOptions()
	if key, _ := opts["stripe"].(map[string]string); key["publishable_key"] != "pk_test_abc" || opts["paypal"] != true {
		t.Fatalf("options = %v", opts)
	}
}
