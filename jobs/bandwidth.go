package jobs

import (
	"context"
	"io"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/internal/audit"
)

// scheduleBandwidth measures traffic every hour, on the hour, when there
// is a traffic source; without one (src nil) bandwidth accounting is off.
// A failed schedule is logged rather than stopping the server, whose
// billing does not depend on it.
func scheduleBandwidth(app core.App, cron gocron.Scheduler, src bandwidth.Source) {
	if src == nil {
		app.Logger().Info("bandwidth accounting off: no traffic source configured")
		return
	}
	_, err := cron.NewJob(gocron.CronJob("0 * * * *", false), gocron.NewTask(func() error { return runBandwidth(app, src, time.Now().UTC()) }),
		gocron.WithName("bandwidth"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		app.Logger().Error("jobs: schedule bandwidth", "error", err)
	}
}

// RunBandwidth is the hourly bandwidth run, from the scheduler or
// `ezscale bandwidth run`.
func RunBandwidth(app core.App, src bandwidth.Source, now time.Time, progress io.Writer) (bandwidth.Result, error) {
	ctx := audit.WithActor(context.Background(), bandwidth.Actor)
	return bandwidth.Run(ctx, app, src, bandwidth.Options{Now: now, Progress: progress})
}

// runBandwidth is the scheduled run; it reports to the app log (a source
// failure also reaches staff on Discord, from the run itself).
func runBandwidth(app core.App, src bandwidth.Source, now time.Time) error {
	started := time.Now()
	res, err := RunBandwidth(app, src, now, io.Discard)
	if err != nil {
		app.Logger().Error("bandwidth run failed", "error", err)
		return err
	}
	app.Logger().Info("bandwidth run", "services", res.Services, "days", res.Days, "periods", res.Periods, "alerts", res.Alerts,
		"skipped", res.Skipped, "requests", res.Source.Requests, "pages", res.Source.Pages, "seconds", time.Since(started).Seconds())
	return nil
}
