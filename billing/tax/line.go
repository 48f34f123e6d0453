package tax

import (
	"fmt"
	"math"

	"github.com/ezscale/ezscale/billing/money"
)

// percent is 100 % in thousandths of a percent, the unit of Rate.Rate.
const percent = 100_000

// LineTax is the tax on one invoice line, in the line's minor units: Net
// plus Tax is always exactly Gross.
type LineTax struct {
	Net, Tax, Gross int64
}

// Compute returns the tax on one invoice line of amount minor units at r,
// rounded half to even on this line alone; invoices add the rounded lines
// up and never round again, so the total is the sum of the lines.
//
// For an exclusive rate amount is the net price and the tax is added on top.
// For an inclusive rate amount is the gross price the customer pays and the
// tax is the part of it that is tax: amount × rate / (100 % + rate). When
// charge is false the tax is zero and Net = Gross = amount: the customer pays
// the listed price even if it was meant to include tax, as for an exempt or
// reverse-charged buyer seeing an inclusive price.
//
// amount may be negative, for discounts and credits, and then rounds as the
// mirror image of the positive amount. r.Rate must lie within 0 to 100 %.
func Compute(amount int64, r Rate, charge bool) (LineTax, error) {
	if r.Rate < 0 || r.Rate > percent {
		return LineTax{}, fmt.Errorf("tax rate %q: %d thousandths of a percent is outside 0-100%%", r.Name, r.Rate)
	}
	if !charge {
		return LineTax{Net: amount, Gross: amount}, nil
	}
	if r.Inclusive {
		// |tax| < |amount| with the same sign, so Net cannot overflow.
		tax, err := money.MulRatioHalfEven(amount, r.Rate, percent+r.Rate)
		if err != nil {
			return LineTax{}, fmt.Errorf("tax on %d at %s: %w", amount, FormatRate(r.Rate), err)
		}
		return LineTax{Net: amount - tax, Tax: tax, Gross: amount}, nil
	}
	tax, err := money.MulRatioHalfEven(amount, r.Rate, percent)
	if err != nil {
		return LineTax{}, fmt.Errorf("tax on %d at %s: %w", amount, FormatRate(r.Rate), err)
	}
	// tax has amount's sign, so the sum overflows only away from zero.
	if (tax > 0 && amount > math.MaxInt64-tax) || (tax < 0 && amount < math.MinInt64-tax) {
		return LineTax{}, fmt.Errorf("tax on %d at %s: %w", amount, FormatRate(r.Rate), money.ErrOverflow)
	}
	return LineTax{Net: amount, Tax: tax, Gross: amount + tax}, nil
}
