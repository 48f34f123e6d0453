package money

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
)

// Allocate splits a into one part per weight, proportional to the weights,
// such that the parts add up to a exactly: no minor unit is made or lost, as
// when a bundle's price is spread over its line items. Each part first gets
// its share rounded towards zero; the few minor units left over then go one
// each to the parts with the largest remainders, the earliest part first among
// equal remainders (largest-remainder method). A zero weight gets zero. A
// negative amount is split by its magnitude, so that a refund mirrors the
// charge it undoes.
func (a Amount) Allocate(weights ...int64) ([]Amount, error) {
	total := new(big.Int)
	for i, w := range weights {
		if w < 0 {
			return nil, fmt.Errorf("allocate %s: weight %d at index %d is negative", a, w, i)
		}
		total.Add(total, big.NewInt(w))
	}
	if total.Sign() == 0 {
		return nil, fmt.Errorf("allocate %s: weights %v have no positive weight", a, weights)
	}

	// The products magnitude×weight need up to 126 bits and the total up to
	// 64+log2(len(weights)), hence big.Int; the shares fit back in uint64.
	mag := new(big.Int).SetUint64(magnitude(a.Minor))
	shares := make([]uint64, len(weights))
	remainders := make([]*big.Int, len(weights))
	var given uint64
	for i, w := range weights {
		q, r := new(big.Int).QuoRem(new(big.Int).Mul(mag, big.NewInt(w)), total, new(big.Int))
		shares[i] = q.Uint64()
		remainders[i] = r
		given += shares[i]
	}

	// The remainders add up to leftover×total and each is below total, so
	// fewer than len(weights) units are left, and all go to parts with a
	// non-zero remainder.
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int { return remainders[j].Cmp(remainders[i]) })
	for _, i := range order[:mag.Uint64()-given] {
		shares[i]++
	}

	parts := make([]Amount, len(shares))
	for i, s := range shares {
		parts[i] = Amount{Minor: signed(s, a.Minor < 0), Currency: a.Currency}
	}
	return parts, nil
}

// MulRatioFloor returns minor×num/den rounded down (toward minus
// infinity), exactly: where a share must never exceed what it is a share
// of (what was paid for part of a period, the credit that may come back).
// It returns 0 when den is not positive.
func MulRatioFloor(minor, num, den int64) int64 {
	if den <= 0 {
		return 0
	}
	r := new(big.Int).Mul(big.NewInt(minor), big.NewInt(num))
	return r.Div(r, big.NewInt(den)).Int64() // Euclidean division: the floor for den > 0
}

// MulRatioHalfEven returns minor×num/den rounded half to even, exactly: the
// product is kept in 128 bits, so no input overflows before the division. It
// is the rounding step of tax (amount × rate) and proration (amount ×
// seconds left / seconds in the period), where half-to-even keeps the
// rounding unbiased over many invoices. den must be positive and the result
// must fit in int64.
func MulRatioHalfEven(minor, num, den int64) (int64, error) {
	if den <= 0 {
		return 0, fmt.Errorf("MulRatioHalfEven(%d, %d, %d): denominator must be positive", minor, num, den)
	}
	neg := (minor < 0) != (num < 0)
	limit := uint64(math.MaxInt64)
	if neg {
		limit++ // math.MinInt64 has one more unit of magnitude.
	}

	d := uint64(den)
	hi, lo := bits.Mul64(magnitude(minor), magnitude(num))
	if hi < d { // Otherwise the quotient needs more than 64 bits.
		q, r := bits.Div64(hi, lo, d)
		// r > d-r is 2r > d without overflowing: more than half rounds up,
		// and exactly half rounds to the even neighbour.
		roundUp := r > d-r || (r == d-r && q%2 == 1)
		if q < limit || (q == limit && !roundUp) {
			if roundUp {
				q++
			}
			return signed(q, neg), nil
		}
	}
	return 0, fmt.Errorf("%w: %d * %d / %d", ErrOverflow, minor, num, den)
}
