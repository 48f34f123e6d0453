//go:build e2e

package e2e

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffQueue: a failed provisioning job, an unmatched gateway event
// and two unsent emails wait in the work queue; the header counts them;
// staff clear each from the queue page (cancel the job with a reason, re-run then
// dismiss the event, send one email again, discard the other) until the
// queue is empty and the header's count is gone.
func TestStaffQueue(t *testing.T) {
	pf := startPlatform(t)
	customer, err := pf.App.FindAuthRecordByEmail("customers", seed.DemoCustomerEmail)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pf.App.FindFirstRecordByFilter("plans", "service_type = 'vps'")
	if err != nil {
		t.Fatal(err)
	}
	svc := testutil.Create(t, pf.App, "services", map[string]any{"customer": customer.Id, "plan": plan.Id, "service_type": "vps",
		"platform": plan.GetString("platform"), "status": "active", "hostname": "queue.example.com"})
	job := testutil.Create(t, pf.App, "provisioning_jobs", map[string]any{"service": svc.Id, "action": "suspend", "status": "failed",
		"attempts": 8, "max_attempts": 8, "last_error": "virtfusion: 422 server is locked", "finished_at": time.Now().UTC()})
	event := testutil.Create(t, pf.App, "webhook_events", map[string]any{"gateway": "stripe", "event_id": "evt_e2e_queue",
		"type": "charge.succeeded", "status": "unmatched", "error": "no invoice for payment intent pi_unknown", "payload": map[string]any{}})
	var messages []string
	for i, subject := range []string{"Your invoice", "Welcome aboard"} {
		m := testutil.Create(t, pf.App, "outbox", map[string]any{"channel": "email", "recipient": customer.Email(), "customer": customer.Id,
			"template": "e2e_" + strconv.Itoa(i), "subject": subject, "body_text": "Hello", "status": "failed", "attempts": 5,
			"last_error": "mailgun: 550 mailbox unavailable", "next_attempt_at": time.Now().UTC()})
		messages = append(messages, m.Id)
	}

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)
	p.waitFor("queue-badge")
	if got := strings.Join(strings.Fields(p.text("queue-badge")), " "); got != "4 items to act on" {
		t.Errorf("header count %q, want 4", got)
	}
	p.visit("/staff/queue")
	p.waitFor("queue-section-failed_jobs")
	p.waitFor("queue-section-webhooks")
	p.waitFor("queue-section-outbox")
	if got := p.text("queue-total"); got != "4" {
		t.Errorf("queue total %q, want 4", got)
	}
	p.screenshot("90-staff-queue-before")

	// The old Operations address leads here.
	p.visit("/staff/operations")
	p.waitFor("queue-section-failed_jobs")

	p.clickID("queue-cancel-job")
	p.fill("Reason for cancelling", "Server was locked by the datacenter; suspended by hand")
	p.clickID("queue-confirm-cancel")
	p.waitText("is cancelled.")
	p.clickID("queue-rerun-event")
	p.poll("re-run answered", `!!document.querySelector('[data-testid=form-success], [data-testid=form-error]')`)
	p.clickID("queue-dismiss-event")
	p.waitText("is dismissed.")
	p.clickID("queue-resend-message")
	p.waitText("queued to be sent again")
	p.clickID("queue-discard-message")
	p.waitText("it will not be sent")
	p.waitFor("empty-state")
	p.waitText("Nothing to do")
	p.poll("header count gone", `!document.querySelector('[data-testid=queue-badge]')`)
	p.screenshot("91-staff-queue-empty")

	for _, check := range []struct{ collection, id, want string }{
		{"provisioning_jobs", job.Id, "cancelled"},
		{"webhook_events", event.Id, "ignored"},
	} {
		rec, err := pf.App.FindRecordById(check.collection, check.id)
		if err != nil || rec.GetString("status") != check.want {
			t.Errorf("%s %s: %v %v, want %s", check.collection, check.id, rec, err, check.want)
		}
	}
	// One message was sent again (pending or sent by now), the other discarded.
	statuses := map[string]int{}
	for _, id := range messages {
		m, err := pf.App.FindRecordById("outbox", id)
		if err != nil {
			t.Fatal(err)
		}
		s := m.GetString("status")
		if s == "sending" || s == "sent" {
			s = "pending"
		}
		statuses[s]++
	}
	if statuses["pending"] != 1 || statuses["cancelled"] != 1 {
		t.Errorf("messages after one re-send and one discard: %v", statuses)
	}
}
