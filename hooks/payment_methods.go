package hooks

import (
	"context"
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/config"
)

// cardGateway keeps a customer's cards and charges them: Stripe.
type cardGateway interface {
	methods.Cards
	gateway.Charger
	PublishableKey() string
}

// payPalGateway takes payments the customer approves: one-off orders and
// subscriptions, revised on a plan change.
type payPalGateway interface {
	methods.PayPalOrders
	methods.PayPalPlans
	methods.PayPalReviser
}

// bindPaymentMethods adds the customer's card routes when a gateway that
// keeps cards is enabled: save a card (SetupIntent for Stripe.js), sync,
// remove, make default, choose a card per service, and pay an invoice now.
// PayPal's checkout routes come with a gateway that takes approved payments.
func bindPaymentMethods(app core.App, cfg *config.Config, gw *gateways.Set) {
	pp, hasPayPal := gateways.First[payPalGateway](gw)
	if hasPayPal {
		// After a plan change commits, PayPal bills the new price from the
		// next cycle: revise the subscription (a PayPal call, so after commit).
		app.OnRecordAfterUpdateSuccess(subscriptions.Collection).BindFunc(func(e *core.RecordEvent) error {
			sub, oldPrice := subscriptions.As(e.Record), subscriptions.As(e.Record.Original()).PlanPriceID()
			if sub.PayPalSubscriptionID() != "" && oldPrice != "" && oldPrice != sub.PlanPriceID() {
				if _, err := methods.PayPalRevise(context.Background(), e.App, pp, e.Record, cfg.PublicURL+"/services"); err != nil {
					e.App.Logger().Error("paypal revise failed", "subscription", e.Record.Id, "error", err)
				}
			}
			return e.Next()
		})
	}
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		auth := apis.RequireAuth(customers.Collection)
		// The per-service card needs no gateway call.
		se.Router.POST("/api/services/{id}/payment-method", setServiceMethod).Bind(auth, refuseWhileWHMCSServes, apis.BodyLimit(4<<10))
		// What the portal may offer: only configured gateways, and the
		// sandbox in dev mode only.
		se.Router.GET("/api/payment-options", func(e *core.RequestEvent) error {
			opts := gw.PaymentOptions()
			opts["sandbox"] = cfg.Dev
			return e.JSON(http.StatusOK, opts)
		})
		if hasPayPal {
			bindPayPalCheckout(se, pp, cfg)
		}
		cards, ok := gateways.First[cardGateway](gw)
		if !ok {
			return se.Next()
		}
		g := se.Router.Group("/api/payment-methods")
		g.Bind(auth, refuseWhileWHMCSServes, apis.BodyLimit(4<<10))
		g.POST("/setup", func(e *core.RequestEvent) error {
			secret, err := methods.Setup(e.Request.Context(), e.App, cards, e.Auth)
			if err != nil {
				return e.Error(http.StatusBadGateway, "The card service is unavailable, try again.", nil)
			}
			return e.JSON(http.StatusOK, map[string]string{"client_secret": secret, "publishable_key": cards.PublishableKey()})
		})
		g.POST("/sync", func(e *core.RequestEvent) error {
			if err := methods.Sync(e.Request.Context(), e.App, cards, e.Auth); err != nil {
				return e.Error(http.StatusBadGateway, "The card service is unavailable, try again.", nil)
			}
			return e.NoContent(http.StatusNoContent)
		})
		g.DELETE("/{id}", func(e *core.RequestEvent) error {
			return methodResult(e, methods.Remove(e.Request.Context(), e.App, cards, e.Auth.Id, e.Request.PathValue("id")))
		})
		g.POST("/{id}/default", func(e *core.RequestEvent) error {
			return methodResult(e, methods.MakeDefault(e.Request.Context(), e.App, cards, e.Auth, e.Request.PathValue("id")))
		})
		se.Router.POST("/api/invoices/{id}/pay", func(e *core.RequestEvent) error {
			var body struct {
				PaymentMethod string `json:"payment_method"`
			}
			if e.Request.ContentLength > 0 {
				if err := decodeJSON(e, &body); err != nil {
					return err
				}
			}
			res, err := methods.PayNow(e.Request.Context(), e.App, gw.Chargers(), e.Auth, e.Request.PathValue("id"), body.PaymentMethod)
			if err := payError(e, err); err != nil {
				return err
			}
			return e.JSON(http.StatusOK, map[string]string{"status": res.Status, "failure_code": res.FailureCode,
				"failure_message": res.FailureMessage, "action_url": res.ActionURL})
		}).Bind(auth, refuseWhileWHMCSServes, apis.BodyLimit(4<<10))
		return se.Next()
	})
}

func methodResult(e *core.RequestEvent, err error) error {
	switch {
	case errors.Is(err, methods.ErrNotFound):
		return e.NotFoundError("", nil)
	case err != nil:
		return e.Error(http.StatusBadGateway, "The card service is unavailable, try again.", nil)
	}
	return e.NoContent(http.StatusNoContent)
}

// setServiceMethod sets (or, with "", clears) the card a service is billed to.
func setServiceMethod(e *core.RequestEvent) error {
	svc, err := ownedService(e)
	if err != nil {
		return err
	}
	var body struct {
		PaymentMethod string `json:"payment_method"`
	}
	if err := decodeJSON(e, &body); err != nil {
		return err
	}
	if body.PaymentMethod != "" {
		if _, err := methods.Owned(e.App, e.Auth.Id, body.PaymentMethod); err != nil {
			return e.BadRequestError("Unknown payment method.", fieldError("payment_method", "not_found", "payment method not found"))
		}
	}
	svc.SetPaymentMethodID(body.PaymentMethod)
	if err := e.App.SaveWithContext(e.Request.Context(), svc); err != nil {
		return err
	}
	return e.JSON(http.StatusOK, svc.ProxyRecord())
}

// bindPayPalCheckout adds the one-off PayPal payment of an invoice: an
// order to approve at PayPal, then its capture when the customer returns.
func bindPayPalCheckout(se *core.ServeEvent, pp payPalGateway, cfg *config.Config) {
	auth := apis.RequireAuth(customers.Collection)
	se.Router.POST("/api/invoices/{id}/paypal", func(e *core.RequestEvent) error {
		id := e.Request.PathValue("id")
		back := cfg.PublicURL + "/billing/invoices/" + id
		orderID, approve, err := methods.PayPalCheckout(e.Request.Context(), e.App, pp, e.Auth, id, back+"?paypal=approved", back+"?paypal=cancelled")
		if err := payError(e, err); err != nil {
			return err
		}
		return e.JSON(http.StatusOK, map[string]string{"order_id": orderID, "approve_url": approve})
	}).Bind(auth, refuseWhileWHMCSServes)
	se.Router.POST("/api/services/{id}/paypal-subscription", func(e *core.RequestEvent) error {
		svc, err := ownedService(e)
		if err != nil {
			return err
		}
		back := cfg.PublicURL + "/services/" + svc.Id
		approve, err := methods.PayPalSubscribe(e.Request.Context(), e.App, pp, e.Auth, svc.ProxyRecord(), back+"?paypal=approved", back+"?paypal=cancelled")
		if err := payError(e, err); err != nil {
			return err
		}
		return e.JSON(http.StatusOK, map[string]string{"approve_url": approve})
	}).Bind(auth, refuseWhileWHMCSServes)
	se.Router.POST("/api/invoices/{id}/paypal/capture", func(e *core.RequestEvent) error {
		var body struct {
			OrderID string `json:"order_id"`
		}
		if err := decodeJSON(e, &body); err != nil {
			return err
		}
		if body.OrderID == "" {
			return e.BadRequestError("Name the PayPal order to capture.", fieldError("order_id", "validation_required", "order_id is required"))
		}
		res, err := methods.PayPalCapture(e.Request.Context(), e.App, pp, e.Auth, e.Request.PathValue("id"), body.OrderID)
		if err := payError(e, err); err != nil {
			return err
		}
		return e.JSON(http.StatusOK, map[string]string{"status": res.Status})
	}).Bind(auth, refuseWhileWHMCSServes, apis.BodyLimit(4<<10))
}

// payError answers a failed payment call: missing or someone else's
// invoice 404, an unknown PayPal order 404, nothing due, a saved method its
// gateway cannot charge or a PayPal order that is not this invoice's or not
// approved 409, the gateway down 502.
func payError(e *core.RequestEvent, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, methods.ErrNotFound):
		return e.NotFoundError("", nil)
	case errors.Is(err, methods.ErrOrderNotFound):
		return e.NotFoundError("PayPal order not found.", nil)
	case errors.Is(err, methods.ErrOrderMismatch):
		return e.Error(http.StatusConflict, "This PayPal order was not made for this invoice: pay it with a PayPal order of its own.", nil)
	case errors.Is(err, methods.ErrOrderNotApproved):
		return e.Error(http.StatusConflict, "This PayPal order has not been approved at PayPal.", nil)
	case errors.Is(err, methods.ErrNothingDue), errors.Is(err, methods.ErrChargeInProgress), errors.Is(err, methods.ErrPaidByPayPal),
		errors.Is(err, methods.ErrCannotCharge):
		return e.Error(http.StatusConflict, err.Error(), nil)
	}
	return e.Error(http.StatusBadGateway, "The payment service is unavailable, try again.", nil)
}
