package hooks

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/clock"
	"github.com/ezscale/ezscale/internal/config"
)

// bindPayments lets staff record a manual payment (bank transfer, cheque)
// by creating a payments row in the dashboard: it is applied to its invoice
// like any gateway's. In dev mode customers can also pay with the sandbox.
func bindPayments(app core.App, cfg *config.Config, gw *gateways.Set) {
	refunders := gw.Refunders()
	// Staff refund a payment (amount in minor units, reason shown to the customer).
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/staff/payments/{id}/refund", func(e *core.RequestEvent) error {
			var req struct {
				Amount int64  `json:"amount"`
				Reason string `json:"reason"`
			}
			if err := decodeJSON(e, &req); err != nil {
				return err
			}
			refund, err := payments.Refund(e.Request.Context(), e.App, refunders,
				payments.RefundRequest{PaymentID: e.Request.PathValue("id"), Amount: req.Amount, Reason: req.Reason})
			if errors.Is(err, payments.ErrInvalid) {
				return e.BadRequestError(err.Error(), nil)
			}
			if errors.Is(err, payments.ErrRefundPending) {
				return e.JSON(http.StatusAccepted, refund) // reserved, retried with the same key until the gateway answers
			}
			if err != nil {
				return e.Error(http.StatusBadGateway, err.Error(), nil)
			}
			return e.JSON(http.StatusOK, refund)
		}).Bind(apis.RequireSuperuserAuth(), apis.BodyLimit(16<<10))
		return se.Next()
	})

	app.OnRecordCreateRequest(payments.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		entered := payments.AsPayment(e.Record)
		if entered.Kind() != payments.KindCharge || entered.Gateway() != payments.GatewayManual {
			// A row typed in would be money the invoice never saw: gateways
			// record their own payments, refunds go through the refund route.
			return e.BadRequestError("Staff record manual charges only; gateway payments are recorded by the gateways and refunds by the refund route.", nil)
		}
		amount, err := money.New(entered.Amount(), entered.Currency())
		if err != nil {
			return e.BadRequestError("Invalid amount.", fieldError("currency", "invalid", err.Error()))
		}
		var payment *core.Record
		err = e.App.RunInTransaction(func(tx core.App) error {
			var err error
			payment, _, err = payments.ApplyCharge(e.Request.Context(), tx, payments.Charge{
				InvoiceID: entered.InvoiceID(), Gateway: payments.GatewayManual,
				GatewayID: entered.GatewayID(), Amount: amount,
				PaidAt: entered.PaidAt().Time(),
			})
			return err
		})
		if errors.Is(err, payments.ErrInvalid) {
			return e.BadRequestError(err.Error(), nil)
		}
		if err != nil {
			return err
		}
		if err := apis.EnrichRecord(e.RequestEvent, payment); err != nil {
			return err
		}
		return e.JSON(http.StatusOK, payment)
	})

	// Payments are the books: once recorded, only the gateway fee staff
	// note down may change, and nothing is deleted.
	app.OnRecordUpdateRequest(payments.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		orig := e.Record.Original()
		for _, f := range e.Record.Collection().Fields {
			if name := f.GetName(); name != "fee" && name != "updated" && fmt.Sprint(orig.Get(name)) != fmt.Sprint(e.Record.Get(name)) {
				return e.BadRequestError("A recorded payment changes only its fee; record a refund or a new payment instead.", fieldError(name, "read_only", "a recorded payment's "+name+" cannot change"))
			}
		}
		return e.Next()
	})
	app.OnRecordDeleteRequest(payments.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Recorded payments are never deleted; refund them instead.", nil)
	})

	// Credit notes are documents the refund flow issues with their number:
	// nobody types, edits or deletes one through the API.
	refuseNotes := func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Credit notes are issued by refunds only.", nil)
	}
	app.OnRecordCreateRequest("credit_notes").BindFunc(refuseNotes)
	app.OnRecordUpdateRequest("credit_notes").BindFunc(refuseNotes)
	app.OnRecordDeleteRequest("credit_notes").BindFunc(refuseNotes)

	if !cfg.Dev {
		return
	}
	// The sandbox pays at once through the same path as a real payment. It
	// exists only in dev mode: the route is not even registered otherwise.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.POST("/api/invoices/{id}/pay/sandbox", func(e *core.RequestEvent) error {
			inv, err := ledger.FindInvoice(e.App, e.Request.PathValue("id"))
			if err != nil || inv.CustomerID() != e.Auth.Id || inv.Status() == ledger.StatusDraft {
				return e.NotFoundError("", nil)
			}
			if inv.Status() != ledger.StatusOpen || inv.AmountDue() <= 0 {
				return e.Error(http.StatusConflict, "Nothing is due on this invoice.", nil)
			}
			err = e.App.RunInTransaction(func(tx core.App) error {
				_, _, err := payments.ApplyCharge(e.Request.Context(), tx, payments.Charge{
					InvoiceID: inv.Id, Gateway: payments.GatewaySandbox, GatewayID: "sandbox_" + security.RandomString(16),
					Amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}, PaidAt: clock.Now(e.App),
				})
				return err
			})
			if err != nil {
				return err
			}
			paid, err := ledger.FindInvoice(e.App, inv.Id)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, paid.ProxyRecord())
		}).Bind(apis.RequireAuth(customers.Collection), refuseWhileWHMCSServes)
		return se.Next()
	})
}
