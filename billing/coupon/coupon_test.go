package coupon

import (
	"testing"
	"time"
)

func TestNormalizeCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SUMMER25", "SUMMER25"},
		{"summer25", "SUMMER25"},
		{"  Summer-25\t\n", "SUMMER-25"},
		{"", ""},
		{"   ", ""},
	}
	for _, tt := range tests {
		if got := NormalizeCode(tt.in); got != tt.want {
			t.Errorf("NormalizeCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		edit    func(*Coupon)
		wantMsg string // empty: valid
	}{
		{"percent", func(c *Coupon) {}, ""},
		{"percent 100", func(c *Coupon) { c.PercentOff = 100 }, ""},
		{"percent 1", func(c *Coupon) { c.PercentOff = 1 }, ""},
		{"percent 0", func(c *Coupon) { c.PercentOff = 0 },
			"coupon TEST is misconfigured: percent_off 0 is outside 1..100"},
		{"percent negative", func(c *Coupon) { c.PercentOff = -5 },
			"coupon TEST is misconfigured: percent_off -5 is outside 1..100"},
		{"percent over 100", func(c *Coupon) { c.PercentOff = 101 },
			"coupon TEST is misconfigured: percent_off 101 is outside 1..100"},
		{"fixed", func(c *Coupon) { *c = fixed(map[string]int64{"USD": 500, "JPY": 700}) }, ""},
		{"fixed without amounts", func(c *Coupon) { *c = fixed(nil) },
			"coupon TEST is misconfigured: a fixed coupon needs amounts_off in at least one currency"},
		{"fixed negative", func(c *Coupon) { *c = fixed(map[string]int64{"USD": 500, "EUR": -1}) },
			"coupon TEST is misconfigured: amounts_off EUR is -1 minor units, less than 1"},
		{"fixed zero", func(c *Coupon) { *c = fixed(map[string]int64{"USD": 0}) },
			"coupon TEST is misconfigured: amounts_off USD is 0 minor units, less than 1"},
		{"fixed lower-case currency", func(c *Coupon) { *c = fixed(map[string]int64{"usd": 500}) },
			`coupon TEST is misconfigured: amounts_off: malformed currency code "usd": must be 3 upper-case letters`},
		{"fixed unknown currency", func(c *Coupon) { *c = fixed(map[string]int64{"XYZ": 500}) },
			`coupon TEST is misconfigured: amounts_off: unknown currency "XYZ"`},
		{"first bad currency in order", func(c *Coupon) { *c = fixed(map[string]int64{"USD": -2, "EUR": -1, "GBP": 0}) },
			"coupon TEST is misconfigured: amounts_off EUR is -1 minor units, less than 1"},
		{"unknown kind", func(c *Coupon) { c.Kind = "bogo" },
			`coupon TEST is misconfigured: unknown kind "bogo"`},
		{"repeating", func(c *Coupon) { c.Duration, c.DurationCycles = DurationRepeating, 3 }, ""},
		{"repeating without cycles", func(c *Coupon) { c.Duration = DurationRepeating },
			"coupon TEST is misconfigured: a repeating coupon needs duration_cycles of at least 1, not 0"},
		{"forever", func(c *Coupon) { c.Duration = DurationForever }, ""},
		{"unknown duration", func(c *Coupon) { c.Duration = "" },
			`coupon TEST is misconfigured: unknown duration ""`},
		{"max uses negative", func(c *Coupon) { c.MaxUses = -1 },
			"coupon TEST is misconfigured: max_uses -1 is negative"},
		{"window", func(c *Coupon) { c.StartsAt, c.ExpiresAt = start, start.Add(time.Second) }, ""},
		{"expires at start", func(c *Coupon) { c.StartsAt, c.ExpiresAt = start, start },
			"coupon TEST is misconfigured: expires_at 2025-06-01 00:00:00 UTC is not after starts_at 2025-06-01 00:00:00 UTC"},
		{"expires before start", func(c *Coupon) { c.StartsAt, c.ExpiresAt = start, start.Add(-time.Hour) },
			"coupon TEST is misconfigured: expires_at 2025-05-31 23:00:00 UTC is not after starts_at 2025-06-01 00:00:00 UTC"},
		{"min order zero", func(c *Coupon) { c.MinOrder = map[string]int64{"EUR": 0} }, ""},
		{"min order negative", func(c *Coupon) { c.MinOrder = map[string]int64{"EUR": -1} },
			"coupon TEST is misconfigured: min_order EUR is -1 minor units, less than 0"},
		{"min order unknown currency", func(c *Coupon) { c.MinOrder = map[string]int64{"EURO": 2000} },
			`coupon TEST is misconfigured: min_order: malformed currency code "EURO": must be 3 upper-case letters`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := percent(15)
			tt.edit(&c)
			err := c.Validate()
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !IsCode(err, CodeInvalid) || err.Error() != tt.wantMsg {
				t.Fatalf("Validate() = %v, want %s error %q", err, CodeInvalid, tt.wantMsg)
			}
		})
	}
}

// percent returns a valid, active, unrestricted percent coupon.
func percent(off int64) Coupon {
	return Coupon{ID: "c1", Code: "TEST", Kind: KindPercent, PercentOff: off, Duration: DurationOnce, Active: true}
}

// fixed returns a valid, active, unrestricted fixed coupon.
func fixed(amounts map[string]int64) Coupon {
	return Coupon{ID: "c2", Code: "TEST", Kind: KindFixed, AmountsOff: amounts, Duration: DurationOnce, Active: true}
}
