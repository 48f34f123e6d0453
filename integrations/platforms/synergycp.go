package platforms

import (
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/internal/config"
)

// synergyCP is the dedicated-server platform.
var synergyCP = Registration{
	Name: "synergycp",
	Open: func(cfg *config.Config) (provisioning.Provisioner, error) {
		p := cfg.SynergyCP
		if p.URL == "" {
			return nil, nil
		}
		return synergycp.New(synergycp.Config{URL: p.URL, Key: p.Token})
	},
}
