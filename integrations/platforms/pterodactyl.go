package platforms

import (
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl"
	"github.com/ezscale/ezscale/internal/config"
)

// pterodactylPanel is the game-server platform (Pterodactyl or Pelican).
var pterodactylPanel = Registration{
	Name: "pterodactyl",
	Open: func(cfg *config.Config) (provisioning.Provisioner, error) {
		p := cfg.Pterodactyl
		if p.URL == "" {
			return nil, nil
		}
		return pterodactyl.New(pterodactyl.Config{URL: p.URL, AppKey: p.Token, ClientKey: p.ClientKey, Flavor: p.Flavor})
	},
}
