package hooks_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/testutil"
)

// Issue 16: an account that never proved its address read and answered the
// tickets of the customer whose address it claimed, and was signed into
// the help desk as them. Support needs a verified address, whatever link
// to SupportPal the account holds.
func TestSupportNeedsAVerifiedEmail(t *testing.T) {
	s := newSupportEnv(t)
	id := s.open(t, ticketBody("Invoice question", "A's private matter"))
	victim, err := s.app.FindRecordById("customers", s.a.Id)
	if err != nil {
		t.Fatal(err)
	}

	// An unverified account, linked to A's SupportPal user as the old code
	// linked a second-case sign-up of A's address.
	mallory := testutil.Customer(t, s.app, "mallory@example.com", "EUR")
	mallory.SetVerified(false)
	if err := s.app.Save(mallory); err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.DB().Update("customers", dbx.Params{"supportpal_user_id": victim.GetInt("supportpal_user_id")},
		dbx.HashExp{"id": mallory.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	tm := testutil.Token(t, mallory)
	ticketsBefore := len(s.sim.Tickets())

	for _, c := range []struct {
		method, path string
		body         any
	}{
		{http.MethodGet, "/api/support/options", nil},
		{http.MethodGet, "/api/tickets", nil},
		{http.MethodGet, "/api/tickets?status=all", nil},
		{http.MethodGet, fmt.Sprintf("/api/tickets/%d", id), nil},
		{http.MethodPost, fmt.Sprintf("/api/tickets/%d/replies", id), map[string]any{"message": "Please send the card details here"}},
		{http.MethodPost, "/api/tickets", ticketBody("Hello", "hi")},
		{http.MethodGet, "/api/support/sso", nil},
	} {
		res := s.api.Do(c.method, c.path, tm, c.body)
		if res.Status != http.StatusForbidden || !strings.Contains(string(res.Body), "verify your email address") {
			t.Errorf("%s %s by an unverified account: %d %s", c.method, c.path, res.Status, res.Body)
		}
	}
	if _, th := s.thread(t, s.ta, id); len(th.Messages) != 1 {
		t.Errorf("A's ticket has %d messages, want only A's own", len(th.Messages))
	}
	if len(s.sim.Tickets()) != ticketsBefore || len(s.sim.Users()) != 1 {
		t.Errorf("SupportPal changed for an unverified account: %d tickets, %d users", len(s.sim.Tickets()), len(s.sim.Users()))
	}
	assertCount(t, s.app, "support_tickets", "customer = {:c}", dbx.Params{"c": mallory.Id}, 0)

	// Once verified, their own address gets them their own help-desk user.
	mallory, _ = s.app.FindRecordById("customers", mallory.Id)
	mallory.SetVerified(true)
	mallory.Set("supportpal_user_id", 0)
	if err := s.app.Save(mallory); err != nil {
		t.Fatal(err)
	}
	if list := s.list(t, tm, "?status=all"); list.TotalItems != 0 {
		t.Errorf("a verified Mallory lists %d tickets", list.TotalItems)
	}
}
