package platforms

import (
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/internal/config"
)

// virtFusion is the VPS platform.
var virtFusion = Registration{
	Name: "virtfusion",
	Open: func(cfg *config.Config) (provisioning.Provisioner, error) {
		p := cfg.VirtFusion
		if p.URL == "" {
			return nil, nil
		}
		return virtfusion.New(virtfusion.Config{URL: p.URL, Token: p.Token})
	},
}
