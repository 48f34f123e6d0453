// Package platforms builds the provisioning drivers the configuration
// enables, from the registered platforms (registry.go). In dev mode a
// platform without credentials gets its simulator, so a demo order
// provisions end to end.
package platforms

import (
	"fmt"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
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

// FromConfig builds a driver per configured platform, and the manual one.
func FromConfig(cfg *config.Config) (*Set, error) {
	s := &Set{Drivers: map[string]provisioning.Provisioner{"manual": provisioning.Manual{}}}
	simulate := func(start func() (string, func())) string {
		url, stop := start()
		s.stop = append(s.stop, stop)
		return url
	}
	for _, r := range registered {
		d, err := r.Open(cfg, simulate)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		if d != nil {
			s.Drivers[r.Name] = d
		}
	}
	return s, nil
}
