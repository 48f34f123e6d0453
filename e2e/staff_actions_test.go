//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffServiceActions: on a game server's console page staff try to
// move the next due date into the past (refused, the server's reason on
// the form), move it a week later, override the price with a reason,
// start the server (the Pterodactyl simulator's server runs), reveal its
// credentials, open its panel, retry a failed provisioning job, and
// terminate it — a wrong label is refused first — so that its
// subscription is cancelled. Each action is checked on the page, in the
// database and in the audit log.
func TestStaffServiceActions(t *testing.T) {
	pf := startPlatform(t)
	const label = "mc.ops.example"
	svcID := gameServer(t, pf, "ops@example.com", label)
	svc, err := pf.App.FindRecordById("services", svcID)
	if err != nil {
		t.Fatal(err)
	}
	subID := svc.GetString("subscription")
	job := testutil.Create(t, pf.App, "provisioning_jobs", map[string]any{"service": svcID, "action": "unsuspend", "status": "failed",
		"attempts": 8, "max_attempts": 8, "last_error": "pterodactyl: 504 gateway timeout", "finished_at": time.Now().UTC()})

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)
	p.visit("/staff/services/" + svcID)
	p.waitFor("service-status")
	p.waitFor("job-failed")
	p.waitText("pterodactyl: 504 gateway timeout")
	p.screenshot("70-staff-service-actions")

	// The next due date: yesterday is refused, a week after it is kept.
	sub := record(t, pf.App, "subscriptions", subID)
	dueBefore := sub.GetDateTime("billed_until").Time().UTC()
	p.clickID("service-due-date")
	p.setInput("Next due date", time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly))
	p.fill("Reason", "Customer asked to align billing with payday")
	p.clickID("confirm")
	if msg := p.shown("form-error"); !strings.Contains(msg, "future") {
		t.Errorf("past due date refusal shown as %q", msg)
	}
	p.screenshot("71-staff-service-due-refused")
	if got := record(t, pf.App, "subscriptions", subID).GetDateTime("billed_until").Time(); !got.Equal(dueBefore) {
		t.Errorf("refused due date changed billed_until %s → %s", dueBefore, got)
	}
	newDue := dueBefore.AddDate(0, 0, 7).Format(time.DateOnly)
	p.setInput("Next due date", newDue)
	p.clickID("confirm")
	p.shown("form-success")
	p.waitText("The next due date is now")
	if got := record(t, pf.App, "subscriptions", subID).GetDateTime("billed_until").Time().Format(time.DateOnly); got != newDue {
		t.Errorf("billed_until %s, want %s", got, newDue)
	}
	auditHas(t, pf.App, "subscription.due_date", subID, "Customer asked to align billing with payday")

	// The price, overridden with a reason.
	p.clickID("service-price-override")
	p.retype("Price", "7.50")
	p.fill("Reason", "Loyalty discount agreed by phone")
	p.clickID("confirm")
	p.waitText("Renewals now charge")
	p.poll("price shown", `document.querySelector('[data-testid="service-price"]')?.innerText.includes('7.50')`)
	p.screenshot("72-staff-service-due-and-price")
	if got := record(t, pf.App, "subscriptions", subID).GetInt("amount"); got != 750 {
		t.Errorf("subscription amount %d, want 750", got)
	}
	auditHas(t, pf.App, "subscription.price", subID, "Loyalty discount agreed by phone")

	// Power: the simulator's server runs.
	p.click("Start")
	p.waitText("Power action start sent.")
	waitState(t, pf, svcID, "running")
	auditHas(t, pf.App, "power.start", svcID, "")

	// Credentials, revealed on the page.
	p.clickID("service-reveal")
	p.waitFor("service-credentials")
	if got := p.text("service-credentials"); !strings.Contains(got, "identifier") {
		t.Errorf("credentials shown as %q", got)
	}
	auditHas(t, pf.App, "credentials.reveal", svcID, "")

	// Panel login: the page opens the URL the API gives in a new tab; the
	// test records what the page asks to open.
	eval[bool](p, "record window.open", `(() => { window.__opened = []; window.open = (u) => { window.__opened.push(String(u)); return null }; return true })()`)
	p.clickID("service-panel")
	p.poll("panel opened", `window.__opened.length === 1`)
	if u := eval[string](p, "opened url", `window.__opened[0]`); !strings.HasPrefix(u, "http") {
		t.Errorf("panel login opened %q", u)
	}
	auditHas(t, pf.App, "panel.login", svcID, "")
	p.screenshot("73-staff-service-power-credentials-panel")

	// The failed job, retried.
	p.clickID("retry-" + job.Id)
	p.waitText("The unsuspend job is queued again.")
	if st := record(t, pf.App, "provisioning_jobs", job.Id).GetString("status"); st == "failed" {
		t.Errorf("retried job is %s", st)
	}
	auditHas(t, pf.App, "job.retry", job.Id, "")
	p.screenshot("74-staff-service-job-retried")

	// Termination: a wrong label is refused, the right one ends it.
	p.clickID("service-terminate")
	p.fill("Type", "mc.ops")
	p.fill("Reason", "Customer left, confirmed by ticket #4411")
	p.clickID("confirm")
	if msg := p.shown("form-error"); !strings.Contains(msg, label) {
		t.Errorf("wrong label refusal shown as %q", msg)
	}
	p.screenshot("75-staff-service-terminate-refused")
	if st := record(t, pf.App, "subscriptions", subID).GetString("status"); st == "cancelled" {
		t.Fatal("a wrong label cancelled the subscription")
	}
	p.retype("Type", label) // fill's Clear leaves the model its old text
	p.clickID("confirm")
	p.waitText("Termination queued")
	p.screenshot("76-staff-service-terminated")
	if st := record(t, pf.App, "subscriptions", subID).GetString("status"); st != "cancelled" {
		t.Errorf("subscription %s after termination, want cancelled", st)
	}
	auditHas(t, pf.App, "service.terminate", svcID, "Customer left, confirmed by ticket #4411")
}

// TestStaffInvoiceActions: on a draft invoice staff change a line's
// amount and remove another line (the totals follow); on an open invoice
// they resend the email (an outbox row appears), fetch its PDF from the
// page's link as the page does (a PDF answers), and void it with a reason.
func TestStaffInvoiceActions(t *testing.T) {
	pf := startPlatform(t)
	customer := testutil.Customer(t, pf.App, "books@example.com", "EUR")
	draft := staffDraft(t, pf.App, customer, []ledger.Line{
		{Kind: ledger.KindAdjustment, Description: "Data migration", Quantity: 1, UnitAmount: 4000},
		{Kind: ledger.KindAdjustment, Description: "Extra IPv4 address", Quantity: 2, UnitAmount: 300},
	})
	open := staffDraft(t, pf.App, customer, []ledger.Line{{Kind: ledger.KindAdjustment, Description: "Setup fee", Quantity: 1, UnitAmount: 2500}})
	if err := ledger.Finalize(context.Background(), pf.App, open, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	lines, err := pf.App.FindRecordsByFilter("invoice_items", "invoice = {:i}", "sort_order,created,id", 0, 0, dbx.Params{"i": draft.Id})
	if err != nil || len(lines) != 2 {
		t.Fatalf("draft lines: %v %v", lines, err)
	}
	migration, ipv4 := lines[0], lines[1]
	if migration.GetString("description") != "Data migration" {
		migration, ipv4 = ipv4, migration
	}

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)

	// A draft's line: a new amount, then another line removed.
	p.visit("/staff/invoices/" + draft.Id)
	p.clickID("line-edit-" + migration.Id)
	p.retype("Unit price", "45.00")
	p.clickID("confirm")
	p.waitText("The line is changed.")
	p.clickID("line-remove-" + ipv4.Id)
	p.clickID("confirm")
	p.waitText("The line is removed.")
	p.poll("one line left", `document.querySelectorAll('[data-testid="invoice-lines"] tbody tr').length === 1`)
	p.waitText("45.00")
	p.screenshot("77-staff-invoice-draft-edited")
	if n, _ := pf.App.CountRecords("invoice_items", dbx.HashExp{"invoice": draft.Id}); n != 1 {
		t.Errorf("%d lines left on the draft, want 1", n)
	}
	if got := record(t, pf.App, "invoice_items", migration.Id).GetInt("unit_amount"); got != 4500 {
		t.Errorf("line unit amount %d, want 4500", got)
	}
	if got := record(t, pf.App, "invoices", draft.Id).GetInt("subtotal"); got != 4500 {
		t.Errorf("draft subtotal %d, want 4500", got)
	}
	auditHas(t, pf.App, "invoice.line_update", draft.Id, "")
	auditHas(t, pf.App, "invoice.line_remove", draft.Id, "")

	// An open invoice: its email sent again, its PDF.
	p.visit("/staff/invoices/" + open.Id)
	outboxBefore, _ := pf.App.CountRecords("outbox", dbx.HashExp{"customer": customer.Id})
	p.clickID("invoice-resend")
	p.clickID("confirm")
	p.waitText("The invoice email is queued again")
	if n, _ := pf.App.CountRecords("outbox", dbx.HashExp{"customer": customer.Id}); n != outboxBefore+1 {
		t.Errorf("outbox rows for the customer %d → %d, want one more", outboxBefore, n)
	}
	auditHas(t, pf.App, "invoice.resend", open.Id, "")

	p.poll("pdf link has its token", `!!document.querySelector('[data-testid="invoice-pdf"]')?.getAttribute('href')`)
	eval[bool](p, "fetch the pdf", `(() => { window.__pdf = null;
		fetch(document.querySelector('[data-testid="invoice-pdf"]').href)
			.then(async (r) => { const b = new Uint8Array(await r.arrayBuffer()); window.__pdf = r.status + '|' + r.headers.get('content-type') + '|' + String.fromCharCode(...b.slice(0, 4)) })
			.catch((e) => { window.__pdf = 'error|' + e });
		return true })()`)
	p.poll("pdf answered", `window.__pdf !== null`)
	if got := eval[string](p, "pdf answer", `window.__pdf`); got != "200|application/pdf|%PDF" {
		t.Errorf("the PDF link answered %q, want 200, application/pdf, %%PDF", got)
	}
	p.screenshot("78-staff-invoice-resent")

	// The open invoice, voided with a reason.
	p.clickID("invoice-void")
	p.fill("Reason", "Issued twice by mistake")
	p.clickID("confirm")
	p.waitText("The invoice is void.")
	p.poll("void", `document.querySelector('[data-testid="invoice-status"]')?.innerText.trim().toLowerCase() === 'void'`)
	p.screenshot("79-staff-invoice-voided")
	voided := record(t, pf.App, "invoices", open.Id)
	if voided.GetString("status") != ledger.StatusVoid || !strings.Contains(voided.GetString("staff_notes"), "Issued twice by mistake") {
		t.Errorf("invoice %s with staff notes %q after the void", voided.GetString("status"), voided.GetString("staff_notes"))
	}
	auditHas(t, pf.App, "invoice.void", open.Id, "Issued twice by mistake")
}

// staffDraft makes a draft manual invoice of customer with lines.
func staffDraft(t *testing.T, app core.App, customer *core.Record, lines []ledger.Line) *ledger.Invoice {
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
	for _, l := range lines {
		if _, err := ledger.AddLine(ctx, app, inv, l); err != nil {
			t.Fatal(err)
		}
	}
	return inv
}

func record(t *testing.T, app core.App, collection, id string) *core.Record {
	t.Helper()
	r, err := app.FindRecordById(collection, id)
	if err != nil {
		t.Fatalf("%s %s: %v", collection, id, err)
	}
	return r
}

// auditHas checks that staff's action on the record is in the audit log,
// its message holding want.
func auditHas(t *testing.T, app core.App, action, recordID, want string) {
	t.Helper()
	e, err := app.FindFirstRecordByFilter("audit_logs", "action = {:a} && record_id = {:r} && actor_kind = 'superuser'",
		dbx.Params{"a": action, "r": recordID})
	if err != nil {
		t.Errorf("no audit entry %s on %s: %v", action, recordID, err)
		return
	}
	if !strings.Contains(e.GetString("message"), want) {
		t.Errorf("audit entry %s message %q, want it to hold %q", action, e.GetString("message"), want)
	}
}

// waitState waits until the simulator's server is in the power state.
func waitState(t *testing.T, pf *platform, serviceID, state string) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(stepTimeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if sv, ok := pf.Game.Server(serviceID); ok {
			if last = sv.State; last == state {
				return
			}
		}
	}
	t.Errorf("the panel's server is %q, want %q", last, state)
}

// setInput sets a labelled input (a date, which the keyboard fills by
// locale) to v through an input event, as a picker does.
func (p *page) setInput(label, v string) {
	p.t.Helper()
	sel := p.field(label)
	eval[bool](p, "set "+label, fmt.Sprintf(
		`((el) => { el.value = %q; return el.dispatchEvent(new Event('input', {bubbles: true})) })(document.querySelector(%q))`, v, sel))
}

// shown waits for the visible element marked data-testid=id and answers
// its text: every dialog of a page holds a form-error, hidden while it is
// closed, so the first in the document is not always the one shown.
func (p *page) shown(id string) string {
	p.t.Helper()
	sel := p.mark("find "+id, fmt.Sprintf(`() => [...document.querySelectorAll('[data-testid=%q]')]
		.find((el) => el.getClientRects().length > 0)`, id))
	return strings.TrimSpace(eval[string](p, "read "+id, fmt.Sprintf(`document.querySelector(%q).innerText`, sel)))
}
