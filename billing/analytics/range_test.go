package analytics

import (
	"errors"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/settings"
)

func TestParseParams(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 30, 0, 0, time.UTC)
	d := func(s string) time.Time { t, _ := time.Parse(DateLayout, s); return t }
	cases := []struct {
		name, from, to, currency string
		wantFrom, wantTo         string
		wantCurrency, wantField  string
	}{
		{name: "defaults: twelve months to today", wantFrom: "2025-12-01", wantTo: "2026-11-26", wantCurrency: "USD"},
		{name: "explicit", from: "2026-01-01", to: "2026-03-31", currency: "EUR", wantFrom: "2026-01-01", wantTo: "2026-03-31", wantCurrency: "EUR"},
		{name: "lower-case currency", currency: "gbp", wantFrom: "2025-12-01", wantTo: "2026-11-26", wantCurrency: "GBP"},
		{name: "one day", from: "2026-05-05", to: "2026-05-05", wantFrom: "2026-05-05", wantTo: "2026-05-05", wantCurrency: "USD"},
		{name: "just under five years", from: "2020-01-01", to: "2024-12-31", wantFrom: "2020-01-01", wantTo: "2024-12-31", wantCurrency: "USD"},
		{name: "five years", from: "2020-01-01", to: "2025-01-01", wantField: "to"},
		{name: "to before from", from: "2026-03-01", to: "2026-02-28", wantField: "to"},
		{name: "from after today, to defaulted", from: "2027-01-01", wantField: "to"},
		{name: "from not a date", from: "2026-13-01", wantField: "from"},
		{name: "from not ISO", from: "01/02/2026", wantField: "from"},
		{name: "to not a date", to: "yesterday", wantField: "to"},
		{name: "unknown currency", currency: "XYZ", wantField: "currency"},
		{name: "malformed currency", currency: "US", wantField: "currency"},
		{name: "currency without a rate", currency: "JPY", wantField: "currency"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseParams(testSettings2(), tc.from, tc.to, tc.currency, now)
			if tc.wantField != "" {
				var perr *ParamError
				if !errors.As(err, &perr) || perr.Field != tc.wantField {
					t.Fatalf("error %v, want one about %s", err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !p.Range.From.Equal(d(tc.wantFrom)) || !p.Range.To.Equal(d(tc.wantTo)) || p.Currency != tc.wantCurrency {
				t.Errorf("got %s to %s in %s", p.Range.From.Format(DateLayout), p.Range.To.Format(DateLayout), p.Currency)
			}
		})
	}
}

func testSettings2() *settings.Settings {
	s := testSettings()
	delete(s.ExchangeRates, "JPY")
	return s
}

func TestBounds(t *testing.T) {
	b := bounds(Range{From: time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC)})
	want := []string{"2026-01-15 00:00:00.000Z", "2026-02-01 00:00:00.000Z", "2026-03-01 00:00:00.000Z", "2026-04-01 00:00:00.000Z"}
	if len(b) != len(want) {
		t.Fatalf("bounds %v", b)
	}
	for i := range b {
		if b[i] != want[i] {
			t.Errorf("bound %d = %s, want %s", i, b[i], want[i])
		}
	}
}
