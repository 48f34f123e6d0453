package platforms

import (
	"github.com/ezscale/ezscale/integrations/enhance"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/config"
)

// enhancePanel is the web-hosting platform.
var enhancePanel = Registration{
	Name: "enhance",
	Open: func(cfg *config.Config) (provisioning.Provisioner, error) {
		p := cfg.Enhance
		if p.URL == "" {
			return nil, nil
		}
		return enhance.New(enhance.Config{URL: p.URL, Token: p.Token, OrgID: p.OrgID})
	},
}
