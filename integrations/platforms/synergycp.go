package platforms

import (
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/internal/config"
)

// synergyCP is the dedicated-server platform.
var synergyCP = Registration{
	Name: "synergycp",
	Open: func(cfg *config.Config, simulate func(func() (string, func())) string) (provisioning.Provisioner, error) {
		p := cfg.SynergyCP
		if p.URL == "" && cfg.Dev {
			p = config.Panel{URL: simulate(synergycp.NewSimulator("dev-synergycp").Start), Token: "dev-synergycp"}
		}
		if p.URL == "" {
			return nil, nil
		}
		return synergycp.New(synergycp.Config{URL: p.URL, Key: p.Token})
	},
}
