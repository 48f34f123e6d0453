package renewals

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
)

// bill issues the invoice of one group. It re-reads each subscription
// inside the transaction, so a period a concurrent run billed meanwhile is
// skipped; the unique index on (subscription, period_start) is the last
// guard should anything else slip.
func (b *biller) bill(ctx context.Context, tx core.App, g invoiceGroup, res *Result) error {
	customer, err := tx.FindRecordById("customers", g.customer)
	if err != nil {
		return fmt.Errorf("customer %s: %w", g.customer, err)
	}
	var inv *ledger.Invoice
	for _, id := range g.subscriptions {
		sub, err := tx.FindRecordById("subscriptions", id)
		if err != nil {
			return fmt.Errorf("subscription %s: %w", id, err)
		}
		line, period, n, ok, err := b.nextLine(tx, sub)
		if err != nil {
			return fmt.Errorf("subscription %s: %w", id, err)
		}
		if !ok {
			continue
		}
		billed, err := periodBilled(tx, sub.Id, period.Start)
		if err != nil {
			return err
		}
		if billed {
			res.AlreadyDone++
		} else if line != nil {
			if inv == nil {
				treatment := ledger.Decide(b.settings, b.rates, customer)
				if inv, err = ledger.NewDraft(ctx, tx, b.settings, treatment, customer, ledger.PurposeRenewal); err != nil {
					return err
				}
			}
			if _, err := ledger.AddLine(ctx, tx, inv, *line); err != nil {
				return fmt.Errorf("subscription %s: %w", id, err)
			}
			if err := b.discount(ctx, tx, inv, sub, line, n); err != nil {
				return fmt.Errorf("subscription %s: %w", id, err)
			}
			res.Lines++
		}
		sub.Set("billed_until", period.End)
		if err := tx.SaveWithContext(ctx, sub); err != nil {
			return fmt.Errorf("subscription %s: %w", id, err)
		}
	}
	if inv == nil {
		return nil
	}
	res.Invoices++
	return ledger.Finalize(ctx, tx, inv, b.now)
}

// nextLine is the line for a subscription's next unbilled period, or
// ok=false when it is not due (a concurrent run billed it, or an hourly
// period has not ended). A nil line with ok=true means nothing to charge
// for the period (no metered hours), which still counts it as billed.
func (b *biller) nextLine(tx core.App, sub *core.Record) (*ledger.Line, cycle.Period, int, bool, error) {
	c, err := cycle.Parse(sub.GetString("cycle"))
	if err != nil {
		return nil, cycle.Period{}, 0, false, err
	}
	anchor := Anchor(sub)
	from := sub.GetDateTime("billed_until").Time()
	if anchor.IsZero() || from.IsZero() {
		return nil, cycle.Period{}, 0, false, errors.New("no billing anchor")
	}
	period, n := cycle.PeriodContaining(anchor, c, from)
	if c == cycle.Hourly {
		period.Start = from // a partial first month is metered from the order
		if b.now.Before(period.End) {
			return nil, period, n, false, nil
		}
	} else if period.Start.After(b.now.AddDate(0, 0, b.settings.RenewalLeadDays[string(c)])) {
		return nil, period, n, false, nil
	}

	plan, err := tx.FindRecordById("plans", sub.GetString("plan"))
	if err != nil {
		return nil, period, n, false, err
	}
	svc, err := tx.FindFirstRecordByFilter("services", "subscription = {:s}", dbx.Params{"s": sub.Id})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, period, n, false, err
	}
	line := &ledger.Line{
		Kind: ledger.KindPeriod, Quantity: 1, UnitAmount: sub.GetInt64("amount"), Subscription: sub.Id,
		PeriodStart: period.Start, PeriodEnd: period.End,
	}
	label := ""
	if svc != nil {
		line.Service, label = svc.Id, svc.GetString("label")
	}
	line.Description = ledger.PeriodDescription(plan.GetString("name"), label, c)
	if c == cycle.Hourly {
		hours := activeHours(svc, period)
		if hours == 0 {
			return nil, period, n, true, nil
		}
		line.Kind, line.Quantity = ledger.KindHourly, hours
	}
	return line, period, n, true, nil
}

// activeHours is how many started hours a service was active within p.
func activeHours(svc *core.Record, p cycle.Period) int64 {
	if svc == nil {
		return 0
	}
	from, to := p.Start, p.End
	if a := svc.GetDateTime("activated_at").Time(); a.IsZero() {
		return 0
	} else if a.After(from) {
		from = a
	}
	if t := svc.GetDateTime("terminated_at").Time(); !t.IsZero() && t.Before(to) {
		to = t
	}
	if !to.After(from) {
		return 0
	}
	return int64((to.Sub(from) + time.Hour - time.Second) / time.Hour)
}

// discount applies the subscription's coupon while it is still in force.
func (b *biller) discount(ctx context.Context, tx core.App, inv *ledger.Invoice, sub *core.Record, line *ledger.Line, n int) error {
	couponID := sub.GetString("coupon")
	if couponID == "" {
		return nil
	}
	rec, err := tx.FindRecordById("coupons", couponID)
	if err != nil {
		return nil // the coupon was deleted: nothing to apply
	}
	cpn, err := ledger.CouponFromRecord(rec)
	if err != nil || !cpn.AppliesToCycle(n) {
		return err
	}
	off, err := cpn.Discount(inv.Currency(), line.Quantity*line.UnitAmount)
	if err != nil || off == 0 {
		return err
	}
	_, err = ledger.AddLine(ctx, tx, inv, ledger.Line{
		Kind: ledger.KindDiscount, Description: "Coupon " + cpn.Code, Quantity: 1, UnitAmount: -off,
	})
	if err != nil {
		return err
	}
	sub.Set("coupon_cycles_used", sub.GetInt("coupon_cycles_used")+1)
	return nil
}

// periodBilled reports whether a line for this subscription period exists.
func periodBilled(tx core.App, subscriptionID string, start time.Time) (bool, error) {
	var n int
	err := tx.DB().Select("COUNT(*)").From("invoice_items").
		Where(dbx.HashExp{"subscription": subscriptionID, "kind": ledger.KindPeriod, "period_start": start.UTC().Format(dateLayout)}).
		Row(&n)
	return n > 0, err
}
