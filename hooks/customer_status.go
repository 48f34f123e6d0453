package hooks

import (
	"strings"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/security"
)

// Messages a refused customer reads; the portal shows them as they are.
const (
	accountClosedMessage    = "This account is closed. Contact support if you think this is a mistake."
	accountSuspendedMessage = "Your account is suspended: services cannot be managed or ordered until it is reinstated. " +
		"You can still pay your invoices and open tickets; contact support."
)

// customerStatus is a customer's account status (customers.status) and the
// one statement of what each status allows. Every sign-in path, every
// request with a token and every service action asks it, so a new route
// gets the policy by binding the middleware below, never by re-reading the
// status itself.
type customerStatus string

const (
	statusActive    customerStatus = "active"
	statusSuspended customerStatus = "suspended"
	statusClosed    customerStatus = "closed"
	statusFraud     customerStatus = "fraud"
)

func statusOf(customer *core.Record) customerStatus {
	return customerStatus(customer.GetString("status"))
}

// canSignIn: a closed or fraudulent account neither signs in nor keeps
// using a token it already holds. A suspended one does, to pay what it
// owes and talk to support.
func (s customerStatus) canSignIn() bool {
	return s != statusClosed && s != statusFraud
}

// canUseServices: only an account in good standing reveals credentials,
// powers, opens panels, changes plans or orders. Cancelling stays open to
// every account that can sign in: it only stops future billing.
func (s customerStatus) canUseServices() bool {
	return s == statusActive
}

// bindCustomerStatus refuses closed and fraudulent accounts everywhere:
// every sign-in (password, one-time code, OAuth2, passkey, token refresh,
// all answered through PocketBase's auth response), every request made
// with a token issued before, and their realtime connections. Staff
// impersonating such a customer keep their way in, to look into the
// account as its owner sees it.
func bindCustomerStatus(app core.App) {
	app.OnRecordAuthRequest("customers").BindFunc(func(e *core.RecordAuthRequestEvent) error {
		if (e.Auth == nil || !e.Auth.IsSuperuser()) && !statusOf(e.Record).canSignIn() {
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
	app.OnRecordAfterUpdateSuccess("customers").BindFunc(func(e *core.RecordEvent) error {
		if !statusOf(e.Record).canSignIn() {
			for _, client := range e.App.SubscriptionsBroker().Clients() {
				if auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record); auth != nil &&
					auth.Id == e.Record.Id && auth.Collection().Name == "customers" {
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
	if e.Auth == nil || e.Auth.Collection().Name != "customers" || statusOf(e.Auth).canSignIn() || impersonated(e) {
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
		if e.Auth != nil && e.Auth.Collection().Name == "customers" && !statusOf(e.Auth).canUseServices() {
			return e.ForbiddenError(accountSuspendedMessage, nil)
		}
		return e.Next()
	},
}
