package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/gateway"
)

// ErrChargeHeld is an invoice another charge holds: one in flight (dunning
// or pay now calling the gateway) or pending at the gateway until its
// webhook settles it. Charging again could take the money twice.
var ErrChargeHeld = errors.New("a payment of this invoice is already in progress")

// ReservationLease is how long an in-flight charge holds its invoice
// before it counts as abandoned (the process died mid-call): the next
// charge then takes it over with the same attempt, so the same
// idempotency key, and gets the first call's payment if there was one.
const ReservationLease = 15 * time.Minute

// Reservation is one charge attempt of an invoice, held by a pending
// payments row from before the gateway is called until its answer is
// recorded.
type Reservation struct {
	PaymentID string // the pending row that holds the invoice
	InvoiceID string
	Gateway   string
	Attempt   int
	Amount    money.Amount
	// PaymentMethod is the saved method charged (payment_methods id).
	PaymentMethod string
}

// Key is the attempt's idempotency key.
func (r *Reservation) Key() string { return AttemptKey(r.InvoiceID, r.Attempt) }

// AttemptKey is the idempotency key of an invoice's charge attempt. Every
// path that charges a saved method (dunning, pay now) uses it, so one
// attempt is at most one charge at the gateway whoever retries it.
func AttemptKey(invoiceID string, attempt int) string {
	return fmt.Sprintf("invoice:%s:attempt:%d", invoiceID, attempt)
}

// ReserveCharge re-reads the invoice and, if it is still open with
// something due and no other charge holds it, takes the next attempt
// (charge_attempts) and a pending row for it, in one transaction. Call the
// gateway only after it returns, outside any transaction, then
// SettleCharge or ReleaseCharge. An invoice no longer open answers
// ledger.ErrNothingDue, one held answers ErrChargeHeld.
func ReserveCharge(ctx context.Context, app core.App, invoiceID, gatewayName, methodID string) (*Reservation, error) {
	var r *Reservation
	err := app.RunInTransaction(func(tx core.App) error {
		inv, err := ledger.FindInvoice(tx, invoiceID)
		if err != nil {
			return fmt.Errorf("%w: invoice %q: %v", ErrInvalid, invoiceID, err)
		}
		if inv.Status() != ledger.StatusOpen || inv.AmountDue() <= 0 {
			return ledger.ErrNothingDue
		}
		amount := money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()}
		pending, err := tx.FindRecordsByFilter(Collection, "invoice = {:i} && kind = 'charge' && status = 'pending'", "", 0, 0,
			dbx.Params{"i": inv.Id})
		if err != nil {
			return err
		}
		var row *Payment
		for _, rec := range pending {
			p := AsPayment(rec)
			abandoned := p.GatewayID() == "" && time.Since(p.Updated().Time()) > ReservationLease
			switch {
			case !abandoned:
				return ErrChargeHeld
			case p.Amount() == amount.Minor && p.Gateway() == gatewayName:
				row = p // the same request again: same attempt, same key
			default:
				// Another amount under the same key would be refused by the
				// gateway; should the lost call have charged, its webhook
				// still records the payment.
				if err := tx.DeleteWithContext(ctx, rec); err != nil {
					return err
				}
			}
		}
		if row == nil {
			col, err := tx.FindCachedCollectionByNameOrId(Collection)
			if err != nil {
				return err
			}
			row = AsPayment(core.NewRecord(col))
			row.Load(map[string]any{"customer": inv.CustomerID(), "invoice": inv.Id, "kind": string(KindCharge), "gateway": gatewayName,
				"status": string(StatusPending), "amount": amount.Minor, "currency": amount.Currency, "attempt": inv.GetInt("charge_attempts") + 1})
			inv.Set("charge_attempts", row.Attempt())
			if err := tx.SaveWithContext(ctx, inv); err != nil {
				return err
			}
		}
		row.SetPaymentMethodID(methodID)
		if err := tx.SaveWithContext(ctx, row); err != nil { // saving renews the lease of a row taken over
			return err
		}
		r = &Reservation{PaymentID: row.Id, InvoiceID: inv.Id, Gateway: gatewayName, Attempt: row.Attempt(),
			Amount: amount, PaymentMethod: methodID}
		return nil
	})
	return r, err
}

// ReleaseCharge gives a reservation back when the gateway could not be
// reached: the attempt is not spent, so the next charge reuses its number
// and key and gets this call's payment should it have gone through.
func ReleaseCharge(ctx context.Context, app core.App, r *Reservation) error {
	return app.RunInTransaction(func(tx core.App) error {
		row, err := FindPayment(tx, r.PaymentID)
		if err == nil && row.Status() == StatusPending && row.GatewayID() == "" {
			if err := tx.DeleteWithContext(ctx, row); err != nil {
				return err
			}
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		inv, err := ledger.FindInvoice(tx, r.InvoiceID)
		if err != nil || inv.GetInt("charge_attempts") != r.Attempt {
			return err
		}
		inv.Set("charge_attempts", r.Attempt-1)
		return tx.SaveWithContext(ctx, inv)
	})
}

// SettleCharge records the gateway's answer to a reserved charge, in the
// caller's transaction, whatever became of the invoice meanwhile: money
// taken is always in the books (ApplyCharge turns it into credit if the
// invoice was paid another way); a pending answer keeps the row pending,
// holding the invoice until the webhook settles it.
func SettleCharge(ctx context.Context, tx core.App, r *Reservation, res gateway.ChargeResult, paidAt time.Time) (*core.Record, error) {
	switch res.Status {
	case gateway.StatusSucceeded, gateway.StatusPending, gateway.StatusFailed, gateway.StatusRequiresAction:
	default:
		return nil, fmt.Errorf("%w: charge status %q", ErrInvalid, res.Status)
	}
	row, err := FindPayment(tx, r.PaymentID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if res.GatewayID != "" && row != nil {
		// The webhook may have recorded this payment before we could.
		if known, err := Find(tx, r.Gateway, res.GatewayID); err == nil && known.Id != row.Id {
			if err := tx.DeleteWithContext(ctx, row); err != nil {
				return nil, err
			}
			row = nil
		} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	if row != nil {
		row.SetGatewayID(res.GatewayID)
		row.SetFailureCode(res.FailureCode)
		row.SetFailureMessage(res.FailureMessage)
		if res.Status != gateway.StatusSucceeded {
			row.SetStatus(Status(res.Status))
		}
		if err := tx.SaveWithContext(ctx, row); err != nil {
			return nil, fmt.Errorf("payment attempt %s/%s: %w", r.Gateway, res.GatewayID, err)
		}
		if res.Status != gateway.StatusSucceeded {
			return row.ProxyRecord(), nil
		}
		if res.GatewayID == "" {
			// Nothing to find it by: ApplyCharge records the charge anew.
			if err := tx.DeleteWithContext(ctx, row); err != nil {
				return nil, err
			}
		}
	}
	if res.Status == gateway.StatusSucceeded {
		p, _, err := ApplyCharge(ctx, tx, Charge{InvoiceID: r.InvoiceID, Gateway: r.Gateway, GatewayID: res.GatewayID,
			Amount: r.Amount, PaymentMethod: r.PaymentMethod, PaidAt: paidAt})
		return p, err
	}
	return RecordAttempt(ctx, tx, Attempt{InvoiceID: r.InvoiceID, Gateway: r.Gateway, GatewayID: res.GatewayID, Amount: r.Amount,
		Status: Status(res.Status), FailureCode: res.FailureCode, FailureMessage: res.FailureMessage,
		PaymentMethod: r.PaymentMethod, Attempt: r.Attempt})
}

// PendingCharge is the charge of an invoice that holds it, if any: one in
// flight or awaiting the gateway's webhook. An abandoned reservation holds
// nothing: the next ReserveCharge takes it over.
func PendingCharge(app core.App, invoiceID string) (*Payment, error) {
	rec, err := app.FindFirstRecordByFilter(Collection,
		"invoice = {:i} && kind = 'charge' && status = 'pending' && (gateway_id != '' || updated > {:lease})",
		dbx.Params{"i": invoiceID, "lease": time.Now().UTC().Add(-ReservationLease).Format(types.DefaultDateLayout)})
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, err
	}
	return AsPayment(rec), nil
}
