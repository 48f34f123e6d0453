package hooks

import (
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/ezscale/ezscale/billing/customers"
)

// Messages a refused customer reads; the portal shows them as they are.
const (
	accountClosedMessage    = "This account is closed. Contact support if you think this is a mistake."
	accountSuspendedMessage = "Your account is suspended: services cannot be managed or ordered until it is reinstated. " +
		"You can still pay your invoices and open tickets; contact support."
)

// bindCustomerStatus refuses closed and fraudulent accounts everywhere:
// every sign-in (password, one-time code, OAuth2, passkey, token refresh,
// all answered through PocketBase's auth response), every request made
// with a token issued before, and their realtime connections. Staff
// impersonating such a customer keep their way in, to look into the
// account as its owner sees it.
func bindCustomerStatus(app core.App) {
	app.OnRecordAuthRequest(customers.Collection).BindFunc(func(e *core.RecordAuthRequestEvent) error {
		if (e.Auth == nil || !e.Auth.IsSuperuser()) && !customers.As(e.Record).Status().CanSignIn() {
			return e.ForbiddenError(accountClosedMessage, nil)
		}
		return e.Next()
	})

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "ezscaleCustomerStatus",
			Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1, // e.Auth is known
			Func:     refuseClosedAccountTokens,
		})
		return se.Next()
	})

	// Realtime connections keep the auth they subscribed with; closing the
	// account drops it, as PocketBase does when a token key changes.
	app.OnRecordAfterUpdateSuccess(customers.Collection).BindFunc(func(e *core.RecordEvent) error {
		if !customers.As(e.Record).Status().CanSignIn() {
			for _, client := range e.App.SubscriptionsBroker().Clients() {
				if auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record); auth != nil &&
					auth.Id == e.Record.Id && auth.Collection().Name == customers.Collection {
					client.Unset(apis.RealtimeClientAuthKey)
				}
			}
		}
		return e.Next()
	})
}

// refuseClosedAccountTokens answers 401 to any request carrying the token
// of a closed or fraudulent customer, whatever the route: record APIs,
// custom routes, realtime subscriptions.
func refuseClosedAccountTokens(e *core.RequestEvent) error {
	if e.Auth == nil || e.Auth.Collection().Name != customers.Collection || customers.As(e.Auth).Status().CanSignIn() || impersonated(e) {
		return e.Next()
	}
	return e.UnauthorizedError(accountClosedMessage, nil)
}

// impersonated reports whether the request's token was issued by staff
// impersonating the customer: PocketBase issues those, and only those,
// non-refreshable (the token was verified when it was loaded).
func impersonated(e *core.RequestEvent) bool {
	token := e.Request.Header.Get("Authorization")
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		token = token[7:]
	}
	claims, err := security.ParseUnverifiedJWT(token)
	if err != nil {
		return false
	}
	refreshable, ok := claims[core.TokenClaimRefreshable].(bool)
	return ok && !refreshable
}

// requireServiceAccess refuses a customer whose account does not allow
// service actions (403, with what they can still do); staff pass. Bind it
// to every route that acts on a service or orders one.
var requireServiceAccess = &hook.Handler[*core.RequestEvent]{
	Id: "ezscaleServiceAccess",
	Func: func(e *core.RequestEvent) error {
		if e.Auth != nil && e.Auth.Collection().Name == customers.Collection && !customers.As(e.Auth).Status().CanUseServices() {
			return e.ForbiddenError(accountSuspendedMessage, nil)
		}
		return e.Next()
	},
}
