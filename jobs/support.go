package jobs

import (
	"context"
	"io"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/support"
)

// supportSyncEvery: SupportPal sends no webhooks, so a staff reply reaches
// the customer's email and dashboard within this long (at once when they
// open their tickets).
const supportSyncEvery = 3 * time.Minute

// scheduleSupportSync mirrors SupportPal's changed tickets every few
// minutes, starting right away so a restart catches up at once; without a
// help desk (desk nil) there is nothing to mirror.
func scheduleSupportSync(app core.App, cron gocron.Scheduler, desk *support.Desk) {
	if desk == nil {
		app.Logger().Info("support tickets off: no SupportPal configured")
		return
	}
	_, err := cron.NewJob(gocron.DurationJob(supportSyncEvery), gocron.NewTask(func() error { return runSupportSync(app, desk) }),
		gocron.WithName("support-sync"), gocron.WithSingletonMode(gocron.LimitModeReschedule),
		gocron.WithStartAt(gocron.WithStartImmediately()))
	if err != nil {
		app.Logger().Error("jobs: schedule support sync", "error", err)
	}
}

// RunSupportSync is one sync, from the scheduler or `ezscale support run`.
func RunSupportSync(desk *support.Desk, progress io.Writer) (support.SyncResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return desk.Sync(ctx, progress)
}

// runSupportSync is the scheduled sync; a failure is logged and the next
// run catches up from the same cursor.
func runSupportSync(app core.App, desk *support.Desk) error {
	started := time.Now()
	res, err := RunSupportSync(desk, io.Discard)
	if err != nil {
		app.Logger().Warn("support sync failed; the next run catches up", "error", err, "tickets", res.Seen)
		return err
	}
	if res.Written > 0 {
		app.Logger().Info("support sync", "tickets", res.Seen, "written", res.Written, "pages", res.Pages,
			"seconds", time.Since(started).Seconds())
	}
	return nil
}
