package standins

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/integrations/supportpal/supportpalsim"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/seed"
)

// Dev-mode SupportPal simulator credentials: public, dev mode only.
const (
	devSupportToken = "dev-supportpal-token"
	devSupportSSO   = "dev-supportpal-simpleauth-key"
)

// startSupportPal points cfg at a SupportPal simulator when it has no help
// desk, with a demo ticket.
func startSupportPal(cfg *config.Config) (stop func(), err error) {
	if cfg.SupportPal.URL != "" {
		return func() {}, nil
	}
	sim := supportpalsim.New(devSupportToken, []byte(devSupportSSO))
	url, stop := sim.Start()
	if err := seedDemoTicket(sim, url); err != nil {
		stop()
		return nil, err
	}
	cfg.SupportPal = config.SupportPal{URL: url, Token: devSupportToken, SSOSecret: devSupportSSO, StandIn: true}
	return stop, nil
}

// seedDemoTicket gives the demo customer a ticket staff answered, so the
// support pages and the dashboard have something to show.
func seedDemoTicket(sim *supportpalsim.Simulator, url string) error {
	api, err := supportpal.New(supportpal.Config{URL: url, Token: devSupportToken})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, err := api.CreateUser(ctx, supportpal.NewUser{Email: seed.DemoCustomerEmail, Firstname: "Demo", Lastname: "Customer",
		EmailVerified: true, Active: true})
	if err != nil {
		return fmt.Errorf("dev help desk: %w", err)
	}
	t, err := api.CreateTicket(ctx, supportpal.NewTicket{User: u.ID, Department: 1, Status: 1, Priority: 2,
		Subject: "How do I point my domain at the new server?",
		Text:    "<p>Hello, I ordered a server today. Which DNS records do I need to set?</p>"})
	if err != nil {
		return fmt.Errorf("dev help desk: %w", err)
	}
	sim.AddStaffReply(t.ID, "<p>Hi! Create an <strong>A</strong> record for your domain with the server's IPv4 address "+
		"(and an AAAA record for IPv6). Changes usually show within an hour.</p>")
	return nil
}
