package hooks

import (
	"encoding/json"
	"errors"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/clock"
)

// bindOrderRoutes adds POST /api/orders: a customer orders for themselves,
// staff for a customer they name. A customer orders, or asks for a quote,
// only while their account is in good standing.
func bindOrderRoutes(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/orders", placeOrder).
			Bind(apis.RequireAuth(customers.Collection, core.CollectionNameSuperusers), requireServiceAccess, refuseWhileWHMCSServes, apis.BodyLimit(64<<10))
		se.Router.POST("/api/orders/quote", quoteOrder).
			Bind(apis.RequireAuth(customers.Collection), requireServiceAccess, refuseWhileWHMCSServes, apis.BodyLimit(64<<10))
		return se.Next()
	})
}

func placeOrder(e *core.RequestEvent) error {
	var req orders.Request
	if err := decodeJSON(e, &req); err != nil {
		return err
	}
	customer := e.Auth
	staff := e.HasSuperuserAuth()
	if staff {
		c, err := e.App.FindRecordById(customers.Collection, req.Customer)
		if err != nil {
			return e.BadRequestError("Unknown customer.", fieldError("customer", "not_found", "customer not found"))
		}
		customer = c
	} else if req.Customer != "" && req.Customer != customer.Id {
		return e.BadRequestError("You can only order for your own account.", nil)
	}

	res, err := orders.Place(e.Request.Context(), e.App, customer, req, orders.By{Staff: staff, IP: e.RealIP()}, clock.Now(e.App))
	if err != nil {
		return orderError(err)
	}
	return e.JSON(http.StatusCreated, map[string]any{
		"order":        res.Order,
		"subscription": res.Subscription,
		"service":      res.Service,
		"invoice":      res.Invoice.ProxyRecord(),
	})
}

// quoteOrder answers what POST /api/orders would invoice for the same body,
// writing nothing, so the portal shows the exact total before the order.
func quoteOrder(e *core.RequestEvent) error {
	var req orders.Request
	if err := decodeJSON(e, &req); err != nil {
		return err
	}
	if req.Customer != "" && req.Customer != e.Auth.Id {
		return e.BadRequestError("You can only order for your own account.", nil)
	}
	q, err := orders.Quote(e.Request.Context(), e.App, e.Auth, req, orders.By{IP: e.RealIP()}, clock.Now(e.App))
	if err != nil {
		return orderError(err)
	}
	missing := q.Missing
	if missing == nil {
		missing = []string{}
	}
	return e.JSON(http.StatusOK, map[string]any{"invoice": q.Invoice, "items": q.Items, "renews": q.Renews, "missing": missing,
		"trial_days": q.TrialDays, "trial_end": q.TrialEnd})
}

// orderError turns a refused order into the API error shape the SDK knows,
// with the reason attached to the field at fault.
func orderError(err error) error {
	var oe *orders.Error
	if !errors.As(err, &oe) {
		return err
	}
	return router.NewApiError(oe.Status, oe.Message, fieldError(oe.Field, oe.Code, oe.Message))
}

// decodeJSON reads a JSON request body strictly: unknown fields and
// trailing data are refused rather than ignored.
func decodeJSON(e *core.RequestEvent, dst any) error {
	dec := json.NewDecoder(e.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return e.BadRequestError("Malformed JSON body.", fieldError("body", "invalid_json", err.Error()))
	}
	if dec.More() {
		return e.BadRequestError("Malformed JSON body.", fieldError("body", "invalid_json", "unexpected data after the JSON object"))
	}
	return nil
}

// fieldError is the API error data naming one field, its code and why.
func fieldError(field, code, message string) validation.Errors {
	if field == "" {
		return nil
	}
	return validation.Errors{field: validation.NewError(code, message)}
}
