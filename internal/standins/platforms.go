package standins

import (
	"time"

	"github.com/ezscale/ezscale/integrations/enhance/enhancesim"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/internal/config"
)

// devPowerDelay is how long a simulated power action takes in dev mode,
// as on a real platform, so the portal's transition can be seen.
const devPowerDelay = 4 * time.Second

// platformStandIn is one provisioning platform's simulator: panel is
// where the configuration keeps the platform, start serves the simulator
// and answers the panel configuration (URL and dev credentials) reaching it.
type platformStandIn struct {
	panel func(*config.Config) *config.Panel
	start func() (config.Panel, func())
}

// platformStandIns are the simulators of every provisioning platform, so a
// demo order provisions end to end.
var platformStandIns = []platformStandIn{
	{
		panel: func(cfg *config.Config) *config.Panel { return &cfg.VirtFusion },
		start: func() (config.Panel, func()) {
			sim := virtfusionsim.New("dev-virtfusion")
			sim.PowerDelay = devPowerDelay
			url, stop := sim.Start()
			return config.Panel{URL: url, Token: "dev-virtfusion"}, stop
		},
	},
	{
		panel: func(cfg *config.Config) *config.Panel { return &cfg.Pterodactyl },
		start: func() (config.Panel, func()) {
			sim := pterodactylsim.New("dev-ptero-app", "dev-ptero-client")
			sim.PowerDelay = devPowerDelay
			url, stop := sim.Start()
			return config.Panel{URL: url, Token: "dev-ptero-app", ClientKey: "dev-ptero-client"}, stop
		},
	},
	{
		panel: func(cfg *config.Config) *config.Panel { return &cfg.SynergyCP },
		start: func() (config.Panel, func()) {
			url, stop := synergycpsim.New("dev-synergycp").Start()
			return config.Panel{URL: url, Token: "dev-synergycp"}, stop
		},
	},
	{
		panel: func(cfg *config.Config) *config.Panel { return &cfg.Enhance },
		start: func() (config.Panel, func()) {
			sim := enhancesim.New("dev-enhance")
			url, stop := sim.Start()
			return config.Panel{URL: url, Token: "dev-enhance", OrgID: sim.MOOrgID()}, stop
		},
	},
}

// startPlatforms points each platform cfg has no URL for at its simulator.
func startPlatforms(cfg *config.Config) (stop func(), err error) {
	var stops []func()
	for _, s := range platformStandIns {
		panel := s.panel(cfg)
		if panel.URL != "" {
			continue
		}
		var stopSim func()
		*panel, stopSim = s.start()
		panel.StandIn = true
		stops = append(stops, stopSim)
	}
	return func() {
		for _, stop := range stops {
			stop()
		}
	}, nil
}
