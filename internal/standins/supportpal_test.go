package standins

import (
	"context"
	"testing"

	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/internal/seed"
)

// TestStartSupportPal: without a help desk the simulator stands in, with
// the demo customer's answered ticket; a configured one is kept.
func TestStartSupportPal(t *testing.T) {
	cfg := devConfig(t, nil)
	stop, err := startSupportPal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if cfg.SupportPal.URL == "" || !cfg.SupportPal.StandIn || cfg.SupportPal.SSOSecret == "" {
		t.Fatalf("help desk = %+v, want the simulator", cfg.SupportPal)
	}
	api, err := supportpal.New(supportpal.Config{URL: cfg.SupportPal.URL, Token: cfg.SupportPal.Token})
	if err != nil {
		t.Fatal(err)
	}
	u, err := api.FindUserByEmail(context.Background(), seed.DemoCustomerEmail)
	if err != nil || u == nil {
		t.Fatalf("demo customer: %v, %v", u, err)
	}
	tickets, _, err := api.ListTickets(context.Background(), supportpal.TicketFilter{User: u.ID})
	if err != nil || len(tickets) != 1 || tickets[0].MessagesCount != 2 {
		t.Fatalf("demo tickets = %+v, %v; want one answered", tickets, err)
	}

	configured := devConfig(t, map[string]string{"SUPPORTPAL_URL": "https://help.example.net", "SUPPORTPAL_TOKEN": "tok"})
	want := configured.SupportPal
	stop, err = startSupportPal(configured)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if configured.SupportPal != want {
		t.Errorf("help desk = %+v, want %+v", configured.SupportPal, want)
	}
}
