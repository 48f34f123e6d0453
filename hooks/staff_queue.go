package hooks

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/backoffice"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/config"
)

// bindStaffQueue serves the staff's work queue (internal/backoffice):
// GET /api/staff/queue?limit= (counts of every kind and the first items of
// each), ?kind=&page=&perPage= (one kind, paged), ?days= (how far ahead
// dunning's suspensions are shown); and the queue's own actions on outbox
// messages and gateway events, each audited as the superuser's (jobs are
// retried and cancelled through the service routes, staff_services.go).
// Staff only.
func bindStaffQueue(app core.App, cfg *config.Config) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/staff/queue", func(e *core.RequestEvent) error {
			opts, err := queueOptions(e)
			if err != nil {
				return err
			}
			// Ticket links lead to the real help desk only, never to dev
			// mode's simulator.
			opts.HelpDeskURL = cfg.WithoutStandIns().SupportPal.URL
			q, err := backoffice.LoadQueue(e.App, opts)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, q)
		}).Bind(apis.RequireSuperuserAuth())

		act := func(path string, do func(app core.App, actor audit.Actor, id string, now time.Time) (*core.Record, error)) {
			se.Router.POST(path, func(e *core.RequestEvent) error {
				rec, err := do(e.App, audit.FromRequest(e), e.Request.PathValue("id"), clock.Now(e.App))
				var refused *backoffice.QueueActionError
				switch {
				case errors.As(err, &refused) && refused.Missing:
					return e.NotFoundError(refused.Reason, nil)
				case errors.As(err, &refused):
					return e.BadRequestError(refused.Reason, nil)
				case err != nil:
					return err
				}
				return e.JSON(http.StatusOK, rec)
			}).Bind(apis.RequireSuperuserAuth())
		}
		act("/api/staff/outbox/{id}/resend", backoffice.ResendMessage)
		act("/api/staff/outbox/{id}/discard", backoffice.DiscardMessage)
		act("/api/staff/webhook-events/{id}/dismiss", func(app core.App, actor audit.Actor, id string, _ time.Time) (*core.Record, error) {
			return backoffice.DismissEvent(app, actor, id)
		})
		return se.Next()
	})
}

// queueOptions reads the queue's query parameters, refusing bad ones with
// a 400 naming the parameter.
func queueOptions(e *core.RequestEvent) (backoffice.QueueOptions, error) {
	q := e.Request.URL.Query()
	opts := backoffice.QueueOptions{Now: clock.Now(e.App), Kind: q.Get("kind"), Page: 1, PerPage: 20, Limit: 5}
	if opts.Kind != "" && !slices.Contains(backoffice.QueueKinds, opts.Kind) {
		return opts, e.BadRequestError("Invalid kind.", fieldError("kind", "invalid", "Choose one of "+strings.Join(backoffice.QueueKinds, ", ")+"."))
	}
	days := 7
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{{"page", &opts.Page, 1, 100000}, {"perPage", &opts.PerPage, 1, 100}, {"limit", &opts.Limit, 0, 50}, {"days", &days, 1, 60}}
	for _, p := range ints {
		raw := q.Get(p.name)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < p.min || n > p.max {
			return opts, e.BadRequestError("Invalid "+p.name+".", fieldError(p.name, "invalid",
				"A whole number from "+strconv.Itoa(p.min)+" to "+strconv.Itoa(p.max)+"."))
		}
		*p.dst = n
	}
	opts.Within = time.Duration(days) * 24 * time.Hour
	return opts, nil
}
