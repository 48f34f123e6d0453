package coupon

import (
	"fmt"
	"slices"
	"time"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/money"
)

// Use describes one attempt to redeem a coupon. The use counts must be read in
// the same database transaction that records the redemption, or two checkouts
// racing for the last use would both pass.
type Use struct {
	Now          time.Time
	PlanIDs      []string    // plans on the order or invoice
	Cycle        cycle.Cycle // the billing cycle ordered
	Currency     string
	Subtotal     int64 // before discount, in minor units
	TotalUses    int   // redemptions so far, by anyone
	CustomerUses int   // redemptions so far by this customer
	// PlanHistory is how many subscriptions, of any status, the customer
	// has had to the plans ordered: a trial is for a first subscription,
	// so that a new code each time cannot keep a service free.
	PlanHistory int
	// SetupFee is the order's one-off fee; a trial charges nothing, so it
	// is not given on a plan that has one.
	SetupFee int64
}

// Check returns nil if the coupon applies to u, or an *Error for the first
// rule it breaks. The rules run in a fixed order (definition, active, dates,
// max uses, once per customer, plans, cycles, then a trial's own rules or
// currency and minimum order) so that the same attempt always gets the same
// reason.
func (c Coupon) Check(u Use) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if !c.Active {
		return c.fail(CodeInactive, "is not active")
	}
	if !c.StartsAt.IsZero() && u.Now.Before(c.StartsAt) {
		return c.fail(CodeNotStarted, "is valid from %s", formatTime(c.StartsAt))
	}
	// The window is half-open: at ExpiresAt the coupon is already expired.
	if !c.ExpiresAt.IsZero() && !u.Now.Before(c.ExpiresAt) {
		return c.fail(CodeExpired, "expired on %s", formatTime(c.ExpiresAt))
	}
	if c.MaxUses > 0 && u.TotalUses >= c.MaxUses {
		return c.fail(CodeMaxUsesReached, "has reached its limit of %d uses", c.MaxUses)
	}
	if c.OncePerCustomer && u.CustomerUses > 0 {
		return c.fail(CodeAlreadyUsed, "can be used once per customer and was already used")
	}
	if len(c.Plans) > 0 && !slices.ContainsFunc(u.PlanIDs, func(id string) bool { return slices.Contains(c.Plans, id) }) {
		return c.fail(CodePlanNotEligible, "does not apply to any plan on this order")
	}
	if len(c.Cycles) > 0 && !slices.Contains(c.Cycles, u.Cycle) {
		return c.fail(CodeCycleNotEligible, "does not apply to %s billing", u.Cycle)
	}
	if c.Kind == KindTrial {
		return c.checkTrial(u)
	}
	// A minimum set in other currencies only cannot be converted to this one,
	// and ignoring it would hand out the discount with no minimum at all.
	_, hasAmount := c.AmountsOff[u.Currency]
	_, hasMin := c.MinOrder[u.Currency]
	if (c.Kind == KindFixed && !hasAmount) || (len(c.MinOrder) > 0 && !hasMin) {
		return c.fail(CodeCurrencyNotSupported, "cannot be used for orders in %s", u.Currency)
	}
	if least := c.MinOrder[u.Currency]; hasMin && u.Subtotal < least {
		return c.fail(CodeMinOrderNotMet, "needs a larger order: minimum order is %s",
			money.Amount{Minor: least, Currency: u.Currency})
	}
	return nil
}

// checkTrial applies the rules only a trial has. Its price is the plan's, in
// any currency, so currency and minimum order do not apply.
func (c Coupon) checkTrial(u Use) error {
	switch {
	case u.Cycle == cycle.Hourly:
		return c.fail(CodeCycleNotEligible, "gives a free trial, which metered (hourly) billing does not have")
	case u.SetupFee > 0:
		return c.fail(CodeTrialNotAvailable, "gives a free trial, which is not offered on a plan with a setup fee")
	case u.PlanHistory > 0:
		return c.fail(CodeTrialNotAvailable, "gives a free trial of a new subscription, and this account has had this plan before")
	}
	return nil
}

// Discount returns how much the coupon takes off amount, in minor units of
// currency: PercentOff percent rounded half to even, so that rounding does not
// drift one way over many invoices, or the fixed amount for currency. It is
// never negative and never more than amount. It does not run Check: a
// subscription renewal applies a coupon that was checked at redemption.
func (c Coupon) Discount(currency string, amount int64) (int64, error) {
	if err := c.Validate(); err != nil {
		return 0, err
	}
	if amount < 0 {
		return 0, fmt.Errorf("coupon %s: cannot discount the negative amount %s", c.Code,
			money.Amount{Minor: amount, Currency: currency})
	}
	switch c.Kind {
	case KindPercent:
		return money.MulRatioHalfEven(amount, c.PercentOff, 100)
	case KindTrial: // it gives time, not money
		return 0, nil
	}
	off, ok := c.AmountsOff[currency]
	if !ok {
		return 0, c.fail(CodeCurrencyNotSupported, "cannot be used for orders in %s", currency)
	}
	return min(off, amount), nil
}

// DiscountLines spreads the discount of an order over its lines, for invoices
// that show it per line. Only lines marked eligible (say, those of a plan the
// coupon covers) count: the total discount is Discount of their sum, split in
// proportion to their amounts with money.Amount.Allocate, so that the lines
// add up to it exactly and none is discounted below zero. Ineligible lines get
// zero.
func (c Coupon) DiscountLines(currency string, amounts []int64, eligible []bool) ([]int64, error) {
	if len(amounts) != len(eligible) {
		return nil, fmt.Errorf("coupon %s: %d amounts but %d eligibility flags", c.Code, len(amounts), len(eligible))
	}
	weights := make([]int64, len(amounts))
	sum := money.Amount{Currency: currency}
	for i, a := range amounts {
		if !eligible[i] {
			continue
		}
		line := money.Amount{Minor: a, Currency: currency}
		if a < 0 {
			return nil, fmt.Errorf("coupon %s: cannot discount the negative line %d of %s", c.Code, i, line)
		}
		var err error
		if sum, err = sum.Add(line); err != nil {
			return nil, fmt.Errorf("coupon %s: %w", c.Code, err)
		}
		weights[i] = a
	}

	off, err := c.Discount(currency, sum.Minor)
	if err != nil {
		return nil, err
	}
	lines := make([]int64, len(amounts))
	if off == 0 { // Also covers no eligible line, which Allocate refuses.
		return lines, nil
	}
	parts, err := money.Amount{Minor: off, Currency: currency}.Allocate(weights...)
	if err != nil {
		return nil, fmt.Errorf("coupon %s: %w", c.Code, err)
	}
	for i, p := range parts {
		lines[i] = p.Minor
	}
	return lines, nil
}

// CoversPlan reports whether the coupon may discount plan: one for chosen
// plans covers only those, so it does not follow a subscription onto
// another plan.
func (c Coupon) CoversPlan(plan string) bool {
	return len(c.Plans) == 0 || slices.Contains(c.Plans, plan)
}

// AppliesToCycle reports whether the coupon still discounts billing cycle n of
// a subscription, counted from 0 for the cycle it was redeemed on.
func (c Coupon) AppliesToCycle(n int) bool {
	if n < 0 {
		return false
	}
	switch c.Duration {
	case DurationOnce:
		return n == 0
	case DurationRepeating:
		return n < c.DurationCycles
	case DurationForever:
		return true
	}
	return false
}
