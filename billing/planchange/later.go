package planchange

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/coupon"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/subscriptions"
)

// laterLine is the line of a period after the current one, invoiced ahead
// by the renewal run before the change.
type laterLine struct {
	item       *core.Record
	inv        *ledger.Invoice
	start, end time.Time
}

func (l laterLine) paid() bool { return !ledger.Editable(l.inv.Status()) }

// laterPeriods are the subscription's period lines starting at or after
// from on invoices that bill or billed them: open, or paid and not wholly
// refunded. Void and uncollectible invoices bill nothing.
func laterPeriods(app core.App, subscriptionID string, from time.Time) ([]laterLine, error) {
	items, err := app.FindRecordsByFilter(ledger.ItemsCollection,
		"subscription = {:s} && kind = 'period' && period_start >= {:from}", "period_start", 0, 0,
		dbx.Params{"s": subscriptionID, "from": from.UTC().Format(types.DefaultDateLayout)})
	if err != nil {
		return nil, fmt.Errorf("later periods of subscription %s: %w", subscriptionID, err)
	}
	var out []laterLine
	for _, it := range items {
		inv, err := ledger.FindInvoice(app, it.GetString("invoice"))
		if err != nil {
			return nil, err
		}
		switch inv.Status() {
		case ledger.StatusOpen, ledger.StatusPaid, ledger.StatusPartiallyRefunded:
			out = append(out, laterLine{item: it, inv: inv,
				start: it.GetDateTime("period_start").Time(), end: it.GetDateTime("period_end").Time()})
		}
	}
	return out, nil
}

// subscriptionCoupon is the coupon a subscription renews with, if any.
func subscriptionCoupon(app core.App, sub *subscriptions.Subscription) (*coupon.Coupon, error) {
	id := sub.CouponID()
	if id == "" {
		return nil, nil
	}
	rec, err := app.FindRecordById("coupons", id)
	if err != nil {
		return nil, fmt.Errorf("coupon of subscription %s: %w", sub.Id, err)
	}
	c, err := ledger.CouponFromRecord(rec)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// repriceLater moves the later periods of a subscription still on open
// invoices (from from on) to its new price, with the discount its coupon
// gives that price, or none when the coupon was dropped.
func repriceLater(ctx context.Context, tx core.App, sub *subscriptions.Subscription, cpn *coupon.Coupon, from time.Time, planName string) error {
	later, err := laterPeriods(tx, sub.Id, from)
	if err != nil {
		return err
	}
	amount := sub.Amount()
	byInvoice := map[string]map[string]int64{}
	var invoices []*ledger.Invoice
	for _, l := range later {
		if l.paid() {
			continue
		}
		prices := byInvoice[l.inv.Id]
		if prices == nil {
			prices = map[string]int64{}
			byInvoice[l.inv.Id], invoices = prices, append(invoices, l.inv)
		}
		prices[l.item.Id] = amount
		if cpn == nil || l.item.GetString("service") == "" {
			continue
		}
		discount, err := tx.FindFirstRecordByFilter(ledger.ItemsCollection,
			"invoice = {:inv} && kind = 'discount' && service = {:svc}",
			dbx.Params{"inv": l.inv.Id, "svc": l.item.GetString("service")})
		if errors.Is(err, sql.ErrNoRows) {
			continue // the coupon was not in force for this period
		} else if err != nil {
			return err
		}
		off := int64(0)
		if cpn.CoversPlan(sub.PlanID()) {
			if off, err = cpn.Discount(l.inv.Currency(), amount); err != nil {
				return err
			}
		}
		prices[discount.Id] = -off
	}
	for _, inv := range invoices {
		why := fmt.Sprintf("Plan change to %s: later period repriced", planName)
		if err := ledger.RepriceLines(ctx, tx, inv, byInvoice[inv.Id], why); err != nil {
			return err
		}
	}
	return nil
}
