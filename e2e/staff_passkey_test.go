//go:build e2e

package e2e

import (
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/settings"
)

// TestStaffPasskey: a superuser signs in with password and emailed code,
// registers a passkey on the Security page (Chrome's virtual
// authenticator), signs out and signs in with password and passkey. With
// the setting requiring passkeys, the emailed code no longer completes the
// sign-in of that account.
func TestStaffPasskey(t *testing.T) {
	pf := startPlatform(t)
	p := newPage(t, pf.URL)
	p.virtualAuthenticator()
	codes := map[string]bool{}

	staffPasswordStep(p)
	p.fill("Code from your email", latestStaffOTP(t, pf, codes))
	p.click("Log in")
	p.waitFor("kpi")

	p.visit("/staff/security")
	p.waitFor("staff-passkeys-empty")
	p.fill("Passkey name", "Test laptop")
	p.clickID("staff-passkey-add")
	p.waitFor("staff-passkey")
	p.waitText("Test laptop")
	p.screenshot("54-staff-passkey-added")
	su, err := pf.App.FindAuthRecordByEmail("_superusers", seed.DemoStaffEmail)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := pf.App.CountRecords("staff_passkeys", dbx.HashExp{"superuser": su.Id}); err != nil || n != 1 {
		t.Fatalf("stored staff passkeys: %d, %v", n, err)
	}

	p.clickID("logout")
	staffPasswordStep(p)
	p.waitFor("staff-login-passkey")
	p.screenshot("55-staff-login-passkey")
	p.clickID("staff-login-passkey")
	p.waitFor("kpi")
	if n, err := pf.App.CountRecords("audit_logs", dbx.NewExp("action = 'login' AND record_id = {:su} AND message LIKE '%(passkey)%'",
		dbx.Params{"su": su.Id})); err != nil || n != 1 {
		t.Errorf("passkey sign-ins audited: %d, %v", n, err)
	}

	rec, err := settings.Record(pf.App)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("require_staff_passkey", true)
	if err := pf.App.Save(rec); err != nil {
		t.Fatal(err)
	}
	p.clickID("logout")
	staffPasswordStep(p)
	p.clickID("staff-login-use-code")
	p.fill("Code from your email", latestStaffOTP(t, pf, codes))
	p.click("Log in")
	p.waitText("signs in with its passkey")
	p.screenshot("56-staff-code-refused")
	if !eval[bool](p, "still signed out", `location.pathname === '/staff/login' && !localStorage.getItem('ezscale_staff_auth')`) {
		t.Error("the emailed code signed in an account that must use its passkey")
	}
}

// staffPasswordStep opens the staff console and passes the password step.
func staffPasswordStep(p *page) {
	p.t.Helper()
	p.visit("/staff/login")
	p.fill("Email", seed.DemoStaffEmail)
	p.fill("Password", seed.DemoStaffPassword)
	p.click("Continue")
}

// latestStaffOTP waits for a staff one-time code in the outbox that is
// not in used (earlier sign-ins of the test left theirs) and adds it.
func latestStaffOTP(t *testing.T, pf *platform, used map[string]bool) string {
	t.Helper()
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		msgs, err := pf.App.FindRecordsByFilter("outbox", "template = 'staff_otp'", "-created", 1, 0)
		if err != nil || len(msgs) == 0 || used[msgs[0].Id] {
			continue
		}
		if code := otpIn(msgs[0]); code != "" {
			used[msgs[0].Id] = true
			return code
		}
	}
	t.Fatal("no new staff one-time code in the outbox")
	return ""
}
