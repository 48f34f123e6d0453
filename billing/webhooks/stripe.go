package webhooks

import (
	"context"
	"database/sql"
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/methods"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/clock"
)

// HandleStripe applies a verified Stripe event. Events arrive in any order
// and any number of times: a success or a failure settles a charge
// recorded as pending; a failure after a success never reopens the
// invoice; a refund of a payment we do not know is unmatched, for staff.
func HandleStripe(ctx context.Context, tx core.App, ge gateway.Event) (string, error) {
	ev, err := stripe.ParseEvent(ge.Payload)
	if err != nil {
		return "", err
	}
	switch ev.Type {
	case "payment_intent.succeeded":
		inv, ok := findInvoice(tx, ev.InvoiceID)
		if !ok {
			return StatusUnmatched, nil
		}
		_, _, err := payments.ApplyChargeTo(ctx, tx, inv, payments.Charge{InvoiceID: ev.InvoiceID, Gateway: payments.GatewayStripe,
			GatewayID: ev.PaymentIntentID, Amount: ev.Amount, PaidAt: clock.Now(tx)})
		return processed(err)
	case "payment_intent.payment_failed", "payment_intent.requires_action":
		if !invoiceExists(tx, ev.InvoiceID) {
			return StatusUnmatched, nil
		}
		status := payments.StatusFailed
		if ev.Type == "payment_intent.requires_action" {
			status = payments.StatusRequiresAction
		}
		// Recorded already by the charge call, it only moves on: a pending
		// charge settles (and no longer holds dunning), a succeeded one stays.
		_, err := payments.RecordAttempt(ctx, tx, payments.Attempt{InvoiceID: ev.InvoiceID, Gateway: payments.GatewayStripe,
			GatewayID: ev.PaymentIntentID, Amount: ev.Amount, Status: status, FailureCode: ev.FailureCode, FailureMessage: ev.FailureMessage})
		return processed(err)
	case "charge.refunded":
		return stripeRefund(ctx, tx, ev)
	case "charge.dispute.created", "charge.dispute.closed":
		return stripeDispute(ctx, tx, ev)
	case "setup_intent.succeeded":
		return stripeCardSaved(ctx, tx, ev)
	case "payment_method.detached":
		rec, err := tx.FindFirstRecordByFilter(methods.Collection, "gateway = {:g} && gateway_ref = {:pm}",
			dbx.Params{"g": payments.GatewayStripe, "pm": ev.PaymentMethodID})
		if errors.Is(err, sql.ErrNoRows) {
			return StatusProcessed, nil // never saved here, or removed already
		}
		if err != nil {
			return "", err
		}
		return processed(tx.DeleteWithContext(ctx, rec))
	}
	return StatusIgnored, nil
}

// stripeRefund records what Stripe refunded beyond what we know of: the
// event carries the charge's refunded total, so the difference is new.
// Refunds staff paid into credit never reached Stripe, so they are not
// part of what Stripe's total is compared with.
func stripeRefund(ctx context.Context, tx core.App, ev stripe.Event) (string, error) {
	charge, err := payments.Find(tx, payments.GatewayStripe, ev.PaymentIntentID)
	if err != nil {
		return StatusUnmatched, nil
	}
	var known struct {
		Sum int64 `db:"s"`
	}
	err = tx.DB().Select("COALESCE(SUM(amount), 0) AS s").From(payments.Collection).
		Where(dbx.HashExp{"refund_of": charge.Id, "kind": string(payments.KindRefund), "gateway": payments.GatewayStripe,
			"status": []any{string(payments.StatusPending), string(payments.StatusSucceeded)}}).One(&known)
	if err != nil {
		return "", err
	}
	delta := ev.AmountRefunded.Minor - known.Sum
	if delta <= 0 {
		return StatusProcessed, nil // our own refunds, already settled
	}
	_, _, err = payments.RecordGatewayRefund(ctx, tx, payments.GatewayStripe, "stripe-refund:"+ev.ID, ev.PaymentIntentID,
		money.Amount{Minor: delta, Currency: ev.AmountRefunded.Currency}, clock.Now(tx))
	if errors.Is(err, payments.ErrInvalid) {
		return StatusUnmatched, nil
	}
	return processed(err)
}

// stripeDispute flags the customer and alerts staff.
func stripeDispute(ctx context.Context, tx core.App, ev stripe.Event) (string, error) {
	charge, err := payments.Find(tx, payments.GatewayStripe, ev.PaymentIntentID)
	if err != nil {
		return StatusUnmatched, nil
	}
	customer, err := customers.Find(tx, charge.CustomerID())
	if err != nil {
		return "", err
	}
	if ev.Type == "charge.dispute.created" && !customer.Disputed() {
		customer.SetDisputed(true)
		if err := tx.SaveWithContext(ctx, customer); err != nil {
			return "", err
		}
	}
	key := "dispute_closed"
	if ev.Type == "charge.dispute.created" {
		key = "dispute_opened"
	}
	_, err = notify.Staff(ctx, tx, notify.Alert{Key: key, Customer: customer.ProxyRecord(), DedupeKey: "stripe:" + ev.ID,
		Data: notify.Data{"Dispute": ev.DisputeID, "Status": ev.Status, "Amount": ev.Amount}})
	return processed(err)
}

// stripeCardSaved records a card a customer saved through Stripe.js; the
// first card becomes the default.
func stripeCardSaved(ctx context.Context, tx core.App, ev stripe.Event) (string, error) {
	customer, err := tx.FindFirstRecordByFilter(customers.Collection, "stripe_customer_id = {:c}", dbx.Params{"c": ev.StripeCustomerID})
	if err != nil {
		return StatusUnmatched, nil
	}
	if _, err := tx.FindFirstRecordByFilter(methods.Collection, "gateway = {:g} && gateway_ref = {:pm}",
		dbx.Params{"g": payments.GatewayStripe, "pm": ev.PaymentMethodID}); err == nil {
		return StatusProcessed, nil
	}
	others, err := tx.CountRecords(methods.Collection, dbx.HashExp{"customer": customer.Id})
	if err != nil {
		return "", err
	}
	col, err := tx.FindCachedCollectionByNameOrId(methods.Collection)
	if err != nil {
		return "", err
	}
	rec := core.NewRecord(col)
	rec.Load(map[string]any{"customer": customer.Id, "gateway": payments.GatewayStripe, "gateway_ref": ev.PaymentMethodID, "kind": "card", "is_default": others == 0})
	return processed(tx.SaveWithContext(ctx, rec))
}

func invoiceExists(tx core.App, id string) bool {
	_, ok := findInvoice(tx, id)
	return ok
}

// findInvoice loads the invoice an event names, if we know it.
func findInvoice(tx core.App, id string) (*ledger.Invoice, bool) {
	if id == "" {
		return nil, false
	}
	inv, err := ledger.FindInvoice(tx, id)
	return inv, err == nil
}

func processed(err error) (string, error) {
	if err != nil {
		return "", err
	}
	return StatusProcessed, nil
}
