package money

import (
	"errors"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// plainDecimal is the form ParseDecimal promises to read: an optional
// sign, digits, and optionally a point followed by digits.
var plainDecimal = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?$`)

// FuzzParseDecimal checks ParseDecimal against math/big: what it accepts
// is exactly the decimal's value in minor units, and what it refuses is
// either not plain decimal, finer than the currency's minor unit, or out
// of int64's range, with an error that names the input.
func FuzzParseDecimal(f *testing.F) {
	for _, s := range []string{"12.34", "-0.5", "+1000", "0", "12.3400", "1.005", "100.5", "1e3", "1,000", " 1",
		"--1", "+-1", ".5", "5.", "92233720368547758.07", "-92233720368547758.08", "92233720368547758.08", "0000000000000000000001"} {
		for _, c := range []string{"USD", "JPY", "KWD"} {
			f.Add(s, c)
		}
	}
	f.Add("29.0", "EUR")
	f.Add("14.90", "usd")
	f.Add("1", "XXX")
	f.Fuzz(func(t *testing.T, s, currency string) {
		a, err := ParseDecimal(s, currency)
		c, cerr := LookupCurrency(currency)
		if cerr != nil {
			if err == nil || !(errors.Is(err, ErrUnknownCurrency) || errors.Is(err, ErrMalformedCurrency)) {
				t.Fatalf("ParseDecimal(%q, %q) = %v, %v; want the currency refused", s, currency, a, err)
			}
			return
		}
		want, exact := exactMinor(s, c.Exponent)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(s)) {
				t.Errorf("error %q does not name the input %q", err, s)
			}
			if exact && want.IsInt64() {
				t.Fatalf("ParseDecimal(%q, %s) refused %s minor units: %v", s, currency, want, err)
			}
			return
		}
		if a.Currency != c.Code {
			t.Fatalf("ParseDecimal(%q, %s) has currency %q", s, currency, a.Currency)
		}
		if !exact || !want.IsInt64() || want.Int64() != a.Minor {
			t.Fatalf("ParseDecimal(%q, %s) = %d minor units, want %v (exact %v)", s, currency, a.Minor, want, exact)
		}
		if back, err := ParseDecimal(a.FormatDecimal(), currency); err != nil || back != a {
			t.Fatalf("ParseDecimal(FormatDecimal(%v)) = %v, %v", a, back, err)
		}
	})
}

// FuzzFormatDecimal checks that every amount of every currency survives
// formatting and parsing: ParseDecimal(FormatDecimal(a)) == a.
func FuzzFormatDecimal(f *testing.F) {
	for _, minor := range []int64{0, 1, -1, 5, 1234, -105, 1 << 62, -1 << 63, 1<<63 - 1} {
		for _, i := range []uint16{0, 12, 37} {
			f.Add(minor, i)
		}
	}
	table := Currencies()
	f.Fuzz(func(t *testing.T, minor int64, i uint16) {
		c := table[int(i)%len(table)]
		a := MustNew(minor, c.Code)
		s := a.FormatDecimal()
		if !plainDecimal.MatchString(s) {
			t.Fatalf("FormatDecimal(%d %s) = %q, not a plain decimal", minor, c.Code, s)
		}
		back, err := ParseDecimal(s, c.Code)
		if err != nil || back != a {
			t.Fatalf("ParseDecimal(FormatDecimal(%d %s) = %q) = %v, %v", minor, c.Code, s, back, err)
		}
		if got := a.String(); got != s+" "+c.Code {
			t.Fatalf("String() = %q, want %q", got, s+" "+c.Code)
		}
	})
}

// exactMinor is s in minor units of a currency with exponent digits,
// computed with math/big; exact is false when s is not a plain decimal or
// has a fraction of a minor unit.
func exactMinor(s string, exponent int) (_ *big.Int, exact bool) {
	if !plainDecimal.MatchString(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, false
	}
	r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(exponent)), nil)))
	if !r.IsInt() {
		return nil, false
	}
	return r.Num(), true
}
