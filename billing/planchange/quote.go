// Package planchange moves a service to another price of the same kind:
// a quote prorated to the second, an upgrade invoice that applies the
// change once paid, or account credit for a downgrade.
package planchange

import (
	"fmt"
	"net/http"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/tax"
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

// Quote is what a change costs now. Amounts are minor units of Currency;
// Net is before tax, Total what the upgrade invoice will ask (or, when
// negative, the credit a downgrade gives).
type Quote struct {
	Currency      string    `json:"currency"`
	FromPrice     string    `json:"from_plan_price"`
	ToPrice       string    `json:"to_plan_price"`
	FromAmount    int64     `json:"from_amount"`
	ToAmount      int64     `json:"to_amount"`
	PeriodStart   time.Time `json:"period_start"`
	PeriodEnd     time.Time `json:"period_end"`
	At            time.Time `json:"at"`
	SecondsLeft   int64     `json:"seconds_left"`
	SecondsTotal  int64     `json:"seconds_total"`
	Credit        int64     `json:"credit"`
	Charge        int64     `json:"charge"`
	Net           int64     `json:"net"`
	Tax           int64     `json:"tax"`
	Total         int64     `json:"total"`
	Kind          string    `json:"kind"` // upgrade, downgrade or same
	NextPeriodPay int64     `json:"next_period_amount"`

	sub, svc, toPrice, toPlan *core.Record
	treatment                 ledger.Treatment
}

// Kinds of change.
const (
	KindUpgrade   = "upgrade"
	KindDowngrade = "downgrade"
	KindSame      = "same"
)

// QuoteChange prices moving service (already checked to be the caller's)
// to the plan price toPriceID at now.
func QuoteChange(app core.App, svc *core.Record, toPriceID string, now time.Time) (*Quote, error) {
	if svc.GetString("status") != "active" {
		return nil, refuse(http.StatusConflict, "service_not_active", "only an active service can change plan")
	}
	sub, err := app.FindRecordById("subscriptions", svc.GetString("subscription"))
	if err != nil || sub.GetString("status") != "active" {
		return nil, refuse(http.StatusConflict, "subscription_not_active", "this service has no active subscription")
	}
	if sub.GetBool("cancel_at_period_end") {
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
	fromPlan, err := app.FindRecordById("plans", sub.GetString("plan"))
	if err != nil {
		return nil, err
	}
	switch {
	case toPrice.Id == sub.GetString("plan_price"):
		return nil, refuse(http.StatusBadRequest, "same_plan", "the service already has this plan")
	case toPrice.GetString("currency") != sub.GetString("currency"):
		return nil, refuse(http.StatusBadRequest, "currency_change", "a plan change cannot change the currency (%s to %s)",
			sub.GetString("currency"), toPrice.GetString("currency"))
	case toPlan.GetString("service_type") != fromPlan.GetString("service_type") || toPlan.GetString("platform") != fromPlan.GetString("platform"):
		return nil, refuse(http.StatusBadRequest, "service_type_change", "a %s cannot change into a %s",
			fromPlan.GetString("service_type"), toPlan.GetString("service_type"))
	case toPrice.GetString("cycle") != sub.GetString("cycle") || sub.GetString("cycle") == string(cycle.Hourly):
		return nil, refuse(http.StatusBadRequest, "cycle_change", "a plan change keeps the %s billing cycle", sub.GetString("cycle"))
	}
	if pending, err := pendingChange(app, sub.Id); err != nil {
		return nil, err
	} else if pending != nil {
		return nil, refuse(http.StatusConflict, "change_pending", "a plan change is waiting for payment of invoice %s", pending.GetString("number"))
	}

	period := cycle.Period{Start: sub.GetDateTime("current_period_start").Time(), End: sub.GetDateTime("current_period_end").Time()}
	from, to := sub.GetInt64("amount"), toPrice.GetInt64("amount")
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
	customer, err := app.FindRecordById("customers", sub.GetString("customer"))
	if err != nil {
		return nil, err
	}
	treatment := ledger.Decide(s, rates, customer)
	lt, err := tax.Compute(cq.Net, tax.Rate{Name: treatment.Name, Rate: treatment.Rate, Inclusive: treatment.Inclusive}, treatment.Charge)
	if err != nil {
		return nil, err
	}
	kind := KindSame
	if cq.Net > 0 {
		kind = KindUpgrade
	} else if cq.Net < 0 {
		kind = KindDowngrade
	}
	return &Quote{
		Currency: sub.GetString("currency"), FromPrice: sub.GetString("plan_price"), ToPrice: toPrice.Id,
		FromAmount: from, ToAmount: to, PeriodStart: period.Start, PeriodEnd: period.End, At: now,
		SecondsLeft: pr.SecondsLeft, SecondsTotal: pr.SecondsTotal,
		Credit: cq.Credit, Charge: cq.Charge, Net: cq.Net, Tax: lt.Tax, Total: lt.Gross, Kind: kind, NextPeriodPay: to,
		sub: sub, svc: svc, toPrice: toPrice, toPlan: toPlan, treatment: treatment,
	}, nil
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
