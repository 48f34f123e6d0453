package bandwidth

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/parallelrun"
)

// servedPeriods is trackedPeriods without the services of customers WHMCS
// still serves (parallelrun): WHMCS bills their overage and alerts them
// until the cutover, so they get no usage rows, hence no alert and no
// overage invoice. After the cutover the next run measures their current
// period from its start, as it does for any period not yet final.
func servedPeriods(app core.App, now time.Time, settle time.Duration) (*tracked, error) {
	t, err := trackedPeriods(app, now, settle)
	if err != nil || len(t.services) == 0 {
		return t, err
	}
	var held []string
	if err := app.DB().Select("id").From(customers.Collection).AndWhere(parallelrun.HeldOnly("id")).Column(&held); err != nil {
		return nil, fmt.Errorf("customers WHMCS still serves: %w", err)
	}
	if len(held) == 0 {
		return t, nil
	}
	isHeld := make(map[string]bool, len(held))
	for _, id := range held {
		isHeld[id] = true
	}
	kept := t.services[:0]
	for _, s := range t.services {
		if ps := t.periods[s.ID]; len(ps) > 0 && isHeld[ps[0].customer] {
			delete(t.periods, s.ID)
			continue
		}
		kept = append(kept, s)
	}
	t.services = kept
	return t, nil
}
