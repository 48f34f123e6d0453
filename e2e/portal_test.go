//go:build e2e

package e2e

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"
	"github.com/pquerna/otp/totp"

	"github.com/ezscale/ezscale/internal/testutil"
)

// testPassword is testutil.Customer's password.
const testPassword = "correct horse battery"

// customerWithService creates a verified customer with an active VPS of
// the demo catalog on hostname and returns the service id.
func customerWithService(t *testing.T, pf *platform, email, hostname string) string {
	t.Helper()
	c := testutil.Customer(t, pf.App, email, "USD")
	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "vps-start")
	if err != nil {
		t.Fatal(err)
	}
	price, err := pf.App.FindFirstRecordByFilter("plan_prices", "plan = {:p} && currency = 'USD' && cycle = 'monthly'", dbx.Params{"p": plan.Id})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	sub := testutil.Create(t, pf.App, "subscriptions", map[string]any{
		"customer": c.Id, "plan": plan.Id, "plan_price": price.Id, "status": "active", "cycle": "monthly",
		"currency": "USD", "amount": price.GetInt("amount"), "anchor_at": now, "anchor_day": now.Day(),
		"current_period_start": now, "current_period_end": now.AddDate(0, 1, 0), "billed_until": now.AddDate(0, 1, 0),
	})
	svc := testutil.Create(t, pf.App, "services", map[string]any{
		"customer": c.Id, "subscription": sub.Id, "plan": plan.Id, "label": hostname, "hostname": hostname,
		"service_type": "vps", "platform": "virtfusion", "status": "active", "power_state": "online",
		"ip_addresses": []string{"203.0.113.7"},
	})
	return svc.Id
}

// TestCustomerJourney is a new customer's first day: sign up, verify the
// email from the link in the outbox, order a game server, pay in the
// sandbox, watch it turn online on the dashboard without a reload, restart
// it, download the invoice, turn on two-factor authentication, and log in
// again with password and code (a wrong code first).
func TestCustomerJourney(t *testing.T) {
	pf := startPlatform(t)
	p := newPage(t, pf.URL)
	const email, password = "gamer@example.com", "correct-horse-battery"

	// The public site.
	p.visit("/")
	p.waitFor("plan-card")
	p.screenshot("01-home")

	// Sign up.
	p.clickID("order-minecraft-8gb")
	p.waitText("Create account")
	p.fill("Full name", "Grace Gamer")
	p.fill("Email", email)
	p.fill("Password", password)
	p.fill("Confirm password", password)
	p.fill("Country", "US")
	p.check("I agree")
	p.screenshot("02-signup")
	p.click("Create account")
	p.poll("signed up", `location.pathname !== '/signup' && !!localStorage.getItem('pocketbase_auth')`)

	// Verify the address with the link the outbox holds.
	link := verificationLink(t, pf, email)
	p.visit(strings.TrimPrefix(link, pf.URL))
	p.waitFor("verified")
	p.screenshot("03-verified")

	// Order the game server, paying in the sandbox.
	p.visit("/")
	p.clickID("order-minecraft-8gb")
	p.fill("Game", "paper")
	p.clickID("pay-sandbox")
	// Provisioning takes a moment on this panel, long enough to see it happen.
	pf.Game.SetLatency(1500 * time.Millisecond)
	p.screenshot("04-order")
	p.clickID("place-order")
	p.waitFor("order-service-status")
	p.screenshot("05-order-placed")

	// The dashboard, reached without a page load, shows the service and
	// then its change to online as it happens.
	eval[bool](p, "mark the page", `window.__sameDocument = true`)
	p.click("Dashboard")
	p.waitFor("service-row")
	first := eval[string](p, "read status", `document.querySelector('[data-testid="service-row"] [data-status]').dataset.status`)
	if first == "online" || first == "active" {
		t.Errorf("the service was %s before the panel finished building it", first)
	}
	// Built and asked for its state at once: online, not just "active".
	p.poll("service online", `document.querySelector('[data-testid="service-row"] [data-status="online"]') !== null`)
	if !eval[bool](p, "same document", `window.__sameDocument === true`) {
		t.Error("the dashboard reloaded the page to show the new status")
	}
	pf.Game.SetLatency(0)
	p.screenshot("06-dashboard")

	// Restart it from its page.
	p.click(eval[string](p, "service name", `document.querySelector('[data-testid="service-row"] a').innerText.trim()`))
	p.waitFor("service-status")
	serviceID := eval[string](p, "service id", `location.pathname.split('/').pop()`)
	before, _ := pf.Game.Server(serviceID)
	p.screenshot("07-service")
	p.clickID("power-restart")
	p.clickID("confirm")
	p.waitFor("form-success")
	if after, _ := pf.Game.Server(serviceID); !after.Started.After(before.Started) {
		t.Errorf("restart did not reach the panel: started %v then %v", before.Started, after.Started)
	}

	// The invoice and its PDF.
	p.visit("/billing/invoices")
	p.waitFor("invoice-row")
	p.screenshot("08-invoices")
	p.run("open invoice", chromedp.Click(chromedp.CSS(`[data-testid="invoice-row"] a`)))
	p.waitFor("invoice-pdf")
	p.screenshot("09-invoice")
	pdfURL := eval[string](p, "pdf link", `document.querySelector('[data-testid="invoice-pdf"]').href`)
	if body := get(t, pdfURL); !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the invoice link %s gave no PDF: %.40q", pdfURL, body)
	}

	// Two-factor authentication.
	p.visit("/account/security")
	p.clickID("totp-enable")
	p.waitFor("totp-qr")
	secret := strings.ReplaceAll(p.text("totp-secret"), " ", "")
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatalf("secret %q from the page: %v", secret, err)
	}
	p.screenshot("10-totp-enrol")
	p.fill("Confirmation code", code)
	p.clickID("totp-confirm")
	p.waitFor("recovery-codes")
	if n := eval[int](p, "count codes", `document.querySelectorAll('[data-testid="recovery-codes"] li').length`); n != 10 {
		t.Errorf("%d recovery codes shown, want 10", n)
	}
	p.screenshot("11-recovery-codes")

	// Log out, and back in with the second factor.
	p.clickID("logout")
	p.visit("/login")
	p.fill("Email", email)
	p.fill("Password", password)
	p.click("Log in")
	p.waitFor("otp")
	p.fill("Authentication code", "000000")
	p.click("Verify")
	p.waitFor("form-error")
	p.screenshot("12-wrong-code")
	if eval[bool](p, "still signed out", `!!localStorage.getItem('pocketbase_auth')`) {
		t.Error("a wrong code left a session behind")
	}
	// The confirmation used this step's code; the next step's is valid (one
	// step of clock skew is allowed) and not a replay.
	next, _ := totp.GenerateCode(secret, time.Now().Add(30*time.Second))
	p.fill("Authentication code", next)
	p.click("Verify")
	p.waitFor("service-row")
	p.screenshot("13-dashboard-after-2fa")
}

// TestAnotherCustomersServiceIsNotFound: customer B opening the address of
// customer A's service sees "not found" and nothing of the service.
func TestAnotherCustomersServiceIsNotFound(t *testing.T) {
	pf := startPlatform(t)
	a := customerWithService(t, pf, "a@example.com", "alpha.example.net")
	customerWithService(t, pf, "b@example.com", "bravo.example.net")

	p := newPage(t, pf.URL)
	p.visit("/login")
	p.fill("Email", "b@example.com")
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("service-row")
	p.visit("/services/" + a)
	p.waitFor("error-state")
	if got := p.text("error-state"); !strings.Contains(got, "Not found") {
		t.Errorf("error state says %q", got)
	}
	if eval[bool](p, "leak check", `document.body.innerText.includes('alpha.example.net')`) {
		t.Error("B's page shows A's hostname")
	}
	p.screenshot("20-other-customers-service")
}

// TestPublicPages renders the public site's pages on desktop and phone.
func TestPublicPages(t *testing.T) {
	pf := startPlatform(t)
	p := newPage(t, pf.URL)
	for _, tc := range []struct{ path, wait, shot string }{
		{"/news", "Welcome to EZSCALE", "30-news"},
		{"/kb", "Getting started with your VPS", "31-knowledge-base"},
		{"/kb/two-factor-authentication", "recovery codes", "32-kb-article"},
		{"/legal/terms", "Terms of service", "33-terms"},
		{"/login", "Forgot your password?", "34-login"},
		{"/no/such/page", "Page not found", "35-not-found"},
	} {
		p.visit(tc.path)
		p.waitText(tc.wait)
		p.screenshot(tc.shot)
	}
	p.phone(true)
	p.visit("/")
	p.waitFor("plan-card")
	p.screenshot("36-home-phone")
	if overflow := eval[bool](p, "overflow", `document.documentElement.scrollWidth > window.innerWidth`); overflow {
		t.Error("the home page scrolls sideways on a phone")
	}
}

// verificationLink waits for the verification email to reach the outbox
// and returns its link.
func verificationLink(t *testing.T, pf *platform, email string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(pf.URL) + `/verify/[\w.-]+`)
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		msg, err := pf.App.FindFirstRecordByFilter("outbox", "template = 'account_verification' && recipient = {:e}", dbx.Params{"e": email})
		if err == nil {
			if link := re.FindString(msg.GetString("body_text")); link != "" {
				return link
			}
			t.Fatalf("verification email without a link: %q", msg.GetString("body_text"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no verification email for %s in the outbox", email)
	return ""
}

func get(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Sprintf("status %d: %s", res.StatusCode, body)
	}
	return string(body)
}
