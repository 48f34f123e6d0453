//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/internal/seed"
)

// TestStaffInvoices: staff write a manual invoice for the demo customer
// (GBP, decimal amounts typed), issue it, record the bank transfer that
// pays it, try to refund more than was paid (refused, the server's reason
// on the form), refund part of it to credit, and see the refund, its
// credit note and the new status on the invoice's page.
func TestStaffInvoices(t *testing.T) {
	pf := startPlatform(t)
	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)
	customer, err := pf.App.FindAuthRecordByEmail("customers", seed.DemoCustomerEmail)
	if err != nil {
		t.Fatal(err)
	}

	p.visit("/staff/invoices/new?customer=" + customer.Id)
	p.fill("Description", "Data migration")
	p.retype("Quantity", "2")
	p.fill("Unit price", "40.00")
	p.clickID("invoice-create")
	p.waitFor("invoice-issue")
	p.screenshot("80-staff-invoice-draft")

	p.clickID("invoice-issue")
	p.clickID("confirm")
	p.waitFor("form-success")
	p.waitFor("invoice-pay")
	inv, err := pf.App.FindFirstRecordByFilter("invoices", "customer = {:c} && purpose = 'manual'", dbx.Params{"c": customer.Id})
	if err != nil || inv.GetString("status") != ledger.StatusOpen || inv.GetInt64("subtotal") != 8000 {
		t.Fatalf("issued invoice: %v, %v", inv, err)
	}

	p.clickID("invoice-pay") // the amount due is filled in
	p.fill("Bank reference", "BACS-2026-0042")
	p.clickID("confirm")
	p.waitFor("payment-charge")
	p.poll("paid", `document.querySelector('[data-testid="invoice-status"]')?.innerText.trim().toLowerCase() === 'paid'`)
	charge, err := pf.App.FindFirstRecordByFilter("payments", "invoice = {:i} && kind = 'charge'", dbx.Params{"i": inv.Id})
	if err != nil || charge.GetString("gateway_id") != "BACS-2026-0042" {
		t.Fatalf("bank transfer: %v, %v", charge, err)
	}
	p.screenshot("81-staff-invoice-paid")

	p.clickID("refund-" + charge.Id)
	p.retype("Amount", "999.00")
	p.check("Account credit")
	p.fill("Reason", "Migration finished a day late")
	p.clickID("confirm")
	p.waitFor("form-error")
	if msg := p.text("form-error"); !strings.Contains(msg, "at most") {
		t.Errorf("refusal shown: %q", msg)
	}
	p.screenshot("82-staff-refund-refused")

	p.retype("Amount", "10.00")
	p.clickID("confirm")
	p.waitFor("payment-refund")
	p.waitFor("invoice-credit-notes")
	p.poll("partially refunded", `document.querySelector('[data-testid="invoice-status"]')?.innerText.trim().toLowerCase() === 'partially refunded'`)
	if got := p.text("invoice-refunded"); !strings.Contains(got, "10.00") {
		t.Errorf("refunded shown as %q", got)
	}
	p.screenshot("83-staff-invoice-refunded")

	inv, _ = pf.App.FindRecordById("invoices", inv.Id)
	if inv.GetString("status") != ledger.StatusPartiallyRefunded || inv.GetInt64("amount_refunded") != 1000 {
		t.Errorf("invoice after the refund: %s, %d refunded", inv.GetString("status"), inv.GetInt64("amount_refunded"))
	}
	if n, _ := pf.App.CountRecords("credit_entries", dbx.HashExp{"invoice": inv.Id, "reason": ledger.CreditRefund, "amount": 1000}); n != 1 {
		t.Errorf("%d refund credit entries", n)
	}
	rep, err := ledgercheck.Run(pf.App)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("ledger check: %s", v)
	}
}

// retype replaces what a labelled input holds (a prefilled amount or
// quantity) with v: the input is emptied through an input event, so the
// page's model sees it empty before the keys arrive.
func (p *page) retype(label, v string) {
	p.t.Helper()
	sel := p.field(label)
	value(p, "clear "+label, chromedp.Evaluate[bool](fmt.Sprintf(
		`((el) => { el.value = ''; return el.dispatchEvent(new Event('input', {bubbles: true})) })(document.querySelector(%q))`, sel)))
	p.run("type "+label, chromedp.SendKeys(sel, v))
}
