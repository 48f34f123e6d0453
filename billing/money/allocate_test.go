package money

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestAllocate(t *testing.T) {
	tests := []struct {
		name     string
		minor    int64
		currency string
		weights  []int64
		want     []int64
	}{
		{"even split", 100, "USD", []int64{1, 1, 1}, []int64{34, 33, 33}},
		{"leftover to earliest", 200, "USD", []int64{1, 1, 1}, []int64{67, 67, 66}},
		{"largest remainder wins", 100, "USD", []int64{1, 2}, []int64{33, 67}},
		{"proportional", 1000, "EUR", []int64{50, 30, 20}, []int64{500, 300, 200}},
		{"single part", 1234, "USD", []int64{7}, []int64{1234}},
		{"zero weight gets zero", 5, "USD", []int64{0, 1, 0, 1}, []int64{0, 3, 0, 2}},
		{"negative mirrors positive", -100, "USD", []int64{1, 1, 1}, []int64{-34, -33, -33}},
		{"zero amount", 0, "USD", []int64{3, 1}, []int64{0, 0}},
		{"fewer units than parts", 2, "JPY", []int64{1, 1, 1, 1}, []int64{1, 1, 0, 0}},
		{"three decimals", 1001, "KWD", []int64{1, 1}, []int64{501, 500}},
		{"max amount", math.MaxInt64, "USD", []int64{1, 1}, []int64{math.MaxInt64/2 + 1, math.MaxInt64 / 2}},
		{"min amount", math.MinInt64, "USD", []int64{1, 1}, []int64{math.MinInt64 / 2, math.MinInt64 / 2}},
		{"huge weights", 10, "USD", []int64{math.MaxInt64, math.MaxInt64, math.MaxInt64}, []int64{4, 3, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := MustNew(tt.minor, tt.currency)
			parts, err := a.Allocate(tt.weights...)
			if err != nil {
				t.Fatalf("%v.Allocate(%v): %v", a, tt.weights, err)
			}
			want := make([]Amount, len(tt.want))
			for i, m := range tt.want {
				want[i] = MustNew(m, tt.currency)
			}
			if !slices.Equal(parts, want) {
				t.Errorf("%v.Allocate(%v) = %v, want %v", a, tt.weights, parts, want)
			}
		})
	}
}

func TestAllocateErrors(t *testing.T) {
	tests := []struct {
		name    string
		weights []int64
		wantMsg string
	}{
		{"no weights", nil, "no positive weight"},
		{"all zero", []int64{0, 0}, "no positive weight"},
		{"negative", []int64{1, -2, 3}, "weight -2 at index 1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, err := MustNew(100, "USD").Allocate(tt.weights...)
			if err == nil {
				t.Fatalf("Allocate(%v) = %v, want an error", tt.weights, parts)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) || !strings.Contains(err.Error(), "1.00 USD") {
				t.Errorf("Allocate(%v) error %q, want it to name the amount and say %q", tt.weights, err, tt.wantMsg)
			}
		})
	}
}

// TestAllocateProperties checks on random inputs that the parts add up to
// the amount, keep its sign and currency, and each lie within one minor unit
// of the exact proportional share.
func TestAllocateProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 7))
	for range 5000 {
		a := MustNew(int64(rng.Uint64())>>rng.IntN(64), "USD")
		weights := make([]int64, 1+rng.IntN(12))
		for i := range weights {
			switch rng.IntN(4) {
			case 0:
				weights[i] = 0
			case 1:
				weights[i] = rng.Int64()
			default:
				weights[i] = rng.Int64N(1000)
			}
		}
		if slices.Max(weights) == 0 {
			weights[0] = 1
		}
		parts, err := a.Allocate(weights...)
		if err != nil {
			t.Fatalf("%v.Allocate(%v): %v", a, weights, err)
		}

		sum := new(big.Int)
		total := new(big.Int)
		for _, w := range weights {
			total.Add(total, big.NewInt(w))
		}
		for i, p := range parts {
			if p.Currency != a.Currency || (p.Minor != 0 && p.IsNegative() != a.IsNegative()) {
				t.Fatalf("%v.Allocate(%v)[%d] = %v", a, weights, i, p)
			}
			sum.Add(sum, big.NewInt(p.Minor))
			// |part*total - amount*weight| < total, i.e. off by under one unit.
			dev := new(big.Int).Mul(big.NewInt(p.Minor), total)
			dev.Sub(dev, new(big.Int).Mul(big.NewInt(a.Minor), big.NewInt(weights[i])))
			if dev.CmpAbs(total) >= 0 {
				t.Fatalf("%v.Allocate(%v)[%d] = %v, more than a unit from its share", a, weights, i, p)
			}
		}
		if sum.Cmp(big.NewInt(a.Minor)) != 0 {
			t.Fatalf("%v.Allocate(%v) = %v, which adds up to %v", a, weights, parts, sum)
		}
	}
}

func TestMulRatioHalfEven(t *testing.T) {
	tests := []struct {
		name            string
		minor, num, den int64
		want            int64
	}{
		{"exact", 1000, 3, 4, 750},
		{"2.5 to 2", 5, 1, 2, 2},
		{"3.5 to 4", 7, 1, 2, 4},
		{"-2.5 to -2", -5, 1, 2, -2},
		{"-3.5 to -4", 7, -1, 2, -4},
		{"0.5 to 0", 1, 1, 2, 0},
		{"1.5 to 2", 3, 1, 2, 2},
		{"below half", 1, 1, 3, 0},
		{"above half", 2, 1, 3, 1},
		{"negative above half", -2, 1, 3, -1},
		{"both negative", -5, -1, 2, 2},
		{"zero num", 123, 0, 7, 0},
		{"zero minor", 0, -5, 7, 0},
		{"vat 20%", 1999, 20, 100, 400},                 // 399.8
		{"vat 19% tie", 1250, 19, 100, 238},             // 237.5
		{"proration", 1999, 1_296_000, 2_592_000, 1000}, // 999.5
		{"proration one second", 1999, 1, 2_592_000, 0}, // 0.00077
		{"product beyond int64", math.MaxInt64, math.MaxInt64, math.MaxInt64, math.MaxInt64},
		{"max int64", math.MaxInt64, 1, 1, math.MaxInt64},
		{"min int64", math.MinInt64, 1, 1, math.MinInt64},
		{"min int64 by parts", math.MinInt64 / 2, 2, 1, math.MinInt64},
		{"huge tie", math.MaxInt64, 1, 2, 1 << 62}, // 2^62 - 0.5 rounds to even 2^62
		{"max den", math.MaxInt64, 3, math.MaxInt64, 3},
		{"tie rounds to min int64", -(1<<32 - 1), 1<<32 + 1, 2, math.MinInt64}, // -(2^63 - 0.5)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MulRatioHalfEven(tt.minor, tt.num, tt.den)
			if err != nil || got != tt.want {
				t.Errorf("MulRatioHalfEven(%d, %d, %d) = %d, %v; want %d", tt.minor, tt.num, tt.den, got, err, tt.want)
			}
		})
	}
}

func TestMulRatioHalfEvenErrors(t *testing.T) {
	tests := []struct {
		name            string
		minor, num, den int64
		wantErr         error // nil means any error
	}{
		{"zero den", 1, 1, 0, nil},
		{"negative den", 1, 1, -2, nil},
		{"min int64 den", 1, 1, math.MinInt64, nil},
		{"max int64 times two", math.MaxInt64, 2, 1, ErrOverflow},
		{"negated min int64", math.MinInt64, -1, 1, ErrOverflow},
		{"quotient beyond 64 bits", math.MaxInt64, math.MaxInt64, 2, ErrOverflow},
		{"far beyond min", math.MinInt64, 3, 2, ErrOverflow},
		{"tie rounds past max", 1<<32 - 1, 1<<32 + 1, 2, ErrOverflow}, // 2^63 - 0.5
		{"rounds past min", -5043768886358791, 5486, 3, ErrOverflow},  // -(2^63 + 2/3)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MulRatioHalfEven(tt.minor, tt.num, tt.den)
			if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("MulRatioHalfEven(%d, %d, %d) = %d, %v; want error %v", tt.minor, tt.num, tt.den, got, err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), strconv.FormatInt(tt.den, 10)) {
				t.Errorf("error %q does not name the inputs", err)
			}
		})
	}
}

// TestMulRatioHalfEvenMatchesBig checks random inputs of every magnitude
// against an independent math/big computation.
func TestMulRatioHalfEvenMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(1729, 3))
	random := func() int64 { return int64(rng.Uint64()) >> rng.IntN(64) }
	for i := range 20000 {
		minor, num, den := random(), random(), random()
		if den <= 0 {
			den = 1 + rng.Int64N(10)
		}
		if i%3 == 0 {
			// Make exact halves common, to exercise the ties.
			den = 2 * (1 + rng.Int64N(1000))
			num = den/2 + rng.Int64N(3) - 1
		}
		want, wantOK := halfEvenBig(minor, num, den)
		got, err := MulRatioHalfEven(minor, num, den)
		if (err == nil) != wantOK || (wantOK && got != want) {
			t.Fatalf("MulRatioHalfEven(%d, %d, %d) = %d, %v; want %d (fits: %v)", minor, num, den, got, err, want, wantOK)
		}
		if err != nil && !errors.Is(err, ErrOverflow) {
			t.Fatalf("MulRatioHalfEven(%d, %d, %d) error = %v, want ErrOverflow", minor, num, den, err)
		}
	}
}

// halfEvenBig is the reference for MulRatioHalfEven: a rational rounded by
// comparing twice the remainder with the denominator.
func halfEvenBig(minor, num, den int64) (int64, bool) {
	p := new(big.Int).Mul(big.NewInt(minor), big.NewInt(num))
	d := big.NewInt(den)
	q, r := new(big.Int).QuoRem(p, d, new(big.Int)) // Truncates towards zero.
	twice := new(big.Int).Abs(r)
	twice.Lsh(twice, 1)
	if c := twice.Cmp(d); c > 0 || (c == 0 && q.Bit(0) == 1) {
		q.Add(q, big.NewInt(int64(p.Sign())))
	}
	return q.Int64(), q.IsInt64()
}

func BenchmarkMulRatioHalfEven(b *testing.B) {
	// A month's proration of a price: the common case in billing runs.
	for b.Loop() {
		if _, err := MulRatioHalfEven(1999, 1_296_000, 2_592_000); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMulRatioFloor(t *testing.T) {
	tests := []struct{ minor, num, den, want int64 }{
		{1000, 1, 3, 333},
		{-1000, 1, 3, -334}, // toward minus infinity: a debit share is never smaller
		{math.MaxInt64, 2, 4, math.MaxInt64 / 2},
		{1550, 1200, 2400, 775},
		{5, 7, 0, 0},
	}
	for _, tt := range tests {
		if got := MulRatioFloor(tt.minor, tt.num, tt.den); got != tt.want {
			t.Errorf("MulRatioFloor(%d, %d, %d) = %d, want %d", tt.minor, tt.num, tt.den, got, tt.want)
		}
	}
}
