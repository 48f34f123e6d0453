// Package clock is the time the platform acts at. Routes, hooks and jobs
// ask it for "now" rather than the wall clock, so that a simulation that
// moves time forward (internal/chaos) moves it for all of them alike: a
// plan change quoted in the third month of a subscription must see the
// third month, whatever the wall clock says.
package clock

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
)

const storeKey = "clock.now"

// Now is the app's current time in UTC: the wall clock unless Set gave
// the app another.
func Now(app core.App) time.Time {
	if app != nil {
		if now, ok := app.Store().Get(storeKey).(func() time.Time); ok {
			return now().UTC()
		}
	}
	return time.Now().UTC()
}

// Set makes now the app's clock, for the app and every transaction of it;
// nil returns it to the wall clock. Only simulations and tests set it.
func Set(app core.App, now func() time.Time) {
	if now == nil {
		app.Store().Remove(storeKey)
		return
	}
	app.Store().Set(storeKey, now)
}
