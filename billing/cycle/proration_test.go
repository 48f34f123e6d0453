package cycle

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

const dayLen = 24 * time.Hour

func TestNewProration(t *testing.T) {
	april := Period{day(2027, 4, 1), day(2027, 5, 1)}
	tests := []struct {
		name        string
		p           Period
		at          time.Time
		left, total time.Duration
	}{
		{"at the start", april, april.Start, 30 * dayLen, 30 * dayLen},
		{"mid-month", april, day(2027, 4, 11), 20 * dayLen, 30 * dayLen},
		{"last second", april, april.End.Add(-time.Second), time.Second, 30 * dayLen},
		{"at the end", april, april.End, 0, 30 * dayLen},
		{"part of a second counts as used", april, april.End.Add(-1500 * time.Millisecond), time.Second, 30 * dayLen},
		{"leap February", Period{day(2028, 2, 1), day(2028, 3, 1)}, day(2028, 2, 29), dayLen, 29 * dayLen},
		{"at in another zone", april, time.Date(2027, 4, 30, 2, 0, 0, 0, time.FixedZone("UTC+2", 2*60*60)), dayLen, 30 * dayLen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := NewProration(tt.p, tt.at)
			if err != nil {
				t.Fatalf("NewProration(%v, %v): %v", tt.p, tt.at, err)
			}
			want := Proration{Period: tt.p, At: tt.at, SecondsLeft: int64(tt.left / time.Second), SecondsTotal: int64(tt.total / time.Second)}
			if pr != want {
				t.Errorf("NewProration(%v, %v) = %+v, want %+v", tt.p, tt.at, pr, want)
			}
		})
	}
}

func TestShare(t *testing.T) {
	april := Period{day(2027, 4, 1), day(2027, 5, 1)} // 2,592,000 seconds.
	tests := []struct {
		name   string
		at     time.Time
		amount int64
		want   int64
	}{
		{"whole period", april.Start, 1999, 1999},
		{"nothing left", april.End, 1999, 0},
		{"zero amount", day(2027, 4, 11), 0, 0},
		{"exact two thirds", day(2027, 4, 11), 1200, 800},
		{"999.5 rounds to even 1000", day(2027, 4, 16), 1999, 1000},
		{"1000.5 rounds to even 1000", day(2027, 4, 16), 2001, 1000},
		{"0.5 rounds to even 0", april.End.Add(-time.Second), 1_296_000, 0},
		{"1.5 rounds to even 2", april.End.Add(-3 * time.Second), 1_296_000, 2},
		{"2.5 rounds to even 2", april.End.Add(-5 * time.Second), 1_296_000, 2},
		{"a second of a small price", april.End.Add(-time.Second), 1999, 0}, // 0.00077
		{"largest amount", day(2027, 4, 16), 1<<63 - 1, 1 << 62},            // 2^62 - 0.5
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := NewProration(april, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := pr.Share(tt.amount); err != nil || got != tt.want {
				t.Errorf("Share(%d) at %v = %d, %v; want %d", tt.amount, tt.at, got, err, tt.want)
			}
		})
	}
}

func TestShareErrors(t *testing.T) {
	pr, err := NewProration(Period{day(2027, 4, 1), day(2027, 5, 1)}, day(2027, 4, 11))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := pr.Share(-100); err == nil || !strings.Contains(err.Error(), "-100") {
		t.Errorf("Share(-100) = %d, %v; want an error naming the amount", got, err)
	}
	if got, err := (Proration{}).Share(100); err == nil {
		t.Errorf("zero Proration.Share(100) = %d, want an error", got)
	}
}

func TestNewProrationErrors(t *testing.T) {
	april := Period{day(2027, 4, 1), day(2027, 5, 1)}
	tests := []struct {
		name    string
		p       Period
		at      time.Time
		wantMsg string
	}{
		{"before the start", april, april.Start.Add(-time.Nanosecond), "outside"},
		{"after the end", april, april.End.Add(time.Nanosecond), "outside"},
		{"empty period", Period{april.Start, april.Start}, april.Start, "shorter than a second"},
		{"inverted period", Period{april.End, april.Start}, april.Start, "shorter than a second"},
		{"sub-second period", Period{april.Start, april.Start.Add(time.Millisecond)}, april.Start, "shorter than a second"},
		{"zero period", Period{}, time.Time{}, "shorter than a second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr, err := NewProration(tt.p, tt.at)
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Fatalf("NewProration(%v, %v) = %+v, %v; want an error saying %q", tt.p, tt.at, pr, err, tt.wantMsg)
			}
			if _, err := QuotePlanChange(tt.p, tt.at, 1000, 2000); err == nil {
				t.Errorf("QuotePlanChange(%v, %v, ...) accepted what NewProration refuses", tt.p, tt.at)
			}
		})
	}
}

// TestQuotePlanChange gives each period's length and what is left of it in
// days, counted from the calendar, so that the expected shares follow from
// them without the code under test: amount × days left / days.
func TestQuotePlanChange(t *testing.T) {
	feb2027 := Period{day(2027, 2, 1), day(2027, 3, 1)}
	feb2028 := Period{day(2028, 2, 1), day(2028, 3, 1)}
	apr2027 := Period{day(2027, 4, 1), day(2027, 5, 1)}
	jan2027 := Period{day(2027, 1, 1), day(2027, 2, 1)}
	tests := []struct {
		name        string
		p           Period
		at          time.Time
		left, total time.Duration
		old, new    int64
		want        ChangeQuote
	}{
		{"28-day month upgrade", feb2027, day(2027, 2, 15), 14 * dayLen, 28 * dayLen, 1000, 2000,
			ChangeQuote{1000 * 14 / 28, 2000 * 14 / 28, 500}},
		{"28-day month downgrade", feb2027, day(2027, 2, 15), 14 * dayLen, 28 * dayLen, 2000, 1000,
			ChangeQuote{2000 * 14 / 28, 1000 * 14 / 28, -500}},
		{"29-day month upgrade", feb2028, day(2028, 2, 15), 15 * dayLen, 29 * dayLen, 2900, 5800,
			ChangeQuote{2900 * 15 / 29, 5800 * 15 / 29, 1500}},
		{"29-day month downgrade, rounded", feb2028, day(2028, 2, 15), 15 * dayLen, 29 * dayLen, 1000, 500,
			ChangeQuote{517, 259, -258}}, // 517.24 and 258.62
		{"30-day month upgrade", apr2027, day(2027, 4, 11), 20 * dayLen, 30 * dayLen, 1500, 4500,
			ChangeQuote{1500 * 20 / 30, 4500 * 20 / 30, 2000}},
		{"30-day month downgrade", apr2027, day(2027, 4, 11), 20 * dayLen, 30 * dayLen, 999, 333,
			ChangeQuote{999 * 20 / 30, 333 * 20 / 30, -444}},
		{"31-day month upgrade", jan2027, day(2027, 1, 16), 16 * dayLen, 31 * dayLen, 3100, 6200,
			ChangeQuote{3100 * 16 / 31, 6200 * 16 / 31, 1600}},
		{"31-day month downgrade to free, rounded", jan2027, day(2027, 1, 16), 16 * dayLen, 31 * dayLen, 1000, 0,
			ChangeQuote{516, 0, -516}}, // 516.13
		{"clamped period Feb 28 to Mar 31", PeriodAt(day(2027, 1, 31), Monthly, 1), day(2027, 3, 14), 17 * dayLen, 31 * dayLen, 3100, 6200,
			ChangeQuote{3100 * 17 / 31, 6200 * 17 / 31, 1700}},
		{"leap year", Period{day(2028, 1, 1), day(2029, 1, 1)}, day(2028, 7, 1), 184 * dayLen, 366 * dayLen, 36600, 73200,
			ChangeQuote{36600 * 184 / 366, 73200 * 184 / 366, 18400}},
		{"year from a leap day", PeriodAt(day(2028, 2, 29), Annual, 0), day(2028, 8, 31), 181 * dayLen, 365 * dayLen, 36500, 0,
			ChangeQuote{36500 * 181 / 365, 0, -18100}},
		{"at the exact start, full share", apr2027, apr2027.Start, 30 * dayLen, 30 * dayLen, 1000, 2000,
			ChangeQuote{1000, 2000, 1000}},
		{"at the exact end, nothing", apr2027, apr2027.End, 0, 30 * dayLen, 1000, 2000,
			ChangeQuote{0, 0, 0}},
		{"last second", apr2027, apr2027.End.Add(-time.Second), time.Second, 30 * dayLen, 2_592_000, 7_776_000,
			ChangeQuote{1, 3, 2}},
		{"last second of a small price", apr2027, apr2027.End.Add(-time.Second), time.Second, 30 * dayLen, 1999, 4999,
			ChangeQuote{0, 0, 0}},
		{"ties round to even, 1 second left", apr2027, apr2027.End.Add(-time.Second), time.Second, 30 * dayLen, 1_296_000, 3_888_000,
			ChangeQuote{0, 2, 2}}, // 0.5 and 1.5
		{"ties round to even, 3 seconds left", apr2027, apr2027.End.Add(-3 * time.Second), 3 * time.Second, 30 * dayLen, 1_296_000, 3_888_000,
			ChangeQuote{2, 4, 2}}, // 1.5 and 4.5
		{"ties round to even, 5 seconds left", apr2027, apr2027.End.Add(-5 * time.Second), 5 * time.Second, 30 * dayLen, 1_296_000, 3_888_000,
			ChangeQuote{2, 8, 6}}, // 2.5 and 7.5
		{"ties at half a 30-day month", apr2027, day(2027, 4, 16), 15 * dayLen, 30 * dayLen, 1999, 2001,
			ChangeQuote{1000, 1000, 0}}, // 999.5 and 1000.5
		{"ties at half a 31-day month", jan2027, at(2027, 1, 16, 12, 0, 0), 15*dayLen + 12*time.Hour, 31 * dayLen, 1001, 1003,
			ChangeQuote{500, 502, 2}}, // 500.5 and 501.5
		{"JPY in a 30-day month", apr2027, day(2027, 4, 21), 10 * dayLen, 30 * dayLen, 1200, 3000,
			ChangeQuote{1200 * 10 / 30, 3000 * 10 / 30, 600}},
		{"JPY in a 31-day month, rounded", jan2027, day(2027, 1, 22), 10 * dayLen, 31 * dayLen, 1200, 3000,
			ChangeQuote{387, 968, 581}}, // 387.10 and 967.74
		{"JPY downgrade in a 28-day month", feb2027, day(2027, 2, 22), 7 * dayLen, 28 * dayLen, 1200, 600,
			ChangeQuote{1200 * 7 / 28, 600 * 7 / 28, -150}},
		{"same price", apr2027, day(2027, 4, 11), 20 * dayLen, 30 * dayLen, 1234, 1234,
			ChangeQuote{823, 823, 0}}, // 822.67
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The day counts must describe the period: the check on them
			// is what makes the expected values independent.
			pr, err := NewProration(tt.p, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if pr.SecondsLeft != int64(tt.left/time.Second) || pr.SecondsTotal != int64(tt.total/time.Second) {
				t.Fatalf("%v – %v at %v: %d of %d seconds left, table says %v of %v", tt.p.Start, tt.p.End, tt.at, pr.SecondsLeft, pr.SecondsTotal, tt.left, tt.total)
			}
			got, err := QuotePlanChange(tt.p, tt.at, tt.old, tt.new)
			if err != nil || got != tt.want {
				t.Errorf("QuotePlanChange(%v – %v, %v, %d, %d) = %+v, %v; want %+v", tt.p.Start, tt.p.End, tt.at, tt.old, tt.new, got, err, tt.want)
			}
			if got.Net != got.Charge-got.Credit {
				t.Errorf("Net %d is not Charge %d - Credit %d", got.Net, got.Charge, got.Credit)
			}
		})
	}
}

func TestQuotePlanChangeErrors(t *testing.T) {
	april := Period{day(2027, 4, 1), day(2027, 5, 1)}
	tests := []struct {
		name     string
		old, new int64
	}{
		{"negative old", -1000, 2000},
		{"negative new", 1000, -2000},
		{"both negative", -1000, -2000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := QuotePlanChange(april, day(2027, 4, 11), tt.old, tt.new)
			if err == nil {
				t.Fatalf("QuotePlanChange(%d, %d) = %+v, want an error", tt.old, tt.new, q)
			}
			if msg := err.Error(); !strings.Contains(msg, fmt.Sprint(tt.old)) || !strings.Contains(msg, fmt.Sprint(tt.new)) {
				t.Errorf("error %q does not name the amounts", msg)
			}
		})
	}
}

// TestQuotePlanChangeComposes changes plan twice in one period, A→B at t1
// then B→C at t2, the second quote crediting B: the price effectively paid
// for the rest of the period after the first change. Paying A at the start
// and then both nets must come to each price for the days it was used.
func TestQuotePlanChangeComposes(t *testing.T) {
	tests := []struct {
		name       string
		p          Period
		t1, t2     time.Time
		a, b, c    int64
		net1, net2 int64
		total      int64 // The day-weighted prices, from the calendar.
	}{
		{"30-day month, up then down", Period{day(2027, 4, 1), day(2027, 5, 1)}, day(2027, 4, 11), day(2027, 4, 21), 3000, 6000, 1500,
			6000*20/30 - 3000*20/30, 1500*10/30 - 6000*10/30, 3000*10/30 + 6000*10/30 + 1500*10/30},
		{"28-day month, up then cancel to free", Period{day(2027, 2, 1), day(2027, 3, 1)}, day(2027, 2, 8), day(2027, 2, 22), 2800, 5600, 0,
			5600*21/28 - 2800*21/28, 0 - 5600*7/28, 2800*7/28 + 5600*14/28},
		{"29-day month, down then up", Period{day(2028, 2, 1), day(2028, 3, 1)}, day(2028, 2, 11), day(2028, 2, 21), 2900, 1450, 5800,
			1450*19/29 - 2900*19/29, 5800*9/29 - 1450*9/29, 2900*10/29 + 1450*10/29 + 5800*9/29},
		{"31-day month, rounded", Period{day(2027, 1, 1), day(2027, 2, 1)}, day(2027, 1, 11), day(2027, 1, 21), 1000, 2000, 1500,
			1355 - 677, 532 - 710, (1000*10 + 2000*10 + 1500*11) / 31}, // 1354.84 - 677.42, 532.26 - 709.68; total 1500 exactly.
		{"JPY, a week apart", Period{day(2027, 4, 1), day(2027, 5, 1)}, day(2027, 4, 8), day(2027, 4, 15), 1200, 2400, 600,
			2400*23/30 - 1200*23/30, 600*16/30 - 2400*16/30, 1200*7/30 + 2400*7/30 + 600*16/30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q1, err := QuotePlanChange(tt.p, tt.t1, tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			q2, err := QuotePlanChange(tt.p, tt.t2, tt.b, tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if q1.Net != tt.net1 || q2.Net != tt.net2 {
				t.Errorf("nets %d and %d, want %d and %d", q1.Net, q2.Net, tt.net1, tt.net2)
			}
			if got := tt.a + q1.Net + q2.Net; got != tt.total {
				t.Errorf("paid %d + %d + %d = %d over the period, want %d", tt.a, q1.Net, q2.Net, got, tt.total)
			}
			// Crediting A again in the second change, the price invoiced at
			// the start, would credit time B already paid for.
			wrong, err := QuotePlanChange(tt.p, tt.t2, tt.a, tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if tt.a+q1.Net+wrong.Net == tt.total {
				t.Errorf("crediting %d instead of %d at the second change also comes to %d; the case does not tell them apart", tt.a, tt.b, tt.total)
			}
		})
	}
}

// TestQuotePlanChangeComposesRandom checks, on random periods, instants and
// prices, that two changes bill each price for its part of the period to
// within rounding (each of the four shares is off by at most half a unit),
// and that two changes at the same instant are exactly the direct change.
func TestQuotePlanChangeComposesRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(2028, 2))
	price := func() int64 { return rng.Int64N(1 << uint(1+rng.IntN(40))) }
	for range 5000 {
		p := PeriodAt(randomAnchor(rng), allCycles[rng.IntN(len(allCycles))], rng.IntN(50))
		secs := p.Seconds()
		s1, s2 := rng.Int64N(secs+1), rng.Int64N(secs+1)
		s1, s2 = min(s1, s2), max(s1, s2)
		t1, t2 := p.Start.Add(time.Duration(s1)*time.Second), p.Start.Add(time.Duration(s2)*time.Second)
		a, b, c := price(), price(), price()

		q1, err1 := QuotePlanChange(p, t1, a, b)
		q2, err2 := QuotePlanChange(p, t2, b, c)
		if err1 != nil || err2 != nil {
			t.Fatalf("%v – %v: %v, %v", p.Start, p.End, err1, err2)
		}
		// exact = (a×s1 + b×(s2-s1) + c×(secs-s2)) / secs
		exact := new(big.Int).Mul(big.NewInt(a), big.NewInt(s1))
		exact.Add(exact, new(big.Int).Mul(big.NewInt(b), big.NewInt(s2-s1)))
		exact.Add(exact, new(big.Int).Mul(big.NewInt(c), big.NewInt(secs-s2)))
		paid := new(big.Int).Mul(big.NewInt(a+q1.Net+q2.Net), big.NewInt(secs))
		if dev := paid.Sub(paid, exact); dev.CmpAbs(big.NewInt(2*secs)) > 0 {
			t.Fatalf("%v – %v, %d→%d at %v, %d→%d at %v: paid %d, more than 2 units from %v/%d", p.Start, p.End, a, b, t1, b, c, t2, a+q1.Net+q2.Net, exact, secs)
		}

		same, err := QuotePlanChange(p, t1, b, c)
		if err != nil {
			t.Fatal(err)
		}
		direct, err := QuotePlanChange(p, t1, a, c)
		if err != nil {
			t.Fatal(err)
		}
		if q1.Net+same.Net != direct.Net {
			t.Fatalf("%v – %v at %v: %d→%d→%d nets %d + %d, but %d→%d directly nets %d", p.Start, p.End, t1, a, b, c, q1.Net, same.Net, a, c, direct.Net)
		}
	}
}

func ExampleQuotePlanChange() {
	anchor := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	now := time.Date(2027, 4, 11, 0, 0, 0, 0, time.UTC)
	april, _ := PeriodContaining(anchor, Monthly, now)
	// Upgrade from 10.00 to 30.00 a month with 20 of April's 30 days left.
	q, err := QuotePlanChange(april, now, 1000, 3000)
	if err != nil {
		panic(err)
	}
	fmt.Printf("credit %d, charge %d, due now %d\n", q.Credit, q.Charge, q.Net)
	// Output: credit 667, charge 2000, due now 1333
}
