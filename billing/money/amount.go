package money

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Amount is a sum of money in integer minor units (cents for USD, yen for
// JPY) of an ISO 4217 currency, so that adding and splitting it is exact.
type Amount struct {
	Minor    int64
	Currency string
}

var (
	// ErrCurrencyMismatch reports arithmetic across two currencies, which
	// needs an explicit conversion at a known rate instead.
	ErrCurrencyMismatch = errors.New("currency mismatch")
	// ErrOverflow reports a result that does not fit in int64 minor units.
	ErrOverflow = errors.New("amount overflows int64 minor units")
)

// New returns an amount after checking that currency is a canonical ISO 4217
// code, so that every Amount made through it can be formatted.
func New(minor int64, currency string) (Amount, error) {
	if _, err := LookupCurrency(currency); err != nil {
		return Amount{}, err
	}
	return Amount{Minor: minor, Currency: currency}, nil
}

// MustNew is New for constants and tests, where a bad currency is a
// programming error; it panics on one.
func MustNew(minor int64, currency string) Amount {
	a, err := New(minor, currency)
	if err != nil {
		panic(err)
	}
	return a
}

// Add returns a+b, refusing to mix currencies or to wrap around.
func (a Amount) Add(b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("%w: cannot add %s to %s", ErrCurrencyMismatch, b, a)
	}
	s := a.Minor + b.Minor
	// The sum wrapped if and only if it differs in sign from both operands.
	if (a.Minor^s)&(b.Minor^s) < 0 {
		return Amount{}, fmt.Errorf("%w: %s + %s", ErrOverflow, a, b)
	}
	return Amount{Minor: s, Currency: a.Currency}, nil
}

// Sub returns a-b, refusing to mix currencies or to wrap around.
func (a Amount) Sub(b Amount) (Amount, error) {
	if a.Currency != b.Currency {
		return Amount{}, fmt.Errorf("%w: cannot subtract %s from %s", ErrCurrencyMismatch, b, a)
	}
	d := a.Minor - b.Minor
	// The difference wrapped if and only if the operands differ in sign and
	// the difference differs in sign from a.
	if (a.Minor^b.Minor)&(a.Minor^d) < 0 {
		return Amount{}, fmt.Errorf("%w: %s - %s", ErrOverflow, a, b)
	}
	return Amount{Minor: d, Currency: a.Currency}, nil
}

// Neg returns -a. It panics for the one int64 that has no negation, which no
// real amount comes near: a silently kept sign would be worse than a crash.
func (a Amount) Neg() Amount {
	if a.Minor == math.MinInt64 {
		panic(fmt.Errorf("%w: -(%s)", ErrOverflow, a))
	}
	return Amount{Minor: -a.Minor, Currency: a.Currency}
}

// IsZero reports whether a is zero, whatever its currency.
func (a Amount) IsZero() bool { return a.Minor == 0 }

// IsNegative reports whether a is below zero, as a credit or a refund is.
func (a Amount) IsNegative() bool { return a.Minor < 0 }

// Cmp returns -1, 0 or +1 as a is less than, equal to or greater than b. It
// refuses to compare across currencies, which would need an exchange rate.
func (a Amount) Cmp(b Amount) (int, error) {
	if a.Currency != b.Currency {
		return 0, fmt.Errorf("%w: cannot compare %s with %s", ErrCurrencyMismatch, a, b)
	}
	return cmp.Compare(a.Minor, b.Minor), nil
}

// String formats a for logs and messages, such as "12.34 USD" or "1234 JPY".
// Unlike FormatDecimal it never panics, since it is what error messages about
// a bad Amount print.
func (a Amount) String() string {
	c, err := LookupCurrency(a.Currency)
	if err != nil {
		return fmt.Sprintf("%d minor units of unknown currency %q", a.Minor, a.Currency)
	}
	return formatDecimal(a.Minor, c.Exponent) + " " + c.Code
}

// FormatDecimal returns a in major units as a plain decimal string, such as
// "12.34", "-0.05" or "1234", the form that invoices and decimal-speaking
// gateways want. It panics if the currency is unknown, which only an Amount
// built without New or ParseDecimal can have: a price sent off by a factor of
// 100 is worse than a crash.
func (a Amount) FormatDecimal() string {
	c, err := LookupCurrency(a.Currency)
	if err != nil {
		panic(err)
	}
	return formatDecimal(a.Minor, c.Exponent)
}

func formatDecimal(minor int64, exponent int) string {
	digits := strconv.FormatUint(magnitude(minor), 10)
	if exponent > 0 {
		if len(digits) <= exponent {
			digits = strings.Repeat("0", exponent+1-len(digits)) + digits
		}
		digits = digits[:len(digits)-exponent] + "." + digits[len(digits)-exponent:]
	}
	if minor < 0 {
		return "-" + digits
	}
	return digits
}

// ParseDecimal parses a plain decimal string in major units, such as "12.34",
// "-0.5" or "1000", exactly into minor units of currency. The form is an
// optional sign, digits, and optionally a point followed by digits; exponents,
// grouping separators and spaces are refused. Fractional digits beyond the
// currency's exponent are allowed only when they are zeros ("12.3400" USD):
// any other is an error rather than a rounding ("1.005" USD, "100.5" JPY),
// because silently dropping money is never what the caller meant.
func ParseDecimal(s string, currency string) (Amount, error) {
	c, err := LookupCurrency(currency)
	if err != nil {
		return Amount{}, err
	}
	minor, err := parseMinor(s, c.Exponent)
	if err != nil {
		return Amount{}, fmt.Errorf("parse %q as %s: %w", s, c.Code, err)
	}
	return Amount{Minor: minor, Currency: c.Code}, nil
}

func parseMinor(s string, exponent int) (int64, error) {
	unsigned := strings.TrimLeft(s, "+-")
	if len(s)-len(unsigned) > 1 {
		return 0, errors.New("more than one sign")
	}
	neg := strings.HasPrefix(s, "-")
	whole, frac, hasPoint := strings.Cut(unsigned, ".")
	if whole == "" || (hasPoint && frac == "") || !isDigits(whole) || !isDigits(frac) {
		return 0, errors.New("want digits with an optional sign and decimal point")
	}
	if len(frac) > exponent {
		if strings.Trim(frac[exponent:], "0") != "" {
			return 0, fmt.Errorf("only %d decimal places allowed", exponent)
		}
		frac = frac[:exponent]
	}
	digits := whole + frac + strings.Repeat("0", exponent-len(frac))
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // math.MinInt64 has one more unit of magnitude.
	}
	var mag uint64
	for i := range len(digits) {
		d := uint64(digits[i] - '0')
		if mag > (limit-d)/10 {
			return 0, ErrOverflow
		}
		mag = mag*10 + d
	}
	return signed(mag, neg), nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// magnitude returns |n| as a uint64, which unlike int64 holds |math.MinInt64|.
func magnitude(n int64) uint64 {
	if n < 0 {
		return -uint64(n)
	}
	return uint64(n)
}

// signed is the inverse of magnitude; mag must be at most 1<<63 when neg and
// below it otherwise.
func signed(mag uint64, neg bool) int64 {
	if neg {
		return int64(-mag)
	}
	return int64(mag)
}
