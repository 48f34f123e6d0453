package analytics

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/internal/settings"
)

// ErrNotConvertible reports a currency the settings hold no exchange rate
// for, so no figure can be expressed in it.
var ErrNotConvertible = errors.New("no exchange rate in the settings")

// converter turns exact amounts of any currency into minor units of the
// report's currency. settings.exchange_rates holds units of the base
// currency per unit of each other currency ("EUR": "1.08"), so an amount
// of c in minor units becomes minor × rate(c) / rate(target) ×
// 10^(exponent(target) − exponent(c)) minor units of the target. The
// product is kept as an exact fraction and rounded once, half to even.
type converter struct {
	target  money.Currency
	base    string
	rates   map[string]*big.Rat // units of base per unit, base included as 1
	factors map[string]*big.Rat // memoised: minor units of target per minor unit of c
}

func newConverter(s *settings.Settings, target string) (*converter, error) {
	cur, err := money.LookupCurrency(target)
	if err != nil {
		return nil, err
	}
	c := &converter{target: cur, base: s.BaseCurrency, rates: map[string]*big.Rat{s.BaseCurrency: big.NewRat(1, 1)},
		factors: map[string]*big.Rat{}}
	for code, rate := range s.ExchangeRates {
		r, ok := new(big.Rat).SetString(rate)
		if !ok || r.Sign() <= 0 {
			return nil, fmt.Errorf("settings: exchange rate for %s is %q, not a positive decimal", code, rate)
		}
		c.rates[code] = r
	}
	if c.rates[target] == nil {
		return nil, fmt.Errorf("%s: %w (base currency %s)", target, ErrNotConvertible, s.BaseCurrency)
	}
	return c, nil
}

// Convertible reports whether the settings can express figures in
// currency: it is the base currency or has an exchange rate.
func Convertible(s *settings.Settings, currency string) error {
	_, err := newConverter(s, currency)
	return err
}

func (c *converter) factor(code string) (*big.Rat, error) {
	if f, ok := c.factors[code]; ok {
		return f, nil
	}
	from, err := money.LookupCurrency(code)
	if err != nil {
		return nil, err
	}
	rate := c.rates[code]
	if rate == nil {
		return nil, fmt.Errorf("amounts in %s: %w (base currency %s)", code, ErrNotConvertible, c.base)
	}
	f := new(big.Rat).Quo(rate, c.rates[c.target.Code])
	shift := c.target.Exponent - from.Exponent
	pow := new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(shift))), nil))
	if shift >= 0 {
		f.Mul(f, pow)
	} else {
		f.Quo(f, pow)
	}
	c.factors[code] = f
	return f, nil
}

// convert returns the exact amount x (minor units of code) in minor units
// of the target, rounded half to even.
func (c *converter) convert(code string, x *big.Rat) (int64, error) {
	f, err := c.factor(code)
	if err != nil {
		return 0, err
	}
	return roundHalfEven(new(big.Rat).Mul(x, f))
}

// sums holds exact amounts per currency, in minor units of each.
type sums map[string]*big.Rat

func (s sums) add(code string, x *big.Rat) {
	if s[code] == nil {
		s[code] = new(big.Rat)
	}
	s[code].Add(s[code], x)
}

// convertSums converts each currency's exact sum and rounds it once; the
// total is the sum of those rounded parts, so a breakdown always adds up
// to its total.
func (c *converter) convertSums(s sums) (total int64, byCurrency map[string]int64, err error) {
	byCurrency = map[string]int64{}
	for code, x := range s {
		v, err := c.convert(code, x)
		if err != nil {
			return 0, nil, err
		}
		byCurrency[code] = v
		total += v
	}
	return total, byCurrency, nil
}

// roundHalfEven rounds an exact fraction to the nearest integer, ties to
// even, as billing/money does for tax and proration.
func roundHalfEven(x *big.Rat) (int64, error) {
	num, den := new(big.Int).Abs(x.Num()), x.Denom()
	q, r := new(big.Int).QuoRem(num, den, new(big.Int))
	switch new(big.Int).Lsh(r, 1).Cmp(den) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	if x.Sign() < 0 {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, fmt.Errorf("%w: %s", money.ErrOverflow, x.RatString())
	}
	return q.Int64(), nil
}

// ratioBP is part/whole in basis points (1 % = 100 bp), rounded half to
// even; 0 when whole is 0.
func ratioBP(part, whole int64) int64 {
	if whole == 0 {
		return 0
	}
	v, _ := roundHalfEven(new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(part), big.NewInt(10000)), big.NewInt(whole)))
	return v
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func ratInt(minor int64) *big.Rat { return new(big.Rat).SetInt64(minor) }
