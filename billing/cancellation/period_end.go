package cancellation

import (
	"context"
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// EndAtPeriodEnd carries out a cancellation at period end once the period
// is over, in the caller's transaction (the renewal run's roll-over): the
// subscription is cancelled as of its period's end, its services are
// queued for termination, and time billed past the end is withdrawn from
// open invoices or, when paid, returned as credit. It returns the credit.
func EndAtPeriodEnd(ctx context.Context, tx core.App, rec *core.Record) (int64, error) {
	sub := subscriptions.As(rec)
	end := sub.CurrentPeriodEnd().Time()
	sub.SetStatus(subscriptions.StatusCancelled)
	sub.SetCancelledAt(end)
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
	services, err := tx.FindAllRecords(provisioning.ServicesCollection, dbx.HashExp{"subscription": sub.Id})
	if err != nil {
		return 0, err
	}
	for _, rec := range services {
		svc := provisioning.AsService(rec)
		if st := svc.Status(); st == provisioning.ServiceTerminated || st == provisioning.ServiceCancelled {
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
func queueTermination(ctx context.Context, tx core.App, svc *provisioning.Service, sub *subscriptions.Subscription, by string) error {
	// One termination in flight per service: staff may have queued it in
	// the same transaction (a dashboard status edit), dunning before.
	if queued, err := terminationQueued(tx, svc.Id); err != nil || queued {
		return err
	}
	_, err := provisioning.Enqueue(ctx, tx, provisioning.Job{
		ServiceID: svc.Id, Action: provisioning.ActionTerminate, DedupeKey: "cancel:" + sub.Id + ":terminate:" + svc.Id,
		RequestedBy: by,
	})
	return err
}

// terminationQueued reports whether a terminate job of the service waits
// or runs already.
func terminationQueued(tx core.App, serviceID string) (bool, error) {
	n, err := tx.CountRecords(provisioning.Collection, dbx.HashExp{"service": serviceID,
		"action": string(provisioning.ActionTerminate), "status": []any{string(provisioning.JobPending), string(provisioning.JobRunning)}})
	return n > 0, err
}
