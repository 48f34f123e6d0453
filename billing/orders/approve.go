package orders

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/clock"
)

// StatusCancelled is a declined (or otherwise abandoned) order's status.
const StatusCancelled = "cancelled"

// maxReason bounds the reason staff give, which the customer reads.
const maxReason = 1000

// Approve lets a wait-listed order go ahead: it takes a unit of stock as an
// order placed in stock does, issues the draft invoice kept since the order
// (the customer is emailed it and can pay), and audits who approved it.
// Approving an order already approved answers it unchanged, so a second
// click or a concurrent approval does nothing twice.
func Approve(ctx context.Context, app core.App, orderID string, by audit.Actor) (*core.Record, error) {
	var order *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if order, err = findOrder(tx, orderID); err != nil {
			return err
		}
		switch order.GetString("status") {
		case StatusPendingApproval:
		case StatusPending, "active":
			// Approved already, or never wait-listed: only the first is
			// answered unchanged.
			approved, err := tx.CountRecords(audit.Collection, dbx.HashExp{"action": "order.approve", "record_id": order.Id})
			if err != nil || approved > 0 {
				return err
			}
			return notWaiting(order)
		default:
			return notWaiting(order)
		}
		plan, err := planOf(tx, order)
		if err != nil {
			return err
		}
		if plan.GetBool("track_stock") && plan.GetInt("stock") <= 0 {
			return &Error{Status: http.StatusConflict, Code: "out_of_stock",
				Message: plan.GetString("name") + " has no stock left: add the server to the plan's stock before approving"}
		}
		ctx := audit.WithActor(ctx, by)
		if err := takeStock(ctx, tx, plan, StatusPending); err != nil {
			return err
		}
		order.Set("status", StatusPending)
		if err := tx.SaveWithContext(ctx, order); err != nil {
			return fmt.Errorf("order %s: %w", order.Id, err)
		}
		inv, err := ledger.FindInvoice(tx, order.GetString("invoice"))
		if err != nil {
			return fmt.Errorf("order %s: invoice: %w", order.Id, err)
		}
		if inv.Status() == ledger.StatusDraft {
			now := clock.Now(tx)
			if err := startAt(ctx, tx, order, now); err != nil {
				return err
			}
			if err := ledger.Finalize(ctx, tx, inv, now); err != nil {
				return err
			}
		}
		return audit.Record(tx, by, "order.approve", order, "")
	})
	return order, err
}

// startAt moves a wait-listed order's first period to start when it is
// approved: the customer pays for time from when the server is theirs, not
// from when they joined the wait list. The draft's period line moves with
// the subscription; its price, a whole period's (or a trial's nothing), is
// unchanged.
func startAt(ctx context.Context, tx core.App, order *core.Record, now time.Time) error {
	sub, err := subscriptions.Find(tx, order.GetString("subscription"))
	if err != nil {
		return fmt.Errorf("order %s: subscription: %w", order.Id, err)
	}
	c, err := cycle.Parse(string(sub.Cycle()))
	if err != nil {
		return fmt.Errorf("subscription %s: %w", sub.Id, err)
	}
	// A trial keeps its length from the approval on.
	trialEnd, trialStart := sub.TrialEnd().Time(), sub.CurrentPeriodStart().Time()
	first := startFirstPeriod(sub, c, now)
	if !trialEnd.IsZero() {
		days := int(trialEnd.Sub(trialStart).Round(time.Hour).Hours() / 24)
		first = startTrial(sub, now.AddDate(0, 0, days), now)
	}
	if err := tx.SaveWithContext(ctx, sub); err != nil {
		return fmt.Errorf("subscription %s: %w", sub.Id, err)
	}
	lines, err := tx.FindAllRecords(ledger.ItemsCollection, dbx.HashExp{"invoice": order.GetString("invoice"), "subscription": sub.Id, "kind": ledger.KindPeriod})
	if err != nil {
		return err
	}
	for _, l := range lines {
		l.Set("period_start", first.Start)
		l.Set("period_end", first.End)
		if err := tx.SaveWithContext(ctx, l); err != nil {
			return fmt.Errorf("invoice line %s: %w", l.Id, err)
		}
	}
	return nil
}

// Decline turns a wait-listed order down: its draft invoice is voided, the
// order and its pending subscription and service are cancelled, and the
// customer is emailed the reason, all in one transaction. Declining an
// order already declined answers it unchanged.
func Decline(ctx context.Context, app core.App, orderID, reason string, by audit.Actor) (*core.Record, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, badRequest("reason", "required", "say why the order is declined: the customer reads it")
	}
	if len(reason) > maxReason {
		return nil, badRequest("reason", "too_long", "the reason is limited to %d characters", maxReason)
	}
	var order *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if order, err = findOrder(tx, orderID); err != nil {
			return err
		}
		switch order.GetString("status") {
		case StatusPendingApproval:
		case StatusCancelled:
			return nil // declined already
		default:
			return notWaiting(order)
		}
		ctx := audit.WithActor(ctx, by)
		now := clock.Now(tx)
		order.Set("status", StatusCancelled)
		if err := tx.SaveWithContext(ctx, order); err != nil {
			return fmt.Errorf("order %s: %w", order.Id, err)
		}
		if inv, err := ledger.FindInvoice(tx, order.GetString("invoice")); err == nil {
			if err := ledger.Void(ctx, tx, inv, "Order declined: "+reason); err != nil {
				return err
			}
			if err := releaseCoupon(ctx, tx, inv.Id); err != nil {
				return err
			}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := cancelSubscription(ctx, tx, order.GetString("subscription"), now); err != nil {
			return err
		}
		if err := cancelService(ctx, tx, order.GetString("service")); err != nil {
			return err
		}
		if err := tellDeclined(ctx, tx, order, reason); err != nil {
			return err
		}
		return audit.Record(tx, by, "order.decline", order, reason)
	})
	return order, err
}

// releaseCoupon gives back the coupon use a declined order's invoice took:
// nothing was sold, so a once-per-customer coupon is theirs to use again.
func releaseCoupon(ctx context.Context, tx core.App, invoiceID string) error {
	uses, err := tx.FindAllRecords("coupon_redemptions", dbx.HashExp{"invoice": invoiceID})
	if err != nil {
		return err
	}
	for _, u := range uses {
		if err := tx.DeleteWithContext(ctx, u); err != nil {
			return fmt.Errorf("coupon use %s: %w", u.Id, err)
		}
	}
	return nil
}

// cancelSubscription cancels the order's subscription while it is still
// pending: what a declined order never started.
func cancelSubscription(ctx context.Context, tx core.App, id string, now time.Time) error {
	rec, err := orderRecord(tx, subscriptions.Collection, id)
	if rec == nil {
		return err
	}
	sub := subscriptions.As(rec)
	if sub.Status() != subscriptions.StatusPending {
		return notPending(subscriptions.Collection, string(sub.Status()))
	}
	sub.SetStatus(subscriptions.StatusCancelled)
	sub.SetCancelledAt(now)
	sub.SetCancelReason("order declined")
	return saveCancelled(ctx, tx, rec)
}

// cancelService cancels the order's service while it is still pending:
// it was never provisioned.
func cancelService(ctx context.Context, tx core.App, id string) error {
	rec, err := orderRecord(tx, provisioning.ServicesCollection, id)
	if rec == nil {
		return err
	}
	svc := provisioning.AsService(rec)
	if svc.Status() != provisioning.ServicePending {
		return notPending(provisioning.ServicesCollection, string(svc.Status()))
	}
	svc.SetStatus(provisioning.ServiceCancelled)
	return saveCancelled(ctx, tx, rec)
}

// orderRecord is the order's record id of collection; nil when the order
// has none or it is gone.
func orderRecord(tx core.App, collection, id string) (*core.Record, error) {
	if id == "" {
		return nil, nil
	}
	rec, err := tx.FindRecordById(collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return rec, err
}

// notPending refuses to decline an order whose subscription or service
// (of collection) has started.
func notPending(collection, status string) error {
	return &Error{Status: http.StatusConflict, Code: "not_pending",
		Message: fmt.Sprintf("the order's %s is %s, not pending: it cannot be declined", strings.TrimSuffix(collection, "s"), status)}
}

// saveCancelled writes the subscription or service a decline cancelled.
func saveCancelled(ctx context.Context, tx core.App, rec *core.Record) error {
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return fmt.Errorf("%s %s: %w", rec.Collection().Name, rec.Id, err)
	}
	return nil
}

func tellDeclined(ctx context.Context, tx core.App, order *core.Record, reason string) error {
	customer, err := tx.FindRecordById(customers.Collection, order.GetString("customer"))
	if err != nil {
		return err
	}
	planName := ""
	if plan, err := planOf(tx, order); err == nil {
		planName = plan.GetString("name")
	}
	_, err = notify.Customer(ctx, tx, notify.Email{Key: "order_declined", Customer: customer,
		DedupeKey: "order:" + order.Id + ":declined",
		Data:      notify.Data{"Plan": planName, "Reason": reason, "Link": notify.PortalURL(tx) + "/order"}})
	return err
}

func findOrder(app core.App, id string) (*core.Record, error) {
	order, err := app.FindRecordById("orders", id)
	if err != nil {
		return nil, &Error{Status: http.StatusNotFound, Code: "not_found", Message: "order not found"}
	}
	return order, nil
}

func planOf(app core.App, order *core.Record) (*core.Record, error) {
	price, err := app.FindRecordById("plan_prices", order.GetString("plan_price"))
	if err != nil {
		return nil, fmt.Errorf("order %s: plan price: %w", order.Id, err)
	}
	return app.FindRecordById("plans", price.GetString("plan"))
}

func notWaiting(order *core.Record) error {
	return &Error{Status: http.StatusConflict, Code: "not_waitlisted",
		Message: fmt.Sprintf("this order is %s, not waiting for approval", order.GetString("status"))}
}
