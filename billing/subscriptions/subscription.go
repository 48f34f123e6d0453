// Package subscriptions is the recurring agreement behind a service: its
// typed record and statuses. The renewal run, cancellations, plan changes
// and dunning read and move subscriptions through it.
package subscriptions

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cycle"
)

// Collection holds the subscriptions.
const Collection = "subscriptions"

// Status is where a subscription stands (subscriptions.status).
type Status string

// Subscription statuses.
const (
	// StatusPending: ordered, its first invoice not paid yet.
	StatusPending Status = "pending"
	StatusActive  Status = "active"
	// StatusPastDue: a renewal invoice is overdue; dunning is chasing it.
	StatusPastDue   Status = "past_due"
	StatusCancelled Status = "cancelled"
	StatusExpired   Status = "expired"
)

// Subscription is a typed view of a subscriptions record.
type Subscription struct {
	core.BaseRecordProxy
}

// As wraps a subscriptions record.
func As(rec *core.Record) *Subscription {
	s := &Subscription{}
	s.SetProxyRecord(rec)
	return s
}

// Find loads a subscription by id.
func Find(app core.App, id string) (*Subscription, error) {
	rec, err := app.FindRecordById(Collection, id)
	if err != nil {
		return nil, err
	}
	return As(rec), nil
}

func (s *Subscription) Status() Status              { return Status(s.GetString("status")) }
func (s *Subscription) SetStatus(st Status)         { s.Set("status", string(st)) }
func (s *Subscription) CustomerID() string          { return s.GetString("customer") }
func (s *Subscription) PlanID() string              { return s.GetString("plan") }
func (s *Subscription) PlanPriceID() string         { return s.GetString("plan_price") }
func (s *Subscription) NextPlanPriceID() string     { return s.GetString("next_plan_price") }
func (s *Subscription) CouponID() string            { return s.GetString("coupon") }
func (s *Subscription) PaymentMethodID() string     { return s.GetString("payment_method") }
func (s *Subscription) Cycle() cycle.Cycle          { return cycle.Cycle(s.GetString("cycle")) }
func (s *Subscription) Currency() string            { return s.GetString("currency") }
func (s *Subscription) Amount() int64               { return s.GetInt64("amount") }
func (s *Subscription) AnchorDay() int              { return s.GetInt("anchor_day") }
func (s *Subscription) AnchorAt() types.DateTime    { return s.GetDateTime("anchor_at") }
func (s *Subscription) BilledUntil() types.DateTime { return s.GetDateTime("billed_until") }
func (s *Subscription) CurrentPeriodStart() types.DateTime {
	return s.GetDateTime("current_period_start")
}
func (s *Subscription) CurrentPeriodEnd() types.DateTime  { return s.GetDateTime("current_period_end") }
func (s *Subscription) CouponCyclesUsed() int             { return s.GetInt("coupon_cycles_used") }
func (s *Subscription) CancelAtPeriodEnd() bool           { return s.GetBool("cancel_at_period_end") }
func (s *Subscription) CancelledAt() types.DateTime       { return s.GetDateTime("cancelled_at") }
func (s *Subscription) PayPalSubscriptionID() string      { return s.GetString("paypal_subscription_id") }
func (s *Subscription) SetPlanID(id string)               { s.Set("plan", id) }
func (s *Subscription) SetPlanPriceID(id string)          { s.Set("plan_price", id) }
func (s *Subscription) SetAmount(a int64)                 { s.Set("amount", a) }
func (s *Subscription) SetCouponID(id string)             { s.Set("coupon", id) }
func (s *Subscription) SetCouponCyclesUsed(n int)         { s.Set("coupon_cycles_used", n) }
func (s *Subscription) SetAnchorAt(t time.Time)           { s.Set("anchor_at", t) }
func (s *Subscription) SetAnchorDay(d int)                { s.Set("anchor_day", d) }
func (s *Subscription) SetCurrentPeriodStart(t time.Time) { s.Set("current_period_start", t) }
func (s *Subscription) SetCurrentPeriodEnd(t time.Time)   { s.Set("current_period_end", t) }
func (s *Subscription) SetBilledUntil(t time.Time)        { s.Set("billed_until", t) }
func (s *Subscription) SetCancelledAt(t time.Time)        { s.Set("cancelled_at", t) }
func (s *Subscription) SetCancelReason(r string)          { s.Set("cancel_reason", r) }
func (s *Subscription) SetCustomerID(id string)           { s.Set("customer", id) }
func (s *Subscription) SetCycle(c cycle.Cycle)            { s.Set("cycle", string(c)) }
func (s *Subscription) SetCurrency(c string)              { s.Set("currency", c) }
func (s *Subscription) SetPayPalSubscriptionID(id string) { s.Set("paypal_subscription_id", id) }

// TrialEnd is when the free trial a trial coupon made of the first period
// ends; zero when there was none.
func (s *Subscription) TrialEnd() types.DateTime { return s.GetDateTime("trial_end") }
func (s *Subscription) SetTrialEnd(t time.Time)  { s.Set("trial_end", t) }

// InTrial reports whether at falls in the subscription's free trial: time
// nobody paid for, which a plan change neither charges nor credits.
func (s *Subscription) InTrial(at time.Time) bool {
	end := s.TrialEnd().Time()
	return !end.IsZero() && at.Before(end)
}

func (s *Subscription) CancelReason() string        { return s.GetString("cancel_reason") }
func (s *Subscription) SetCancelComment(c string)   { s.Set("cancel_comment", c) }
func (s *Subscription) SetCancelAtPeriodEnd(b bool) { s.Set("cancel_at_period_end", b) }
