// Package payments applies money received or returned to the ledger:
// charges pay invoices, overpayments become credit, refunds reduce what
// was paid. Every change is a payments row, unique per gateway and
// gateway id, so a webhook delivered twice never applies twice.
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
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/clock"
)

// Collection holds charges and refunds.
const Collection = "payments"

// Gateways that record payments.
const (
	GatewayStripe  = "stripe"
	GatewayPayPal  = "paypal"
	GatewayManual  = "manual"
	GatewaySandbox = "sandbox"
)

// Charge is money received for an invoice.
type Charge struct {
	InvoiceID     string
	Gateway       string
	GatewayID     string // unique per gateway; empty only for manual entries
	Amount        money.Amount
	PaymentMethod string
	Fee           int64
	PaidAt        time.Time
}

// ErrInvalid marks a charge that cannot be applied as given.
var ErrInvalid = errors.New("invalid payment")

// ApplyCharge records a succeeded charge and applies it to its invoice, in
// the caller's transaction. A charge already recorded (same gateway and
// gateway id) changes nothing and returns the existing row with
// applied=false. What exceeds the amount due, or arrives for an invoice
// that is no longer open, becomes account credit.
func ApplyCharge(ctx context.Context, tx core.App, c Charge) (payment *core.Record, applied bool, err error) {
	return applyCharge(ctx, tx, nil, c)
}

// ApplyChargeTo is ApplyCharge for a caller that has just loaded the
// invoice in tx (a webhook checks it exists first), so it is read once.
func ApplyChargeTo(ctx context.Context, tx core.App, inv *ledger.Invoice, c Charge) (payment *core.Record, applied bool, err error) {
	if inv == nil || inv.Id != c.InvoiceID {
		return nil, false, fmt.Errorf("%w: charge for invoice %q applied to another", ErrInvalid, c.InvoiceID)
	}
	return applyCharge(ctx, tx, inv, c)
}

// applyCharge applies c to inv, loading the invoice when inv is nil.
func applyCharge(ctx context.Context, tx core.App, inv *ledger.Invoice, c Charge) (payment *core.Record, applied bool, err error) {
	if c.Amount.Minor <= 0 {
		return nil, false, fmt.Errorf("%w: amount %s must be positive", ErrInvalid, c.Amount)
	}
	var attempt *Payment
	if c.GatewayID != "" {
		existing, err := Find(tx, c.Gateway, c.GatewayID)
		switch {
		case err == nil && existing.Status() == StatusSucceeded:
			return existing.ProxyRecord(), false, nil
		case err == nil:
			// An attempt recorded as declined or awaiting 3-D Secure that
			// has now succeeded (same PaymentIntent): it becomes the charge.
			attempt = existing
		case !errors.Is(err, sql.ErrNoRows):
			return nil, false, err
		}
	}
	if inv == nil {
		if inv, err = ledger.FindInvoice(tx, c.InvoiceID); err != nil {
			return nil, false, fmt.Errorf("%w: invoice %q: %v", ErrInvalid, c.InvoiceID, err)
		}
	}
	if inv.Currency() != c.Amount.Currency {
		return nil, false, fmt.Errorf("%w: %s paid for invoice %s in %s", ErrInvalid, c.Amount, ledger.Label(inv), inv.Currency())
	}
	if c.PaidAt.IsZero() {
		c.PaidAt = clock.Now(tx)
	}

	col, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, false, err
	}
	p := attempt
	if p == nil {
		p = AsPayment(core.NewRecord(col))
	}
	p.Load(map[string]any{
		"customer": inv.CustomerID(), "invoice": inv.Id, "kind": string(KindCharge), "gateway": c.Gateway, "gateway_id": c.GatewayID,
		"status": string(StatusSucceeded), "amount": c.Amount.Minor, "currency": c.Amount.Currency, "fee": c.Fee,
		"paid_at": c.PaidAt, "failure_code": "", "failure_message": "",
	})
	if c.PaymentMethod != "" {
		p.SetPaymentMethodID(c.PaymentMethod) // an upgraded attempt keeps the card it named
	}
	if err := tx.SaveWithContext(ctx, p); err != nil {
		return nil, false, fmt.Errorf("payment %s/%s: %w", c.Gateway, c.GatewayID, err)
	}

	applicable := int64(0)
	if inv.Status() == ledger.StatusOpen || inv.Status() == ledger.StatusUncollectible {
		applicable = min(c.Amount.Minor, inv.AmountDue())
	}
	if over := c.Amount.Minor - applicable; over > 0 {
		if _, err := ledger.AddCredit(ctx, tx, ledger.CreditEntry{
			CustomerID: inv.CustomerID(), Currency: inv.Currency(), Amount: over, Reason: ledger.CreditOverpayment,
			InvoiceID: inv.Id, Description: "Paid more than invoice " + ledger.Label(inv) + " asked",
		}); err != nil {
			return nil, false, err
		}
	}
	if applicable == 0 {
		if err := tellStaffCredited(ctx, tx, inv, p, c); err != nil {
			return nil, false, err
		}
	}
	if applicable > 0 {
		inv.Set("amount_paid", inv.GetInt64("amount_paid")+applicable)
		if inv.AmountDue()-applicable <= 0 {
			inv.Set("status", ledger.StatusPaid)
			inv.Set("paid_at", c.PaidAt)
		}
		if err := tx.SaveWithContext(ctx, inv); err != nil {
			return nil, false, fmt.Errorf("invoice %s: %w", ledger.Label(inv), err)
		}
	}
	return p.ProxyRecord(), true, nil
}

// tellStaffCredited alerts staff to money that arrived for an invoice no
// longer open (paid twice, e.g. a card charge crossing another payment):
// it is account credit now, and staff decide whether to refund it.
func tellStaffCredited(ctx context.Context, tx core.App, inv *ledger.Invoice, payment *Payment, c Charge) error {
	customer, err := customers.Find(tx, inv.CustomerID())
	if err != nil {
		return err
	}
	_, err = notify.Staff(ctx, tx, notify.Alert{Key: "payment_credited", Customer: customer.ProxyRecord(), DedupeKey: "payment-credited:" + payment.Id,
		Data: notify.Data{"Invoice": notify.InvoiceFacts(inv), "Amount": c.Amount, "Gateway": c.Gateway, "Payment": c.GatewayID}})
	return err
}

// Find returns the payment a gateway knows by gatewayID.
func Find(app core.App, gateway, gatewayID string) (*Payment, error) {
	rec, err := app.FindFirstRecordByFilter(Collection, "gateway = {:g} && gateway_id = {:id}", dbx.Params{"g": gateway, "id": gatewayID})
	if err != nil {
		return nil, err
	}
	return AsPayment(rec), nil
}
