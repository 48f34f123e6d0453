package payments

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// RefundRetryAfter is how long a pending refund rests before it is asked
// again: longer than any gateway call, so a retry never overlaps the call
// that is still waiting for its answer, and the pause between two retries
// of a gateway that keeps failing.
const RefundRetryAfter = 5 * time.Minute

// RefundRetry counts what a retry run did.
type RefundRetry struct {
	Settled, Failed, Pending int
}

// RetryPendingRefunds asks the gateway again, with the same idempotency
// key, for every refund left pending by an ambiguous answer and untouched
// since before now−RefundRetryAfter: the gateway refunds it at most once,
// and the answer settles it, fails it (a definite refusal frees its
// amount) or leaves it pending for the next run.
func RetryPendingRefunds(ctx context.Context, app core.App, refunders map[string]Refunder, now time.Time) (RefundRetry, error) {
	var res RefundRetry
	due, err := app.FindRecordsByFilter(Collection, "kind = 'refund' && status = 'pending' && gateway_id = '' && updated < {:t}",
		"created", 0, 0, dbx.Params{"t": now.Add(-RefundRetryAfter).UTC().Format(types.DefaultDateLayout)})
	if err != nil {
		return res, err
	}
	var errs []error
	for _, rec := range due {
		refund := AsPayment(rec)
		charge, err := FindPayment(app, refund.RefundOfID())
		if err != nil {
			errs = append(errs, fmt.Errorf("refund %s: its charge: %w", refund.Id, err))
			continue
		}
		done, err := complete(ctx, app, refunders[refund.Gateway()], charge, refund)
		switch {
		case errors.Is(err, ErrRefundPending):
			res.Pending++
		case done != nil && AsPayment(done).Status() == StatusSucceeded:
			res.Settled++
		case done != nil && AsPayment(done).Status() == StatusFailed:
			res.Failed++
		case err != nil:
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}
