// Package platforms builds the provisioning drivers the configuration
// enables. In dev mode a platform without credentials gets its simulator,
// so a demo order provisions end to end.
package platforms

import (
	"fmt"
	"time"

	"github.com/ezscale/ezscale/integrations/enhance"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/internal/config"
)

// Set is the drivers by platform name, and what to stop on shutdown.
type Set struct {
	Drivers map[string]provisioning.Provisioner
	stop    []func()
}

// Close stops the simulators FromConfig started.
func (s *Set) Close() {
	for _, stop := range s.stop {
		stop()
	}
}

// devPowerDelay is how long a simulated power action takes in dev mode,
// as on a real platform, so the portal's transition can be seen.
const devPowerDelay = 4 * time.Second

// simulator starts a platform's simulator and returns its URL.
func (s *Set) simulator(start func() (string, func())) string {
	url, stop := start()
	s.stop = append(s.stop, stop)
	return url
}

// FromConfig builds a driver per configured platform.
func FromConfig(cfg *config.Config) (*Set, error) {
	s := &Set{Drivers: map[string]provisioning.Provisioner{"manual": provisioning.Manual{}}}
	add := func(name string, d provisioning.Provisioner, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		s.Drivers[name] = d
		return nil
	}

	vf := cfg.VirtFusion
	if vf.URL == "" && cfg.Dev {
		sim := virtfusion.NewSimulator("dev-virtfusion")
		sim.PowerDelay = devPowerDelay
		vf = config.Panel{URL: s.simulator(sim.Start), Token: "dev-virtfusion"}
	}
	if vf.URL != "" {
		d, err := virtfusion.New(virtfusion.Config{URL: vf.URL, Token: vf.Token})
		if err := add("virtfusion", d, err); err != nil {
			s.Close()
			return nil, err
		}
	}

	pt := cfg.Pterodactyl
	if pt.URL == "" && cfg.Dev {
		sim := pterodactyl.NewSimulator("dev-ptero-app", "dev-ptero-client")
		sim.PowerDelay = devPowerDelay
		pt = config.Panel{URL: s.simulator(sim.Start),
			Token: "dev-ptero-app", ClientKey: "dev-ptero-client"}
	}
	if pt.URL != "" {
		d, err := pterodactyl.New(pterodactyl.Config{URL: pt.URL, AppKey: pt.Token, ClientKey: pt.ClientKey, Flavor: pt.Flavor})
		if err := add("pterodactyl", d, err); err != nil {
			s.Close()
			return nil, err
		}
	}

	sc := cfg.SynergyCP
	if sc.URL == "" && cfg.Dev {
		sc = config.Panel{URL: s.simulator(synergycp.NewSimulator("dev-synergycp").Start), Token: "dev-synergycp"}
	}
	if sc.URL != "" {
		d, err := synergycp.New(synergycp.Config{URL: sc.URL, Key: sc.Token})
		if err := add("synergycp", d, err); err != nil {
			s.Close()
			return nil, err
		}
	}

	en := cfg.Enhance
	if en.URL == "" && cfg.Dev {
		sim := enhance.NewSimulator("dev-enhance")
		en = config.Panel{URL: s.simulator(sim.Start), Token: "dev-enhance", OrgID: sim.MOOrgID()}
	}
	if en.URL != "" {
		d, err := enhance.New(enhance.Config{URL: en.URL, Token: en.Token, OrgID: en.OrgID})
		if err := add("enhance", d, err); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}
