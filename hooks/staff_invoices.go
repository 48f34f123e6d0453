package hooks

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/staffinvoices"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/audit"
)

// bindStaffInvoices adds the console's invoice actions, staff only: a
// manual invoice, a draft's lines, issue, void, a manual payment, a refund
// (to the way it was paid, or to credit) and the email sent again. The
// rules are billing/staffinvoices'; a refusal is a 400 with its reason.
func bindStaffInvoices(app core.App, gw *gateways.Set) {
	refunders := gw.Refunders()
	staff := func(e *core.RequestEvent) staffinvoices.Staff {
		return staffinvoices.Staff{Actor: audit.FromRequest(e)}
	}
	id := func(e *core.RequestEvent) string { return e.Request.PathValue("id") }

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/staff/invoices")
		g.Bind(apis.RequireSuperuserAuth(), apis.BodyLimit(64<<10))

		g.POST("", func(e *core.RequestEvent) error {
			var req staffinvoices.NewInvoice
			if err := decodeJSON(e, &req); err != nil {
				return err
			}
			inv, err := staff(e).CreateInvoice(e.Request.Context(), e.App, req)
			return invoiceAnswer(e, http.StatusCreated, inv, err)
		})
		g.POST("/{id}/lines", func(e *core.RequestEvent) error {
			var req staffLine
			if err := decodeJSON(e, &req); err != nil {
				return err
			}
			inv, err := staff(e).AddLine(e.Request.Context(), e.App, id(e), req.Currency, req.Line)
			return invoiceAnswer(e, http.StatusOK, inv, err)
		})
		g.PATCH("/{id}/lines/{line}", func(e *core.RequestEvent) error {
			var req staffLine
			if err := decodeJSON(e, &req); err != nil {
				return err
			}
			inv, err := staff(e).UpdateLine(e.Request.Context(), e.App, id(e), e.Request.PathValue("line"), req.Currency, req.Line)
			return invoiceAnswer(e, http.StatusOK, inv, err)
		})
		g.DELETE("/{id}/lines/{line}", func(e *core.RequestEvent) error {
			inv, err := staff(e).RemoveLine(e.Request.Context(), e.App, id(e), e.Request.PathValue("line"))
			return invoiceAnswer(e, http.StatusOK, inv, err)
		})
		g.POST("/{id}/issue", func(e *core.RequestEvent) error {
			inv, err := staff(e).Issue(e.Request.Context(), e.App, id(e))
			return invoiceAnswer(e, http.StatusOK, inv, err)
		})
		g.POST("/{id}/void", func(e *core.RequestEvent) error {
			var req struct {
				Reason string `json:"reason"`
			}
			if err := decodeJSON(e, &req); err != nil {
				return err
			}
			inv, err := staff(e).Void(e.Request.Context(), e.App, id(e), req.Reason)
			return invoiceAnswer(e, http.StatusOK, inv, err)
		})
		g.POST("/{id}/resend", func(e *core.RequestEvent) error {
			inv, err := staff(e).Resend(e.Request.Context(), e.App, id(e))
			return invoiceAnswer(e, http.StatusOK, inv, err)
		})
		g.POST("/{id}/payments", func(e *core.RequestEvent) error {
			var req struct {
				Amount    int64  `json:"amount"`
				Currency  string `json:"currency"`
				Reference string `json:"reference"`
				PaidAt    string `json:"paid_at"` // a date, YYYY-MM-DD; empty is now
			}
			if err := decodeJSON(e, &req); err != nil {
				return err
			}
			p := staffinvoices.ManualPayment{Amount: req.Amount, Currency: req.Currency, Reference: req.Reference}
			if s := strings.TrimSpace(req.PaidAt); s != "" {
				at, err := time.Parse(time.DateOnly, s)
				if err != nil {
					return e.BadRequestError("The payment date must be a date (YYYY-MM-DD).", fieldError("paid_at", "invalid", err.Error()))
				}
				p.PaidAt = at
			}
			res, err := staff(e).RecordPayment(e.Request.Context(), e.App, id(e), p)
			if err != nil {
				return staffInvoiceError(e, err)
			}
			return e.JSON(http.StatusOK, map[string]any{"payment": res.Payment, "invoice": res.Invoice.ProxyRecord(), "credit": res.Credit})
		})
		g.POST("/{id}/refunds", func(e *core.RequestEvent) error {
			var req staffinvoices.Refund
			if err := decodeJSON(e, &req); err != nil {
				return err
			}
			refund, err := staff(e).Refund(e.Request.Context(), e.App, refunders, id(e), req)
			switch {
			case errors.Is(err, staffinvoices.ErrRefundPending):
				return e.JSON(http.StatusAccepted, refund) // reserved, retried with the same key until the gateway answers
			case err != nil && refund != nil:
				return e.Error(http.StatusBadGateway, err.Error(), nil) // the gateway refused it
			case err != nil:
				return staffInvoiceError(e, err)
			}
			return e.JSON(http.StatusOK, refund)
		})
		return se.Next()
	})
}

// staffLine is a line typed in the console, with the currency its amount
// is in.
type staffLine struct {
	staffinvoices.Line
	Currency string `json:"currency"`
}

// invoiceAnswer answers the invoice an action left, or its refusal.
func invoiceAnswer(e *core.RequestEvent, status int, inv *ledger.Invoice, err error) error {
	if err != nil {
		return staffInvoiceError(e, err)
	}
	return e.JSON(status, inv.ProxyRecord())
}

// staffInvoiceError turns a refusal into a 400 with its reason and an
// unknown id into a 404; anything else is the server's.
func staffInvoiceError(e *core.RequestEvent, err error) error {
	var refusal *staffinvoices.Refusal
	switch {
	case errors.As(err, &refusal):
		return e.BadRequestError(refusal.Reason, nil)
	case errors.Is(err, staffinvoices.ErrNotFound):
		return e.NotFoundError(err.Error(), nil)
	}
	return err
}
