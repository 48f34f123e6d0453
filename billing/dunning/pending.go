package dunning

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// ChargeLookup is a charger that can say what became of a charge it made
// (Stripe's PaymentIntents); a pending charge is asked of its own gateway.
type ChargeLookup interface {
	PaymentIntentStatus(ctx context.Context, id string) (gateway.ChargeResult, error)
}

// PendingRecheck is how long a charge may stay pending at the gateway
// before dunning asks the gateway itself: a webhook can be lost, and a
// pending charge holds the whole chase.
const PendingRecheck = 24 * time.Hour

// recheck asks the gateway about held, a charge pending for longer than
// PendingRecheck, and records a settled answer the way its webhook would
// have: succeeded pays the invoice (or becomes credit), failed or needing
// 3-D Secure lets the chase go on at the next run. It reports what it
// found and whether the charge is settled now. A gateway that cannot be
// asked, or does not answer, leaves the charge holding.
func recheck(ctx context.Context, app core.App, held *payments.Payment, taken map[string]time.Time, opts Options) (string, bool, error) {
	lookup, ok := opts.Chargers[held.Gateway()].(ChargeLookup)
	id := held.GatewayID()
	if !ok || id == "" || opts.DryRun || opts.Now.Sub(pendingSince(held, taken)) < PendingRecheck {
		return "", false, nil
	}
	res, err := lookup.PaymentIntentStatus(ctx, id)
	if err != nil || res.Status == gateway.StatusPending || res.Status == "" {
		return "", false, nil
	}
	amount := money.Amount{Minor: held.Amount(), Currency: held.Currency()}
	err = app.RunInTransaction(func(tx core.App) error {
		if res.Status == gateway.StatusSucceeded {
			_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: held.InvoiceID(), Gateway: held.Gateway(),
				GatewayID: id, Amount: amount, PaymentMethod: held.PaymentMethodID(), PaidAt: opts.Now})
			return err
		}
		_, err := payments.RecordAttempt(ctx, tx, payments.Attempt{InvoiceID: held.InvoiceID(), Gateway: held.Gateway(),
			GatewayID: id, Amount: amount, Status: payments.Status(res.Status), FailureCode: res.FailureCode, FailureMessage: res.FailureMessage})
		return err
	})
	if err != nil {
		return "", false, err
	}
	return "charge " + id + " was still pending here; the gateway says " + res.Status, true, nil
}

// pendingSince is when a pending charge was made: the run that took the
// last charge step (the run's own clock), or, for a charge made by pay
// now, when its row was written.
func pendingSince(held *payments.Payment, taken map[string]time.Time) time.Time {
	var since time.Time
	for step, at := range taken {
		if isCharge(step) && at.After(since) {
			since = at
		}
	}
	if since.IsZero() {
		since = held.Created().Time()
	}
	return since
}
