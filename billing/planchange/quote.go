// Package planchange moves a service to another price of the same kind:
// a quote prorated to the second, an upgrade invoice that applies the
// change once paid, or account credit for a downgrade.
package planchange

import (
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/settings"
)

// Error is a refused change, with the HTTP status to answer.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func refuse(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Quote is what a change costs now. Amounts are minor units of Currency.
//
// An upgrade is charged the list difference for the rest of the period and
// for each later period already paid for (renewals are invoiced ahead):
// Charge is the new price and Credit the old one over that time, Net the
// difference before tax and Total what the upgrade invoice asks. A later
// period still on an open invoice is repriced there when the change applies.
//
// A downgrade gives back at most what was actually paid for the time it
// gives up: Credit is the account credit (tax included, coupons and refunds
// deducted), and Net and Total are its negative.
type Quote struct {
	Currency      string        `json:"currency"`
	FromPrice     string        `json:"from_plan_price"`
	ToPrice       string        `json:"to_plan_price"`
	FromAmount    int64         `json:"from_amount"`
	ToAmount      int64         `json:"to_amount"`
	PeriodStart   time.Time     `json:"period_start"`
	PeriodEnd     time.Time     `json:"period_end"`
	At            time.Time     `json:"at"`
	SecondsLeft   int64         `json:"seconds_left"`
	SecondsTotal  int64         `json:"seconds_total"`
	Credit        int64         `json:"credit"`
	Charge        int64         `json:"charge"`
	Net           int64         `json:"net"`
	Tax           int64         `json:"tax"`
	Total         int64         `json:"total"`
	Kind          string        `json:"kind"` // upgrade, downgrade or same
	NextPeriodPay int64         `json:"next_period_amount"`
	LaterPeriods  []LaterPeriod `json:"later_periods"`
	// CouponDropped is the code of the subscription's coupon when it does
	// not cover the new plan: it stops discounting from this change on.
	CouponDropped string `json:"coupon_dropped"`
	// Trial is set while the subscription is in its free trial: the trial's
	// time was not paid for, so the change neither charges nor credits it,
	// and the new price applies from the trial's end.
	Trial bool `json:"trial"`
	// Warnings are what the customer should know before confirming (the
	// new plan's disk is smaller than what the service uses); they do not
	// refuse the change.
	Warnings []Warning `json:"warnings"`

	sub             *subscriptions.Subscription
	svc             *provisioning.Service
	toPrice, toPlan *core.Record
	treatment       ledger.Treatment
	lines           []ledger.Line // the upgrade invoice's
	credits         []creditSpan  // the downgrade's credit entries
}

// LaterPeriod is a period after the current one that was invoiced before
// the change, and what the change does about it.
type LaterPeriod struct {
	Invoice     string    `json:"invoice"`
	Status      string    `json:"status"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Effect      string    `json:"effect"`
}

// Effects of a change on a later period.
const (
	EffectCharged  = "charged"  // paid: the upgrade invoice bills the difference
	EffectCredited = "credited" // paid: the downgrade credits what was paid beyond the new price
	EffectRepriced = "repriced" // open: its invoice bills the new price once the change applies
)

// creditSpan is one credit entry of a downgrade: the time it gives back.
type creditSpan struct {
	start, end time.Time
	amount     int64
}

// Kinds of change.
const (
	KindUpgrade   = "upgrade"
	KindDowngrade = "downgrade"
	KindSame      = "same"
)

// QuoteChange prices moving service (already checked to be the caller's)
// to the plan price toPriceID at now.
func QuoteChange(app core.App, service *core.Record, toPriceID string, now time.Time) (*Quote, error) {
	svc := provisioning.AsService(service)
	if svc.Status() != provisioning.ServiceActive {
		return nil, refuse(http.StatusConflict, "service_not_active", "only an active service can change plan")
	}
	sub, err := subscriptions.Find(app, svc.SubscriptionID())
	if err != nil || sub.Status() != subscriptions.StatusActive {
		return nil, refuse(http.StatusConflict, "subscription_not_active", "this service has no active subscription")
	}
	if sub.CancelAtPeriodEnd() {
		return nil, refuse(http.StatusConflict, "cancelling", "the service is cancelled at the end of its period")
	}
	toPrice, err := app.FindRecordById("plan_prices", toPriceID)
	if err != nil || !toPrice.GetBool("active") {
		return nil, refuse(http.StatusNotFound, "plan_price_not_found", "plan price %q not found", toPriceID)
	}
	toPlan, err := app.FindRecordById("plans", toPrice.GetString("plan"))
	if err != nil || toPlan.GetString("status") != "active" {
		return nil, refuse(http.StatusNotFound, "plan_price_not_found", "plan price %q not found", toPriceID)
	}
	fromPlan, err := app.FindRecordById("plans", sub.PlanID())
	if err != nil {
		return nil, err
	}
	switch {
	case toPrice.Id == sub.PlanPriceID():
		return nil, refuse(http.StatusConflict, "same_plan", "the service already has this plan")
	case toPrice.GetString("currency") != sub.Currency():
		return nil, refuse(http.StatusBadRequest, "currency_change", "a plan change cannot change the currency (%s to %s)",
			sub.Currency(), toPrice.GetString("currency"))
	case toPlan.GetString("service_type") != fromPlan.GetString("service_type") || toPlan.GetString("platform") != fromPlan.GetString("platform"):
		return nil, refuse(http.StatusBadRequest, "service_type_change", "a %s cannot change into a %s",
			fromPlan.GetString("service_type"), toPlan.GetString("service_type"))
	case cycle.Cycle(toPrice.GetString("cycle")) != sub.Cycle() || sub.Cycle() == cycle.Hourly:
		return nil, refuse(http.StatusBadRequest, "cycle_change", "a plan change keeps the %s billing cycle", sub.Cycle())
	}
	if pending, err := pendingChange(app, sub.Id); err != nil {
		return nil, err
	} else if pending != nil {
		return nil, refuse(http.StatusConflict, "change_pending", "a plan change is waiting for payment of invoice %s", pending.GetString("number"))
	}

	period := cycle.Period{Start: sub.CurrentPeriodStart().Time(), End: sub.CurrentPeriodEnd().Time()}
	from, to := sub.Amount(), toPrice.GetInt64("amount")
	cq, err := cycle.QuotePlanChange(period, now, from, to)
	if err != nil {
		return nil, refuse(http.StatusConflict, "outside_period", "the current period does not contain now: %v", err)
	}
	pr, _ := cycle.NewProration(period, now)

	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	rates, err := ledger.Rates(app)
	if err != nil {
		return nil, err
	}
	customer, err := app.FindRecordById(customers.Collection, sub.CustomerID())
	if err != nil {
		return nil, err
	}
	later, err := laterPeriods(app, sub.Id, period.End)
	if err != nil {
		return nil, err
	}
	cpn, err := subscriptionCoupon(app, sub)
	if err != nil {
		return nil, err
	}
	q := &Quote{
		Currency: sub.Currency(), FromPrice: sub.PlanPriceID(), ToPrice: toPrice.Id,
		FromAmount: from, ToAmount: to, PeriodStart: period.Start, PeriodEnd: period.End, At: now,
		SecondsLeft: pr.SecondsLeft, SecondsTotal: pr.SecondsTotal, Kind: KindSame, NextPeriodPay: to, Trial: sub.InTrial(now),
		LaterPeriods: []LaterPeriod{}, Warnings: fitWarnings(svc, toPlan),
		sub: sub, svc: svc, toPrice: toPrice, toPlan: toPlan, treatment: ledger.Decide(s, rates, customer),
	}
	if cpn != nil && !cpn.CoversPlan(toPlan.Id) {
		q.CouponDropped = cpn.Code
	}
	switch {
	case to > from:
		err = q.upgrade(cq, later)
	case to < from:
		err = q.downgrade(app, later)
	default:
		q.describeLater(later, "")
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// upgrade charges the list difference for the rest of the period (none
// during a free trial) and for each later period already paid for; later periods on open invoices are
// repriced when the change applies.
func (q *Quote) upgrade(cq cycle.ChangeQuote, later []laterLine) error {
	if !q.Trial {
		q.Credit, q.Charge = cq.Credit, cq.Charge
	}
	if cq.Net > 0 && !q.Trial {
		q.lines = append(q.lines, ledger.Line{
			Kind: ledger.KindProration, Quantity: 1, UnitAmount: cq.Net,
			Description:  fmt.Sprintf("Plan change to %s, prorated for the rest of the period", q.toPlan.GetString("name")),
			Subscription: q.sub.Id, Service: q.svc.Id, PeriodStart: q.At, PeriodEnd: q.PeriodEnd,
		})
	}
	for _, l := range later {
		if !l.paid() {
			continue
		}
		q.Credit += q.FromAmount
		q.Charge += q.ToAmount
		q.lines = append(q.lines, ledger.Line{
			Kind: ledger.KindProration, Quantity: 1, UnitAmount: q.ToAmount - q.FromAmount,
			Description: fmt.Sprintf("Plan change to %s, difference for the period %s – %s (invoice %s)", q.toPlan.GetString("name"),
				l.start.Format(time.DateOnly), l.end.Format(time.DateOnly), ledger.Label(l.inv)),
			Subscription: q.sub.Id, Service: q.svc.Id, PeriodStart: l.start, PeriodEnd: l.end,
		})
	}
	q.describeLater(later, EffectCharged)
	rate := tax.Rate{Name: q.treatment.Name, Rate: q.treatment.Rate, Inclusive: q.treatment.Inclusive}
	for _, l := range q.lines {
		lt, err := tax.Compute(l.UnitAmount, rate, q.treatment.Charge)
		if err != nil {
			return err
		}
		q.Net += l.UnitAmount
		q.Tax += lt.Tax
		q.Total += lt.Gross
	}
	if len(q.lines) > 0 {
		q.Kind = KindUpgrade
	}
	return nil
}

// downgrade credits, for the rest of the period and each later period
// already paid for, what was paid for that time scaled by the share of the
// price given up, rounded down: never list prices, which a coupon or an
// earlier credit may have made more than was paid.
func (q *Quote) downgrade(app core.App, later []laterLine) error {
	var spans []creditSpan
	if !q.Trial { // nothing was paid for the rest of a trial
		spans = append(spans, creditSpan{start: q.At, end: q.PeriodEnd})
	}
	for _, l := range later {
		if l.paid() {
			spans = append(spans, creditSpan{start: l.start, end: l.end})
		}
	}
	for _, sp := range spans {
		paid, err := ledger.PaidValue(app, q.sub.Id, sp.start, sp.end)
		if err != nil {
			return err
		}
		sp.amount = money.MulRatioFloor(paid, q.FromAmount-q.ToAmount, q.FromAmount)
		if sp.amount > 0 {
			q.credits = append(q.credits, sp)
			q.Credit += sp.amount
		}
	}
	q.Net, q.Total = -q.Credit, -q.Credit
	q.Kind = KindDowngrade
	q.describeLater(later, EffectCredited)
	return nil
}

// describeLater tells the customer what happens to each later period:
// paid ones get paidEffect, open ones are repriced.
func (q *Quote) describeLater(later []laterLine, paidEffect string) {
	for _, l := range later {
		effect := EffectRepriced
		if l.paid() {
			if effect = paidEffect; effect == "" {
				continue
			}
		}
		q.LaterPeriods = append(q.LaterPeriods, LaterPeriod{
			Invoice: ledger.Label(l.inv), Status: l.inv.Status(), PeriodStart: l.start, PeriodEnd: l.end, Effect: effect,
		})
	}
}

// sameAs reports whether q, priced again inside the transaction that
// carries it out, still is the quote the customer accepted.
func (q *Quote) sameAs(o *Quote) bool {
	return q.Kind == o.Kind && q.FromPrice == o.FromPrice && q.FromAmount == o.FromAmount && q.ToAmount == o.ToAmount &&
		q.PeriodStart.Equal(o.PeriodStart) && q.PeriodEnd.Equal(o.PeriodEnd) &&
		q.Credit == o.Credit && q.Charge == o.Charge && q.Net == o.Net && q.Tax == o.Tax && q.Total == o.Total &&
		q.CouponDropped == o.CouponDropped && len(q.lines) == len(o.lines) && len(q.credits) == len(o.credits)
}

// pendingChange is an open plan-change invoice of the subscription.
func pendingChange(app core.App, subscriptionID string) (*core.Record, error) {
	recs, err := app.FindRecordsByFilter(ledger.InvoicesCollection,
		"purpose = 'plan_change' && status = 'open' && plan_change.subscription = {:s}", "", 1, 0,
		map[string]any{"s": subscriptionID})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}
