package hooks

import (
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/renewals"
	"github.com/ezscale/ezscale/internal/clock"
)

// bindUpcomingCharges adds GET /api/account/upcoming-charges: what the
// renewal run will bill next for each of the customer's own services, tax
// included, and the sum per currency. Read-only; a suspended account may
// read it like its invoices.
func bindUpcomingCharges(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/account/upcoming-charges", func(e *core.RequestEvent) error {
			out, err := renewals.Upcoming(e.App, e.Auth.Id, clock.Now(e.App))
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, out)
		}).Bind(apis.RequireAuth(customers.Collection))
		return se.Next()
	})
}
