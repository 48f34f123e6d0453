package hooks

import (
	"net/http"
	"strconv"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/audit"
)

// bindStaffCustomers serves the console's customer page what the record
// APIs cannot: the customer's history in words (GET
// /api/staff/customers/{id}/history?page=, staff only), and to the portal
// whether its session is staff impersonating the customer (GET
// /api/account/session), so the portal's banner comes from the server and
// survives reloads.
func bindStaffCustomers(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/staff/customers/{id}/history", staffCustomerHistory).Bind(apis.RequireSuperuserAuth())
		se.Router.GET("/api/account/session", accountSession).Bind(apis.RequireAuth(customers.Collection))
		return se.Next()
	})
}

func staffCustomerHistory(e *core.RequestEvent) error {
	page := 1
	if p := e.Request.URL.Query().Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return e.BadRequestError("Invalid page.", fieldError("page", "invalid", "The page is a whole number from 1."))
		}
		page = n
	}
	customer, err := e.App.FindRecordById(customers.Collection, e.Request.PathValue("id"))
	if err != nil {
		return e.NotFoundError("No such customer.", err)
	}
	history, err := audit.CustomerHistory(e.App, customer.Id, page)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, history)
}

// accountSession answers who the session is: the customer, and when staff
// impersonate them, which staff member and until when. The token decides
// (only impersonation issues non-refreshable ones), so nothing the
// browser stores can hide it.
func accountSession(e *core.RequestEvent) error {
	out := map[string]any{
		"customer":     map[string]string{"id": e.Auth.Id, "name": customers.As(e.Auth).Name(), "email": e.Auth.Email()},
		"impersonated": false,
	}
	imp, ok := audit.ImpersonationOf(e)
	if !ok {
		return e.JSON(http.StatusOK, out)
	}
	out["impersonated"] = true
	out["expires"] = imp.Expires
	staff := map[string]string{"id": imp.Staff}
	if imp.Staff != "" {
		if su, err := e.App.FindRecordById(core.CollectionNameSuperusers, imp.Staff); err == nil {
			staff["email"] = su.Email()
		}
	}
	out["staff"] = staff
	return e.JSON(http.StatusOK, out)
}
