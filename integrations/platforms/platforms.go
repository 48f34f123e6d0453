// Package platforms builds the provisioning drivers the configuration
// enables, from the registered platforms (registry.go). It reads the
// configuration only: in dev mode internal/standins has already pointed
// it at the simulators.
package platforms

import (
	"fmt"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/config"
)

// FromConfig builds a driver per configured platform, and the manual one,
// by platform name.
func FromConfig(cfg *config.Config) (map[string]provisioning.Provisioner, error) {
	drivers := map[string]provisioning.Provisioner{"manual": provisioning.Manual{}}
	for _, r := range registered {
		d, err := r.Open(cfg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		if d != nil {
			drivers[r.Name] = d
		}
	}
	return drivers, nil
}
