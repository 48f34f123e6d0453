//go:build e2e

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/seed"
)

// TestStaffConsole: a superuser signs in to /staff/ with the password and
// the emailed one-time code, sees the analytics, finds the demo customer
// and adds account credit to them, and opens the bandwidth report.
func TestStaffConsole(t *testing.T) {
	pf := startPlatform(t)
	p := newPage(t, pf.URL)

	p.visit("/staff/")
	p.fill("Email", seed.DemoStaffEmail)
	p.fill("Password", seed.DemoStaffPassword)
	p.click("Continue")
	p.fill("Code from your email", staffOTP(t, pf))
	p.screenshot("50-staff-login-code")
	p.click("Log in")
	p.waitFor("kpi")
	p.waitFor("ageing")
	p.screenshot("51-staff-analytics")

	p.visit("/staff/customers")
	p.fill("Search customers", seed.DemoCustomerEmail)
	p.clickID("customer-search-submit")
	p.click("Dana Demo")
	p.waitFor("customer-status")
	p.screenshot("52-staff-customer")
	p.clickID("add-credit")
	p.fill("Amount", "12.50")
	p.fill("Description", "Goodwill for the outage")
	p.clickID("confirm")
	p.waitFor("form-success")

	p.visit("/staff/bandwidth")
	p.waitText("Top 20 services by traffic")
	p.screenshot("53-staff-bandwidth")

	customer, err := pf.App.FindAuthRecordByEmail("customers", seed.DemoCustomerEmail)
	if err != nil {
		t.Fatal(err)
	}
	entry, err := pf.App.FindFirstRecordByFilter("credit_entries", "customer = {:c} && reason = 'manual'", dbx.Params{"c": customer.Id})
	if err != nil || entry.GetInt("amount") != 1250 || entry.GetString("currency") != customer.GetString("currency") {
		t.Errorf("credit entry: %v, %v", entry, err)
	}
}

// staffOTP waits for the staff one-time code in the outbox.
func staffOTP(t *testing.T, pf *platform) string {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		msg, err := pf.App.FindFirstRecordByFilter("outbox", "template = 'staff_otp'")
		if err != nil {
			continue
		}
		if code := otpIn(msg); code != "" {
			return code
		}
		t.Fatalf("no code in the staff OTP message %q", msg.GetString("body_text"))
	}
	t.Fatal("no staff one-time code in the outbox")
	return ""
}

func otpIn(msg *core.Record) string {
	for _, f := range strings.Fields(msg.GetString("body_text")) {
		if len(f) == 8 && strings.Trim(f, "0123456789") == "" {
			return f
		}
	}
	return ""
}
