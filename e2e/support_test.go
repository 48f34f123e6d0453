//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// TestSupportTickets: a customer opens a ticket about their service,
// sees support's answer (sanitised) after checking for replies, keeps
// their reply while the help desk is down and sends it once it is back;
// customer B opening the ticket's address sees "not found".
func TestSupportTickets(t *testing.T) {
	pf := startPlatform(t)
	svc := customerWithService(t, pf, "a@example.com", "alpha.example.net")
	customerWithService(t, pf, "b@example.com", "bravo.example.net")

	p := newPage(t, pf.URL)
	logIn(p, "a@example.com")
	p.visit("/support")
	p.waitText("No tickets")
	p.click("New ticket")
	p.waitFor("new-ticket-form")
	p.fill("Department", "2")
	p.fill("Related service", svc)
	p.fill("Subject", "Server unreachable since 10:00")
	p.fill("Message", "Ping times out.\nCould you check the node?")
	p.screenshot("60-support-new-ticket")
	p.click("Open ticket")
	p.waitFor("ticket-thread")

	tickets := pf.Desk.Tickets()
	if len(tickets) != 1 || tickets[0].DepartmentID != 2 || tickets[0].Subject != "Server unreachable since 10:00" {
		t.Fatalf("help desk tickets: %+v", tickets)
	}
	id := tickets[0].ID
	if got := p.url(); !strings.HasSuffix(got, fmt.Sprintf("/support/%d", id)) {
		t.Errorf("after opening the ticket the page is %s", got)
	}

	pf.Desk.AddStaffReply(id, `<p>We rebooted the node.<script>document.title='pwned'</script>`+
		`<img src=x onerror="document.title='pwned'"></p>`)
	p.click("Check for replies")
	p.poll("staff reply shown", `document.querySelector('[data-testid=ticket-message][data-author=staff]')?.innerText.includes('We rebooted the node.')`)
	if eval[bool](p, "script ran", `document.title === 'pwned' || !!document.querySelector('[data-testid=ticket-thread] script, [data-testid=ticket-thread] img')`) {
		t.Error("the staff reply's markup reached the page")
	}
	p.screenshot("61-support-thread")

	// The help desk goes down while the customer answers: the error shows
	// and the typed reply stays; once it is back the reply goes through.
	const reply = "Still down after the reboot, sorry."
	pf.Desk.FailNext(50, 503, 0)
	p.fill("Your reply", reply)
	p.click("Send reply")
	p.waitFor("form-error")
	if got := p.text("form-error"); !strings.Contains(got, "Support is unavailable right now") {
		t.Errorf("error shown: %q", got)
	}
	if got := eval[string](p, "draft kept", `document.querySelector('#reply-message').value`); got != reply {
		t.Errorf("the reply box holds %q after the failure", got)
	}
	p.screenshot("62-support-unavailable")
	pf.Desk.Recover()
	p.click("Send reply")
	p.poll("reply sent", `document.querySelectorAll('[data-testid=ticket-message]').length === 3 && document.querySelector('#reply-message').value === ''`)
	if n := pf.Desk.Tickets()[0].MessagesCount; n != 3 {
		t.Errorf("the help desk holds %d messages, want 3", n)
	}

	p.visit("/support")
	p.waitFor("ticket-row")
	p.screenshot("63-support-list")
	p.visit("/dashboard")
	p.waitText("Server unreachable since 10:00")

	b := newPage(t, pf.URL)
	logIn(b, "b@example.com")
	b.visit(fmt.Sprintf("/support/%d", id))
	b.waitFor("error-state")
	if got := b.text("error-state"); !strings.Contains(got, "Not found") {
		t.Errorf("B opening A's ticket sees %q", got)
	}
	if eval[bool](b, "leak check", `document.body.innerText.includes('Server unreachable')`) {
		t.Error("B's page shows A's ticket")
	}
}

// logIn signs a test customer in with testPassword and waits for the dashboard.
func logIn(p *page, email string) {
	p.t.Helper()
	p.visit("/login")
	p.fill("Email", email)
	p.fill("Password", testPassword)
	p.click("Log in")
	p.waitFor("service-row")
}
