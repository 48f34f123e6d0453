package cycle

import (
	"fmt"
	"time"

	"github.com/ezscale/ezscale/billing/money"
)

// Proration is how much of a period is left at a moment, in whole seconds:
// the fraction of a period's price that a change at that moment credits back
// or charges.
type Proration struct {
	Period       Period
	At           time.Time
	SecondsLeft  int64
	SecondsTotal int64
}

// NewProration measures what is left of p at at, which must be within
// [p.Start, p.End]. at == p.End is allowed and leaves nothing, for a change
// that lands exactly on the renewal. A fraction of a second at at counts as
// used, so that no one is charged or credited for time that is not left.
func NewProration(p Period, at time.Time) (Proration, error) {
	total := p.Seconds()
	if total <= 0 {
		return Proration{}, fmt.Errorf("prorate period %v – %v: shorter than a second", p.Start, p.End)
	}
	if at.Before(p.Start) || at.After(p.End) {
		return Proration{}, fmt.Errorf("prorate at %v: outside period %v – %v", at, p.Start, p.End)
	}
	return Proration{
		Period:       p,
		At:           at,
		SecondsLeft:  int64(p.End.Sub(at) / time.Second),
		SecondsTotal: total,
	}, nil
}

// Share returns the part of a full-period amount, in minor units, that
// covers the rest of the period: amount × SecondsLeft / SecondsTotal,
// rounded half to even so that rounding does not favour either side over
// many invoices. amount is a price and must not be negative; the direction
// of money is the caller's to express (see ChangeQuote.Net).
func (p Proration) Share(amount int64) (int64, error) {
	if amount < 0 {
		return 0, fmt.Errorf("prorate amount %d: negative", amount)
	}
	return money.MulRatioHalfEven(amount, p.SecondsLeft, p.SecondsTotal)
}

// ChangeQuote is what a plan change in the middle of a period costs now, in
// minor units. Credit is the unused part of the old price, Charge the new
// price for the rest of the period, and Net = Charge - Credit: positive is an
// upgrade to invoice now, negative a downgrade to credit.
type ChangeQuote struct {
	Credit, Charge, Net int64
}

// QuotePlanChange quotes a change at at, within p, from oldAmount to
// newAmount, both full-period prices in minor units.
//
// oldAmount must be the price effectively paid for the rest of the period.
// After an earlier change in the same period that is the earlier change's
// newAmount, not the price invoiced at the start: the earlier quote already
// credited the start price from its moment on and charged the new one. Quoted
// this way, changes compose. A→B at t1 then B→C at t2 leaves the customer
// paying, over the period, A + Net₁ + Net₂: A for [Start, t1), B for [t1, t2)
// and C for [t2, End), within two minor units of rounding; two changes at the
// same instant net to exactly the single change A→C.
func QuotePlanChange(p Period, at time.Time, oldAmount, newAmount int64) (ChangeQuote, error) {
	if oldAmount < 0 || newAmount < 0 {
		return ChangeQuote{}, fmt.Errorf("quote plan change %d → %d: negative amount", oldAmount, newAmount)
	}
	pr, err := NewProration(p, at)
	if err != nil {
		return ChangeQuote{}, err
	}
	credit, err := pr.Share(oldAmount)
	if err != nil {
		return ChangeQuote{}, err
	}
	charge, err := pr.Share(newAmount)
	if err != nil {
		return ChangeQuote{}, err
	}
	// Both are in [0, MaxInt64], so the difference cannot overflow.
	return ChangeQuote{Credit: credit, Charge: charge, Net: charge - credit}, nil
}
