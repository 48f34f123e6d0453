package hooks

import (
	"errors"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/ezscale/ezscale/billing/cancellation"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/clock"
)

// bindStaffServices adds what staff do to a service from the console —
// suspend, unsuspend, terminate, move the next due date, override the
// price, power, reveal credentials, open the panel, retry or drop a failed
// job — and approving or declining a wait-listed order. Each is audited
// with its reason by the domain package doing it; platform calls are
// queued as jobs, except power and panel login, which answer at once and
// run outside any transaction.
func bindStaffServices(app core.App, actions *serviceActions) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/staff/services/{id}")
		g.Bind(apis.RequireSuperuserAuth(), apis.BodyLimit(16<<10))

		for path, status := range map[string]provisioning.ServiceStatus{"/suspend": provisioning.ServiceSuspended, "/unsuspend": provisioning.ServiceActive} {
			g.POST(path, func(e *core.RequestEvent) error {
				var body struct {
					Reason string `json:"reason"`
				}
				if err := decodeJSON(e, &body); err != nil {
					return err
				}
				svc, err := provisioning.StaffSetStatus(e.Request.Context(), e.App, e.Request.PathValue("id"), status, body.Reason, audit.FromRequest(e))
				if err != nil {
					return staffError(err)
				}
				return e.JSON(http.StatusOK, svc)
			})
		}

		g.POST("/terminate", func(e *core.RequestEvent) error {
			var body struct {
				Confirm string `json:"confirm"`
				Reason  string `json:"reason"`
				Credit  bool   `json:"credit"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			svc, err := cancellation.Terminate(e.Request.Context(), e.App, cancellation.Termination{
				ServiceID: e.Request.PathValue("id"), Confirm: body.Confirm, Reason: body.Reason, Credit: body.Credit,
			}, audit.FromRequest(e), clock.Now(e.App))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusAccepted, svc)
		})

		g.POST("/due-date", func(e *core.RequestEvent) error {
			var body struct {
				Date   string `json:"date"`
				Reason string `json:"reason"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			svc, err := provisioning.FindServiceForStaff(e.App, e.Request.PathValue("id"))
			if err != nil {
				return staffError(err)
			}
			subscriptionID := provisioning.AsService(svc).SubscriptionID()
			var prev time.Time
			if sub, err := subscriptions.Find(e.App, subscriptionID); err == nil {
				prev = sub.BilledUntil().Time()
			}
			to, err := parseDueDate(body.Date, prev)
			if err != nil {
				return e.BadRequestError("The date must be YYYY-MM-DD or an RFC 3339 time.", fieldError("date", "invalid", err.Error()))
			}
			sub, err := renewals.MoveDueDate(e.Request.Context(), e.App, subscriptionID, to, body.Reason, audit.FromRequest(e), clock.Now(e.App))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusOK, sub)
		})

		g.POST("/price", func(e *core.RequestEvent) error {
			var body struct {
				Amount   int64  `json:"amount"`
				Currency string `json:"currency"`
				Reason   string `json:"reason"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			price, err := money.New(body.Amount, body.Currency)
			if err != nil {
				return e.BadRequestError("Invalid price.", fieldError("currency", "invalid", err.Error()))
			}
			svc, err := provisioning.FindServiceForStaff(e.App, e.Request.PathValue("id"))
			if err != nil {
				return staffError(err)
			}
			sub, err := renewals.OverridePrice(e.Request.Context(), e.App, provisioning.AsService(svc).SubscriptionID(), price, body.Reason, audit.FromRequest(e))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusOK, sub)
		})

		staffService := func(action func(*core.RequestEvent, *provisioning.Service, string) error) func(*core.RequestEvent) error {
			return func(e *core.RequestEvent) error {
				svc, err := provisioning.FindServiceForStaff(e.App, e.Request.PathValue("id"))
				if err != nil {
					return staffError(err)
				}
				return action(e, provisioning.AsService(svc), "staff")
			}
		}
		g.POST("/power", staffService(actions.sendPower))
		g.GET("/credentials", staffService(actions.credentials))
		g.GET("/panel-login", staffService(actions.panelLogin))

		g.POST("/jobs/{job}/retry", func(e *core.RequestEvent) error {
			job, err := provisioning.RetryJob(e.Request.Context(), e.App, e.Request.PathValue("id"), e.Request.PathValue("job"), audit.FromRequest(e))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusOK, job)
		})

		g.POST("/jobs/{job}/cancel", func(e *core.RequestEvent) error {
			var body struct {
				Reason string `json:"reason"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			job, err := provisioning.CancelJob(e.Request.Context(), e.App, e.Request.PathValue("id"), e.Request.PathValue("job"), body.Reason, audit.FromRequest(e))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusOK, job)
		})

		o := se.Router.Group("/api/staff/orders/{id}")
		o.Bind(apis.RequireSuperuserAuth(), apis.BodyLimit(16<<10))
		o.POST("/approve", func(e *core.RequestEvent) error {
			order, err := orders.Approve(e.Request.Context(), e.App, e.Request.PathValue("id"), audit.FromRequest(e))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusOK, order)
		})
		o.POST("/decline", func(e *core.RequestEvent) error {
			var body struct {
				Reason string `json:"reason"`
			}
			if err := decodeJSON(e, &body); err != nil {
				return err
			}
			order, err := orders.Decline(e.Request.Context(), e.App, e.Request.PathValue("id"), body.Reason, audit.FromRequest(e))
			if err != nil {
				return staffError(err)
			}
			return e.JSON(http.StatusOK, order)
		})
		return se.Next()
	})
}

// parseDueDate reads the date staff chose: an exact RFC 3339 time, or a
// day, taken at the time of day the subscription's periods turn (that of
// prev, its present due date), so the schedule keeps its hour.
func parseDueDate(s string, prev time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	day, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	prev = prev.UTC()
	return day.Add(prev.Sub(prev.Truncate(24 * time.Hour))), nil
}

// staffError turns a domain refusal into the API error the console shows,
// naming the field at fault.
func staffError(err error) error {
	var (
		pe *provisioning.StaffError
		re *renewals.Error
		ce *cancellation.Error
	)
	switch {
	case errors.As(err, &pe):
		return router.NewApiError(pe.Status, pe.Message, fieldError(pe.Field, "invalid", pe.Message))
	case errors.As(err, &re):
		return router.NewApiError(re.Status, re.Message, fieldError(re.Field, "invalid", re.Message))
	case errors.As(err, &ce):
		return router.NewApiError(ce.Status, ce.Message, fieldError(ce.Field, ce.Code, ce.Message))
	}
	return orderError(err)
}
