package renewals

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/internal/audit"
)

// Error is a staff change of a subscription refused, with the HTTP status
// to answer, the field at fault and the reason the console shows.
type Error struct {
	Status  int
	Field   string
	Message string
}

func (e *Error) Error() string { return e.Message }

func refuse(status int, field, format string, args ...any) *Error {
	return &Error{Status: status, Field: field, Message: fmt.Sprintf(format, args...)}
}

// maxReason bounds a reason staff type.
const maxReason = 1000

// MoveDueDate sets when a subscription is next billed (billed_until, where
// the renewal run starts the next bill, and current_period_end, the date
// the customer sees and a cancellation at period end keeps). The date must
// be in the future and not before the end of any period already billed, so
// no time is ever billed twice; moving it later gives the time in between
// free, and the next bill charges the rest of its scheduled period pro
// rata (see periodLines).
func MoveDueDate(ctx context.Context, app core.App, subscriptionID string, to time.Time, reason string, by audit.Actor, now time.Time) (*subscriptions.Subscription, error) {
	reason, err := staffReason(reason)
	if err != nil {
		return nil, err
	}
	to = to.UTC()
	if !to.After(now) {
		return nil, refuse(http.StatusBadRequest, "date", "the next due date must be in the future")
	}
	var sub *subscriptions.Subscription
	err = app.RunInTransaction(func(tx core.App) error {
		if sub, err = renewable(tx, subscriptionID); err != nil {
			return err
		}
		floor, err := billedThrough(tx, sub)
		if err != nil {
			return err
		}
		if to.Before(floor) {
			return refuse(http.StatusBadRequest, "date", "the next due date cannot be before %s, the end of the period already billed",
				floor.Format("2 January 2006 15:04 UTC"))
		}
		before := sub.BilledUntil().Time()
		sub.SetBilledUntil(to)
		sub.SetCurrentPeriodEnd(to)
		if err := tx.SaveWithContext(audit.WithActor(ctx, by), sub); err != nil {
			return err
		}
		return audit.Record(tx, by, "subscription.due_date", sub.ProxyRecord(),
			fmt.Sprintf("next due date %s → %s: %s", before.Format(time.DateOnly), to.Format(time.DateOnly), reason))
	})
	return sub, err
}

// OverridePrice sets what a subscription's future renewals charge per
// period, in the subscription's currency; invoices already issued keep
// their amounts.
func OverridePrice(ctx context.Context, app core.App, subscriptionID string, price money.Amount, reason string, by audit.Actor) (*subscriptions.Subscription, error) {
	reason, err := staffReason(reason)
	if err != nil {
		return nil, err
	}
	if price.Minor < 0 {
		return nil, refuse(http.StatusBadRequest, "amount", "the price cannot be negative")
	}
	var sub *subscriptions.Subscription
	err = app.RunInTransaction(func(tx core.App) error {
		if sub, err = renewable(tx, subscriptionID); err != nil {
			return err
		}
		if c := sub.Currency(); price.Currency != c {
			return refuse(http.StatusBadRequest, "currency", "this subscription bills in %s, not %s", c, price.Currency)
		}
		before := money.Amount{Minor: sub.Amount(), Currency: price.Currency}
		sub.SetAmount(price.Minor)
		if err := tx.SaveWithContext(audit.WithActor(ctx, by), sub); err != nil {
			return err
		}
		return audit.Record(tx, by, "subscription.price", sub.ProxyRecord(), fmt.Sprintf("price %s → %s: %s", before, price, reason))
	})
	return sub, err
}

// renewable is a subscription the renewal run still bills by period.
func renewable(app core.App, id string) (*subscriptions.Subscription, error) {
	sub, err := subscriptions.Find(app, id)
	if err != nil {
		return nil, refuse(http.StatusNotFound, "", "this service has no subscription")
	}
	if st := sub.Status(); st != subscriptions.StatusActive && st != subscriptions.StatusPastDue {
		return nil, refuse(http.StatusConflict, "", "the subscription is %s: only an active or past-due subscription is renewed", st)
	}
	if sub.Cycle() == cycle.Hourly {
		return nil, refuse(http.StatusConflict, "", "an hourly subscription is billed for the hours used; it has no due date or period price to change")
	}
	return sub, nil
}

// billedThrough is the end of the last period billed to sub on an invoice
// that is not void, or, when none is (an imported subscription), the end of
// its current period.
func billedThrough(app core.App, sub *subscriptions.Subscription) (time.Time, error) {
	var row struct {
		End string `db:"end"`
	}
	err := app.DB().NewQuery(`SELECT COALESCE(MAX(it.period_end), '') AS end FROM invoice_items it
		JOIN invoices inv ON inv.id = it.invoice
		WHERE it.subscription = {:sub} AND it.kind IN ('period', 'proration') AND it.period_end != '' AND inv.status != 'void'`).
		Bind(dbx.Params{"sub": sub.Id}).One(&row)
	if err != nil {
		return time.Time{}, fmt.Errorf("periods billed to subscription %s: %w", sub.Id, err)
	}
	if row.End == "" {
		return sub.CurrentPeriodEnd().Time(), nil
	}
	end, err := time.Parse(types.DefaultDateLayout, row.End)
	if err != nil {
		return time.Time{}, fmt.Errorf("periods billed to subscription %s: %w", sub.Id, err)
	}
	return end, nil
}

func staffReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", refuse(http.StatusBadRequest, "reason", "give a reason: it is kept in the audit log")
	}
	if len(reason) > maxReason {
		return "", refuse(http.StatusBadRequest, "reason", "the reason is limited to %d characters", maxReason)
	}
	return reason, nil
}
