// Package standins stands in for the outside systems in dev mode: it starts
// a simulator for every one the configuration has no credentials for and
// points the configuration at it, so that the registries and the server
// read the configuration only and hold no dev-mode branch. Only the
// development build (main_dev.go) and tests import it: the production
// binary carries no simulator.
package standins

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/internal/config"
)

// Start starts the stand-ins cfg needs and points cfg at them. bandwidth
// is the dev traffic source (nil when ElastiFlow is configured); stop
// releases everything Start started.
func Start(app core.App, cfg *config.Config) (bandwidth bandwidth.Source, stop func(), err error) {
	var stops []func()
	stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	for _, start := range []func(*config.Config) (func(), error){startPlatforms, startPayPal, startSupportPal} {
		stopOne, err := start(cfg)
		if err != nil {
			stop()
			return nil, nil, err
		}
		stops = append(stops, stopOne)
	}
	traffic, err := startElastiFlow(cfg)
	if err != nil {
		stop()
		return nil, nil, err
	}
	if traffic != nil {
		stops = append(stops, traffic.Close)
		bandwidth = traffic
	}
	bindDemoData(app, cfg)
	return bandwidth, stop, nil
}
