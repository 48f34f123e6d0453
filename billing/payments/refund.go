package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
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
	var refund, charge *Payment
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		refund, charge, err = reserveRefund(ctx, tx, req, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return complete(ctx, app, refunders[charge.Gateway()], charge, refund)
}

// reserveRefund checks a refund of req against its charge and invoice and
// saves it pending, in tx: through the charge's own gateway, or through
// gw when one is named (credit).
func reserveRefund(ctx context.Context, tx core.App, req RefundRequest, gw string) (refund, charge *Payment, err error) {
	charge, err = FindPayment(tx, req.PaymentID)
	if err != nil || charge.Kind() != KindCharge || charge.Status() != StatusSucceeded {
		return nil, nil, fmt.Errorf("%w: payment %q is not a succeeded charge", ErrInvalid, req.PaymentID)
	}
	inv, err := ledger.FindInvoice(tx, charge.InvoiceID())
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
		amount := money.Amount{Minor: max(left, 0), Currency: charge.Currency()}
		return nil, nil, fmt.Errorf("%w: a refund must be more than 0 and at most %s (%s)", ErrInvalid, amount, why)
	}
	if gw == "" {
		gw = charge.Gateway()
	}
	col, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, nil, err
	}
	refund = AsPayment(core.NewRecord(col))
	refund.Load(map[string]any{
		"customer": charge.CustomerID(), "invoice": charge.InvoiceID(), "kind": string(KindRefund),
		"gateway": gw, "status": string(StatusPending), "amount": req.Amount,
		"currency": charge.Currency(), "reason": req.Reason, "refund_of": charge.Id,
	})
	return refund, charge, tx.SaveWithContext(ctx, refund)
}

// refundKey is the idempotency key of a refund row: the same on every
// retry, so the gateway refunds it once.
func refundKey(refund *Payment) string { return "refund:" + refund.Id }

// complete asks the gateway for a pending refund and records its answer:
// settled on success, failed on a definite refusal, still pending (with
// the error noted for staff) when the answer is ambiguous. The gateway's
// webhook may have recorded the refund meanwhile; settleGatewayRefund then
// finds it, so one refund is one row.
func complete(ctx context.Context, app core.App, r Refunder, charge, refund *Payment) (*core.Record, error) {
	result := gateway.RefundResult{Status: gateway.StatusSucceeded}
	var err error
	if r != nil {
		result, err = r.Refund(ctx, gateway.RefundRequest{
			PaymentGatewayID: charge.GatewayID(), Amount: money.Amount{Minor: refund.Amount(), Currency: refund.Currency()},
			Reason: refund.Reason(), IdempotencyKey: refundKey(refund),
		})
	}
	if err == nil && result.Status != gateway.StatusFailed {
		var settled *core.Record
		err = app.RunInTransaction(func(tx core.App) error {
			var err error
			settled, _, err = settleGatewayRefund(ctx, tx, charge, refund.Gateway(), result.GatewayID,
				refund.Amount(), refund.Id, time.Now().UTC())
			return err
		})
		return settled, err
	}
	definite := err == nil || gateway.Refused(err)
	message := fmt.Sprint(err)
	if err == nil {
		message = "the gateway declined the refund"
	}
	var current *Payment
	saveErr := app.RunInTransaction(func(tx core.App) error {
		var err error
		if current, err = FindPayment(tx, refund.Id); err != nil {
			return err
		}
		if current.Status() != StatusPending {
			return nil // settled meanwhile by the gateway's webhook: the money went back
		}
		if definite {
			current.SetStatus(StatusFailed)
		}
		current.SetFailureMessage(message)
		return tx.SaveWithContext(ctx, current)
	})
	if saveErr != nil {
		return nil, saveErr
	}
	if !definite {
		return current.ProxyRecord(), fmt.Errorf("%w: refund of payment %s: the gateway did not answer for certain (%s); it stays reserved and is retried with the same key",
			ErrRefundPending, charge.Id, message)
	}
	return current.ProxyRecord(), fmt.Errorf("refund of payment %s failed at the gateway: %s", charge.Id, message)
}

// RecordGatewayRefund records a refund the gateway reported by webhook. A
// refund already recorded, such as one the platform made itself, changes
// nothing. A refund the platform asked for whose own answer has not come
// back yet settles into that pending row (same charge and amount) instead
// of a second row; one made in the gateway's dashboard gets its own row.
func RecordGatewayRefund(ctx context.Context, tx core.App, gw, refundID, chargeGatewayID string, amount money.Amount, at time.Time) (*core.Record, bool, error) {
	if existing, err := Find(tx, gw, refundID); err == nil {
		return existing.ProxyRecord(), false, nil
	}
	charge, err := Find(tx, gw, chargeGatewayID)
	if err != nil {
		return nil, false, fmt.Errorf("%w: refund %s of unknown payment %s", ErrInvalid, refundID, chargeGatewayID)
	}
	if amount.Currency != charge.Currency() {
		return nil, false, fmt.Errorf("%w: refund %s in %s of a payment in %s", ErrInvalid, refundID, amount.Currency, charge.Currency())
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
func settleGatewayRefund(ctx context.Context, tx core.App, charge *Payment, gw, refundID string, amount int64, own string, at time.Time) (*core.Record, bool, error) {
	if refundID != "" {
		existing, err := Find(tx, gw, refundID)
		if err == nil {
			return existing.ProxyRecord(), false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, false, err
		}
	}
	var row *Payment
	if own != "" {
		p, err := FindPayment(tx, own)
		if err != nil {
			return nil, false, err
		}
		if p.Status() == StatusPending {
			row = p
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
			row = AsPayment(recs[0])
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
		row = AsPayment(core.NewRecord(col))
		row.Load(map[string]any{
			"customer": charge.CustomerID(), "invoice": charge.InvoiceID(), "kind": string(KindRefund), "gateway": gw,
			"status": string(StatusPending), "amount": amount, "currency": charge.Currency(), "refund_of": charge.Id,
			"reason": "refunded at the gateway",
		})
	}
	row.SetGatewayID(refundID)
	row.SetFailureMessage("")
	return row.ProxyRecord(), true, Settle(ctx, tx, row, at)
}

// Settle completes a refund the gateway made: the refund row succeeds, the
// invoice records it, a credit note documents it and the customer is told.
func Settle(ctx context.Context, tx core.App, refund *Payment, at time.Time) error {
	refund.SetStatus(StatusSucceeded)
	refund.SetPaidAt(at)
	if err := tx.SaveWithContext(ctx, refund); err != nil {
		return err
	}
	inv, err := ledger.FindInvoice(tx, refund.InvoiceID())
	if err != nil {
		return err
	}
	refunded := inv.GetInt64("amount_refunded") + refund.Amount()
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
	customer, err := customers.Find(tx, inv.CustomerID())
	if err != nil {
		return err
	}
	_, err = notify.Customer(ctx, tx, notify.Email{Key: "refund_issued", Customer: customer.ProxyRecord(), DedupeKey: "refund:" + refund.Id,
		Data: notify.Data{"Invoice": notify.InvoiceFacts(inv), "CreditNote": note.GetString("number"), "Link": notify.InvoiceLink(tx, inv.Id),
			"Amount": money.Amount{Minor: refund.Amount(), Currency: refund.Currency()}}})
	return err
}

// takeBackVoidCredit: voiding gave what was paid on the invoice back as
// credit, so a refund of that payment at the gateway (staff refund only
// paid invoices; this is a refund made in the gateway's dashboard) takes
// as much back from the credit, and staff are told, with the balance left:
// negative when the credit was spent before the money went back.
func takeBackVoidCredit(ctx context.Context, tx core.App, inv *ledger.Invoice, refund *Payment) error {
	amount := money.Amount{Minor: refund.Amount(), Currency: refund.Currency()}
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
	customer, err := customers.Find(tx, inv.CustomerID())
	if err != nil {
		return err
	}
	_, err = notify.Staff(ctx, tx, notify.Alert{Key: "refund_from_credit", Customer: customer.ProxyRecord(), DedupeKey: "refund-from-credit:" + refund.Id,
		Data: notify.Data{"Invoice": notify.InvoiceFacts(inv), "Amount": amount, "Refund": refund.GatewayID(),
			"Balance": money.Amount{Minor: balance, Currency: amount.Currency}}})
	return err
}

// issueCreditNote numbers a credit note in its own gapless series.
func issueCreditNote(ctx context.Context, tx core.App, inv *ledger.Invoice, refund *Payment, at time.Time) (*core.Record, error) {
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
		"currency": refund.Currency(), "amount": refund.Amount(), "reason": refund.Reason(),
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
func refundable(app core.App, charge *Payment) (int64, error) {
	reserved, err := refundsOf(app, "refund_of", charge.Id)
	return charge.Amount() - reserved, err
}

// refundsOf sums the refunds made or reserved (pending) whose field (the
// invoice, or refund_of: the charge) is id.
func refundsOf(app core.App, field, id string) (int64, error) {
	var row struct {
		Sum int64 `db:"s"`
	}
	err := app.DB().Select("COALESCE(SUM(amount), 0) AS s").From(Collection).
		Where(dbx.HashExp{field: id, "kind": string(KindRefund), "status": []any{string(StatusPending), string(StatusSucceeded)}}).One(&row)
	return row.Sum, err
}
