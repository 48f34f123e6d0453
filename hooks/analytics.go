package hooks

import (
	"errors"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/analytics"
	"github.com/ezscale/ezscale/internal/settings"
)

// bindAnalytics serves the staff console's business figures (see
// billing/analytics): GET /api/staff/analytics?from=&to=&currency=, for
// superusers only.
func bindAnalytics(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/staff/analytics", func(e *core.RequestEvent) error {
			s, err := settings.Load(e.App)
			if err != nil {
				return err
			}
			q := e.Request.URL.Query()
			p, err := analytics.ParseParams(s, q.Get("from"), q.Get("to"), q.Get("currency"), time.Now())
			var perr *analytics.ParamError
			if errors.As(err, &perr) {
				return e.BadRequestError("Invalid "+perr.Field+".", fieldError(perr.Field, "invalid", perr.Message))
			}
			if err != nil {
				return err
			}
			sum, err := analytics.Report(e.App, p.Range, p.Currency)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, sum)
		}).Bind(apis.RequireSuperuserAuth())
		return se.Next()
	})
}
