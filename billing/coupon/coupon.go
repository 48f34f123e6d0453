// Package coupon decides whether a coupon code applies to an order and how
// much it takes off. It does no I/O: the caller loads the coupon and counts
// its redemptions inside the transaction that records the new one, so that two
// concurrent checkouts cannot both take the last use.
package coupon

import (
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/money"
)

// Kind says how a coupon takes money off.
type Kind string

const (
	// KindPercent takes PercentOff percent off, in any currency.
	KindPercent Kind = "percent"
	// KindFixed takes a fixed amount off, set per currency in AmountsOff
	// because amounts cannot be converted without an exchange rate.
	KindFixed Kind = "fixed"
	// KindTrial takes nothing off a price: it makes the first period of a
	// new subscription a free trial of TrialDays days, after which the
	// subscription renews at its price (Stripe's trial_period_days).
	KindTrial Kind = "trial"
)

// MaxTrialDays is the longest trial a coupon may give.
const MaxTrialDays = 365

// Duration says for how many billing cycles of a subscription a coupon keeps
// applying after it was redeemed.
type Duration string

const (
	// DurationOnce applies to the first cycle only.
	DurationOnce Duration = "once"
	// DurationRepeating applies to the first DurationCycles cycles.
	DurationRepeating Duration = "repeating"
	// DurationForever applies to every cycle.
	DurationForever Duration = "forever"
)

// Coupon is a record of the coupons collection. Amounts are in minor units
// keyed by ISO 4217 code; a zero StartsAt or ExpiresAt leaves that end of the
// validity window open.
type Coupon struct {
	ID, Code        string
	Kind            Kind
	PercentOff      int64
	AmountsOff      map[string]int64
	Plans           []string      // empty: every plan
	Cycles          []cycle.Cycle // empty: every billing cycle
	TrialDays       int           // KindTrial: the free days
	Duration        Duration
	DurationCycles  int
	MaxUses         int // 0: unlimited
	OncePerCustomer bool
	StartsAt        time.Time
	ExpiresAt       time.Time
	MinOrder        map[string]int64
	Active          bool
}

// NormalizeCode turns a code as typed by a customer into the stored form,
// since codes are stored upper-case and people type them any way.
func NormalizeCode(s string) string {
	return strings.ToUpper(strings.TrimSpace(s))
}

// Validate reports a definition that no order could sensibly use, as an
// *Error with code CodeInvalid. Check and Discount call it first, so that a
// bad record (say 150 % off) is refused rather than turned into a discount
// larger than the order; admin forms can call it before saving.
func (c Coupon) Validate() error {
	switch c.Kind {
	case KindPercent:
		if c.PercentOff < 1 || c.PercentOff > 100 {
			return c.fail(CodeInvalid, "is misconfigured: percent_off %d is outside 1..100", c.PercentOff)
		}
	case KindFixed:
		if len(c.AmountsOff) == 0 {
			return c.fail(CodeInvalid, "is misconfigured: a fixed coupon needs amounts_off in at least one currency")
		}
		if err := c.validateAmounts("amounts_off", c.AmountsOff, 1); err != nil {
			return err
		}
	case KindTrial:
		if c.TrialDays < 1 || c.TrialDays > MaxTrialDays {
			return c.fail(CodeInvalid, "is misconfigured: trial_days %d is outside 1..%d", c.TrialDays, MaxTrialDays)
		}
		// A trial is the first period; a duration beyond it would mean nothing.
		if c.Duration != DurationOnce {
			return c.fail(CodeInvalid, "is misconfigured: a trial coupon applies once, not %s", c.Duration)
		}
	default:
		return c.fail(CodeInvalid, "is misconfigured: unknown kind %q", c.Kind)
	}
	for _, cy := range c.Cycles {
		if !cy.Valid() {
			return c.fail(CodeInvalid, "is misconfigured: unknown cycle %q", cy)
		}
	}

	switch c.Duration {
	case DurationOnce, DurationForever:
	case DurationRepeating:
		if c.DurationCycles < 1 {
			return c.fail(CodeInvalid, "is misconfigured: a repeating coupon needs duration_cycles of at least 1, not %d", c.DurationCycles)
		}
	default:
		return c.fail(CodeInvalid, "is misconfigured: unknown duration %q", c.Duration)
	}

	if c.MaxUses < 0 {
		return c.fail(CodeInvalid, "is misconfigured: max_uses %d is negative", c.MaxUses)
	}
	if !c.StartsAt.IsZero() && !c.ExpiresAt.IsZero() && !c.StartsAt.Before(c.ExpiresAt) {
		return c.fail(CodeInvalid, "is misconfigured: expires_at %s is not after starts_at %s",
			formatTime(c.ExpiresAt), formatTime(c.StartsAt))
	}
	return c.validateAmounts("min_order", c.MinOrder, 0)
}

// validateAmounts checks that every key of m is a canonical currency code, so
// that lookups by an order's currency match and messages can format the
// amount, and that every amount is at least least. Keys are visited in order
// so that the same record always gets the same message.
func (c Coupon) validateAmounts(field string, m map[string]int64, least int64) error {
	for _, cur := range slices.Sorted(maps.Keys(m)) {
		if _, err := money.LookupCurrency(cur); err != nil {
			return c.fail(CodeInvalid, "is misconfigured: %s: %v", field, err)
		}
		if m[cur] < least {
			return c.fail(CodeInvalid, "is misconfigured: %s %s is %d minor units, less than %d", field, cur, m[cur], least)
		}
	}
	return nil
}

// TrialEnd is when the trial a trial coupon gives ends, for a first period
// starting at start: TrialDays calendar days later, at the same time of day.
func (c Coupon) TrialEnd(start time.Time) time.Time {
	return start.AddDate(0, 0, c.TrialDays)
}
