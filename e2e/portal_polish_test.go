//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// startPlatformWithStripe is the dev platform with a Stripe account
// configured. Its API base answers 503 to everything: these tests never
// reach Stripe, and a call that tried would fail rather than leave.
func startPlatformWithStripe(t *testing.T) *platform {
	t.Helper()
	stripeDown := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected Stripe call: %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(stripeDown.Close)
	return servePlatform(t, testutil.NewMigratedApp(t), map[string]string{
		"STRIPE_SECRET_KEY": "sk_test_e2e", "STRIPE_PUBLISHABLE_KEY": "pk_test_e2e", "STRIPE_API_BASE": stripeDown.URL,
	})
}

// savedCard stores a card of the customer as the Stripe sync would.
func savedCard(t *testing.T, app core.App, customerID, brand, last4 string, isDefault bool) *core.Record {
	t.Helper()
	return testutil.Create(t, app, "payment_methods", map[string]any{
		"customer": customerID, "gateway": "stripe", "gateway_ref": "pm_" + brand + last4, "kind": "card",
		"brand": brand, "last4": last4, "exp_month": 12, "exp_year": time.Now().Year() + 3, "is_default": isDefault,
	})
}

// quickAction is the text of the dashboard's payment quick action.
func quickAction(p *page) string {
	p.t.Helper()
	return eval[string](p, "payment quick action", `document.querySelector('nav[aria-label="Quick actions"] a[href="/billing/methods"]')?.innerText.trim() || ''`)
}

// renewsOn is how the portal writes the service's renewal date.
func renewsOn(p *page, t *testing.T, app core.App, serviceID string) string {
	t.Helper()
	svc := record(t, app, "services", serviceID)
	sub := record(t, app, "subscriptions", svc.GetString("subscription"))
	end := sub.GetDateTime("current_period_end").Time().UTC().Format(time.RFC3339)
	return eval[string](p, "format date", fmt.Sprintf(
		`new Date(%q).toLocaleDateString(undefined, {year: 'numeric', month: 'short', day: 'numeric'})`, end))
}

// TestPaymentMethodsWithPayPalOnly: with no card gateway (the dev platform
// has PayPal's simulator and no Stripe), nothing offers to add a card; the
// dashboard's quick action and the billing page say how to pay, and the
// service says its renewal comes as an invoice to pay by PayPal.
func TestPaymentMethodsWithPayPalOnly(t *testing.T) {
	pf := startPlatform(t)
	serviceID := customerWithService(t, pf, "paypal-only@example.com", "pp1.example.com")
	p := newPage(t, pf.URL)
	logIn(p, "paypal-only@example.com")

	p.waitText("Pay invoices by PayPal")
	if got := quickAction(p); !strings.HasPrefix(got, "Ways to pay") {
		t.Errorf("the payment quick action is %q with no card gateway", got)
	}
	p.screenshot("polish-01-dashboard-paypal-only")

	p.run("quick action", chromedp.Click(chromedp.CSS(`nav[aria-label="Quick actions"] a[href="/billing/methods"]`)))
	p.waitFor("pay-way-paypal")
	on := renewsOn(p, t, pf.App, serviceID)
	p.poll("renewal text", `document.querySelector('[data-testid="renewal-text"]')?.innerText.includes('invoice')`)
	if got, want := p.text("renewal-text"), fmt.Sprintf("On %s you will get an invoice to pay by PayPal.", on); got != want {
		t.Errorf("renewal: %q, want %q", got, want)
	}
	for _, gone := range []string{"Cards cannot be added", "Add a card"} {
		if eval[bool](p, "no "+gone, fmt.Sprintf(`document.body.innerText.includes(%q)`, gone)) {
			t.Errorf("the page says %q with no card gateway", gone)
		}
	}
	if eval[bool](p, "no pay-way-card", `!!document.querySelector('[data-testid="pay-way-card"]')`) {
		t.Error("cards are offered as a way to pay with no card gateway")
	}
	p.screenshot("polish-02-methods-paypal-only")
	p.phone(true)
	p.screenshot("polish-03-methods-paypal-only-phone")
	p.phone(false)

	// The service page says the same.
	p.visit("/services/" + serviceID)
	p.waitFor("renewal-payment")
	if got := p.text("renewal-text"); !strings.Contains(got, "invoice to pay by PayPal") || !strings.Contains(got, on) {
		t.Errorf("service renewal: %q", got)
	}
	if eval[bool](p, "no picker", `!!document.querySelector('[data-testid="service-card"]')`) {
		t.Error("the service offers a choice where there is none")
	}
	p.screenshot("polish-04-service-paypal-only")
}

// TestPaymentMethodsWithStripe: with Stripe configured, the quick action
// adds a card; each service picks one of the customer's saved cards (not
// another customer's), says it is charged automatically on the renewal
// date, and the choice is saved for the service.
func TestPaymentMethodsWithStripe(t *testing.T) {
	pf := startPlatformWithStripe(t)
	serviceID := customerWithService(t, pf, "cards@example.com", "cards1.example.com")
	owner := record(t, pf.App, "services", serviceID).GetString("customer")
	savedCard(t, pf.App, owner, "visa", "4242", true)
	master := savedCard(t, pf.App, owner, "mastercard", "5555", false)
	otherService := customerWithService(t, pf, "other-cards@example.com", "other1.example.com")
	savedCard(t, pf.App, record(t, pf.App, "services", otherService).GetString("customer"), "amex", "0005", true)

	p := newPage(t, pf.URL)
	logIn(p, "cards@example.com")
	p.waitText("Save a card for automatic renewals")
	if got := quickAction(p); !strings.HasPrefix(got, "Add a payment method") {
		t.Errorf("the payment quick action is %q with Stripe", got)
	}
	p.run("quick action", chromedp.Click(chromedp.CSS(`nav[aria-label="Quick actions"] a[href="/billing/methods"]`)))
	p.waitFor("add-card")
	p.waitFor("pay-way-card")
	on := renewsOn(p, t, pf.App, serviceID)
	if got, want := p.text("renewal-text"), fmt.Sprintf("Charged automatically to Visa •••• 4242 on %s.", on); got != want {
		t.Errorf("renewal with the default card: %q, want %q", got, want)
	}
	if eval[bool](p, "other customer's card", `document.body.innerText.includes('0005')`) {
		t.Error("another customer's card is listed")
	}
	p.screenshot("polish-05-methods-stripe")

	// Choosing the Mastercard for the service saves it at once.
	p.fill(record(t, pf.App, "services", serviceID).GetString("label"), master.Id)
	p.poll("saved", `document.body.innerText.includes('Saved.')`)
	if got, want := p.text("renewal-text"), fmt.Sprintf("Charged automatically to Mastercard •••• 5555 on %s.", on); got != want {
		t.Errorf("renewal with the chosen card: %q, want %q", got, want)
	}
	if got := record(t, pf.App, "services", serviceID).GetString("payment_method"); got != master.Id {
		t.Errorf("service payment_method = %q, want %q", got, master.Id)
	}
	p.phone(true)
	p.screenshot("polish-06-methods-stripe-phone")
	p.phone(false)

	// The service page offers the same cards and says what the choice does.
	p.visit("/services/" + serviceID)
	p.waitFor("renewal-payment")
	if got := p.text("renewal-text"); !strings.Contains(got, "Mastercard •••• 5555") {
		t.Errorf("service renewal: %q", got)
	}
	p.fill("Pay renewals with", "")
	p.poll("preview", `document.querySelector('[data-testid="renewal-text"]').innerText.includes('Visa •••• 4242')`)
	p.click("Save")
	p.waitFor("form-success")
	if got := record(t, pf.App, "services", serviceID).GetString("payment_method"); got != "" {
		t.Errorf("service payment_method after choosing the default = %q", got)
	}
	p.screenshot("polish-07-service-stripe")
}

// TestOrderResumesAfterVerification: a new customer picks a plan from the
// site, signs up, configures it (the "complete the configuration" refusal
// goes away once it is), leaves to verify the email, and the verify page
// brings them back to the same order: plan, cycle and game kept.
func TestOrderResumesAfterVerification(t *testing.T) {
	pf := startPlatform(t)
	p := newPage(t, pf.URL)
	const email, password = "resume@example.com", "correct-horse-battery"

	p.visit("/")
	p.clickID("order-minecraft-8gb")
	p.waitText("Create account")
	p.fill("Full name", "Rita Resume")
	p.fill("Email", email)
	p.fill("Password", password)
	p.fill("Confirm password", password)
	p.fill("Country", "DE")
	p.check("I agree")
	p.click("Create account")
	p.waitFor("place-order")

	// Placing before the configuration is complete is refused; the refusal
	// goes once the game is chosen.
	p.clickID("place-order")
	p.waitText("Complete the configuration of your service first.")
	p.run("quarterly", chromedp.Click(chromedp.CSS(`input[data-cycle="quarterly"]`)))
	p.fill("Game", "paper")
	p.poll("refusal gone", `!document.body.innerText.includes('Complete the configuration of your service first.')`)
	p.screenshot("polish-08-order-configured")

	// Verify the address (the link opens here, as from the mail client).
	p.visit(strings.TrimPrefix(verificationLink(t, pf, email), pf.URL))
	p.waitFor("verified")
	p.screenshot("polish-09-verified-continue")
	p.clickID("continue-order")
	p.waitFor("order-resumed")
	if got := eval[string](p, "game", `document.querySelector('#opt-game').value`); got != "paper" {
		t.Errorf("game after resuming = %q, want paper", got)
	}
	if got := eval[string](p, "cycle", `document.querySelector('input[name="cycle"]:checked')?.dataset.cycle || ''`); got != "quarterly" {
		t.Errorf("cycle after resuming = %q, want quarterly", got)
	}
	if got := eval[string](p, "plan", `document.querySelector('[data-testid="chosen-plan"]')?.innerText || ''`); !strings.Contains(got, "Minecraft 8 GB") {
		t.Errorf("plan after resuming: %q", got)
	}
	if eval[bool](p, "no stale refusal", `document.body.innerText.includes('Complete the configuration')`) {
		t.Error("the resumed, complete order still says to complete the configuration")
	}
	p.screenshot("polish-10-order-resumed")

	// Placed, the order is not offered again.
	p.clickID("pay-sandbox")
	p.clickID("place-order")
	p.waitFor("order-service-status")
	p.visit("/order")
	p.waitText("1. Plan")
	if eval[bool](p, "no resume after placing", `!!document.querySelector('[data-testid="order-resumed"]')`) {
		t.Error("a placed order is offered again")
	}
}

// TestSignupErrorsOnTheirField: the server's refusal of a field (an email
// already registered) is shown under that field, which is marked invalid
// and focused, and nothing is created.
func TestSignupErrorsOnTheirField(t *testing.T) {
	pf := startPlatform(t)
	testutil.Customer(t, pf.App, "taken@example.com", "USD")
	before, _ := pf.App.CountRecords("customers")
	p := newPage(t, pf.URL)
	p.visit("/signup")
	p.fill("Full name", "Second Try")
	p.fill("Email", "taken@example.com")
	p.fill("Password", "correct-horse-battery")
	p.fill("Confirm password", "correct-horse-battery")
	p.fill("Country", "DE")
	p.check("I agree")
	p.click("Create account")
	p.waitFor("field-error")
	if got := eval[string](p, "email invalid", `document.querySelector('#signup-email').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("email aria-invalid = %q", got)
	}
	if got := eval[string](p, "error under email", `document.querySelector('#signup-email-error')?.innerText || ''`); !strings.Contains(got, "already exists") {
		t.Errorf("message under the email: %q", got)
	}
	if got := eval[string](p, "focus", `document.activeElement?.id || ''`); got != "signup-email" {
		t.Errorf("focus on %q, want the email field", got)
	}
	if got := eval[string](p, "name valid", `document.querySelector('#signup-name').getAttribute('aria-invalid')`); got == "true" {
		t.Error("the name field is marked invalid too")
	}
	border := eval[string](p, "border", `getComputedStyle(document.querySelector('#signup-email')).borderColor`)
	if plain := eval[string](p, "plain border", `getComputedStyle(document.querySelector('#signup-name')).borderColor`); border == plain {
		t.Errorf("the refused field looks like the others (border %s)", border)
	}
	if n, _ := pf.App.CountRecords("customers"); n != before {
		t.Errorf("%d customers after a refused sign-up, want %d", n, before)
	}
	p.screenshot("polish-11-signup-error")
	p.phone(true)
	p.screenshot("polish-12-signup-error-phone")
}

// TestKnowledgeBaseExcerptsAreText: an article's Markdown shows in the
// list as the text it reads as: no #, ** or [..](..), and its HTML is shown
// as text, never run.
func TestKnowledgeBaseExcerptsAreText(t *testing.T) {
	pf := startPlatform(t)
	testutil.Create(t, pf.App, "pages", map[string]any{
		"title": "Markdown article", "slug": "markdown-article", "kind": "kb", "category": "Billing", "published": true,
		"body": "## First steps\n\nRun **apt update** and read [the guide](https://example.com/guide).\n\n" +
			"- one `item`\n- two\n\n<img src=x onerror=\"window.__kbInjected = 1\">",
	})
	p := newPage(t, pf.URL)
	p.visit("/kb?q=Markdown")
	p.waitFor("kb-item")
	p.poll("excerpt", `!!document.querySelector('[data-testid="kb-item"] p')`)
	got := eval[string](p, "excerpt", `document.querySelector('[data-testid="kb-item"] p').innerText.trim()`)
	if !strings.HasPrefix(got, "First steps Run apt update and read the guide. one item two") {
		t.Errorf("excerpt %q", got)
	}
	for _, raw := range []string{"##", "**", "](", "`"} {
		if strings.Contains(got, raw) {
			t.Errorf("excerpt %q shows Markdown %q", got, raw)
		}
	}
	if eval[bool](p, "not run", `window.__kbInjected === 1 || !!document.querySelector('main img[src="x"]')`) {
		t.Error("the article's HTML ran in the list")
	}
	p.screenshot("polish-13-kb")
	p.phone(true)
	p.screenshot("polish-14-kb-phone")
}

// TestInvoiceTotalsOnAPhone: at 375 px an invoice with a long line and a
// large total shows every total inside the screen, and the page does not
// scroll sideways; the billing tabs scroll without a scrollbar; a plan
// change's price comparison fits too.
func TestInvoiceTotalsOnAPhone(t *testing.T) {
	pf := startPlatform(t)
	serviceID := customerWithService(t, pf, "phone@example.com", "phone1.example.com")
	customer := record(t, pf.App, "customers", record(t, pf.App, "services", serviceID).GetString("customer"))
	inv := openInvoice(t, pf.App, customer, 123456789,
		"Dedicated server EPYC 9654 2x 96 cores, 1.5 TB RAM, 25 Gbit/s unmetered, for rack-42-unit-07-dedicated-server.ams1.example.com")

	p := newPage(t, pf.URL)
	logIn(p, "phone@example.com")
	p.phone(true)
	p.visit("/billing/invoices/" + inv.Id)
	p.waitFor("invoice-total")
	for _, id := range []string{"invoice-total", "invoice-amount-due"} {
		right := eval[float64](p, "right of "+id, fmt.Sprintf(`document.querySelector('[data-testid=%q]').getBoundingClientRect().right`, id))
		if width := eval[float64](p, "width", `document.documentElement.clientWidth`); right > width {
			t.Errorf("%s ends at %.0f px, past the %.0f px screen", id, right, width)
		}
	}
	if sideways := eval[bool](p, "no sideways scroll", `document.documentElement.scrollWidth > document.documentElement.clientWidth`); sideways {
		t.Error("the invoice page scrolls sideways on a phone")
	}
	// The billing tabs overflow on a phone: they scroll, with no scrollbar.
	tabs := `document.querySelector('nav[aria-label="Billing"]')`
	if got := eval[string](p, "tabs scrollbar", `getComputedStyle(`+tabs+`).scrollbarWidth + ' ' + getComputedStyle(`+tabs+`).overflowY`); got != "none hidden" {
		t.Errorf("billing tabs: scrollbar-width and overflow-y %q, want none hidden", got)
	}
	p.screenshot("polish-15-invoice-phone")
	p.phone(false)
	p.screenshot("polish-16-invoice-desktop")

	// The plan change's price comparison, on a phone.
	p.phone(true)
	p.visit("/services/" + serviceID)
	p.waitFor("plan-option")
	p.click("See the price")
	p.waitFor("change-quote")
	overflow := eval[bool](p, "quote inside the screen", `[...document.querySelectorAll('[data-testid="change-quote"] dd')]
		.some((dd) => dd.getBoundingClientRect().right > document.documentElement.clientWidth)`)
	if overflow {
		t.Error("an amount of the plan change runs past the phone's screen")
	}
	p.screenshot("polish-17-plan-change-phone")
}

// openInvoice issues customer an invoice of one line of amount (minor
// units of their currency), left to pay.
func openInvoice(t *testing.T, app core.App, customer *core.Record, amount int64, description string) *ledger.Invoice {
	t.Helper()
	ctx := context.Background()
	s, err := settings.Load(app)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := ledger.NewDraft(ctx, app, s, ledger.Treatment{Reason: "tax disabled"}, customer, ledger.PurposeManual)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.AddLine(ctx, app, inv, ledger.Line{Kind: ledger.KindAdjustment, Description: description, Quantity: 1, UnitAmount: amount}); err != nil {
		t.Fatal(err)
	}
	if err := ledger.Finalize(ctx, app, inv, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	return inv
}
