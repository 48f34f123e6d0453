package platforms

import (
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/config"
)

// Registration is how the platform wires one provisioning platform.
type Registration struct {
	// Name is the platform's name in plans.platform and services.platform.
	Name string
	// Open builds the driver cfg has credentials for, nil when it has none.
	Open func(cfg *config.Config) (provisioning.Provisioner, error)
}

// registered is every platform the platform knows. A new platform is its
// package, a file here and one line in this list.
var registered = []Registration{virtFusion, pterodactylPanel, synergyCP, enhancePanel}
