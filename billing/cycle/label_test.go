package cycle

import (
	"testing"
	"time"
)

func TestFormatPeriod(t *testing.T) {
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 36, 0, 0, time.UTC) }
	tests := []struct {
		name       string
		start, end time.Time
		want       string
	}{
		{"annual prints the last day served", at(2026, time.December, 7, 20), at(2027, time.December, 7, 20), "7 Dec 2026 – 6 Dec 2027"},
		{"month across a year end", at(2026, time.December, 31, 0), at(2027, time.January, 31, 0), "31 Dec 2026 – 30 Jan 2027"},
		{"single day", at(2026, time.March, 1, 0), at(2026, time.March, 2, 0), "1 Mar 2026"},
		{"no end", at(2026, time.March, 1, 0), time.Time{}, "1 Mar 2026"},
		{"no period", time.Time{}, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FormatPeriod(tt.start, tt.end); got != tt.want {
				t.Errorf("FormatPeriod(%v, %v) = %q, want %q", tt.start, tt.end, got, tt.want)
			}
		})
	}
}

func TestEvery(t *testing.T) {
	for c, want := range map[Cycle]string{Monthly: "monthly", Annual: "annually", SemiAnnual: "every 6 months", Biennial: "every 2 years"} {
		if got := c.Every(); got != want {
			t.Errorf("%s.Every() = %q, want %q", c, got, want)
		}
	}
}
