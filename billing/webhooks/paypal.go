package webhooks

import (
	"context"
	"errors"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/internal/clock"
)

// HandlePayPal applies a verified PayPal event: one-off captures pay the
// invoice in their custom_id; a subscription's sale pays that
// subscription's open invoice; refunds and subscription changes follow.
func HandlePayPal(ctx context.Context, tx core.App, ge gateway.Event) (string, error) {
	ev, err := paypal.ParseEvent(ge.Payload)
	if err != nil {
		return "", err
	}
	switch ev.Type {
	case paypal.EventCaptureCompleted:
		inv, ok := findInvoice(tx, ev.Payment.CustomID)
		if !ok {
			return StatusUnmatched, nil
		}
		_, _, err := payments.ApplyChargeTo(ctx, tx, inv, payments.Charge{InvoiceID: ev.Payment.CustomID, Gateway: payments.GatewayPayPal,
			GatewayID: ev.Payment.ID, Amount: ev.Payment.Amount, PaidAt: clock.Now(tx)})
		return processed(err)
	case paypal.EventCaptureDenied, paypal.EventCaptureDeclined:
		if !invoiceExists(tx, ev.Payment.CustomID) {
			return StatusUnmatched, nil
		}
		if _, err := payments.Find(tx, payments.GatewayPayPal, ev.Payment.ID); err == nil {
			return StatusProcessed, nil // a later (or earlier) outcome is recorded: never undo a payment
		}
		_, err := payments.RecordAttempt(ctx, tx, payments.Attempt{InvoiceID: ev.Payment.CustomID, Gateway: payments.GatewayPayPal,
			GatewayID: ev.Payment.ID, Amount: ev.Payment.Amount, Status: payments.StatusFailed, FailureCode: ev.Payment.Status})
		return processed(err)
	case paypal.EventSaleCompleted:
		return paypalSale(ctx, tx, ev.Payment)
	case paypal.EventCaptureRefunded, paypal.EventSaleRefunded:
		_, _, err := payments.RecordGatewayRefund(ctx, tx, payments.GatewayPayPal, ev.Refund.ID, ev.Refund.PaymentID, ev.Refund.Amount, clock.Now(tx))
		if errors.Is(err, payments.ErrInvalid) {
			return StatusUnmatched, nil
		}
		return processed(err)
	case paypal.EventSubscriptionActivated, paypal.EventSubscriptionReactivated,
		paypal.EventSubscriptionCancelled, paypal.EventSubscriptionSuspended, paypal.EventSubscriptionPaymentFailed:
		return paypalSubscription(ctx, tx, ev)
	}
	return StatusIgnored, nil
}

// paypalSale applies a recurring payment to its subscription's oldest open
// invoice that bills that subscription.
func paypalSale(ctx context.Context, tx core.App, p *paypal.Payment) (string, error) {
	if _, err := payments.Find(tx, payments.GatewayPayPal, p.ID); err == nil {
		return StatusProcessed, nil
	}
	sub, err := linkedSubscription(tx, p.SubscriptionID, p.CustomID)
	if err != nil {
		return StatusUnmatched, nil
	}
	var row struct {
		ID string `db:"id"`
	}
	err = tx.DB().NewQuery(`SELECT i.id FROM invoices i JOIN invoice_items it ON it.invoice = i.id
		WHERE it.subscription = {:s} AND i.status = 'open' AND i.currency = {:c} ORDER BY i.due_at, i.created LIMIT 1`).
		Bind(dbx.Params{"s": sub.Id, "c": p.Amount.Currency}).One(&row)
	if err != nil {
		return StatusUnmatched, nil // money with no invoice to pay: staff decide (credit or refund)
	}
	_, _, err = payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: row.ID, Gateway: payments.GatewayPayPal,
		GatewayID: p.ID, Amount: p.Amount, PaidAt: clock.Now(tx)})
	return processed(err)
}

// paypalSubscription links a PayPal subscription to ours when it is
// activated, and tells staff when it is cancelled, suspended or failing.
func paypalSubscription(ctx context.Context, tx core.App, ev paypal.Event) (string, error) {
	sub, err := linkedSubscription(tx, ev.Subscription.ID, ev.Subscription.CustomID)
	if err != nil {
		return StatusUnmatched, nil
	}
	linked := sub.PayPalSubscriptionID()
	switch ev.Type {
	case paypal.EventSubscriptionActivated, paypal.EventSubscriptionReactivated:
		if linked != "" && linked != ev.Subscription.ID {
			// Another PayPal subscription pays it already: two would bill every
			// cycle twice. The first stays linked; staff cancel one at PayPal.
			customer, _ := tx.FindRecordById(customers.Collection, sub.CustomerID())
			_, err := notify.Staff(ctx, tx, notify.Alert{Key: "paypal_second_subscription", Customer: customer, DedupeKey: "paypal:" + ev.ID,
				Data: notify.Data{"PayPal": ev.Subscription.ID, "Linked": linked, "Subscription": sub.Id}})
			return processed(err)
		}
		sub.SetPayPalSubscriptionID(ev.Subscription.ID)
	case paypal.EventSubscriptionCancelled:
		// Renewals are then paid by another method; the subscription itself goes on.
		if linked == ev.Subscription.ID {
			sub.SetPayPalSubscriptionID("")
		}
	}
	if err := tx.SaveWithContext(ctx, sub); err != nil {
		return "", err
	}
	if ev.Type != paypal.EventSubscriptionActivated && ev.Type != paypal.EventSubscriptionReactivated {
		customer, _ := tx.FindRecordById(customers.Collection, sub.CustomerID())
		_, err = notify.Staff(ctx, tx, notify.Alert{Key: "paypal_subscription", Customer: customer, DedupeKey: "paypal:" + ev.ID,
			Data: notify.Data{"PayPal": ev.Subscription.ID, "Subscription": sub.Id, "Type": ev.Type}})
	}
	return processed(err)
}

// linkedSubscription finds our subscription by its PayPal id, or by the
// custom_id we gave PayPal (our subscription id).
func linkedSubscription(tx core.App, paypalID, customID string) (*subscriptions.Subscription, error) {
	if paypalID != "" {
		if rec, err := tx.FindFirstRecordByFilter(subscriptions.Collection, "paypal_subscription_id = {:p}", dbx.Params{"p": paypalID}); err == nil {
			return subscriptions.As(rec), nil
		}
	}
	if customID == "" {
		return nil, errors.New("no subscription")
	}
	return subscriptions.Find(tx, customID)
}
