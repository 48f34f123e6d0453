// Package server assembles the whole platform on a PocketBase app: the
// outside systems the configuration names (in dev mode, the stand-ins the
// development build sets in DevStandIns), every hook and route, the
// scheduled jobs and the portal. main.go and the browser tests build the
// same platform through it.
package server

import (
	"errors"
	"os"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/platforms"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/replication"
	"github.com/ezscale/ezscale/jobs"
)

// DevStandIns starts simulators in dev mode; only a development build sets
// it (main_dev.go, tests), so the production binary carries none. Dev mode
// without it is refused at start.
var DevStandIns func(app core.App, cfg *config.Config) (bandwidth.Source, func(), error)

// errNoStandIns refuses dev mode in a build without the stand-ins.
var errNoStandIns = errors.New("dev mode needs the development build (make build)")

// Setup registers the platform on app. In dev mode the stand-ins start
// first and point cfg at themselves, so everything after reads cfg alone.
// The returned func stops what Setup started; call it when the app stops.
func Setup(app core.App, cfg *config.Config) (stop func(), err error) {
	if err := replication.Bind(app, os.Getenv); err != nil {
		return nil, err
	}
	stopStandIns := func() {}
	if cfg.Dev {
		if DevStandIns == nil {
			return nil, errNoStandIns
		}
		var devBandwidth bandwidth.Source
		if devBandwidth, stopStandIns, err = DevStandIns(app, cfg); err != nil {
			return nil, err
		}
		if devBandwidth != nil {
			app.Store().Set(storeDevBandwidth, devBandwidth)
		}
	}
	gw, err := gateways.FromConfig(cfg)
	if err != nil {
		stopStandIns()
		return nil, err
	}
	ps, err := platforms.FromConfig(cfg)
	if err != nil {
		stopStandIns()
		return nil, err
	}
	bw, err := BandwidthSource(app, cfg)
	if err != nil {
		stopStandIns()
		return nil, err
	}
	desk, err := SupportDesk(app, cfg)
	if err != nil {
		stopStandIns()
		return nil, err
	}
	hooks.Register(app, cfg, hooks.Deps{Gateways: gw, Platforms: ps, Support: desk})
	jobs.Register(app, cfg, jobs.Deps{Gateways: gw, Platforms: ps, Bandwidth: bw, Support: desk})
	bindPortal(app)
	return stopStandIns, nil
}
