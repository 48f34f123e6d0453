package hooks

import (
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
)

// bindSessions adds POST /api/account/sessions/revoke-others: PocketBase
// tokens are signed, not stored, so "sign out everywhere else" renews the
// customer's token key, which invalidates every token issued before, and
// answers a fresh token for the device that asked.
func bindSessions(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/account/sessions/revoke-others", func(e *core.RequestEvent) error {
			customer := e.Auth
			customer.RefreshTokenKey()
			if err := e.App.SaveWithContext(e.Request.Context(), customer); err != nil {
				return err
			}
			return apis.RecordAuthResponse(e, customer, "", nil)
		}).Bind(apis.RequireAuth(customers.Collection))
		return se.Next()
	})
}
