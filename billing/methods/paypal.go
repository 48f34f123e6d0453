package methods

import (
	"context"
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/payments"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/paypal"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/clock"
)

// PayPalOrders is PayPal's part of a one-off payment.
type PayPalOrders interface {
	CreateOrder(ctx context.Context, req paypal.OrderRequest) (orderID, approveURL string, err error)
	GetOrder(ctx context.Context, orderID string) (paypal.Order, error)
	CaptureOrder(ctx context.Context, orderID string) (paypal.Capture, error)
}

// PayPalCheckout starts paying an open invoice with PayPal: the order
// carries our invoice id, and the customer approves it at approveURL.
func PayPalCheckout(ctx context.Context, app core.App, pp PayPalOrders, customer *core.Record, invoiceID, returnURL, cancelURL string) (orderID, approveURL string, err error) {
	inv, err := payable(app, customer, invoiceID)
	if err != nil {
		return "", "", err
	}
	return pp.CreateOrder(ctx, paypal.OrderRequest{
		InvoiceID: inv.Id, CustomerID: customer.Id, Amount: money.Amount{Minor: inv.AmountDue(), Currency: inv.Currency()},
		ReturnURL: returnURL, CancelURL: cancelURL,
	})
}

// PayPalCapture captures an approved order and books what PayPal captured
// on the invoice: less than is due leaves the rest due, more becomes
// credit. PayPal captures any approved order of ours, so the order is read
// first and refused, before anything is captured, unless it was made for
// this invoice and customer. An order already captured (a retry after a
// lost answer, a second click) is not captured again: its capture is
// recorded once. The capture webhook applies it too; whichever comes
// second changes nothing.
func PayPalCapture(ctx context.Context, app core.App, pp PayPalOrders, customer *core.Record, invoiceID, orderID string) (gateway.ChargeResult, error) {
	inv, err := ownedInvoice(app, customer, invoiceID)
	if err != nil {
		return gateway.ChargeResult{}, err
	}
	order, err := pp.GetOrder(ctx, orderID)
	if errors.Is(err, paypal.ErrOrderNotFound) {
		return gateway.ChargeResult{}, fmt.Errorf("%w: %w", ErrOrderNotFound, err)
	}
	if err != nil {
		return gateway.ChargeResult{}, err
	}
	if err := orderFor(order, inv); err != nil {
		return gateway.ChargeResult{}, err
	}
	capture := order.Capture
	if capture == nil {
		if inv.Status() != ledger.StatusOpen || inv.AmountDue() <= 0 {
			return gateway.ChargeResult{}, ErrNothingDue
		}
		if order.Status != "APPROVED" {
			return gateway.ChargeResult{}, fmt.Errorf("%w: PayPal order %s is %s", ErrOrderNotApproved, order.ID, order.Status)
		}
		captured, err := pp.CaptureOrder(ctx, order.ID)
		if err != nil {
			return gateway.ChargeResult{}, err
		}
		capture = &captured
	}
	if capture.Status != gateway.StatusSucceeded {
		return capture.ChargeResult, nil // pending or declined: the capture's webhook says what became of it
	}
	return capture.ChargeResult, app.RunInTransaction(func(tx core.App) error {
		_, _, err := payments.ApplyCharge(ctx, tx, payments.Charge{InvoiceID: inv.Id, Gateway: payments.GatewayPayPal,
			GatewayID: capture.GatewayID, Amount: capture.Amount, PaidAt: clock.Now(app)})
		return err
	})
}

// payable is an open invoice of the customer with something due.
func payable(app core.App, customer *core.Record, invoiceID string) (*ledger.Invoice, error) {
	inv, err := ledger.FindInvoice(app, invoiceID)
	if err != nil || inv.CustomerID() != customer.Id || inv.Status() == ledger.StatusDraft {
		return nil, ErrNotFound
	}
	if inv.Status() != ledger.StatusOpen || inv.AmountDue() <= 0 {
		return nil, ErrNothingDue
	}
	return inv, nil
}

// planEnsurer creates or finds a PayPal plan at a price.
type planEnsurer interface {
	EnsurePlan(ctx context.Context, spec paypal.PlanSpec) (string, error)
}

// PayPalPlans is PayPal's part of recurring payments.
type PayPalPlans interface {
	planEnsurer
	CreateSubscription(ctx context.Context, planID, customID string, opts paypal.SubscriptionOptions) (subscriptionID, approveURL string, err error)
}

// ErrPaidByPayPal is a subscription a PayPal subscription pays already: a
// second one would bill every cycle twice.
var ErrPaidByPayPal = errors.New("this service is already paid by a PayPal subscription; cancel that one at PayPal first")

// PayPalSubscribe starts paying a subscription by PayPal Subscriptions: a
// PayPal plan whose price is our price (created once, its id kept on the
// plan price) and a PayPal subscription carrying our subscription id, for
// the customer to approve. Its sales then pay the renewal invoices.
func PayPalSubscribe(ctx context.Context, app core.App, pp PayPalPlans, customer, svc *core.Record, returnURL, cancelURL string) (approveURL string, err error) {
	sub, err := subscriptions.Find(app, provisioning.AsService(svc).SubscriptionID())
	if err != nil || sub.CustomerID() != customer.Id || sub.Status() != subscriptions.StatusActive {
		return "", ErrNotFound
	}
	if _, _, ok := paypalInterval(sub.Cycle()); !ok {
		return "", fmt.Errorf("%w: %s subscriptions cannot be paid by PayPal Subscriptions", ErrNotFound, sub.Cycle())
	}
	if sub.PayPalSubscriptionID() != "" {
		return "", ErrPaidByPayPal
	}
	planID, err := ensurePlan(ctx, app, pp, sub)
	if err != nil {
		return "", err
	}
	// The first cycle is paid already: PayPal starts charging at the next period.
	_, approveURL, err = pp.CreateSubscription(ctx, planID, sub.Id, paypal.SubscriptionOptions{
		Email: customer.Email(), ReturnURL: returnURL, CancelURL: cancelURL,
		StartTime: sub.CurrentPeriodEnd().Time(),
	})
	return approveURL, err
}

// ensurePlan is the PayPal plan billing what sub pays per cycle, created
// once and kept on the plan price while its amount is the price's.
func ensurePlan(ctx context.Context, app core.App, pp planEnsurer, sub *subscriptions.Subscription) (string, error) {
	price, err := app.FindRecordById("plan_prices", sub.PlanPriceID())
	if err != nil {
		return "", err
	}
	plan, err := app.FindRecordById("plans", sub.PlanID())
	if err != nil {
		return "", err
	}
	unit, count, ok := paypalInterval(sub.Cycle())
	if !ok {
		return "", fmt.Errorf("subscription %s: cycle %s has no PayPal interval", sub.Id, sub.Cycle())
	}
	planID, err := pp.EnsurePlan(ctx, paypal.PlanSpec{
		PlanPriceID: price.Id, Name: plan.GetString("name"), Amount: money.Amount{Minor: sub.Amount(), Currency: sub.Currency()},
		IntervalUnit: unit, IntervalCount: count, ExistingPlanID: price.GetString("paypal_plan_id"),
	})
	if err != nil {
		return "", err
	}
	if planID != price.GetString("paypal_plan_id") && sub.Amount() == price.GetInt64("amount") {
		price.Set("paypal_plan_id", planID)
		if err := app.SaveWithContext(ctx, price); err != nil {
			return "", err
		}
	}
	return planID, nil
}

// paypalInterval is a cycle in PayPal's billing interval terms.
func paypalInterval(c cycle.Cycle) (unit string, count int, ok bool) {
	switch c {
	case cycle.Monthly:
		return "MONTH", 1, true
	case cycle.Quarterly:
		return "MONTH", 3, true
	case cycle.SemiAnnual:
		return "MONTH", 6, true
	case cycle.Annual:
		return "YEAR", 1, true
	case cycle.Biennial:
		return "YEAR", 2, true
	case cycle.Triennial:
		return "YEAR", 3, true
	}
	return "", 0, false
}

// PayPalReviser is PayPal's part of moving a subscription to a new plan.
type PayPalReviser interface {
	planEnsurer
	ReviseSubscription(ctx context.Context, subscriptionID, newPlanID, returnURL, cancelURL string) (approveURL string, err error)
}

// PayPalRevise moves a subscription's PayPal subscription to the plan of
// its current price, after a plan change: PayPal then bills the new price
// from the next cycle (the difference for the current one is the upgrade
// invoice). The customer approves the revision at approveURL, which is
// emailed to them. Call it after the change has committed: it calls PayPal.
func PayPalRevise(ctx context.Context, app core.App, pp PayPalReviser, subRec *core.Record, returnURL string) (approveURL string, err error) {
	sub := subscriptions.As(subRec)
	ppSub := sub.PayPalSubscriptionID()
	if ppSub == "" {
		return "", nil
	}
	planID, err := ensurePlan(ctx, app, pp, sub)
	if err != nil {
		return "", err
	}
	approveURL, err = pp.ReviseSubscription(ctx, ppSub, planID, returnURL, returnURL)
	if err != nil || approveURL == "" {
		return approveURL, err
	}
	customer, err := app.FindRecordById(customers.Collection, sub.CustomerID())
	if err != nil {
		return approveURL, err
	}
	_, err = notify.Customer(ctx, app, notify.Email{Key: "paypal_revision", Customer: customer,
		Data: notify.Data{"Link": approveURL}, DedupeKey: "paypal-revise:" + sub.Id + ":" + planID})
	return approveURL, err
}
