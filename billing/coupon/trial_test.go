package coupon

import (
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/cycle"
)

func trial(days int) Coupon {
	return Coupon{Code: "TEST", Kind: KindTrial, TrialDays: days, Duration: DurationOnce, Active: true}
}

func TestValidateTrial(t *testing.T) {
	tests := []struct {
		name    string
		coupon  func(*Coupon)
		wantMsg string // empty: valid
	}{
		{"one day", func(c *Coupon) { c.TrialDays = 1 }, ""},
		{"a year", func(c *Coupon) { c.TrialDays = 365 }, ""},
		{"no days", func(c *Coupon) { c.TrialDays = 0 }, "coupon TEST is misconfigured: trial_days 0 is outside 1..365"},
		{"over a year", func(c *Coupon) { c.TrialDays = 366 }, "coupon TEST is misconfigured: trial_days 366 is outside 1..365"},
		{"repeating", func(c *Coupon) { c.Duration, c.DurationCycles = DurationRepeating, 3 },
			"coupon TEST is misconfigured: a trial coupon applies once, not repeating"},
		{"forever", func(c *Coupon) { c.Duration = DurationForever }, "coupon TEST is misconfigured: a trial coupon applies once, not forever"},
		{"known cycles", func(c *Coupon) { c.Cycles = []cycle.Cycle{cycle.Monthly, cycle.Annual} }, ""},
		{"unknown cycle", func(c *Coupon) { c.Cycles = []cycle.Cycle{"weekly"} }, `coupon TEST is misconfigured: unknown cycle "weekly"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := trial(14)
			tt.coupon(&c)
			err := c.Validate()
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if !IsCode(err, CodeInvalid) || err.Error() != tt.wantMsg {
				t.Fatalf("Validate() = %v, want %q", err, tt.wantMsg)
			}
		})
	}
}

func TestCheckTrial(t *testing.T) {
	tests := []struct {
		name     string
		coupon   func(*Coupon)
		use      func(*Use)
		wantCode string // empty: applies
		wantMsg  string
	}{
		{"applies", func(c *Coupon) {}, func(u *Use) {}, "", ""},
		{"any currency, no minimum", func(c *Coupon) {}, func(u *Use) { u.Currency, u.Subtotal = "JPY", 1 }, "", ""},
		{"allowed cycle", func(c *Coupon) { c.Cycles = []cycle.Cycle{cycle.Monthly, cycle.Quarterly} }, func(u *Use) { u.Cycle = cycle.Quarterly }, "", ""},
		{"cycle not allowed", func(c *Coupon) { c.Cycles = []cycle.Cycle{cycle.Monthly} }, func(u *Use) { u.Cycle = cycle.Annual },
			CodeCycleNotEligible, "coupon TEST does not apply to annual billing"},
		{"plan not allowed", func(c *Coupon) { c.Plans = []string{"vps-m"} }, func(u *Use) {},
			CodePlanNotEligible, "coupon TEST does not apply to any plan on this order"},
		{"hourly", func(c *Coupon) {}, func(u *Use) { u.Cycle = cycle.Hourly },
			CodeCycleNotEligible, "coupon TEST gives a free trial, which metered (hourly) billing does not have"},
		{"setup fee", func(c *Coupon) {}, func(u *Use) { u.SetupFee = 1 },
			CodeTrialNotAvailable, "coupon TEST gives a free trial, which is not offered on a plan with a setup fee"},
		{"plan had before", func(c *Coupon) {}, func(u *Use) { u.PlanHistory = 1 },
			CodeTrialNotAvailable, "coupon TEST gives a free trial of a new subscription, and this account has had this plan before"},
		{"once per customer", func(c *Coupon) { c.OncePerCustomer = true }, func(u *Use) { u.CustomerUses = 1 },
			CodeAlreadyUsed, "coupon TEST can be used once per customer and was already used"},
		{"max uses", func(c *Coupon) { c.MaxUses = 2 }, func(u *Use) { u.TotalUses = 2 },
			CodeMaxUsesReached, "coupon TEST has reached its limit of 2 uses"},
		{"expired", func(c *Coupon) { c.ExpiresAt = starts }, func(u *Use) {},
			CodeExpired, "coupon TEST expired on 2025-06-01 00:00:00 UTC"},
		{"inactive", func(c *Coupon) { c.Active = false }, func(u *Use) {}, CodeInactive, "coupon TEST is not active"},
		{"cycle limit on a money coupon", func(c *Coupon) { *c = percent(15); c.Cycles = []cycle.Cycle{cycle.Annual} }, func(u *Use) {},
			CodeCycleNotEligible, "coupon TEST does not apply to monthly billing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := trial(14)
			u := use()
			u.Cycle = cycle.Monthly
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

func TestTrialGivesTimeNotMoney(t *testing.T) {
	c := trial(14)
	if off, err := c.Discount("EUR", 1500); err != nil || off != 0 {
		t.Fatalf("Discount() = %d, %v; want 0", off, err)
	}
	start := time.Date(2026, 12, 7, 10, 30, 0, 0, time.UTC)
	if got, want := c.TrialEnd(start), time.Date(2026, 12, 21, 10, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("TrialEnd() = %v, want %v", got, want)
	}
	// Across the end of a month and a leap day: calendar days, not months.
	if got, want := trial(30).TrialEnd(time.Date(2028, 2, 10, 0, 0, 0, 0, time.UTC)), time.Date(2028, 3, 11, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("TrialEnd() = %v, want %v", got, want)
	}
}
