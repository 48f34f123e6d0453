package server

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/seed"
)

// Dev-mode SupportPal simulator credentials: public, dev mode only.
const (
	devSupportToken = "dev-supportpal-token"
	devSupportSSO   = "dev-supportpal-simpleauth-key"
)

// SupportDesk is the help desk the configuration names, else in dev mode
// the SupportPal simulator with a demo ticket, else nil (support off).
// stop releases what it started.
func SupportDesk(app core.App, cfg *config.Config) (desk *support.Desk, stop func(), err error) {
	sp := cfg.SupportPal
	stop = func() {}
	if sp.URL == "" {
		if !cfg.Dev {
			return nil, stop, nil
		}
		sim := supportpal.NewSimulator(devSupportToken, []byte(devSupportSSO))
		sp.URL, stop = sim.Start()
		sp.Token, sp.SSOSecret = devSupportToken, devSupportSSO
		if err := seedDevTickets(sim, sp.URL); err != nil {
			stop()
			return nil, nil, err
		}
	}
	api, err := supportpal.New(supportpal.Config{URL: sp.URL, Token: sp.Token})
	if err != nil {
		stop()
		return nil, nil, err
	}
	return support.New(app, support.Config{API: api, SSOKey: []byte(sp.SSOSecret)}), stop, nil
}

// seedDevTickets gives the demo customer a ticket staff answered, so the
// support pages and the dashboard have something to show.
func seedDevTickets(sim *supportpal.Simulator, url string) error {
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
