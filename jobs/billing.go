package jobs

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/billing/planchange"
	"github.com/ezscale/ezscale/billing/reminders"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/audit"
)

// BillingResult is what one billing run did.
type BillingResult struct {
	Renewals renewals.Result
	// VoidedUpgrades are unpaid plan-change invoices voided, their changes dropped.
	VoidedUpgrades int
	// Reminders are renewal reminders queued for subscriptions renewing soon.
	Reminders int
	// Bandwidth is the overage of ended periods settled and billed.
	Bandwidth bandwidth.SettleResult
}

// RunBilling is the daily billing run, from the scheduler or
// `ezscale billing run`: renewals for every subscription due at now, then
// the upgrade invoices left unpaid too long, then the renewal reminders,
// then the bandwidth overage of periods that have settled.
func RunBilling(app core.App, now time.Time, progress io.Writer) (BillingResult, error) {
	var res BillingResult
	var err error
	if res.Renewals, err = renewals.Run(app, renewals.Options{Now: now, Progress: progress}); err != nil {
		return res, fmt.Errorf("renewals: %w", err)
	}
	ctx := audit.WithActor(context.Background(), audit.Job("billing"))
	if res.VoidedUpgrades, err = planchange.VoidExpired(ctx, app, now); err != nil {
		return res, fmt.Errorf("void unpaid upgrades: %w", err)
	}
	if res.Reminders, err = reminders.Renewals(ctx, app, now); err != nil {
		return res, fmt.Errorf("renewal reminders: %w", err)
	}
	if res.Bandwidth, err = bandwidth.Settle(audit.WithActor(context.Background(), bandwidth.Actor), app, bandwidth.Options{Now: now, Progress: progress}); err != nil {
		return res, fmt.Errorf("bandwidth overage: %w", err)
	}
	return res, nil
}

// runBilling is the scheduled run; it reports to the app log.
func runBilling(app core.App, now time.Time) error {
	started := time.Now()
	res, err := RunBilling(app, now, io.Discard)
	r := res.Renewals
	if err != nil {
		app.Logger().Error("billing run failed", "error", err, "invoices", r.Invoices)
		return err
	}
	app.Logger().Info("billing run", "due", r.Due, "invoices", r.Invoices, "periods", r.Lines,
		"already_billed", r.AlreadyDone, "rolled_over", r.Rolled, "cancelled", r.Cancelled,
		"voided_upgrades", res.VoidedUpgrades, "renewal_reminders", res.Reminders, "seconds", time.Since(started).Seconds())
	return nil
}
