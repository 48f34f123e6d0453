// Package cancellation ends subscriptions: at the end of the paid period
// by the customer, with an optional survey, or at once by staff with an
// optional prorated credit.
package cancellation

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// When a cancellation takes effect.
const (
	AtPeriodEnd = "period_end"
	Immediately = "now"
)

// Reasons offered by the cancellation survey.
var Reasons = []string{"too_expensive", "not_needed", "switching_provider", "performance", "support", "missing_features", "other"}

// Request is a cancellation and its survey answers.
type Request struct {
	When    string `json:"when"`
	Reason  string `json:"reason"`
	Comment string `json:"comment"`
	// Credit what was paid for the unused time (staff, immediate only).
	Credit bool `json:"credit"`
}

// Error is a refused cancellation with the HTTP status to answer.
type Error struct {
	Status      int
	Field, Code string
	Message     string
}

func (e *Error) Error() string { return e.Message }

// Result is what the cancellation did.
type Result struct {
	Subscription *core.Record
	Credit       int64
}

// Cancel cancels the subscription of svc. Customers may only cancel at
// period end; staff may also cancel now, which terminates the service.
func Cancel(ctx context.Context, app core.App, rec *core.Record, req Request, staff bool, now time.Time) (*Result, error) {
	if req.When == "" {
		req.When = AtPeriodEnd
	}
	switch {
	case req.When != AtPeriodEnd && req.When != Immediately:
		return nil, &Error{http.StatusBadRequest, "when", "invalid", fmt.Sprintf("when must be %q or %q", AtPeriodEnd, Immediately)}
	case req.When == Immediately && !staff:
		return nil, &Error{http.StatusForbidden, "when", "staff_only", "services are cancelled at the end of the paid period; contact support to cancel now"}
	case req.Credit && req.When != Immediately:
		return nil, &Error{http.StatusBadRequest, "credit", "invalid", "credit applies to immediate cancellations only"}
	case req.Reason != "" && !slices.Contains(Reasons, req.Reason):
		return nil, &Error{http.StatusBadRequest, "reason", "invalid", fmt.Sprintf("reason %q is not one of the survey's answers", req.Reason)}
	case len(req.Comment) > 5000:
		return nil, &Error{http.StatusBadRequest, "comment", "too_long", "the comment is limited to 5000 characters"}
	}

	svc := provisioning.AsService(rec)
	res := &Result{}
	err := app.RunInTransaction(func(tx core.App) error {
		sub, err := subscriptions.Find(tx, svc.SubscriptionID())
		if err != nil {
			return &Error{http.StatusConflict, "", "no_subscription", "this service has no subscription to cancel"}
		}
		if st := sub.Status(); st == subscriptions.StatusCancelled || st == subscriptions.StatusExpired {
			return &Error{http.StatusConflict, "", "already_cancelled", "the subscription is already cancelled"}
		}
		sub.SetCancelReason(req.Reason)
		sub.SetCancelComment(req.Comment)
		res.Subscription = sub.ProxyRecord()
		if req.When == AtPeriodEnd {
			sub.SetCancelAtPeriodEnd(true)
			if err := tx.SaveWithContext(ctx, sub); err != nil {
				return err
			}
			// A renewal issued in the lead window is for time that will
			// not be served: it must not be charged, nor kept if paid.
			end := sub.CurrentPeriodEnd().Time()
			if err := withdrawLaterPeriods(ctx, tx, sub, end); err != nil {
				return err
			}
			if res.Credit, err = creditLaterTime(ctx, tx, sub, end); err != nil {
				return err
			}
			return confirm(ctx, tx, svc, sub, req)
		}

		if err := withdrawLaterPeriods(ctx, tx, sub, now); err != nil {
			return err
		}
		if req.Credit {
			if res.Credit, err = creditLaterTime(ctx, tx, sub, now); err != nil {
				return err
			}
		}
		sub.SetStatus(subscriptions.StatusCancelled)
		sub.SetCancelledAt(now)
		if err := tx.SaveWithContext(ctx, sub); err != nil {
			return err
		}
		if err := queueTermination(ctx, tx, svc, sub, "staff"); err != nil {
			return err
		}
		return confirm(ctx, tx, svc, sub, req)
	})
	return res, err
}

// confirm tells the customer their cancellation is recorded and staff why
// they left, once per subscription.
func confirm(ctx context.Context, tx core.App, svc *provisioning.Service, sub *subscriptions.Subscription, req Request) error {
	customer, err := tx.FindRecordById(customers.Collection, sub.CustomerID())
	if err != nil {
		return err
	}
	service := notify.ServiceFacts(tx, svc.ProxyRecord())
	if _, err := notify.Customer(ctx, tx, notify.Email{Key: "cancellation_confirmed", Customer: customer,
		DedupeKey: "cancel:" + sub.Id + ":" + req.When,
		Data: notify.Data{"Service": service, "Immediate": req.When == Immediately,
			"EndsAt": sub.CurrentPeriodEnd().Time()}}); err != nil {
		return err
	}
	_, err = notify.Staff(ctx, tx, notify.Alert{Key: "cancellation", Customer: customer, DedupeKey: "cancel:" + sub.Id + ":" + req.When + ":staff",
		Data: notify.Data{"Service": service, "When": req.When, "Reason": req.Reason, "Comment": req.Comment}})
	return err
}
