package analytics

import (
	"errors"
	"math/big"
	"testing"

	"github.com/ezscale/ezscale/internal/settings"
)

func testSettings() *settings.Settings {
	return &settings.Settings{BaseCurrency: "USD", ExchangeRates: map[string]string{
		"EUR": "1.08", "GBP": "1.27", "JPY": "0.0067", "KWD": "3.25"}}
}

func TestConvert(t *testing.T) {
	cases := []struct {
		name, from, to string
		minor          *big.Rat
		want           int64
	}{
		{"same currency", "USD", "USD", big.NewRat(1234, 1), 1234},
		{"to base", "EUR", "USD", big.NewRat(1000, 1), 1080},
		{"from base", "USD", "EUR", big.NewRat(1080, 1), 1000},
		{"cross rate", "GBP", "EUR", big.NewRat(1000, 1), 1176},             // 1000 × 1.27 / 1.08 = 1175.93
		{"to zero-decimal", "USD", "JPY", big.NewRat(1000, 1), 1493},        // $10 / 0.0067 = 1492.54 yen
		{"from zero-decimal", "JPY", "USD", big.NewRat(1493, 1), 1000},      // 1493 × 0.0067 = $10.0031
		{"to three decimals", "USD", "KWD", big.NewRat(325, 1), 1000},       // $3.25 = 1.000 KWD
		{"half to even, down", "USD", "USD", big.NewRat(5, 2), 2},           // 2.5
		{"half to even, up", "USD", "USD", big.NewRat(7, 2), 4},             // 3.5
		{"negative half to even", "USD", "USD", big.NewRat(-5, 2), -2},      // -2.5
		{"negative rounds away", "USD", "USD", big.NewRat(-2675, 1000), -3}, // -2.675
		{"monthly quarter", "EUR", "USD", big.NewRat(1001, 3), 360},         // 333.67 × 1.08 = 360.36
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newConverter(testSettings(), tc.to)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.convert(tc.from, tc.minor)
			if err != nil || got != tc.want {
				t.Errorf("%s %s in %s = %d, %v; want %d", tc.minor.RatString(), tc.from, tc.to, got, err, tc.want)
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	if _, err := newConverter(testSettings(), "CHF"); !errors.Is(err, ErrNotConvertible) {
		t.Errorf("report in CHF (no rate): %v", err)
	}
	if _, err := newConverter(testSettings(), "usd"); err == nil {
		t.Error("lower-case code taken")
	}
	c, _ := newConverter(testSettings(), "USD")
	if _, err := c.convert("CHF", big.NewRat(1, 1)); !errors.Is(err, ErrNotConvertible) {
		t.Errorf("amount in CHF (no rate): %v", err)
	}
	bad := testSettings()
	bad.ExchangeRates["EUR"] = "-1"
	if _, err := newConverter(bad, "USD"); err == nil {
		t.Error("negative rate taken")
	}
}

func TestMonthly(t *testing.T) {
	for cyc, want := range map[string]*big.Rat{
		"hourly": big.NewRat(730, 1), "monthly": big.NewRat(1, 1), "quarterly": big.NewRat(1, 3),
		"semiannual": big.NewRat(1, 6), "annual": big.NewRat(1, 12), "biennial": big.NewRat(1, 24), "triennial": big.NewRat(1, 36),
	} {
		got, err := monthly(cyc)
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("monthly(%s) = %v, %v; want %v", cyc, got, err, want)
		}
	}
	if _, err := monthly("weekly"); err == nil {
		t.Error("unknown cycle taken")
	}
}

func TestRatioBP(t *testing.T) {
	for _, tc := range []struct{ part, whole, want int64 }{
		{1, 4, 2500}, {2, 3, 6667}, {1, 3, 3333}, {0, 5, 0}, {5, 0, 0}, {1, 20000, 0}, {1, 8000, 1}, {3, 20000, 2},
	} {
		if got := ratioBP(tc.part, tc.whole); got != tc.want {
			t.Errorf("ratioBP(%d, %d) = %d, want %d", tc.part, tc.whole, got, tc.want)
		}
	}
}
