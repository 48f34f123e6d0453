package renewals

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cancellation"
	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/parallelrun"
	"github.com/ezscale/ezscale/billing/subscriptions"
)

// rollOver moves subscriptions whose current period has ended into the
// period containing now, and ends the ones cancelled at period end: their
// services are queued for termination and what was billed for later time
// is withdrawn or credited, in the same transaction.
func rollOver(ctx context.Context, app core.App, now time.Time, res *Result) error {
	for {
		// Held customers' periods are WHMCS's until the cutover.
		var subs []*core.Record
		err := app.RecordQuery(subscriptions.Collection).
			AndWhere(dbx.NewExp("status IN ('active', 'past_due') AND current_period_end != '' AND current_period_end <= {:now}",
				dbx.Params{"now": now.UTC().Format(types.DefaultDateLayout)})).
			AndWhere(parallelrun.NotHeld("customer")).
			OrderBy("id").Limit(500).All(&subs)
		if err != nil {
			return fmt.Errorf("roll over: %w", err)
		}
		if len(subs) == 0 {
			return nil
		}
		err = app.RunInTransaction(func(tx core.App) error {
			for _, rec := range subs {
				sub := subscriptions.As(rec)
				if sub.CancelAtPeriodEnd() {
					if _, err := cancellation.EndAtPeriodEnd(ctx, tx, rec); err != nil {
						return fmt.Errorf("subscription %s: %w", sub.Id, err)
					}
					res.Cancelled++
					continue
				}
				c, err := cycle.Parse(string(sub.Cycle()))
				if err != nil {
					return fmt.Errorf("subscription %s: %w", sub.Id, err)
				}
				p, _ := cycle.PeriodContaining(Anchor(sub), c, now)
				sub.SetCurrentPeriodStart(p.Start)
				sub.SetCurrentPeriodEnd(p.End)
				res.Rolled++
				if err := tx.SaveWithContext(ctx, sub); err != nil {
					return fmt.Errorf("subscription %s: %w", sub.Id, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
}

// Anchor is where a subscription's periods are counted from: its first
// period's start (older and imported subscriptions only have their
// current period).
func Anchor(sub *subscriptions.Subscription) time.Time {
	if a := sub.AnchorAt().Time(); !a.IsZero() {
		return a
	}
	return sub.CurrentPeriodStart().Time()
}
