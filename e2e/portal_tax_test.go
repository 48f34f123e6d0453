//go:build e2e

package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestPortalTaxLabels: a new customer signs up in Germany (19 % VAT
// configured), orders, and the checkout says how the price recurs, tax
// included, in the server's words; the paid invoice shows the billing
// country under "Bill to", the same sentence and the period, and the PDF
// prints the same sentence and period. A customer without a country is
// asked for the billing address on the order page before paying.
func TestPortalTaxLabels(t *testing.T) {
	pf := startPlatform(t)
	rate, err := pf.App.FindFirstRecordByFilter("tax_rates", "country = 'DE' && region = ''")
	if err != nil {
		t.Fatal(err)
	}
	rate.Set("name", "VAT")
	rate.Set("rate", 19000)
	rate.Set("inclusive", false)
	if err := pf.App.Save(rate); err != nil {
		t.Fatal(err)
	}

	p := newPage(t, pf.URL)
	const email, password = "kunde@example.de", "correct-horse-battery"
	p.visit("/signup")
	p.fill("Full name", "Karla Kunde")
	p.fill("Email", email)
	p.fill("Password", password)
	p.fill("Confirm password", password)
	p.fill("Country", "DE")
	p.fill("Currency", "EUR")
	p.check("I agree")
	p.screenshot("tax-01-signup")
	p.click("Create account")
	p.poll("signed up", `location.pathname !== '/signup' && !!localStorage.getItem('pocketbase_auth')`)
	customer, err := pf.App.FindAuthRecordByEmail("customers", email)
	if err != nil || customer.GetString("country") != "DE" {
		t.Fatalf("signed-up customer %v country %q: the sign-up did not keep the country", err, customer.GetString("country"))
	}
	p.visit(strings.TrimPrefix(verificationLink(t, pf, email), pf.URL))
	p.waitFor("verified")

	p.visit("/")
	p.clickID("order-minecraft-8gb")
	p.fill("Game", "paper")
	p.clickID("pay-sandbox")
	p.waitFor("quote-renews")
	renews := p.text("quote-renews")
	if !regexp.MustCompile(`^then €[0-9.,]+ [a-z0-9 ]+ plus 19% VAT$`).MatchString(renews) {
		t.Errorf("checkout says %q, want \"then €… plus 19%% VAT\"", renews)
	}
	p.screenshot("tax-02-checkout")
	p.phone(true)
	p.screenshot("tax-03-checkout-phone")
	p.phone(false)
	p.clickID("place-order")
	p.waitFor("order-service-status")

	inv, err := pf.App.FindFirstRecordByFilter("invoices", "customer = {:c}", dbx.Params{"c": customer.Id})
	if err != nil {
		t.Fatal(err)
	}
	p.visit("/billing/invoices/" + inv.Id)
	p.waitFor("invoice-item-renews")
	if got := p.text("invoice-item-renews"); got != renews {
		t.Errorf("invoice page says %q, checkout said %q", got, renews)
	}
	webPeriod := p.text("invoice-item-period")
	if !eval[bool](p, "bill to", `[...document.querySelectorAll('address')].some((a) => a.innerText.includes('Karla Kunde') && a.innerText.includes('Germany'))`) {
		t.Error("the invoice's Bill to has no billing country")
	}
	p.screenshot("tax-04-invoice")
	p.phone(true)
	p.screenshot("tax-05-invoice-phone")
	p.phone(false)

	// The PDF: its link answers a PDF, and the document it prints has the
	// same sentence and period as the page.
	p.poll("pdf link has its token", `!!document.querySelector('[data-testid="invoice-pdf"]')?.getAttribute('href')`)
	if body := get(t, eval[string](p, "pdf link", `document.querySelector('[data-testid="invoice-pdf"]').href`)); !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the invoice link gave no PDF: %.40q", body)
	}
	fresh, err := ledger.FindInvoice(pf.App, inv.Id)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ledger.Document(pf.App, fresh)
	if err != nil {
		t.Fatal(err)
	}
	var printed []string
	for _, l := range doc.Lines {
		if l.Renews != "" {
			printed = append(printed, l.Renews+" | "+cycle.FormatDays(l.PeriodStart, l.PeriodEnd))
		}
	}
	if want := renews + " | " + webPeriod; len(printed) != 1 || printed[0] != want {
		t.Errorf("the PDF prints %q, the page shows %q", printed, want)
	}

	// A customer without a country is asked for the address before paying.
	other := testutil.Customer(t, pf.App, "nowhere@example.com", "GBP")
	other.Set("country", "")
	if err := pf.App.Save(other); err != nil {
		t.Fatal(err)
	}
	q := newPage(t, pf.URL)
	q.visit("/login")
	q.fill("Email", "nowhere@example.com")
	q.fill("Password", testPassword)
	q.click("Log in")
	q.poll("signed in", `location.pathname !== '/login' && !!localStorage.getItem('pocketbase_auth')`)
	q.visit("/")
	q.clickID("order-minecraft-8gb")
	q.fill("Game", "paper")
	q.waitFor("billing-address-step")
	q.waitFor("quote-needs-address")
	q.screenshot("tax-06-address-step")
	q.phone(true)
	q.screenshot("tax-07-address-step-phone")
	q.phone(false)
	q.fill("Address", "1 High Street")
	q.fill("Postal code", "SW1A 1AA")
	q.fill("City", "London")
	q.fill("Country", "GB")
	q.clickID("billing-address-save")
	q.poll("address step done", `!document.querySelector('[data-testid="billing-address-step"]')`)
	q.poll("taxed quote", `(document.querySelector('[data-testid="quote-renews"]')?.innerText || '').includes('plus 20% VAT')`)
	if saved, err := pf.App.FindRecordById("customers", other.Id); err != nil || saved.GetString("country") != "GB" || saved.GetString("city") != "London" {
		t.Errorf("the address step saved %v (%v)", saved, err)
	}
	q.screenshot("tax-08-address-saved")
}
