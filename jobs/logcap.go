package jobs

import (
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/requestlog"
)

// logCapEvery is how often the log database is measured against its cap:
// often enough that a burst of failures cannot fill a disk in between.
const logCapEvery = 5 * time.Minute

// scheduleLogCap holds the log database under maxBytes (EZ_LOG_DB_MAX_MB):
// PocketBase only deletes logs by age, so a burst of failing requests
// could otherwise grow it without bound until they age out.
func scheduleLogCap(app core.App, cron gocron.Scheduler, maxBytes int64) {
	_, err := cron.NewJob(gocron.DurationJob(logCapEvery), gocron.NewTask(func() error { return runLogCap(app, maxBytes) }),
		gocron.WithName("log-cap"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		app.Logger().Error("jobs: schedule log cap", "error", err)
	}
}

// runLogCap trims the log database and says so in it when it did.
func runLogCap(app core.App, maxBytes int64) error {
	res, err := requestlog.TrimLogs(app, maxBytes)
	if err != nil {
		app.Logger().Error("log cap failed", "error", err, "sizeBytes", res.Before, "capBytes", maxBytes)
		return err
	}
	if res.After < res.Before {
		app.Logger().Warn("log database over its cap: oldest logs deleted and space reclaimed",
			"deleted", res.Deleted, "beforeBytes", res.Before, "afterBytes", res.After, "capBytes", maxBytes)
	}
	return nil
}
