package payments

import (
	"context"
	"database/sql"
	"errors"
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

// ErrRefundPending says the gateway's answer was ambiguous (a timeout, a
// lost answer, a 5xx): it may have refunded, so the refund stays pending,
// keeps its amount reserved and is retried with the same idempotency key
// (RetryPendingRefunds) until the gateway answers for certain.
var ErrRefundPending = errors.New("refund pending")

// Refund returns part or all of a charge: a pending refund row reserves the
// amount first (so two refunds at once cannot together exceed what was
// paid), the gateway is called outside any transaction with a key naming
// that row (so a retry refunds once), and on success the refund settles:
// the invoice becomes refunded or partially refunded, a credit note is
// issued and the customer is told. Only a definite refusal fails the row
// and frees its amount; an ambiguous failure keeps it pending and returns
// ErrRefundPending. refunders maps a gateway name to its client; gateways
// without one (manual, sandbox) refund outside the app.
func Refund(ctx context.Context, app core.App, refunders map[string]Refunder, req RefundRequest) (*core.Record, error) {
	var refund, charge *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		refund, charge, err = reserveRefund(ctx, tx, req, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return complete(ctx, app, refunders[charge.GetString("gateway")], charge, refund)
}

// reserveRefund checks a refund of req against its charge and invoice and
// saves it pending, in tx: through the charge's own gateway, or through
// gw when one is named (credit).
func reserveRefund(ctx context.Context, tx core.App, req RefundRequest, gw string) (refund, charge *core.Record, err error) {
	charge, err = tx.FindRecordById(Collection, req.PaymentID)
	if err != nil || charge.GetString("kind") != "charge" || charge.GetString("status") != "succeeded" {
		return nil, nil, fmt.Errorf("%w: payment %q is not a succeeded charge", ErrInvalid, req.PaymentID)
	}
	inv, err := ledger.FindInvoice(tx, charge.GetString("invoice"))
	if err != nil || (inv.Status() != ledger.StatusPaid && inv.Status() != ledger.StatusPartiallyRefunded) {
		return nil, nil, fmt.Errorf("%w: only payments of paid invoices are refunded", ErrInvalid)
	}
	left, err := refundable(tx, charge)
	if err != nil {
		return nil, nil, err
	}
	why := "paid, less earlier refunds"
	if room, err := invoiceRefundRoom(tx, inv); err != nil {
		return nil, nil, err
	} else if room < left {
		left, why = room, "paid on the invoice, less earlier refunds and the unused time already given back as credit"
	}
	if req.Amount <= 0 || req.Amount > left {
		amount := money.Amount{Minor: max(left, 0), Currency: charge.GetString("currency")}
		return nil, nil, fmt.Errorf("%w: a refund must be more than 0 and at most %s (%s)", ErrInvalid, amount, why)
	}
	if gw == "" {
		gw = charge.GetString("gateway")
	}
	col, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, nil, err
	}
	refund = core.NewRecord(col)
	refund.Load(map[string]any{
		"customer": charge.GetString("customer"), "invoice": charge.GetString("invoice"), "kind": "refund",
		"gateway": gw, "status": "pending", "amount": req.Amount,
		"currency": charge.GetString("currency"), "reason": req.Reason, "refund_of": charge.Id,
	})
	return refund, charge, tx.SaveWithContext(ctx, refund)
}

// refundKey is the idempotency key of a refund row: the same on every
// retry, so the gateway refunds it once.
func refundKey(refund *core.Record) string { return "refund:" + refund.Id }

// complete asks the gateway for a pending refund and records its answer:
// settled on success, failed on a definite refusal, still pending (with
// the error noted for staff) when the answer is ambiguous. The gateway's
// webhook may have recorded the refund meanwhile; settleGatewayRefund then
// finds it, so one refund is one row.
func complete(ctx context.Context, app core.App, r Refunder, charge, refund *core.Record) (*core.Record, error) {
	result := gateway.RefundResult{Status: gateway.StatusSucceeded}
	var err error
	if r != nil {
		result, err = r.Refund(ctx, gateway.RefundRequest{
			PaymentGatewayID: charge.GetString("gateway_id"), Amount: money.Amount{Minor: refund.GetInt64("amount"), Currency: refund.GetString("currency")},
			Reason: refund.GetString("reason"), IdempotencyKey: refundKey(refund),
		})
	}
	if err == nil && result.Status != gateway.StatusFailed {
		var settled *core.Record
		err = app.RunInTransaction(func(tx core.App) error {
			var err error
			settled, _, err = settleGatewayRefund(ctx, tx, charge, refund.GetString("gateway"), result.GatewayID,
				refund.GetInt64("amount"), refund.Id, time.Now().UTC())
			return err
		})
		return settled, err
	}
	definite := err == nil || gateway.Refused(err)
	message := fmt.Sprint(err)
	if err == nil {
		message = "the gateway declined the refund"
	}
	var current *core.Record
	saveErr := app.RunInTransaction(func(tx core.App) error {
		var err error
		if current, err = tx.FindRecordById(Collection, refund.Id); err != nil {
			return err
		}
		if current.GetString("status") != "pending" {
			return nil // settled meanwhile by the gateway's webhook: the money went back
		}
		if definite {
			current.Set("status", "failed")
		}
		current.Set("failure_message", message)
		return tx.SaveWithContext(ctx, current)
	})
	if saveErr != nil {
		return nil, saveErr
	}
	if !definite {
		return current, fmt.Errorf("%w: refund of payment %s: the gateway did not answer for certain (%s); it stays reserved and is retried with the same key",
			ErrRefundPending, charge.Id, message)
	}
	return current, fmt.Errorf("refund of payment %s failed at the gateway: %s", charge.Id, message)
}

// RecordGatewayRefund records a refund the gateway reported by webhook. A
// refund already recorded, such as one the platform made itself, changes
// nothing. A refund the platform asked for whose own answer has not come
// back yet settles into that pending row (same charge and amount) instead
// of a second row; one made in the gateway's dashboard gets its own row.
func RecordGatewayRefund(ctx context.Context, tx core.App, gw, refundID, chargeGatewayID string, amount money.Amount, at time.Time) (*core.Record, bool, error) {
	if existing, err := Find(tx, gw, refundID); err == nil {
		return existing, false, nil
	}
	charge, err := Find(tx, gw, chargeGatewayID)
	if err != nil {
		return nil, false, fmt.Errorf("%w: refund %s of unknown payment %s", ErrInvalid, refundID, chargeGatewayID)
	}
	if amount.Currency != charge.GetString("currency") {
		return nil, false, fmt.Errorf("%w: refund %s in %s of a payment in %s", ErrInvalid, refundID, amount.Currency, charge.GetString("currency"))
	}
	return settleGatewayRefund(ctx, tx, charge, gw, refundID, amount.Minor, "", at)
}

// settleGatewayRefund settles the gateway's refund refundID of charge into
// exactly one row: the row already holding refundID (nothing to do), else
// own (the pending row that asked for it, when still pending), else the
// oldest pending reservation of the same charge and amount that no gateway
// refund holds yet, else a new row within what is left to refund. The
// webhook and the platform's own call may arrive in either order, and two
// refunds of the same amount may each take the other's row: every gateway
// refund still ends in one row and every reservation in one refund.
func settleGatewayRefund(ctx context.Context, tx core.App, charge *core.Record, gw, refundID string, amount int64, own string, at time.Time) (*core.Record, bool, error) {
	if refundID != "" {
		existing, err := Find(tx, gw, refundID)
		if err == nil {
			return existing, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, false, err
		}
	}
	var row *core.Record
	if own != "" {
		rec, err := tx.FindRecordById(Collection, own)
		if err != nil {
			return nil, false, err
		}
		if rec.GetString("status") == "pending" {
			row = rec
		}
	}
	if row == nil {
		recs, err := tx.FindRecordsByFilter(Collection,
			"refund_of = {:c} && kind = 'refund' && status = 'pending' && gateway_id = '' && amount = {:a}", "created", 1, 0,
			dbx.Params{"c": charge.Id, "a": amount})
		if err != nil {
			return nil, false, err
		}
		if len(recs) > 0 {
			row = recs[0]
		}
	}
	if row == nil {
		left, err := refundable(tx, charge)
		if err != nil {
			return nil, false, err
		}
		if amount <= 0 || amount > left {
			return nil, false, fmt.Errorf("%w: refund %s of %d exceeds what payment %s has left (%d)", ErrInvalid, refundID, amount, charge.Id, left)
		}
		col, err := tx.FindCachedCollectionByNameOrId(Collection)
		if err != nil {
			return nil, false, err
		}
		row = core.NewRecord(col)
		row.Load(map[string]any{
			"customer": charge.GetString("customer"), "invoice": charge.GetString("invoice"), "kind": "refund", "gateway": gw,
			"status": "pending", "amount": amount, "currency": charge.GetString("currency"), "refund_of": charge.Id,
			"reason": "refunded at the gateway",
		})
	}
	row.Set("gateway_id", refundID)
	row.Set("failure_message", "")
	return row, true, Settle(ctx, tx, row, at)
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
	if inv.Status() != ledger.StatusVoid {
		inv.Set("status", ledger.StatusPartiallyRefunded)
		if refunded >= inv.GetInt64("amount_paid") {
			inv.Set("status", ledger.StatusRefunded)
		}
	}
	if err := tx.SaveWithContext(ctx, inv); err != nil {
		return err
	}
	if inv.Status() == ledger.StatusVoid {
		if err := takeBackVoidCredit(ctx, tx, inv, refund); err != nil {
			return err
		}
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

// takeBackVoidCredit: voiding gave what was paid on the invoice back as
// credit, so a refund of that payment at the gateway (staff refund only
// paid invoices; this is a refund made in the gateway's dashboard) takes
// as much back from the credit, and staff are told, with the balance left:
// negative when the credit was spent before the money went back.
func takeBackVoidCredit(ctx context.Context, tx core.App, inv *ledger.Invoice, refund *core.Record) error {
	amount := money.Amount{Minor: refund.GetInt64("amount"), Currency: refund.GetString("currency")}
	if _, err := ledger.AddCredit(ctx, tx, ledger.CreditEntry{
		CustomerID: inv.CustomerID(), Currency: amount.Currency, Amount: -amount.Minor, Reason: ledger.CreditVoid, InvoiceID: inv.Id,
		Description: "Refunded at the gateway: taken back from the credit void invoice " + ledger.Label(inv) + " returned",
	}); err != nil {
		return err
	}
	balance, err := ledger.Balance(tx, inv.CustomerID(), amount.Currency)
	if err != nil {
		return err
	}
	customer, err := tx.FindRecordById("customers", inv.CustomerID())
	if err != nil {
		return err
	}
	_, err = notify.Staff(ctx, tx, notify.Alert{Key: "refund_from_credit", Customer: customer, DedupeKey: "refund-from-credit:" + refund.Id,
		Data: notify.Data{"Invoice": notify.InvoiceFacts(inv), "Amount": amount, "Refund": refund.GetString("gateway_id"),
			"Balance": money.Amount{Minor: balance, Currency: amount.Currency}}})
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

// invoiceRefundRoom is what may still be refunded on an invoice: its
// refund limit (ledger.RefundLimit: what was paid on it, less time already
// credited) less the refunds made or reserved. A charge that overpaid the
// invoice became credit, so it is not refundable beyond what the invoice
// kept.
func invoiceRefundRoom(app core.App, inv *ledger.Invoice) (int64, error) {
	limit, err := ledger.RefundLimit(app, inv)
	if err != nil {
		return 0, err
	}
	reserved, err := refundsOf(app, "invoice", inv.Id)
	return limit - reserved, err
}

// refundable is what is left to refund of a charge: its amount less the
// refunds made or reserved.
func refundable(app core.App, charge *core.Record) (int64, error) {
	reserved, err := refundsOf(app, "refund_of", charge.Id)
	return charge.GetInt64("amount") - reserved, err
}

// refundsOf sums the refunds made or reserved (pending) whose field (the
// invoice, or refund_of: the charge) is id.
func refundsOf(app core.App, field, id string) (int64, error) {
	var row struct {
		Sum int64 `db:"s"`
	}
	err := app.DB().Select("COALESCE(SUM(amount), 0) AS s").From(Collection).
		Where(dbx.HashExp{field: id, "kind": "refund", "status": []any{"pending", "succeeded"}}).One(&row)
	return row.Sum, err
}
