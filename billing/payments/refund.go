package payments

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/settings"
)

// Refunder returns money through a gateway.
type Refunder interface {
	Refund(ctx context.Context, req gateway.RefundRequest) (gateway.RefundResult, error)
}

// RefundRequest returns amount (minor units of the payment's currency) of a
// charge, for a reason the customer will see.
type RefundRequest struct {
	PaymentID string
	Amount    int64
	Reason    string
}

// Refund returns part or all of a charge: a pending refund row reserves the
// amount first (so two refunds at once cannot together exceed what was
// paid), the gateway is called outside any transaction with a key naming
// that row (so a retry refunds once), and on success the refund settles:
// the invoice becomes refunded or partially refunded, a credit note is
// issued and the customer is told. refunders maps a gateway name to its
// client; gateways without one (manual, sandbox) refund outside the app.
func Refund(ctx context.Context, app core.App, refunders map[string]Refunder, req RefundRequest) (*core.Record, error) {
	var refund, charge *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		charge, err = tx.FindRecordById(Collection, req.PaymentID)
		if err != nil || charge.GetString("kind") != "charge" || charge.GetString("status") != "succeeded" {
			return fmt.Errorf("%w: payment %q is not a succeeded charge", ErrInvalid, req.PaymentID)
		}
		inv, err := ledger.FindInvoice(tx, charge.GetString("invoice"))
		if err != nil || (inv.Status() != ledger.StatusPaid && inv.Status() != ledger.StatusPartiallyRefunded) {
			return fmt.Errorf("%w: only payments of paid invoices are refunded", ErrInvalid)
		}
		left, err := refundable(tx, charge)
		if err != nil {
			return err
		}
		if req.Amount <= 0 || req.Amount > left {
			amount := money.Amount{Minor: left, Currency: charge.GetString("currency")}
			return fmt.Errorf("%w: a refund must be more than 0 and at most %s (paid, less earlier refunds)", ErrInvalid, amount)
		}
		col, err := tx.FindCachedCollectionByNameOrId(Collection)
		if err != nil {
			return err
		}
		refund = core.NewRecord(col)
		refund.Load(map[string]any{
			"customer": charge.GetString("customer"), "invoice": charge.GetString("invoice"), "kind": "refund",
			"gateway": charge.GetString("gateway"), "status": "pending", "amount": req.Amount,
			"currency": charge.GetString("currency"), "reason": req.Reason, "refund_of": charge.Id,
		})
		return tx.SaveWithContext(ctx, refund)
	})
	if err != nil {
		return nil, err
	}

	result := gateway.RefundResult{Status: gateway.StatusSucceeded}
	if r := refunders[charge.GetString("gateway")]; r != nil {
		result, err = r.Refund(ctx, gateway.RefundRequest{
			PaymentGatewayID: charge.GetString("gateway_id"), Amount: money.Amount{Minor: req.Amount, Currency: charge.GetString("currency")},
			Reason: req.Reason, IdempotencyKey: "refund:" + refund.Id,
		})
	}
	if err != nil || result.Status == gateway.StatusFailed {
		refund.Set("status", "failed")
		refund.Set("failure_message", fmt.Sprint(err))
		if saveErr := app.SaveWithContext(ctx, refund); saveErr != nil {
			return nil, saveErr
		}
		return refund, fmt.Errorf("refund of payment %s failed at the gateway: %v", charge.Id, err)
	}
	err = app.RunInTransaction(func(tx core.App) error {
		refund.Set("gateway_id", result.GatewayID)
		return Settle(ctx, tx, refund, time.Now().UTC())
	})
	return refund, err
}

// RecordGatewayRefund records a refund made at the gateway (e.g. in
// Stripe's dashboard) that a webhook reported. A refund already recorded,
// such as one the platform made itself, changes nothing.
func RecordGatewayRefund(ctx context.Context, tx core.App, gw, refundID, chargeGatewayID string, amount money.Amount, at time.Time) (*core.Record, bool, error) {
	if existing, err := Find(tx, gw, refundID); err == nil {
		return existing, false, nil
	}
	charge, err := Find(tx, gw, chargeGatewayID)
	if err != nil {
		return nil, false, fmt.Errorf("%w: refund %s of unknown payment %s", ErrInvalid, refundID, chargeGatewayID)
	}
	left, err := refundable(tx, charge)
	if err != nil {
		return nil, false, err
	}
	if amount.Currency != charge.GetString("currency") || amount.Minor <= 0 || amount.Minor > left {
		return nil, false, fmt.Errorf("%w: refund %s of %s exceeds what payment %s has left", ErrInvalid, refundID, amount, chargeGatewayID)
	}
	col, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, false, err
	}
	refund := core.NewRecord(col)
	refund.Load(map[string]any{
		"customer": charge.GetString("customer"), "invoice": charge.GetString("invoice"), "kind": "refund", "gateway": gw,
		"gateway_id": refundID, "status": "pending", "amount": amount.Minor, "currency": amount.Currency, "refund_of": charge.Id,
		"reason": "refunded at the gateway",
	})
	if err := tx.SaveWithContext(ctx, refund); err != nil {
		return nil, false, err
	}
	return refund, true, Settle(ctx, tx, refund, at)
}

// Settle completes a refund the gateway made: the refund row succeeds, the
// invoice records it, a credit note documents it and the customer is told.
func Settle(ctx context.Context, tx core.App, refund *core.Record, at time.Time) error {
	refund.Set("status", "succeeded")
	refund.Set("paid_at", at)
	if err := tx.SaveWithContext(ctx, refund); err != nil {
		return err
	}
	inv, err := ledger.FindInvoice(tx, refund.GetString("invoice"))
	if err != nil {
		return err
	}
	refunded := inv.GetInt64("amount_refunded") + refund.GetInt64("amount")
	inv.Set("amount_refunded", refunded)
	inv.Set("status", ledger.StatusPartiallyRefunded)
	if refunded >= inv.GetInt64("amount_paid") {
		inv.Set("status", ledger.StatusRefunded)
	}
	if err := tx.SaveWithContext(ctx, inv); err != nil {
		return err
	}
	note, err := issueCreditNote(ctx, tx, inv, refund, at)
	if err != nil {
		return err
	}
	customer, err := tx.FindRecordById("customers", inv.CustomerID())
	if err != nil {
		return err
	}
	_, err = notify.Customer(ctx, tx, notify.Email{Key: "refund_issued", Customer: customer, DedupeKey: "refund:" + refund.Id,
		Data: notify.Data{"Invoice": notify.InvoiceFacts(inv), "CreditNote": note.GetString("number"), "Link": notify.InvoiceLink(tx, inv.Id),
			"Amount": money.Amount{Minor: refund.GetInt64("amount"), Currency: refund.GetString("currency")}}})
	return err
}

// issueCreditNote numbers a credit note in its own gapless series.
func issueCreditNote(ctx context.Context, tx core.App, inv *ledger.Invoice, refund *core.Record, at time.Time) (*core.Record, error) {
	s, err := settings.Load(tx)
	if err != nil {
		return nil, err
	}
	number, err := ledger.NextNumber(ctx, tx, ledger.SeriesCreditNote, s.CreditNoteNumberFormat, at)
	if err != nil {
		return nil, err
	}
	col, err := tx.FindCachedCollectionByNameOrId("credit_notes")
	if err != nil {
		return nil, err
	}
	note := core.NewRecord(col)
	note.Load(map[string]any{
		"customer": inv.CustomerID(), "invoice": inv.Id, "payment": refund.Id, "number": number,
		"currency": refund.GetString("currency"), "amount": refund.GetInt64("amount"), "reason": refund.GetString("reason"),
		"issued_at": at, "seller": inv.Get("seller"), "buyer": inv.Get("buyer"),
	})
	if err := tx.SaveWithContext(ctx, note); err != nil {
		return nil, fmt.Errorf("credit note for refund %s: %w", refund.Id, err)
	}
	return note, nil
}

// refundable is what is left to refund of a charge: its amount less the
// refunds made or reserved.
func refundable(app core.App, charge *core.Record) (int64, error) {
	var row struct {
		Sum int64 `db:"s"`
	}
	err := app.DB().Select("COALESCE(SUM(amount), 0) AS s").From(Collection).
		Where(dbx.HashExp{"refund_of": charge.Id, "kind": "refund", "status": []any{"pending", "succeeded"}}).One(&row)
	return charge.GetInt64("amount") - row.Sum, err
}
