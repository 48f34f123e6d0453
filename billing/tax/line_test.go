package tax

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ezscale/ezscale/billing/money"
)

func TestCompute(t *testing.T) {
	excl := func(rate int64) Rate { return Rate{Name: "excl", Rate: rate} }
	incl := func(rate int64) Rate { return Rate{Name: "incl", Rate: rate, Inclusive: true} }
	tests := []struct {
		name   string
		amount int64
		rate   Rate
		charge bool
		want   LineTax
	}{
		{"exclusive 20%", 1000, excl(20000), true, LineTax{1000, 200, 1200}},
		{"exclusive 19% rounds down", 1999, excl(19000), true, LineTax{1999, 380, 2379}},         // 379.81
		{"exclusive 8.875% tie to even up", 10000, excl(8875), true, LineTax{10000, 888, 10888}}, // 887.5
		{"exclusive tie to even up", 50, excl(19000), true, LineTax{50, 10, 60}},                 // 9.5
		{"exclusive tie to even down", 150, excl(19000), true, LineTax{150, 28, 178}},            // 28.5
		{"exclusive tie 1250 at 19%", 1250, excl(19000), true, LineTax{1250, 238, 1488}},         // 237.5
		{"inclusive 12.00 at 20%", 1200, incl(20000), true, LineTax{1000, 200, 1200}},
		{"inclusive 9.99 at 21%", 999, incl(21000), true, LineTax{826, 173, 999}}, // 173.38
		{"inclusive tie to even down", 3, incl(20000), true, LineTax{3, 0, 3}},    // 0.5
		{"inclusive tie to even up", 9, incl(20000), true, LineTax{7, 2, 9}},      // 1.5
		{"inclusive 8.875%", 10888, incl(8875), true, LineTax{10000, 888, 10888}}, // 887.5 + a little
		{"negative exclusive tie", -1250, excl(19000), true, LineTax{-1250, -238, -1488}},
		{"negative exclusive tie down", -150, excl(19000), true, LineTax{-150, -28, -178}},
		{"negative discount line", -500, excl(20000), true, LineTax{-500, -100, -600}},
		{"negative inclusive", -1200, incl(20000), true, LineTax{-1000, -200, -1200}},
		{"negative inclusive tie", -9, incl(20000), true, LineTax{-7, -2, -9}},
		{"zero-decimal exclusive 10%", 1000, excl(10000), true, LineTax{1000, 100, 1100}}, // JPY
		{"zero-decimal tie down", 1005, excl(10000), true, LineTax{1005, 100, 1105}},      // 100.5
		{"zero-decimal tie up", 1015, excl(10000), true, LineTax{1015, 102, 1117}},        // 101.5
		{"zero-decimal inclusive 10%", 1100, incl(10000), true, LineTax{1000, 100, 1100}},
		{"zero-decimal inclusive 8%", 1080, incl(8000), true, LineTax{1000, 80, 1080}},
		{"zero rate", 1000, excl(0), true, LineTax{1000, 0, 1000}},
		{"zero amount", 0, excl(20000), true, LineTax{0, 0, 0}},
		{"100% exclusive", 1000, excl(100000), true, LineTax{1000, 1000, 2000}},
		{"100% inclusive", 1000, incl(100000), true, LineTax{500, 500, 1000}},
		{"not charged exclusive", 1000, excl(20000), false, LineTax{1000, 0, 1000}},
		{"not charged inclusive pays listed price", 1200, incl(20000), false, LineTax{1200, 0, 1200}},
		{"not charged zero rate", -300, Rate{}, false, LineTax{-300, 0, -300}},
		{"largest exclusive", 1<<62 - 1, excl(100000), true, LineTax{1<<62 - 1, 1<<62 - 1, math.MaxInt64 - 1}},
		{"largest inclusive", math.MaxInt64, incl(20000), true, LineTax{7686143364045646506, 1537228672809129301, math.MaxInt64}},
		{"smallest inclusive", math.MinInt64, incl(100000), true, LineTax{math.MinInt64 / 2, math.MinInt64 / 2, math.MinInt64}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.amount, tt.rate, tt.charge)
			if err != nil || got != tt.want {
				t.Errorf("Compute(%d, %+v, %v) = %+v, %v; want %+v", tt.amount, tt.rate, tt.charge, got, err, tt.want)
			}
		})
	}
}

func TestComputeErrors(t *testing.T) {
	tests := []struct {
		name     string
		amount   int64
		rate     Rate
		charge   bool
		overflow bool
	}{
		{"negative rate", 1000, Rate{Rate: -1}, true, false},
		{"rate above 100%", 1000, Rate{Rate: 100001}, true, false},
		{"rate above 100% even when not charged", 1000, Rate{Rate: 200000, Inclusive: true}, false, false},
		{"gross overflows", math.MaxInt64, Rate{Rate: 20000}, true, true},
		{"negative gross overflows", math.MinInt64, Rate{Rate: 1000}, true, true},
		{"gross overflows by one", 1 << 62, Rate{Rate: 100000}, true, true}, // 2^63
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Compute(tt.amount, tt.rate, tt.charge)
			if err == nil {
				t.Fatalf("Compute(%d, %+v, %v) = %+v, want an error", tt.amount, tt.rate, tt.charge, got)
			}
			if errors.Is(err, money.ErrOverflow) != tt.overflow {
				t.Errorf("Compute(%d, %+v) error %v, want overflow %v", tt.amount, tt.rate, err, tt.overflow)
			}
		})
	}
}

// TestComputeMatchesBig checks random lines against an independent math/big
// computation, and that every result balances: Net + Tax == Gross.
func TestComputeMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 2024))
	for range 20000 {
		amount := rng.Int64N(2_000_000_000) - 1_000_000_000
		r := Rate{Rate: rng.Int64N(100001), Inclusive: rng.IntN(2) == 0}
		if rng.IntN(4) == 0 {
			r.Rate = []int64{5000, 10000, 19000, 20000, 21000, 8875}[rng.IntN(6)]
		}
		got, err := Compute(amount, r, true)
		if err != nil {
			t.Fatalf("Compute(%d, %+v): %v", amount, r, err)
		}
		den := int64(percent)
		if r.Inclusive {
			den += r.Rate
		}
		if want := halfEven(amount*r.Rate, den); got.Tax != want {
			t.Fatalf("Compute(%d, %+v).Tax = %d, want %d", amount, r, got.Tax, want)
		}
		if got.Net+got.Tax != got.Gross {
			t.Fatalf("Compute(%d, %+v) = %+v, which does not balance", amount, r, got)
		}
		if neg, err := Compute(-amount, r, true); err != nil || neg.Tax != -got.Tax {
			t.Fatalf("Compute(%d, %+v) = %+v, %v; want the mirror of %+v", -amount, r, neg, err, got)
		}
	}
}

// halfEven is the reference rounding for the tests: num/den rounded half to
// even through math/big, independent of money.MulRatioHalfEven.
func halfEven(num, den int64) int64 {
	r := new(big.Rat).SetFrac64(num, den)
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int)) // Truncates towards zero.
	twice := new(big.Int).Lsh(new(big.Int).Abs(m), 1)
	if c := twice.Cmp(r.Denom()); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(int64(r.Num().Sign())))
	}
	return q.Int64()
}

func BenchmarkCompute(b *testing.B) {
	r := Rate{Name: "VAT 20%", Country: "GB", Rate: 20000, Inclusive: true}
	for b.Loop() {
		if _, err := Compute(1999, r, true); err != nil {
			b.Fatal(err)
		}
	}
}
