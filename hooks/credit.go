package hooks

import (
	"errors"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
)

// bindCredit adds the customer's account credit routes: the balance per
// currency (summed in the database, not in the browser) and paying an open
// invoice from it.
func bindCredit(app core.App) {
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		auth := apis.RequireAuth(customers.Collection)
		se.Router.GET("/api/account/credit", func(e *core.RequestEvent) error {
			balances, err := ledger.Balances(e.App, e.Auth.Id)
			if err != nil {
				return err
			}
			currency := customers.As(e.Auth).Currency()
			if _, ok := balances[currency]; !ok {
				balances[currency] = 0
			}
			return e.JSON(http.StatusOK, map[string]any{"currency": currency, "balances": balances})
		}).Bind(auth)

		se.Router.POST("/api/invoices/{id}/pay/credit", func(e *core.RequestEvent) error {
			inv, err := ledger.FindInvoice(e.App, e.Request.PathValue("id"))
			if err != nil || inv.CustomerID() != e.Auth.Id || inv.Status() == ledger.StatusDraft {
				return e.NotFoundError("", nil)
			}
			paid, _, err := ledger.ApplyCredit(e.Request.Context(), e.App, inv.Id)
			switch {
			case errors.Is(err, ledger.ErrNothingDue):
				return e.Error(http.StatusConflict, "Nothing is due on this invoice.", nil)
			case errors.Is(err, ledger.ErrNoCredit):
				return e.Error(http.StatusConflict, "There is no account credit to use.", nil)
			case err != nil:
				return err
			}
			return e.JSON(http.StatusOK, paid.ProxyRecord())
		}).Bind(auth, refuseWhileWHMCSServes)
		return se.Next()
	})
}
