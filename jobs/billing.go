package jobs

import (
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/renewals"
)

// runBilling is the daily billing run: renewals for every subscription due.
func runBilling(app core.App, now time.Time) {
	started := time.Now()
	res, err := renewals.Run(app, renewals.Options{Now: now})
	if err != nil {
		app.Logger().Error("billing run failed", "error", err, "invoices", res.Invoices)
		return
	}
	app.Logger().Info("billing run", "due", res.Due, "invoices", res.Invoices, "periods", res.Lines,
		"already_billed", res.AlreadyDone, "rolled_over", res.Rolled, "cancelled", res.Cancelled,
		"seconds", time.Since(started).Seconds())
}
