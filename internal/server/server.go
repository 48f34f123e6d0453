// Package server assembles the whole platform on a PocketBase app: the
// outside systems the configuration names (simulators in dev mode), every
// hook and route, the scheduled jobs and the portal. main.go and the
// browser tests build the same platform through it.
package server

import (
	"os"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/platforms"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/replication"
	"github.com/ezscale/ezscale/jobs"
)

// Setup registers the platform on app. The returned func stops the
// simulators it started; call it when the app stops.
func Setup(app core.App, cfg *config.Config) (stop func(), err error) {
	if err := replication.Bind(app, os.Getenv); err != nil {
		return nil, err
	}
	gw, err := gateways.FromConfig(cfg)
	if err != nil {
		return nil, err
	}
	ps, err := platforms.FromConfig(cfg)
	if err != nil {
		gw.Close()
		return nil, err
	}
	bw, stopBW, err := BandwidthSource(cfg)
	if err != nil {
		ps.Close()
		gw.Close()
		return nil, err
	}
	desk, stopDesk, err := SupportDesk(app, cfg)
	if err != nil {
		stopBW()
		ps.Close()
		gw.Close()
		return nil, err
	}
	hooks.Register(app, cfg, hooks.Deps{Gateways: gw, Platforms: ps.Drivers, Support: desk})
	jobs.Register(app, cfg, jobs.Deps{Gateways: gw, Platforms: ps.Drivers, Bandwidth: bw, Support: desk})
	bindPortal(app)
	return func() {
		stopDesk()
		stopBW()
		ps.Close()
		gw.Close()
	}, nil
}
