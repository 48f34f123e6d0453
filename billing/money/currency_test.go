package money

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestLookupCurrency(t *testing.T) {
	tests := []struct {
		code     string
		name     string
		exponent int
	}{
		{"USD", "US Dollar", 2},
		{"EUR", "Euro", 2},
		{"GBP", "Pound Sterling", 2},
		{"JPY", "Yen", 0},
		{"KRW", "Won", 0},
		{"ISK", "Iceland Krona", 0},
		{"KWD", "Kuwaiti Dinar", 3},
		{"TND", "Tunisian Dinar", 3},
		{"CLF", "Unidad de Fomento", 4},
		{"UYW", "Unidad Previsional", 4},
		{"XCG", "Caribbean Guilder", 2},
		{"ZWG", "Zimbabwe Gold", 2},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c, err := LookupCurrency(tt.code)
			if err != nil {
				t.Fatalf("LookupCurrency(%q): %v", tt.code, err)
			}
			want := Currency{Code: tt.code, Name: tt.name, Exponent: tt.exponent}
			if c != want {
				t.Errorf("LookupCurrency(%q) = %+v, want %+v", tt.code, c, want)
			}
		})
	}
}

func TestLookupCurrencyErrors(t *testing.T) {
	tests := []struct {
		code    string
		wantErr error
		wantMsg string
	}{
		{"XYZ", ErrUnknownCurrency, `unknown currency "XYZ"`},
		{"HRK", ErrUnknownCurrency, `unknown currency "HRK"`}, // Withdrawn in 2023.
		{"XAU", ErrUnknownCurrency, `unknown currency "XAU"`}, // Gold has no minor unit.
		{"XXX", ErrUnknownCurrency, `unknown currency "XXX"`},
		{"usd", ErrMalformedCurrency, `malformed currency code "usd": must be 3 upper-case letters`},
		{"", ErrMalformedCurrency, `malformed currency code "": must be 3 upper-case letters`},
		{"US", ErrMalformedCurrency, `"US"`},
		{"USDD", ErrMalformedCurrency, `"USDD"`},
		{" USD", ErrMalformedCurrency, `" USD"`},
		{"U5D", ErrMalformedCurrency, `"U5D"`},
		{"ÜSD", ErrMalformedCurrency, `"ÜSD"`},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			c, err := LookupCurrency(tt.code)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("LookupCurrency(%q) = %+v, %v; want error %v", tt.code, c, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("LookupCurrency(%q) error %q does not contain %q", tt.code, err, tt.wantMsg)
			}
		})
	}
}

func TestCurrencyTable(t *testing.T) {
	if n := len(currencyTable); n < 150 || n > 200 {
		t.Errorf("table has %d currencies, want the ~165 of ISO 4217 List One", n)
	}
	prev := ""
	for _, c := range currencyTable {
		if !isCodeShape(c.Code) {
			t.Errorf("%+v: malformed code", c)
		}
		if c.Code <= prev {
			t.Errorf("%q follows %q: table must be sorted without duplicates", c.Code, prev)
		}
		prev = c.Code
		if c.Name == "" {
			t.Errorf("%+v: empty name", c)
		}
		switch c.Exponent {
		case 0, 2, 3, 4:
		default:
			t.Errorf("%+v: exponent %d is not an ISO 4217 minor unit", c, c.Exponent)
		}
	}
}

// TestExponents pins every currency whose exponent is not 2, since a wrong
// exponent mis-prices by a factor of 100.
func TestExponents(t *testing.T) {
	want := map[string]int{
		"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
		"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
		"XAF": 0, "XOF": 0, "XPF": 0,
		"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
		"CLF": 4, "UYW": 4,
	}
	for _, c := range currencyTable {
		exponent, ok := want[c.Code]
		if !ok {
			exponent = 2
		}
		if c.Exponent != exponent {
			t.Errorf("%s exponent = %d, want %d", c.Code, c.Exponent, exponent)
		}
	}
}

func TestNormalizeCurrency(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr error
	}{
		{"USD", "USD", nil},
		{"usd", "USD", nil},
		{" jpy\n", "JPY", nil},
		{"Kwd", "KWD", nil},
		{"xyz", "", ErrUnknownCurrency},
		{"", "", ErrMalformedCurrency},
		{"us d", "", ErrMalformedCurrency},
		{"u$d", "", ErrMalformedCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizeCurrency(tt.in)
			if got != tt.want || !errors.Is(err, tt.wantErr) {
				t.Errorf("NormalizeCurrency(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), fmt.Sprintf("%q", tt.in)) {
				t.Errorf("NormalizeCurrency(%q) error %q does not name the input", tt.in, err)
			}
		})
	}
}

func TestIsZeroDecimal(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"JPY", true},
		{"jpy", true},
		{"XOF", true},
		{"CLP", true},
		{"USD", false},
		{"KWD", false},
		{"CLF", false},
		{"XYZ", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsZeroDecimal(tt.code); got != tt.want {
			t.Errorf("IsZeroDecimal(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}
