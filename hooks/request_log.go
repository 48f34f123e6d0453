package hooks

import (
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/ezscale/ezscale/internal/requestlog"
)

// skipActivityLogKey is the request-store key PocketBase's activity logger
// reads to leave an answered request out of the log database (what
// apis.SkipSuccessActivityLog sets; the constant is unexported). The
// flood test fails if PocketBase renames it.
const skipActivityLogKey = "__skipSuccessActivityLogger"

// refusalSummaryEvery is how often the refusals counted are written as one
// log entry.
const refusalSummaryEvery = time.Minute

// bindRequestLog keeps a request flood out of the log database. A refused
// request (see requestlog.Refused) is answered exactly as before but
// counted instead of logged: PocketBase's activity logger would write one
// row per refusal through a goroutine each, and under a flood those
// goroutines queue for the log database's single writer with their
// batches in memory (issue 16: 234,000 rows, 155 MB and 825 MB of memory
// in a minute). Once a minute the counts become one WARN entry. Real
// errors (5xx) and failed sign-ins are logged as before. Staff read the
// counts at GET /api/staff/refusals.
func bindRequestLog(app core.App) {
	refusals := requestlog.For(app)
	stop := make(chan struct{})
	var stopped bool
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "ezscaleCountRefusals",
			Priority: apis.DefaultActivityLoggerMiddlewarePriority + 1, // just inside the activity logger
			Func: func(e *core.RequestEvent) error {
				err := e.Next()
				status := e.Status()
				if err != nil && status == 0 {
					status = router.ToApiError(err).Status
				}
				route := requestRoute(e.Request)
				if !requestlog.Refused(status, route) {
					return err
				}
				refusals.Add(status, e.RealIP(), route)
				if err != nil {
					// Answer it here, as the router would, so the activity
					// logger sees an answered request it is told to skip.
					router.ErrorHandler(e.Response, e.Request, err)
				}
				e.Set(skipActivityLogKey, true)
				return nil
			},
		})
		se.Router.GET("/api/staff/refusals", func(e *core.RequestEvent) error {
			totals, since := refusals.Totals()
			return e.JSON(http.StatusOK, map[string]any{
				"since":   since,
				"totals":  totals,
				"current": refusals.Current(time.Now()),
			})
		}).Bind(apis.RequireSuperuserAuth())

		go func() {
			tick := time.NewTicker(refusalSummaryEvery)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case now := <-tick.C:
					refusals.Summarize(now).Log(se.App.Logger())
				}
			}
		}()
		return se.Next()
	})
	// The last counts are logged on the way out; PocketBase writes its
	// queued logs after the terminate hooks.
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		if !stopped {
			stopped = true
			close(stop)
			refusals.Summarize(time.Now()).Log(e.App.Logger())
		}
		return e.Next()
	})
}

// requestRoute is the route a request matched, with the collection named
// ("GET /api/collections/services/records/{id}"): the record ids stay
// placeholders so a flood over many ids is one group.
func requestRoute(r *http.Request) string {
	route := r.Pattern
	if route == "" {
		route = r.Method + " " + r.URL.Path
	}
	if c := r.PathValue("collection"); c != "" {
		route = strings.Replace(route, "{collection}", c, 1)
	}
	if len(route) > 200 {
		route = route[:200]
	}
	return route
}
