//go:build e2e

package e2e

import (
	"testing"

	"github.com/ezscale/ezscale/internal/seed"
)

// staffLogin signs the demo superuser in to the staff console with the
// password and the one-time code emailed (printed to the outbox), and waits
// for the analytics page it lands on.
func staffLogin(t *testing.T, pf *platform, p *page) {
	t.Helper()
	p.visit("/staff/")
	p.fill("Email", seed.DemoStaffEmail)
	p.fill("Password", seed.DemoStaffPassword)
	p.click("Continue")
	p.fill("Code from your email", staffOTP(t, pf))
	p.click("Log in")
	p.waitFor("kpi")
}
