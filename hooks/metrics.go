package hooks

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/health"
	"github.com/ezscale/ezscale/internal/metrics"
)

// metricsShutdownWait is how long a scrape in flight may finish on the way out.
const metricsShutdownWait = 5 * time.Second

// bindMetrics counts every request by its route pattern, answers the load
// balancers' deep health check at GET /api/health/deep (200, or 503 naming
// the failing checks), sweeps the checks every minute to alert staff, and,
// when EZ_METRICS_ADDR is set, serves /metrics and /health/deep on that
// address with a server of its own, never on the public listener.
func bindMetrics(app core.App, cfg *config.Config) {
	m := metrics.For(app)
	checker := &health.Checker{App: app}
	ctx, stop := context.WithCancel(context.Background())
	var sweeping sync.WaitGroup
	var srv *http.Server
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "ezscaleMetrics",
			Priority: apis.DefaultActivityLoggerMiddlewarePriority + 2, // inside the refusal counter: sees refusals as errors
			Func: func(e *core.RequestEvent) error {
				started := time.Now()
				err := e.Next()
				status := e.Status()
				if err != nil && status == 0 {
					status = router.ToApiError(err).Status
				}
				m.ObserveRequest(e.Request.Pattern, status, time.Since(started))
				return err
			},
		})
		se.Router.GET("/api/health/deep", func(e *core.RequestEvent) error {
			checker.Handler().ServeHTTP(e.Response, e.Request)
			return nil
		})
		if cfg.MetricsAddr != "" {
			var err error
			if srv, _, err = health.Serve(se.App, cfg.MetricsAddr, checker); err != nil {
				return err
			}
		}
		sweeping.Go(func() { checker.Watch(ctx, health.SweepEvery) })
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		// A sweep in progress ends before the database is closed under it.
		stop()
		sweeping.Wait()
		if srv != nil {
			sctx, cancel := context.WithTimeout(context.Background(), metricsShutdownWait)
			_ = srv.Shutdown(sctx)
			cancel()
		}
		return e.Next()
	})
}
