package whmcs

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/coupon"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestPromotionTerms(t *testing.T) {
	recurring := sql.NullInt64{Int64: 1, Valid: true}
	tests := []struct {
		name string
		p    promotion
		want couponTerms
		err  string // a prefix; "" = imported
	}{
		{"percentage once", promotion{kind: "Percentage", value: "10.00"},
			couponTerms{kind: coupon.KindPercent, percentOff: 10, duration: coupon.DurationOnce}, ""},
		{"100 percent", promotion{kind: "Percentage", value: "100.00"},
			couponTerms{kind: coupon.KindPercent, percentOff: 100, duration: coupon.DurationOnce}, ""},
		{"fractional percentage", promotion{kind: "Percentage", value: "12.50"}, couponTerms{},
			"12.50 % off: EZSCALE coupons take a whole percentage off"},
		{"zero percent", promotion{kind: "Percentage", value: "0.00"}, couponTerms{}, "0.00 % off is not between 1 and 100 %"},
		{"over 100 percent", promotion{kind: "Percentage", value: "150.00"}, couponTerms{}, "150.00 % off is not between 1 and 100 %"},
		{"negative percentage", promotion{kind: "Percentage", value: "-5.00"}, couponTerms{}, `percentage "-5.00"`},
		{"fixed amount in the default currency", promotion{kind: "Fixed Amount", value: "10.00"},
			couponTerms{kind: coupon.KindFixed, amountsOff: map[string]int64{"EUR": 1000}, duration: coupon.DurationOnce}, ""},
		{"fixed zero", promotion{kind: "Fixed Amount", value: "0.00"}, couponTerms{}, "fixed amount 0.00 takes nothing off"},
		{"price override", promotion{kind: "Price Override", value: "1.99"}, couponTerms{}, `type "Price Override" has no equivalent`},
		{"free setup", promotion{kind: "Free Setup"}, couponTerms{}, `type "Free Setup" has no equivalent`},
		{"unknown type", promotion{kind: "Bogus"}, couponTerms{}, `unknown type "Bogus"`},
		{"recurring for 3 cycles", promotion{kind: "Percentage", value: "15.00", recurring: recurring, recurFor: 3},
			couponTerms{kind: coupon.KindPercent, percentOff: 15, duration: coupon.DurationRepeating, cycles: 3}, ""},
		{"recurring for ever", promotion{kind: "Percentage", value: "15.00", recurring: recurring},
			couponTerms{kind: coupon.KindPercent, percentOff: 15, duration: coupon.DurationForever}, ""},
		{"recurring NULL", promotion{kind: "Percentage", value: "15.00", recurFor: 3},
			couponTerms{kind: coupon.KindPercent, percentOff: 15, duration: coupon.DurationOnce}, ""},
		{"dates: the last day is included", promotion{kind: "Percentage", value: "5.00", start: day("2024-06-30"), expire: day("2025-01-18")},
			couponTerms{kind: coupon.KindPercent, percentOff: 5, duration: coupon.DurationOnce,
				startsAt: day("2024-06-30"), expireAt: day("2025-01-19")}, ""},
		{"a one-day promotion", promotion{kind: "Percentage", value: "5.00", start: day("2025-01-18"), expire: day("2025-01-18")},
			couponTerms{kind: coupon.KindPercent, percentOff: 5, duration: coupon.DurationOnce,
				startsAt: day("2025-01-18"), expireAt: day("2025-01-19")}, ""},
		{"starts after its last day", promotion{kind: "Percentage", value: "5.00", start: day("2025-02-01"), expire: day("2025-01-18")},
			couponTerms{}, "starts on 2025-02-01, after its last day 2025-01-18"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := promotionTerms(tt.p, "EUR")
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Fatalf("promotionTerms error %v, want %q…", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("promotionTerms = %+v, want %+v", got, tt.want)
			}
			// What is imported must be a coupon orders accept.
			c := coupon.Coupon{Code: "X", Kind: got.kind, PercentOff: got.percentOff, AmountsOff: got.amountsOff,
				Duration: got.duration, DurationCycles: int(got.cycles), StartsAt: got.startsAt, ExpiresAt: got.expireAt}
			if err := c.Validate(); err != nil {
				t.Errorf("imported coupon is invalid: %v", err)
			}
		})
	}
	if _, err := promotionTerms(promotion{kind: "Fixed Amount", value: "1.00"}, ""); err == nil {
		t.Error("a fixed amount without a default currency is imported")
	}
}

func TestPromotionActive(t *testing.T) {
	now := day("2025-06-30").Add(12 * time.Hour)
	tests := []struct {
		name          string
		expire        time.Time
		maxUses, uses int64
		want          bool
	}{
		{"no end", time.Time{}, 0, 0, true},
		{"last day is today", day("2025-06-30"), 0, 0, true},
		{"ended yesterday", day("2025-06-29"), 0, 0, false},
		{"uses left", time.Time{}, 50, 49, true},
		{"used up", time.Time{}, 50, 50, false},
		{"unlimited", time.Time{}, 0, 1000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := promotion{kind: "Percentage", value: "10.00", expire: tt.expire, maxUses: tt.maxUses, uses: tt.uses}
			terms, err := promotionTerms(p, "USD")
			if err != nil {
				t.Fatal(err)
			}
			if got := promotionActive(p, terms, now); got != tt.want {
				t.Errorf("promotionActive = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCouponCode(t *testing.T) {
	tests := []struct {
		raw, want string
		changed   bool
	}{
		{"WELCOME10", "WELCOME10", false},
		{"welcome10", "WELCOME10", false},
		{" spring_25-off ", "SPRING_25-OFF", false},
		{"SAVE 10%", "SAVE-10-", true},
		{"A&amp;B", "A-B", true},
		{"ÉTÉ", "-T-", true},
		{strings.Repeat("A", 45), strings.Repeat("A", 40), true},
		{"", "", false},
	}
	for _, tt := range tests {
		code, changed := couponCode(tt.raw)
		if code != tt.want || changed != tt.changed {
			t.Errorf("couponCode(%q) = %q, %v; want %q, %v", tt.raw, code, changed, tt.want, tt.changed)
		}
	}
	if got := withSuffix(strings.Repeat("A", 40), "-123", couponCodeMax); got != strings.Repeat("A", 36)+"-123" {
		t.Errorf("withSuffix = %q", got)
	}
}

func TestPromotionPlans(t *testing.T) {
	imported := map[string]string{"1": "plan1", "2": "plan2", "7": "plan7"}
	lookup := func(id string) string { return imported[id] }
	tests := []struct {
		appliesTo     string
		plans, unknow []string
	}{
		{"", []string{}, nil},
		{"1,2,7", []string{"plan1", "plan2", "plan7"}, nil},
		{" 7 , 1,7,", []string{"plan7", "plan1"}, nil},
		{"1,4,9", []string{"plan1"}, []string{"4", "9"}},
		{"4", []string{}, []string{"4"}},
		{"1,x", []string{"plan1"}, []string{"x"}},
	}
	for _, tt := range tests {
		plans, unknown := promotionPlans(tt.appliesTo, lookup)
		if !reflect.DeepEqual(plans, tt.plans) || !reflect.DeepEqual(unknown, tt.unknow) {
			t.Errorf("promotionPlans(%q) = %q, %q; want %q, %q", tt.appliesTo, plans, unknown, tt.plans, tt.unknow)
		}
	}
}

func TestPromotionNotes(t *testing.T) {
	tests := []struct {
		name string
		p    promotion
		want []string
	}{
		{"nothing to say", promotion{kind: "Percentage", value: "10.00"}, nil},
		{"fixed amount", promotion{kind: "Fixed Amount", value: "1.00"},
			[]string{"fixed amount set in USD only: WHMCS took 1.00 off in any currency; add amounts for other currencies if needed"}},
		{"conditions", promotion{kind: "Percentage", cycles: "Monthly,Annually", newSignups: true, requires: "3"},
			[]string{"WHMCS conditions EZSCALE coupons do not have, not imported: billing cycles Monthly,Annually; new sign-ups only; requires products 3"}},
		{"uses of a limited coupon", promotion{kind: "Percentage", maxUses: 50, uses: 20},
			[]string{"used 20 times in WHMCS: EZSCALE counts its own redemptions from zero"}},
		{"uses of an unlimited coupon", promotion{kind: "Percentage", uses: 20}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := promotionNotes(tt.p, "USD"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("promotionNotes = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPercentThousandths(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"19.000", 19000, false},
		{"9.975", 9975, false},
		{"8.25", 8250, false},
		{"20", 20000, false},
		{" 0.000 ", 0, false},
		{"100.0000", 100000, false},
		{"8.2505", 0, true},
		{"-5.000", 0, true},
		{"", 0, true},
		{".5", 0, true},
		{"1e3", 0, true},
		{"12.3.4", 0, true},
	}
	for _, tt := range tests {
		got, err := percentThousandths(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("percentThousandths(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
