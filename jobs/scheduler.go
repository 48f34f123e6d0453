// Package jobs runs the platform's scheduled work inside the server
// process on gocron in singleton mode: a run that is still working when
// its next time comes is not started a second time (PocketBase's own cron
// would start it again). Each job is also a CLI command with --now.
package jobs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/bandwidth"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/metrics"
	"github.com/ezscale/ezscale/internal/settings"
)

// Deps are the outside systems the jobs use; nil ones are off.
type Deps struct {
	Gateways  *gateways.Set
	Platforms map[string]provisioning.Provisioner // drivers by platform name
	Bandwidth bandwidth.Source                    // traffic for the hourly bandwidth run
	Support   *support.Desk                       // the help desk whose tickets are mirrored; nil when off
}

// Register starts the scheduler, the provisioning workers and the outbox
// delivery with the server and stops them on shutdown.
func Register(app core.App, cfg *config.Config, deps Deps) {
	var s *scheduler
	ctx, stop := context.WithCancel(context.Background())
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		var err error
		if s, err = start(e.App, deps.Gateways, cfg.PublicURL); err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		if err := s.startProvisioning(ctx, cfg, deps.Platforms); err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		startOutbox(ctx, e.App, cfg)
		scheduleBandwidth(e.App, s.cron, deps.Bandwidth)
		scheduleSupportSync(e.App, s.cron, deps.Support)
		scheduleRefundRetry(e.App, s.cron, deps.Gateways)
		scheduleLogCap(e.App, s.cron, int64(cfg.LogDBMaxMB)<<20)
		s.expectSchedules()
		return e.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		stop()
		if s != nil {
			_ = s.cron.Shutdown()
		}
		return e.Next()
	})
	// The billing time is a setting staff edit: move the job when it changes.
	app.OnRecordAfterUpdateSuccess(settings.Collection).BindFunc(func(e *core.RecordEvent) error {
		if s != nil {
			if err := s.scheduleBilling(); err != nil {
				e.App.Logger().Error("jobs: reschedule billing", "error", err)
			}
			s.expectSchedules()
		}
		return e.Next()
	})
}

type scheduler struct {
	app              core.App
	gw               *gateways.Set
	portalURL        string
	cron             gocron.Scheduler
	billing, dunning gocron.Job
}

func start(app core.App, gw *gateways.Set, portalURL string) (*scheduler, error) {
	// Every run is reported to the metrics, which count runs, durations
	// and failures (a task's error) and notice a job that stops running.
	cron, err := gocron.NewScheduler(gocron.WithLocation(time.UTC), gocron.WithMonitorStatus(metrics.For(app).Jobs()))
	if err != nil {
		return nil, err
	}
	s := &scheduler{app: app, gw: gw, portalURL: portalURL, cron: cron}
	if err := s.scheduleBilling(); err != nil {
		return nil, err
	}
	cron.Start()
	return s, nil
}

// scheduleBilling (re)schedules the daily billing and dunning runs at the
// settings' time; dunning follows billing, so a renewal issued today is
// chased from tomorrow on.
func (s *scheduler) scheduleBilling() error {
	st, err := settings.Load(s.app)
	if err != nil {
		return err
	}
	at, err := parseClock(st.BillingRunTime)
	if err != nil {
		return err
	}
	if s.billing, err = s.daily(s.billing, "billing", at, func() error { return runBilling(s.app, time.Now().UTC()) }); err != nil {
		return err
	}
	s.dunning, err = s.daily(s.dunning, "dunning", at, func() error { return runDunning(s.app, s.gw, s.portalURL, time.Now().UTC()) })
	return err
}

// daily creates or moves a job that runs once a day at at, never twice at once.
func (s *scheduler) daily(job gocron.Job, name string, at gocron.AtTime, fn func() error) (gocron.Job, error) {
	def := gocron.DailyJob(1, gocron.NewAtTimes(at))
	task := gocron.NewTask(fn)
	opts := []gocron.JobOption{gocron.WithName(name), gocron.WithSingletonMode(gocron.LimitModeReschedule)}
	if job == nil {
		return s.cron.NewJob(def, task, opts...)
	}
	return s.cron.Update(job.ID(), def, task, opts...)
}

// expectSchedules tells the metrics how often each job runs (the gap
// between its next two runs), so the health check notices one that does
// not.
func (s *scheduler) expectSchedules() {
	jobs := metrics.For(s.app).Jobs()
	for _, j := range s.cron.Jobs() {
		next, err := j.NextRuns(2)
		if err != nil || len(next) < 2 {
			s.app.Logger().Error("jobs: schedule of "+j.Name(), "error", err)
			continue
		}
		jobs.Expect(j.Name(), next[1].Sub(next[0]))
	}
}

// parseClock reads "HH:MM".
func parseClock(v string) (gocron.AtTime, error) {
	h, m, ok := strings.Cut(v, ":")
	hh, err1 := strconv.ParseUint(h, 10, 8)
	mm, err2 := strconv.ParseUint(m, 10, 8)
	if !ok || err1 != nil || err2 != nil || hh > 23 || mm > 59 {
		return nil, fmt.Errorf("billing run time %q: want HH:MM", v)
	}
	return gocron.NewAtTime(uint(hh), uint(mm), 0), nil
}
