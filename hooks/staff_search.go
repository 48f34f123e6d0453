package hooks

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/backoffice"
	"github.com/ezscale/ezscale/internal/clock"
)

// bindStaffSearch serves the staff console's search box and customer
// list (see internal/backoffice), for superusers only:
// GET /api/staff/search?q= and GET /api/staff/customers?…[&format=csv].
// A CSV export takes customers' details out of the platform, so it is
// audited; reading a page is not an action.
func bindStaffSearch(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/staff/search", func(e *core.RequestEvent) error {
			res, err := backoffice.Search(e.App, e.Request.URL.Query().Get("q"))
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, res)
		}).Bind(apis.RequireSuperuserAuth())

		se.Router.GET("/api/staff/customers", func(e *core.RequestEvent) error {
			q := e.Request.URL.Query()
			p, err := backoffice.ParseListParams(e.App, q)
			var perr *backoffice.ParamError
			if errors.As(err, &perr) {
				return e.BadRequestError("Invalid "+perr.Field+".", fieldError(perr.Field, "invalid", perr.Message))
			}
			if err != nil {
				return err
			}
			now := clock.Now(e.App)
			switch q.Get("format") {
			case "", "json":
				list, err := backoffice.ListCustomers(e.App, p, now)
				if err != nil {
					return err
				}
				return e.JSON(http.StatusOK, list)
			case "csv":
				return exportCustomers(e, p)
			default:
				return e.BadRequestError("Invalid format.", fieldError("format", "invalid", "Must be json or csv."))
			}
		}).Bind(apis.RequireSuperuserAuth())
		return se.Next()
	})
}

// exportCustomers streams the filtered list as a CSV download, after the
// audit entry naming who took it and with which filters.
func exportCustomers(e *core.RequestEvent, p backoffice.ListParams) error {
	err := audit.Entry{
		Actor:      audit.FromRequest(e),
		Action:     "export",
		Collection: customers.Collection,
		Message:    "customer list exported as CSV, filters: " + e.Request.URL.RawQuery,
	}.Save(e.App)
	if err != nil {
		return err
	}
	now := clock.Now(e.App)
	h := e.Response.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="customers-%s.csv"`, now.UTC().Format("2006-01-02")))
	h.Set("Cache-Control", "no-store")
	e.Response.WriteHeader(http.StatusOK)
	if _, err := backoffice.WriteCustomersCSV(e.App, p, now, e.Response); err != nil {
		// The header is sent: the cut-off download is all the client can get.
		e.App.Logger().Error("customer CSV export", "error", err)
	}
	return nil
}
