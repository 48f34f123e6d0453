package cycle

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// at is a UTC instant, for tables.
func at(y int, m time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC)
}

// day is midnight UTC.
func day(y int, m time.Month, d int) time.Time { return at(y, m, d, 0, 0, 0) }

var allCycles = []Cycle{Hourly, Monthly, Quarterly, SemiAnnual, Annual, Biennial, Triennial}

func TestAddMonthsClamped(t *testing.T) {
	plus2 := time.FixedZone("UTC+2", 2*60*60)
	tests := []struct {
		name   string
		t      time.Time
		months int
		want   time.Time
	}{
		{"zero months", at(2027, 1, 15, 9, 0, 0), 0, at(2027, 1, 15, 9, 0, 0)},
		{"no clamp needed", at(2027, 1, 15, 9, 0, 0), 1, at(2027, 2, 15, 9, 0, 0)},
		{"Jan 31 to Feb 28", at(2027, 1, 31, 9, 0, 0), 1, at(2027, 2, 28, 9, 0, 0)},
		{"Jan 31 to Feb 29 leap", at(2028, 1, 31, 9, 0, 0), 1, at(2028, 2, 29, 9, 0, 0)},
		{"Jan 30 to Feb 28", day(2027, 1, 30), 1, day(2027, 2, 28)},
		{"Mar 31 to Apr 30", day(2027, 3, 31), 1, day(2027, 4, 30)},
		{"across year end", day(2027, 12, 31), 2, day(2028, 2, 29)},
		{"Aug 31 plus a quarter", day(2027, 8, 31), 3, day(2027, 11, 30)},
		{"Feb 29 plus a year", day(2028, 2, 29), 12, day(2029, 2, 28)},
		{"Feb 29 plus four years", day(2028, 2, 29), 48, day(2032, 2, 29)},
		{"backwards clamps too", day(2027, 3, 31), -1, day(2027, 2, 28)},
		{"backwards across year", day(2027, 1, 31), -13, day(2025, 12, 31)},
		{"backwards to leap Feb", day(2028, 3, 30), -1, day(2028, 2, 29)},
		{"keeps nanoseconds", time.Date(2027, 1, 31, 23, 59, 59, 999_999_999, time.UTC), 1, time.Date(2027, 2, 28, 23, 59, 59, 999_999_999, time.UTC)},
		{"keeps location", time.Date(2027, 1, 31, 1, 0, 0, 0, plus2), 1, time.Date(2027, 2, 28, 1, 0, 0, 0, plus2)},
		{"a thousand years", day(2027, 1, 31), 12_000 + 1, day(3027, 2, 28)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AddMonthsClamped(tt.t, tt.months)
			if !got.Equal(tt.want) || got.Location() != tt.want.Location() {
				t.Errorf("AddMonthsClamped(%v, %d) = %v, want %v", tt.t, tt.months, got, tt.want)
			}
		})
	}
}

// TestPeriodAtSequences lists period starts; each period must end where the
// next one in the list starts.
func TestPeriodAtSequences(t *testing.T) {
	tests := []struct {
		name   string
		anchor time.Time
		cycle  Cycle
		starts []time.Time
	}{
		{"Jan 31 monthly over 14 months in 2027", at(2027, 1, 31, 10, 30, 0), Monthly, []time.Time{
			at(2027, 1, 31, 10, 30, 0), at(2027, 2, 28, 10, 30, 0), at(2027, 3, 31, 10, 30, 0),
			at(2027, 4, 30, 10, 30, 0), at(2027, 5, 31, 10, 30, 0), at(2027, 6, 30, 10, 30, 0),
			at(2027, 7, 31, 10, 30, 0), at(2027, 8, 31, 10, 30, 0), at(2027, 9, 30, 10, 30, 0),
			at(2027, 10, 31, 10, 30, 0), at(2027, 11, 30, 10, 30, 0), at(2027, 12, 31, 10, 30, 0),
			at(2028, 1, 31, 10, 30, 0), at(2028, 2, 29, 10, 30, 0), at(2028, 3, 31, 10, 30, 0),
		}},
		{"Jan 31 monthly over 14 months in leap 2028", day(2028, 1, 31), Monthly, []time.Time{
			day(2028, 1, 31), day(2028, 2, 29), day(2028, 3, 31), day(2028, 4, 30), day(2028, 5, 31),
			day(2028, 6, 30), day(2028, 7, 31), day(2028, 8, 31), day(2028, 9, 30), day(2028, 10, 31),
			day(2028, 11, 30), day(2028, 12, 31), day(2029, 1, 31), day(2029, 2, 28), day(2029, 3, 31),
		}},
		{"Jan 30 monthly returns to the 30th", day(2027, 1, 30), Monthly, []time.Time{
			day(2027, 1, 30), day(2027, 2, 28), day(2027, 3, 30), day(2027, 4, 30),
		}},
		{"hourly is billed in calendar months", at(2027, 1, 31, 10, 30, 0), Hourly, []time.Time{
			at(2027, 1, 31, 10, 30, 0), at(2027, 2, 28, 10, 30, 0), at(2027, 3, 31, 10, 30, 0),
		}},
		{"Aug 31 quarterly", at(2027, 8, 31, 12, 0, 0), Quarterly, []time.Time{
			at(2027, 8, 31, 12, 0, 0), at(2027, 11, 30, 12, 0, 0), at(2028, 2, 29, 12, 0, 0),
			at(2028, 5, 31, 12, 0, 0), at(2028, 8, 31, 12, 0, 0), at(2028, 11, 30, 12, 0, 0),
			at(2029, 2, 28, 12, 0, 0), at(2029, 5, 31, 12, 0, 0),
		}},
		{"Aug 31 semiannual", day(2027, 8, 31), SemiAnnual, []time.Time{
			day(2027, 8, 31), day(2028, 2, 29), day(2028, 8, 31), day(2029, 2, 28), day(2029, 8, 31),
		}},
		{"Feb 29 annual", at(2028, 2, 29, 8, 0, 0), Annual, []time.Time{
			at(2028, 2, 29, 8, 0, 0), at(2029, 2, 28, 8, 0, 0), at(2030, 2, 28, 8, 0, 0),
			at(2031, 2, 28, 8, 0, 0), at(2032, 2, 29, 8, 0, 0), at(2033, 2, 28, 8, 0, 0),
		}},
		{"Feb 29 biennial", day(2028, 2, 29), Biennial, []time.Time{
			day(2028, 2, 29), day(2030, 2, 28), day(2032, 2, 29), day(2034, 2, 28),
		}},
		{"Feb 29 triennial", day(2028, 2, 29), Triennial, []time.Time{
			day(2028, 2, 29), day(2031, 2, 28), day(2034, 2, 28), day(2037, 2, 28), day(2040, 2, 29),
		}},
		{"UTC+2 anchor is billed in UTC", time.Date(2027, 2, 1, 1, 0, 0, 0, time.FixedZone("UTC+2", 2*60*60)), Monthly, []time.Time{
			at(2027, 1, 31, 23, 0, 0), at(2027, 2, 28, 23, 0, 0), at(2027, 3, 31, 23, 0, 0),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for n := range len(tt.starts) - 1 {
				want := Period{Start: tt.starts[n], End: tt.starts[n+1]}
				got := PeriodAt(tt.anchor, tt.cycle, n)
				if got != want { // == also checks that both are in UTC.
					t.Errorf("PeriodAt(%v, %s, %d) = %v – %v, want %v – %v", tt.anchor, tt.cycle, n, got.Start, got.End, want.Start, want.End)
				}
			}
		})
	}
}

func TestPeriodSecondsContains(t *testing.T) {
	tests := []struct {
		name string
		p    Period
		days int64
	}{
		{"28-day February", Period{day(2027, 2, 1), day(2027, 3, 1)}, 28},
		{"29-day February", Period{day(2028, 2, 1), day(2028, 3, 1)}, 29},
		{"30-day April", Period{day(2027, 4, 1), day(2027, 5, 1)}, 30},
		{"31-day March", Period{day(2027, 3, 1), day(2027, 4, 1)}, 31},
		{"clamped Feb 28 to Mar 31", PeriodAt(day(2027, 1, 31), Monthly, 1), 31},
		{"leap year", PeriodAt(day(2028, 1, 1), Annual, 0), 366},
		{"year from Feb 29", PeriodAt(day(2028, 2, 29), Annual, 0), 365},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			if got := p.Seconds(); got != tt.days*24*60*60 {
				t.Errorf("Seconds() = %d, want %d days", got, tt.days)
			}
			for _, c := range []struct {
				t    time.Time
				want bool
			}{
				{p.Start.Add(-time.Nanosecond), false},
				{p.Start, true},
				{p.End.Add(-time.Nanosecond), true},
				{p.End, false},
			} {
				if got := p.Contains(c.t); got != c.want {
					t.Errorf("Contains(%v) = %v, want %v", c.t, got, c.want)
				}
			}
		})
	}
}

func TestPeriodContaining(t *testing.T) {
	jan31 := at(2027, 1, 31, 10, 30, 0)
	tests := []struct {
		name   string
		anchor time.Time
		cycle  Cycle
		t      time.Time
		wantN  int
	}{
		{"at the anchor", jan31, Monthly, jan31, 0},
		{"end of the first period is the second", jan31, Monthly, at(2027, 2, 28, 10, 30, 0), 1},
		{"a nanosecond before the end", jan31, Monthly, at(2027, 2, 28, 10, 30, 0).Add(-time.Nanosecond), 0},
		{"earlier on the clamped day", jan31, Monthly, at(2027, 2, 28, 0, 0, 0), 0},
		{"later on the clamped day", jan31, Monthly, at(2027, 2, 28, 23, 0, 0), 1},
		{"day after the clamped day", jan31, Monthly, day(2027, 3, 1), 1},
		{"before the month end returns", jan31, Monthly, at(2027, 3, 31, 10, 29, 59), 1},
		{"month end returns", jan31, Monthly, at(2027, 3, 31, 10, 30, 0), 2},
		{"leap February", jan31, Monthly, at(2028, 2, 29, 10, 30, 0), 13},
		{"day before leap day", jan31, Monthly, day(2028, 2, 28), 12},
		{"Jan 30 anchor in February", day(2027, 1, 30), Monthly, day(2027, 2, 27), 0},
		{"Jan 30 anchor on Feb 28", day(2027, 1, 30), Monthly, day(2027, 2, 28), 1},
		{"Jan 30 anchor on Mar 29", day(2027, 1, 30), Monthly, day(2027, 3, 29), 1},
		{"Jan 30 anchor on Mar 30", day(2027, 1, 30), Monthly, day(2027, 3, 30), 2},
		{"hourly", jan31, Hourly, at(2027, 4, 30, 10, 30, 0), 3},
		{"quarterly, month of a boundary, before it", day(2027, 8, 31), Quarterly, day(2027, 11, 15), 0},
		{"quarterly boundary", day(2027, 8, 31), Quarterly, day(2027, 11, 30), 1},
		{"quarterly between boundaries", day(2027, 8, 31), Quarterly, day(2028, 1, 15), 1},
		{"quarterly clamped to leap day", day(2027, 8, 31), Quarterly, day(2028, 2, 29), 2},
		{"annual, day before Feb 28", day(2028, 2, 29), Annual, at(2029, 2, 27, 23, 59, 59), 0},
		{"annual Feb 28", day(2028, 2, 29), Annual, day(2029, 2, 28), 1},
		{"annual back to Feb 29", day(2028, 2, 29), Annual, day(2032, 2, 29), 4},
		{"annual Feb 28 of a leap year", day(2028, 2, 29), Annual, day(2032, 2, 28), 3},
		{"triennial", day(2028, 2, 29), Triennial, day(2031, 2, 28), 1},
		{"t in another zone", jan31, Monthly, time.Date(2027, 2, 28, 12, 29, 59, 0, time.FixedZone("UTC+2", 2*60*60)), 0},
		{"before the anchor is negative", jan31, Monthly, jan31.Add(-time.Nanosecond), -1},
		{"100 years on", jan31, Monthly, at(2127, 1, 31, 10, 30, 0), 1200},
		{"100 years on, clamped", jan31, Monthly, at(2127, 3, 31, 10, 29, 59), 1201},
		{"100 years on, annual leap day", day(2028, 2, 29), Annual, day(2128, 2, 29), 100},
		{"100 years on, day before leap day", day(2028, 2, 29), Annual, at(2128, 2, 28, 23, 59, 59), 99},
		{"10,000 years on", jan31, Monthly, at(12027, 2, 28, 10, 30, 0), 120_001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, n := PeriodContaining(tt.anchor, tt.cycle, tt.t)
			if n != tt.wantN {
				t.Fatalf("PeriodContaining(%v, %s, %v) = %v – %v, %d; want period %d", tt.anchor, tt.cycle, tt.t, p.Start, p.End, n, tt.wantN)
			}
			if want := PeriodAt(tt.anchor, tt.cycle, n); p != want {
				t.Errorf("PeriodContaining(%v, %s, %v) = %v – %v, want PeriodAt's %v – %v", tt.anchor, tt.cycle, tt.t, p.Start, p.End, want.Start, want.End)
			}
			if !p.Contains(tt.t) {
				t.Errorf("period %d, %v – %v, does not contain %v", n, p.Start, p.End, tt.t)
			}
		})
	}
}

// TestPeriodContainingMatchesScan checks the direct computation against the
// obvious one, walking the periods from the anchor until one contains t.
func TestPeriodContainingMatchesScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(2027, 1))
	for range 2000 {
		anchor := randomAnchor(rng)
		c := allCycles[rng.IntN(len(allCycles))]
		tm := anchor.Add(time.Duration(rng.Int64N(int64(40 * 366 * 24 * time.Hour))))
		if rng.IntN(4) == 0 { // Land on a boundary, or just before one.
			tm = PeriodAt(anchor, c, 1+rng.IntN(20)).Start.Add(-time.Duration(rng.IntN(2)))
		}
		want := 0
		for !PeriodAt(anchor, c, want).Contains(tm) {
			if want++; want > 1000 {
				t.Fatalf("no period of %s from %v within 1000 contains %v", c, anchor, tm)
			}
		}
		if _, n := PeriodContaining(anchor, c, tm); n != want {
			t.Fatalf("PeriodContaining(%v, %s, %v) = period %d, want %d", anchor, c, tm, n, want)
		}
	}
}

// randomAnchor favours the last days of months, where clamping happens.
func randomAnchor(rng *rand.Rand) time.Time {
	d := 1 + rng.IntN(31)
	if rng.IntN(2) == 0 {
		d = 28 + rng.IntN(4)
	}
	// time.Date would roll Feb 31 into March; keep the day in the month.
	y, m := 2000+rng.IntN(100), time.Month(1+rng.IntN(12))
	d = min(d, time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day())
	return time.Date(y, m, d, rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e9), time.UTC)
}

func TestNext(t *testing.T) {
	for _, c := range allCycles {
		anchor := day(2027, 8, 31)
		p := PeriodAt(anchor, c, 0)
		for n := 1; n <= 30; n++ {
			p = Next(anchor, c, p)
			if want := PeriodAt(anchor, c, n); p != want {
				t.Fatalf("%s: Next #%d = %v – %v, want %v – %v", c, n, p.Start, p.End, want.Start, want.End)
			}
		}
	}
}

func TestInvalidCyclePanics(t *testing.T) {
	calls := map[string]func(){
		"PeriodAt":         func() { PeriodAt(day(2027, 1, 1), "weekly", 0) },
		"PeriodContaining": func() { PeriodContaining(day(2027, 1, 1), "weekly", day(2027, 2, 1)) },
		"Next":             func() { Next(day(2027, 1, 1), "weekly", Period{day(2027, 1, 1), day(2027, 1, 8)}) },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `"weekly"`) {
					t.Errorf("recovered %v, want a panic naming the cycle", r)
				}
			}()
			call()
		})
	}
}

func FuzzPeriodAt(f *testing.F) {
	f.Add(int64(1801391400), uint32(0), uint8(1), 13)          // Jan 31 2027 10:30, monthly.
	f.Add(int64(1835395200), uint32(0), uint8(4), 4)           // Feb 29 2028, annual.
	f.Add(int64(1819670400), uint32(999_999_999), uint8(2), 7) // Aug 31 2027, quarterly.
	f.Add(int64(-1), uint32(1), uint8(6), -3)
	f.Fuzz(func(t *testing.T, sec int64, nsec uint32, ci uint8, n int) {
		// Keep anchors within years 1900–2500 and the schedule within a few
		// thousand periods of them, before and after.
		const lo, span = -2208988800, 18934214400
		anchor := time.Unix(lo+(sec%span+span)%span, int64(nsec%1e9)).UTC()
		c := allCycles[int(ci)%len(allCycles)]
		n = n%5000 - 100

		p, next := PeriodAt(anchor, c, n), PeriodAt(anchor, c, n+1)
		if !p.Start.Before(p.End) {
			t.Fatalf("PeriodAt(%v, %s, %d) = %v – %v, empty", anchor, c, n, p.Start, p.End)
		}
		if !p.End.Equal(next.Start) {
			t.Fatalf("PeriodAt(%v, %s, %d) ends %v, but period %d starts %v", anchor, c, n, p.End, n+1, next.Start)
		}
		if got, m := PeriodContaining(anchor, c, p.Start); m != n || got != p {
			t.Fatalf("PeriodContaining(%v, %s, %v) = %v – %v, %d; want period %d", anchor, c, p.Start, got.Start, got.End, m, n)
		}
		if _, m := PeriodContaining(anchor, c, p.End.Add(-time.Nanosecond)); m != n {
			t.Fatalf("PeriodContaining(%v, %s, %v) = period %d, want %d", anchor, c, p.End.Add(-time.Nanosecond), m, n)
		}
		if n == 0 && p.Start != anchor {
			t.Fatalf("PeriodAt(%v, %s, 0) starts %v, not at the anchor", anchor, c, p.Start)
		}
		// The start keeps the anchor's time of day and its day, clamped.
		ay, am, ad := anchor.Date()
		y, m, d := p.Start.Date()
		months := max(c.Months(), 1)
		if got, want := y*12+int(m), ay*12+int(am)+n*months; got != want {
			t.Fatalf("PeriodAt(%v, %s, %d) starts %v, %d months from the anchor, want %d", anchor, c, n, p.Start, got-(ay*12+int(am)), n*months)
		}
		if last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day(); d != min(ad, last) {
			t.Fatalf("PeriodAt(%v, %s, %d) starts on day %d, want %d", anchor, c, n, d, min(ad, last))
		}
		h, mi, s := p.Start.Clock()
		ah, ami, as := anchor.Clock()
		if h != ah || mi != ami || s != as || p.Start.Nanosecond() != anchor.Nanosecond() {
			t.Fatalf("PeriodAt(%v, %s, %d) starts %v, at another time of day", anchor, c, n, p.Start)
		}
	})
}

func BenchmarkPeriodContaining(b *testing.B) {
	anchor := at(2027, 1, 31, 10, 30, 0)
	t := at(2127, 2, 28, 10, 29, 59) // 1200 periods in, and one back from the month guess.
	for b.Loop() {
		PeriodContaining(anchor, Monthly, t)
	}
}

func ExamplePeriodAt() {
	anchor := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	for n := range 4 {
		p := PeriodAt(anchor, Monthly, n)
		fmt.Println(p.Start.Format(time.DateOnly), "–", p.End.Format(time.DateOnly))
	}
	// Output:
	// 2027-01-31 – 2027-02-28
	// 2027-02-28 – 2027-03-31
	// 2027-03-31 – 2027-04-30
	// 2027-04-30 – 2027-05-31
}
