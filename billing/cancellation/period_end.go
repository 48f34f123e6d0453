package cancellation

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
)

// EndAtPeriodEnd carries out a cancellation at period end once the period
// is over, in the caller's transaction (the renewal run's roll-over): the
// subscription is cancelled as of its period's end, its services are
// queued for termination, and time billed past the end is withdrawn from
// open invoices or, when paid, returned as credit. It returns the credit.
func EndAtPeriodEnd(ctx context.Context, tx core.App, sub *core.Record) (int64, error) {
	end := sub.GetDateTime("current_period_end").Time()
	sub.Set("status", "cancelled")
	sub.Set("cancelled_at", end)
	if err := tx.SaveWithContext(ctx, sub); err != nil {
		return 0, fmt.Errorf("subscription %s: %w", sub.Id, err)
	}
	if err := withdrawLaterPeriods(ctx, tx, sub, end); err != nil {
		return 0, err
	}
	credit, err := creditLaterTime(ctx, tx, sub, end)
	if err != nil {
		return 0, err
	}
	services, err := tx.FindAllRecords("services", dbx.HashExp{"subscription": sub.Id})
	if err != nil {
		return 0, err
	}
	for _, svc := range services {
		if st := svc.GetString("status"); st == "terminated" || st == "cancelled" {
			continue
		}
		if err := queueTermination(ctx, tx, svc, sub, "billing: cancelled at period end"); err != nil {
			return 0, err
		}
	}
	return credit, nil
}

// queueTermination queues the end of a cancelled subscription's service,
// once whichever way the subscription was cancelled.
func queueTermination(ctx context.Context, tx core.App, svc, sub *core.Record, by string) error {
	// One termination in flight per service: staff may have queued it in
	// the same transaction (a dashboard status edit), dunning before.
	queued, err := tx.CountRecords(provisioning.Collection, dbx.HashExp{"service": svc.Id,
		"action": provisioning.ActionTerminate, "status": []any{"pending", "running"}})
	if err != nil || queued > 0 {
		return err
	}
	_, err = provisioning.Enqueue(ctx, tx, provisioning.Job{
		ServiceID: svc.Id, Action: provisioning.ActionTerminate, DedupeKey: "cancel:" + sub.Id + ":terminate:" + svc.Id,
		RequestedBy: by,
	})
	return err
}
