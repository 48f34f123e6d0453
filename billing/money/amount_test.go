package money

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNew(t *testing.T) {
	a, err := New(1234, "USD")
	if err != nil || a != (Amount{Minor: 1234, Currency: "USD"}) {
		t.Errorf(`New(1234, "USD") = %+v, %v`, a, err)
	}
	if _, err := New(1, "usd"); !errors.Is(err, ErrMalformedCurrency) {
		t.Errorf(`New(1, "usd") error = %v, want ErrMalformedCurrency`, err)
	}
	if _, err := New(1, "XYZ"); !errors.Is(err, ErrUnknownCurrency) {
		t.Errorf(`New(1, "XYZ") error = %v, want ErrUnknownCurrency`, err)
	}
}

func TestMustNewPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error(`MustNew(1, "XYZ") did not panic`)
		}
	}()
	MustNew(1, "XYZ")
}

func TestAddSub(t *testing.T) {
	usd := func(minor int64) Amount { return MustNew(minor, "USD") }
	tests := []struct {
		name    string
		a, b    Amount
		sum     Amount
		diff    Amount
		sumErr  error
		diffErr error
	}{
		{name: "plain", a: usd(1234), b: usd(66), sum: usd(1300), diff: usd(1168)},
		{name: "negative", a: usd(-5), b: usd(-7), sum: usd(-12), diff: usd(2)},
		{name: "zero", a: usd(0), b: usd(0), sum: usd(0), diff: usd(0)},
		{name: "max plus zero", a: usd(math.MaxInt64), b: usd(0), sum: usd(math.MaxInt64), diff: usd(math.MaxInt64)},
		{name: "max plus one", a: usd(math.MaxInt64), b: usd(1), sumErr: ErrOverflow, diff: usd(math.MaxInt64 - 1)},
		{name: "min minus one", a: usd(math.MinInt64), b: usd(1), sum: usd(math.MinInt64 + 1), diffErr: ErrOverflow},
		{name: "min plus min", a: usd(math.MinInt64), b: usd(math.MinInt64), sumErr: ErrOverflow, diff: usd(0)},
		{name: "zero minus min", a: usd(0), b: usd(math.MinInt64), sum: usd(math.MinInt64), diffErr: ErrOverflow},
		{name: "minus one minus min", a: usd(-1), b: usd(math.MinInt64), sumErr: ErrOverflow, diff: usd(math.MaxInt64)},
		{name: "max minus min", a: usd(math.MaxInt64), b: usd(math.MinInt64), sum: usd(-1), diffErr: ErrOverflow},
		{
			name: "mismatch", a: usd(100), b: MustNew(100, "EUR"),
			sumErr: ErrCurrencyMismatch, diffErr: ErrCurrencyMismatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := tt.a.Add(tt.b)
			if !errors.Is(err, tt.sumErr) || (err == nil && sum != tt.sum) {
				t.Errorf("%v.Add(%v) = %v, %v; want %v, %v", tt.a, tt.b, sum, err, tt.sum, tt.sumErr)
			}
			diff, err := tt.a.Sub(tt.b)
			if !errors.Is(err, tt.diffErr) || (err == nil && diff != tt.diff) {
				t.Errorf("%v.Sub(%v) = %v, %v; want %v, %v", tt.a, tt.b, diff, err, tt.diff, tt.diffErr)
			}
		})
	}
}

func TestMismatchNamesBothCurrencies(t *testing.T) {
	a, b := MustNew(100, "USD"), MustNew(5, "JPY")
	_, addErr := a.Add(b)
	_, subErr := a.Sub(b)
	_, cmpErr := a.Cmp(b)
	for _, err := range []error{addErr, subErr, cmpErr} {
		if !errors.Is(err, ErrCurrencyMismatch) {
			t.Fatalf("error %v, want ErrCurrencyMismatch", err)
		}
		if msg := err.Error(); !strings.Contains(msg, "1.00 USD") || !strings.Contains(msg, "5 JPY") {
			t.Errorf("error %q does not name both amounts", msg)
		}
	}
}

func TestNeg(t *testing.T) {
	for _, minor := range []int64{0, 1, -1, 1234, math.MaxInt64, math.MinInt64 + 1} {
		a := MustNew(minor, "EUR")
		if got := a.Neg(); got != MustNew(-minor, "EUR") {
			t.Errorf("%v.Neg() = %v", a, got)
		}
	}
	defer func() {
		if err, _ := recover().(error); !errors.Is(err, ErrOverflow) {
			t.Errorf("Neg of math.MinInt64 panicked with %v, want ErrOverflow", err)
		}
	}()
	MustNew(math.MinInt64, "EUR").Neg()
}

func TestPredicates(t *testing.T) {
	tests := []struct {
		minor              int64
		isZero, isNegative bool
	}{
		{0, true, false},
		{1, false, false},
		{-1, false, true},
		{math.MinInt64, false, true},
	}
	for _, tt := range tests {
		a := MustNew(tt.minor, "USD")
		if a.IsZero() != tt.isZero || a.IsNegative() != tt.isNegative {
			t.Errorf("%v: IsZero() = %v, IsNegative() = %v", a, a.IsZero(), a.IsNegative())
		}
	}
}

func TestCmp(t *testing.T) {
	tests := []struct {
		a, b int64
		want int
	}{
		{1, 2, -1},
		{2, 1, 1},
		{-3, -3, 0},
		{math.MinInt64, math.MaxInt64, -1},
	}
	for _, tt := range tests {
		got, err := MustNew(tt.a, "GBP").Cmp(MustNew(tt.b, "GBP"))
		if err != nil || got != tt.want {
			t.Errorf("Cmp(%d, %d) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		minor    int64
		currency string
		decimal  string
	}{
		{1234, "USD", "12.34"},
		{-5, "EUR", "-0.05"},
		{0, "USD", "0.00"},
		{100, "USD", "1.00"},
		{-100, "USD", "-1.00"},
		{1234, "JPY", "1234"},
		{-1234, "JPY", "-1234"},
		{0, "JPY", "0"},
		{1234, "KWD", "1.234"},
		{1, "KWD", "0.001"},
		{-10, "BHD", "-0.010"},
		{1, "CLF", "0.0001"},
		{math.MaxInt64, "USD", "92233720368547758.07"},
		{math.MinInt64, "USD", "-92233720368547758.08"},
		{math.MinInt64, "JPY", "-9223372036854775808"},
	}
	for _, tt := range tests {
		a := MustNew(tt.minor, tt.currency)
		if got := a.FormatDecimal(); got != tt.decimal {
			t.Errorf("Amount{%d, %s}.FormatDecimal() = %q, want %q", tt.minor, tt.currency, got, tt.decimal)
		}
		if got, want := a.String(), tt.decimal+" "+tt.currency; got != want {
			t.Errorf("Amount{%d, %s}.String() = %q, want %q", tt.minor, tt.currency, got, want)
		}
	}
}

func TestFormatUnknownCurrency(t *testing.T) {
	a := Amount{Minor: 1234, Currency: "usd"}
	if got, want := a.String(), `1234 minor units of unknown currency "usd"`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	defer func() {
		if err, _ := recover().(error); !errors.Is(err, ErrMalformedCurrency) {
			t.Errorf("FormatDecimal panicked with %v, want ErrMalformedCurrency", err)
		}
	}()
	a.FormatDecimal()
}

func TestParseDecimal(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		want     int64
	}{
		{"12.34", "USD", 1234},
		{"-0.5", "USD", -50},
		{"+0.5", "USD", 50},
		{"1000", "USD", 100000},
		{"12.3400", "USD", 1234},
		{"12.3", "USD", 1230},
		{"0", "USD", 0},
		{"-0", "USD", 0},
		{"-0.00", "USD", 0},
		{"007.10", "USD", 710},
		{"1234", "JPY", 1234},
		{"1234.000", "JPY", 1234},
		{"-1", "JPY", -1},
		{"1.234", "KWD", 1234},
		{"1.2", "KWD", 1200},
		{"0.0001", "CLF", 1},
		{"92233720368547758.07", "USD", math.MaxInt64},
		{"-92233720368547758.08", "USD", math.MinInt64},
		{"9223372036854775807", "JPY", math.MaxInt64},
		{"-9223372036854775808", "JPY", math.MinInt64},
		{"00000000000000000000000000001", "JPY", 1},
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+tt.currency, func(t *testing.T) {
			got, err := ParseDecimal(tt.in, tt.currency)
			if err != nil || got != MustNew(tt.want, tt.currency) {
				t.Errorf("ParseDecimal(%q, %q) = %v, %v; want %d minor", tt.in, tt.currency, got, err, tt.want)
			}
		})
	}
}

func TestParseDecimalErrors(t *testing.T) {
	tests := []struct {
		in       string
		currency string
		wantErr  error // nil means any error
	}{
		{"1.005", "USD", nil},
		{"100.5", "JPY", nil},
		{"1.0001", "KWD", nil},
		{"1.00000001", "USD", nil},
		{"", "USD", nil},
		{"-", "USD", nil},
		{"1e3", "USD", nil},
		{"1,000", "USD", nil},
		{"1_000", "USD", nil},
		{"+-1", "USD", nil},
		{"--1", "USD", nil},
		{"1 000", "USD", nil},
		{" 1", "USD", nil},
		{"1 ", "USD", nil},
		{"- 1", "USD", nil},
		{".5", "USD", nil},
		{"5.", "USD", nil},
		{"1.2.3", "USD", nil},
		{"0x10", "USD", nil},
		{"١٢", "USD", nil}, // Arabic-Indic digits.
		{"NaN", "USD", nil},
		{"Inf", "USD", nil},
		{"92233720368547758.08", "USD", ErrOverflow},
		{"-92233720368547758.09", "USD", ErrOverflow},
		{"9223372036854775808", "JPY", ErrOverflow},
		{"99999999999999999999999", "JPY", ErrOverflow},
		{"1", "usd", ErrMalformedCurrency},
		{"1", "XYZ", ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.in+" "+tt.currency, func(t *testing.T) {
			got, err := ParseDecimal(tt.in, tt.currency)
			if err == nil {
				t.Fatalf("ParseDecimal(%q, %q) = %v, want an error", tt.in, tt.currency, got)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("ParseDecimal(%q, %q) error = %v, want %v", tt.in, tt.currency, err, tt.wantErr)
			}
			if tt.wantErr == nil && !strings.Contains(err.Error(), `"`+tt.in+`"`) {
				t.Errorf("ParseDecimal(%q, %q) error %q does not name the input", tt.in, tt.currency, err)
			}
		})
	}
}

// TestParseFormatRoundTrip checks that FormatDecimal and ParseDecimal are
// inverses over random amounts in currencies of every exponent.
func TestParseFormatRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(4217, 1))
	for i := range 10000 {
		a := MustNew(int64(rng.Uint64()), []string{"JPY", "USD", "KWD", "CLF"}[i%4])
		if i%2 == 0 {
			a.Minor >>= rng.IntN(64) // Also cover small amounts.
		}
		got, err := ParseDecimal(a.FormatDecimal(), a.Currency)
		if err != nil || got != a {
			t.Fatalf("ParseDecimal(%q, %q) = %v, %v; want %v", a.FormatDecimal(), a.Currency, got, err, a)
		}
	}
}
