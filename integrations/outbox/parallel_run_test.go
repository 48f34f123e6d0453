package outbox_test

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestHeldCustomersEmailsAreNeverSent: WHMCS writes to the customers it
// still serves; what this platform queued for them is cancelled with a
// note, and stays unsent after the cutover. Others' mail is unaffected.
func TestHeldCustomersEmailsAreNeverSent(t *testing.T) {
	w := newWorld(t)
	held := testutil.Customer(t, w.app, "held@example.com", "USD")
	live := testutil.Customer(t, w.app, "live@example.com", "USD")
	testutil.HoldForWHMCS(t, w.app, held.Id, true)
	heldMail := w.queue(t, outbox.Message{Recipient: "held@example.com", CustomerID: held.Id, Subject: "Invoice due"})
	liveMail := w.queue(t, outbox.Message{Recipient: "live@example.com", CustomerID: live.Id, Subject: "Invoice due"})

	d := w.deliverer(nil)
	drain(t, d, "email")
	if got := w.reload(t, heldMail.Id); got.GetString("status") != outbox.StatusCancelled || !strings.Contains(got.GetString("last_error"), "WHMCS") {
		t.Errorf("held customer's email: %s %q, want cancelled with the reason", got.GetString("status"), got.GetString("last_error"))
	}
	if got := w.reload(t, liveMail.Id); got.GetString("status") != outbox.StatusSent {
		t.Errorf("live customer's email: %s, want sent", got.GetString("status"))
	}

	testutil.HoldForWHMCS(t, w.app, held.Id, false)
	after := w.queue(t, outbox.Message{Recipient: "held@example.com", CustomerID: held.Id, Subject: "Welcome aboard"})
	drain(t, d, "email")
	if got := w.reload(t, heldMail.Id); got.GetString("status") != outbox.StatusCancelled {
		t.Errorf("the parallel run's email after the cutover: %s", got.GetString("status"))
	}
	if got := w.reload(t, after.Id); got.GetString("status") != outbox.StatusSent {
		t.Errorf("an email after the cutover: %s, want sent", got.GetString("status"))
	}
	if n := len(w.sim.Received()); n != 2 {
		t.Errorf("mailgun received %d messages, want 2", n)
	}
}
