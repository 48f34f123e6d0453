package jobs

import (
	"context"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateways"
)

// refundRetryEvery is how often refunds left pending by an ambiguous
// gateway answer are looked at; each rests payments.RefundRetryAfter
// between two tries.
const refundRetryEvery = time.Minute

// scheduleRefundRetry retries pending refunds with their own idempotency
// keys until the gateway answers for certain, so a timeout never leaves an
// amount reserved for ever nor refunds it twice.
func scheduleRefundRetry(app core.App, cron gocron.Scheduler, gw *gateways.Set) {
	refunders := gw.Refunders()
	_, err := cron.NewJob(gocron.DurationJob(refundRetryEvery), gocron.NewTask(func() error { return runRefundRetry(app, refunders) }),
		gocron.WithName("refund-retry"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		app.Logger().Error("jobs: schedule refund retry", "error", err)
	}
}

func runRefundRetry(app core.App, refunders map[string]payments.Refunder) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	res, err := payments.RetryPendingRefunds(ctx, app, refunders, time.Now().UTC())
	if err != nil {
		app.Logger().Error("refund retry failed", "error", err, "settled", res.Settled, "failed", res.Failed, "pending", res.Pending)
		return err
	}
	if res.Settled+res.Failed+res.Pending > 0 {
		app.Logger().Info("refund retry", "settled", res.Settled, "failed", res.Failed, "pending", res.Pending)
	}
	return nil
}
