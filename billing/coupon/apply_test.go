package coupon

import (
	"slices"
	"testing"
	"time"
)

var (
	starts  = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	expires = time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
)

// use returns an attempt that every percent(15) coupon accepts.
func use() Use {
	return Use{Now: starts.Add(24 * time.Hour), PlanIDs: []string{"vps-s"}, Currency: "EUR", Subtotal: 5000}
}

func TestCheck(t *testing.T) {
	paris := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name     string
		coupon   func(*Coupon)
		use      func(*Use)
		wantCode string // empty: applies
		wantMsg  string
	}{
		{"applies", func(c *Coupon) {}, func(u *Use) {}, "", ""},

		{"invalid", func(c *Coupon) { c.PercentOff = 101 }, func(u *Use) {},
			CodeInvalid, "coupon TEST is misconfigured: percent_off 101 is outside 1..100"},
		{"invalid before inactive", func(c *Coupon) { c.PercentOff, c.Active = 0, false }, func(u *Use) {},
			CodeInvalid, "coupon TEST is misconfigured: percent_off 0 is outside 1..100"},

		{"inactive", func(c *Coupon) { c.Active = false }, func(u *Use) {},
			CodeInactive, "coupon TEST is not active"},

		{"before start", func(c *Coupon) { c.StartsAt = starts }, func(u *Use) { u.Now = starts.Add(-time.Nanosecond) },
			CodeNotStarted, "coupon TEST is valid from 2025-06-01 00:00:00 UTC"},
		{"at start", func(c *Coupon) { c.StartsAt = starts }, func(u *Use) { u.Now = starts }, "", ""},
		{"start in another zone", func(c *Coupon) { c.StartsAt = starts.In(paris) }, func(u *Use) { u.Now = starts.Add(-time.Hour) },
			CodeNotStarted, "coupon TEST is valid from 2025-06-01 00:00:00 UTC"},
		{"before expiry", func(c *Coupon) { c.ExpiresAt = expires }, func(u *Use) { u.Now = expires.Add(-time.Nanosecond) }, "", ""},
		{"at expiry", func(c *Coupon) { c.ExpiresAt = expires }, func(u *Use) { u.Now = expires },
			CodeExpired, "coupon TEST expired on 2025-09-01 00:00:00 UTC"},
		{"after expiry", func(c *Coupon) { c.StartsAt, c.ExpiresAt = starts, expires }, func(u *Use) { u.Now = expires.AddDate(1, 0, 0) },
			CodeExpired, "coupon TEST expired on 2025-09-01 00:00:00 UTC"},

		{"unlimited uses", func(c *Coupon) { c.MaxUses = 0 }, func(u *Use) { u.TotalUses = 1_000_000 }, "", ""},
		{"one use left", func(c *Coupon) { c.MaxUses = 10 }, func(u *Use) { u.TotalUses = 9 }, "", ""},
		{"max uses reached", func(c *Coupon) { c.MaxUses = 10 }, func(u *Use) { u.TotalUses = 10 },
			CodeMaxUsesReached, "coupon TEST has reached its limit of 10 uses"},
		{"max uses exceeded", func(c *Coupon) { c.MaxUses = 10 }, func(u *Use) { u.TotalUses = 11 },
			CodeMaxUsesReached, "coupon TEST has reached its limit of 10 uses"},

		{"first use by customer", func(c *Coupon) { c.OncePerCustomer = true }, func(u *Use) { u.TotalUses = 5 }, "", ""},
		{"already used", func(c *Coupon) { c.OncePerCustomer = true }, func(u *Use) { u.CustomerUses = 1 },
			CodeAlreadyUsed, "coupon TEST can be used once per customer and was already used"},
		{"reuse allowed", func(c *Coupon) { c.OncePerCustomer = false }, func(u *Use) { u.CustomerUses = 3 }, "", ""},

		{"any plan", func(c *Coupon) { c.Plans = nil }, func(u *Use) { u.PlanIDs = []string{"dedicated-xl"} }, "", ""},
		{"eligible plan", func(c *Coupon) { c.Plans = []string{"vps-s", "vps-m"} }, func(u *Use) { u.PlanIDs = []string{"vps-m"} }, "", ""},
		{"one eligible plan of several", func(c *Coupon) { c.Plans = []string{"vps-s", "vps-m"} },
			func(u *Use) { u.PlanIDs = []string{"dedicated-xl", "vps-s"} }, "", ""},
		{"plan not eligible", func(c *Coupon) { c.Plans = []string{"vps-s", "vps-m"} }, func(u *Use) { u.PlanIDs = []string{"dedicated-xl"} },
			CodePlanNotEligible, "coupon TEST does not apply to any plan on this order"},
		{"order without plans", func(c *Coupon) { c.Plans = []string{"vps-s"} }, func(u *Use) { u.PlanIDs = nil },
			CodePlanNotEligible, "coupon TEST does not apply to any plan on this order"},

		{"fixed in its currency", func(c *Coupon) { *c = fixed(map[string]int64{"EUR": 500}) }, func(u *Use) {}, "", ""},
		{"fixed without amount in currency", func(c *Coupon) { *c = fixed(map[string]int64{"USD": 500}) }, func(u *Use) {},
			CodeCurrencyNotSupported, "coupon TEST cannot be used for orders in EUR"},
		{"percent in any currency", func(c *Coupon) {}, func(u *Use) { u.Currency = "JPY" }, "", ""},
		{"min order in other currencies only", func(c *Coupon) { c.MinOrder = map[string]int64{"USD": 2000} }, func(u *Use) {},
			CodeCurrencyNotSupported, "coupon TEST cannot be used for orders in EUR"},

		{"min order met exactly", func(c *Coupon) { c.MinOrder = map[string]int64{"EUR": 2000} }, func(u *Use) { u.Subtotal = 2000 }, "", ""},
		{"min order missed by one cent", func(c *Coupon) { c.MinOrder = map[string]int64{"EUR": 2000} }, func(u *Use) { u.Subtotal = 1999 },
			CodeMinOrderNotMet, "coupon TEST needs a larger order: minimum order is 20.00 EUR"},
		{"min order in yen", func(c *Coupon) { c.MinOrder = map[string]int64{"EUR": 2000, "JPY": 3000} },
			func(u *Use) { u.Currency, u.Subtotal = "JPY", 2999 },
			CodeMinOrderNotMet, "coupon TEST needs a larger order: minimum order is 3000 JPY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, u := percent(15), use()
			tt.coupon(&c)
			tt.use(&u)
			err := c.Check(u)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Check() = %v, want nil", err)
				}
				return
			}
			if !IsCode(err, tt.wantCode) || err.Error() != tt.wantMsg {
				t.Fatalf("Check() = %#v, want %s error %q", err, tt.wantCode, tt.wantMsg)
			}
		})
	}
}

// TestCheckOrder starts from an attempt that breaks every rule and mends them
// one at a time, so each step must report the next rule in the documented
// order.
func TestCheckOrder(t *testing.T) {
	c := Coupon{
		Code: "TEST", Kind: KindFixed, AmountsOff: map[string]int64{"USD": 500}, Duration: DurationOnce,
		StartsAt: starts, ExpiresAt: starts, MaxUses: 1, OncePerCustomer: true,
		Plans: []string{"vps-s"}, MinOrder: map[string]int64{"EUR": 2000},
	}
	u := Use{Now: expires, PlanIDs: []string{"dedicated-xl"}, Currency: "EUR", Subtotal: 100, TotalUses: 1, CustomerUses: 1}
	steps := []struct {
		wantCode string
		mend     func()
	}{
		{CodeInvalid, func() { c.ExpiresAt = expires }},
		{CodeInactive, func() { c.Active = true }},
		{CodeExpired, func() { u.Now = starts.Add(-time.Hour) }},
		{CodeNotStarted, func() { u.Now = starts }},
		{CodeMaxUsesReached, func() { c.MaxUses = 0 }},
		{CodeAlreadyUsed, func() { u.CustomerUses = 0 }},
		{CodePlanNotEligible, func() { u.PlanIDs = append(u.PlanIDs, "vps-s") }},
		{CodeCurrencyNotSupported, func() { c.AmountsOff["EUR"] = 500 }},
		{CodeMinOrderNotMet, func() { u.Subtotal = 2000 }},
		{"", nil},
	}
	for i, s := range steps {
		err := c.Check(u)
		if s.wantCode == "" {
			if err != nil {
				t.Fatalf("step %d: Check() = %v, want nil", i, err)
			}
			break
		}
		if !IsCode(err, s.wantCode) {
			t.Fatalf("step %d: Check() = %v, want code %s", i, err, s.wantCode)
		}
		s.mend()
	}
}

func TestDiscount(t *testing.T) {
	tests := []struct {
		name     string
		coupon   Coupon
		currency string
		amount   int64
		want     int64
	}{
		{"15% of 10 rounds tie up to even", percent(15), "USD", 10, 2},
		{"15% of 30 rounds tie down to even", percent(15), "USD", 30, 4},
		{"15% of 50 rounds tie up to even", percent(15), "USD", 50, 8},
		{"50% of 1 rounds tie to zero", percent(50), "USD", 1, 0},
		{"below half rounds down", percent(1), "USD", 49, 0},
		{"above half rounds up", percent(1), "USD", 51, 1},
		{"exact", percent(15), "EUR", 1000, 150},
		{"100%", percent(100), "EUR", 4999, 4999},
		{"percent of zero", percent(15), "EUR", 0, 0},
		{"percent in yen", percent(15), "JPY", 1234, 185},
		{"percent in yen tie", percent(15), "JPY", 1230, 184},
		{"fixed below amount", fixed(map[string]int64{"USD": 500}), "USD", 2000, 500},
		{"fixed equal to amount", fixed(map[string]int64{"USD": 500}), "USD", 500, 500},
		{"fixed larger than amount", fixed(map[string]int64{"USD": 500}), "USD", 300, 300},
		{"fixed of zero", fixed(map[string]int64{"USD": 500}), "USD", 0, 0},
		{"fixed picks currency", fixed(map[string]int64{"USD": 500, "JPY": 700}), "JPY", 2000, 700},
		{"fixed in yen larger than amount", fixed(map[string]int64{"JPY": 1000}), "JPY", 800, 800},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.coupon.Discount(tt.currency, tt.amount)
			if err != nil || got != tt.want {
				t.Errorf("Discount(%q, %d) = %d, %v; want %d, nil", tt.currency, tt.amount, got, err, tt.want)
			}
		})
	}
}

func TestDiscountErrors(t *testing.T) {
	tests := []struct {
		name     string
		coupon   Coupon
		currency string
		amount   int64
		wantCode string // empty: an error that is not an *Error
		wantMsg  string
	}{
		{"invalid", percent(150), "USD", 1000, CodeInvalid, "coupon TEST is misconfigured: percent_off 150 is outside 1..100"},
		{"fixed without currency", fixed(map[string]int64{"USD": 500}), "EUR", 1000,
			CodeCurrencyNotSupported, "coupon TEST cannot be used for orders in EUR"},
		{"negative amount", percent(15), "USD", -100, "", "coupon TEST: cannot discount the negative amount -1.00 USD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.coupon.Discount(tt.currency, tt.amount)
			if err == nil || got != 0 || err.Error() != tt.wantMsg {
				t.Fatalf("Discount(%q, %d) = %d, %v; want 0, %q", tt.currency, tt.amount, got, err, tt.wantMsg)
			}
			if tt.wantCode != "" && !IsCode(err, tt.wantCode) {
				t.Errorf("Discount error %#v, want code %s", err, tt.wantCode)
			}
		})
	}
}

func TestDiscountLines(t *testing.T) {
	usd500 := fixed(map[string]int64{"USD": 500, "JPY": 1000})
	tests := []struct {
		name     string
		coupon   Coupon
		currency string
		amounts  []int64
		eligible []bool
		want     []int64
	}{
		{"fixed split evenly", usd500, "USD", []int64{1000, 1000}, []bool{true, true}, []int64{250, 250}},
		{"fixed leftover by largest remainder", fixed(map[string]int64{"USD": 1000}), "USD",
			[]int64{3000, 2000, 1000}, []bool{true, true, true}, []int64{500, 333, 167}},
		{"fixed on eligible lines only", fixed(map[string]int64{"USD": 1000}), "USD",
			[]int64{3000, 2000, 1000}, []bool{true, false, true}, []int64{750, 0, 250}},
		{"fixed larger than eligible lines", usd500, "USD", []int64{100, 5000, 200}, []bool{true, false, true}, []int64{100, 0, 200}},
		{"fixed in yen", usd500, "JPY", []int64{1000, 1000, 1000}, []bool{true, true, true}, []int64{334, 333, 333}},
		{"fixed with a free line", usd500, "USD", []int64{0, 2000}, []bool{true, true}, []int64{0, 500}},
		{"percent ties to even on the total", percent(15), "USD", []int64{10, 10, 10}, []bool{true, true, true}, []int64{2, 1, 1}},
		// Rounding each line (199.5, 99.9) would take 300 off, not 10 % of 29.94.
		{"percent rounded once on eligible lines", percent(10), "EUR", []int64{1995, 4990, 999}, []bool{true, false, true}, []int64{199, 0, 100}},
		{"100% of eligible lines", percent(100), "EUR", []int64{1995, 4990}, []bool{false, true}, []int64{0, 4990}},
		{"ineligible negative line", percent(50), "EUR", []int64{1000, -300}, []bool{true, false}, []int64{500, 0}},
		{"no eligible line", usd500, "USD", []int64{1000, 2000}, []bool{false, false}, []int64{0, 0}},
		{"no lines", usd500, "USD", nil, nil, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.coupon.DiscountLines(tt.currency, tt.amounts, tt.eligible)
			if err != nil || !slices.Equal(got, tt.want) {
				t.Fatalf("DiscountLines(%q, %v, %v) = %v, %v; want %v", tt.currency, tt.amounts, tt.eligible, got, err, tt.want)
			}
			var eligibleSum, sum int64
			for i, a := range tt.amounts {
				if tt.eligible[i] {
					eligibleSum += a
				}
				sum += got[i]
			}
			total, err := tt.coupon.Discount(tt.currency, eligibleSum)
			if err != nil || sum != total {
				t.Errorf("lines sum to %d, but Discount(%q, %d) = %d, %v", sum, tt.currency, eligibleSum, total, err)
			}
		})
	}
}

func TestDiscountLinesErrors(t *testing.T) {
	tests := []struct {
		name     string
		coupon   Coupon
		currency string
		amounts  []int64
		eligible []bool
		wantCode string // empty: an error that is not an *Error
		wantMsg  string
	}{
		{"length mismatch", percent(15), "USD", []int64{100, 200}, []bool{true},
			"", "coupon TEST: 2 amounts but 1 eligibility flags"},
		{"negative eligible line", percent(15), "USD", []int64{100, -200}, []bool{true, true},
			"", "coupon TEST: cannot discount the negative line 1 of -2.00 USD"},
		{"overflowing sum", percent(15), "USD", []int64{1 << 62, 1 << 62}, []bool{true, true},
			"", "coupon TEST: amount overflows int64 minor units: 46116860184273879.04 USD + 46116860184273879.04 USD"},
		{"fixed without currency", fixed(map[string]int64{"USD": 500}), "EUR", []int64{100}, []bool{true},
			CodeCurrencyNotSupported, "coupon TEST cannot be used for orders in EUR"},
		{"invalid", percent(0), "USD", []int64{100}, []bool{true},
			CodeInvalid, "coupon TEST is misconfigured: percent_off 0 is outside 1..100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.coupon.DiscountLines(tt.currency, tt.amounts, tt.eligible)
			if err == nil || got != nil || err.Error() != tt.wantMsg {
				t.Fatalf("DiscountLines() = %v, %v; want nil, %q", got, err, tt.wantMsg)
			}
			if tt.wantCode != "" && !IsCode(err, tt.wantCode) {
				t.Errorf("DiscountLines error %#v, want code %s", err, tt.wantCode)
			}
		})
	}
}

func TestAppliesToCycle(t *testing.T) {
	repeating3 := percent(15)
	repeating3.Duration, repeating3.DurationCycles = DurationRepeating, 3
	forever := percent(15)
	forever.Duration = DurationForever
	tests := []struct {
		name   string
		coupon Coupon
		cycle  int
		want   bool
	}{
		{"once, first cycle", percent(15), 0, true},
		{"once, second cycle", percent(15), 1, false},
		{"repeating 3, first cycle", repeating3, 0, true},
		{"repeating 3, third cycle", repeating3, 2, true},
		{"repeating 3, fourth cycle", repeating3, 3, false},
		{"repeating 3, much later", repeating3, 12, false},
		{"forever, first cycle", forever, 0, true},
		{"forever, much later", forever, 1000, true},
		{"negative cycle", forever, -1, false},
		{"unknown duration", Coupon{Duration: "weekly"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.coupon.AppliesToCycle(tt.cycle); got != tt.want {
				t.Errorf("AppliesToCycle(%d) with duration %q = %v, want %v", tt.cycle, tt.coupon.Duration, got, tt.want)
			}
		})
	}
}
