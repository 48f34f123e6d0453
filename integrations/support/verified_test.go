package support_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/integrations/supportpal"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The mirror gives a ticket to a customer only by a verified address (any
// case) or a link made by one: an account that never proved the address
// is nobody's help-desk user.
func TestMirrorAttributesTicketsOnlyToVerifiedCustomers(t *testing.T) {
	e := newSyncEnv(t)
	ctx := context.Background()
	ticketOf := func(email, subject string) int64 {
		t.Helper()
		u, err := e.api.FindUserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if u == nil {
			if u, err = e.api.CreateUser(ctx, supportpal.NewUser{Email: email, Firstname: "Someone", Active: true}); err != nil {
				t.Fatal(err)
			}
		}
		tk, err := e.api.CreateTicket(ctx, supportpal.NewTicket{User: u.ID, Department: 1, Status: 1, Priority: 1, Subject: subject, Text: "<p>x</p>"})
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	unverified := testutil.Customer(t, e.app, "mallory@example.com", "EUR")
	unverified.SetVerified(false)
	if err := e.app.Save(unverified); err != nil {
		t.Fatal(err)
	}
	// Tickets mailed to the help desk from both addresses, in another case.
	byMallorysAddress := ticketOf("MALLORY@example.com", "Sent from mallory@")
	byJanesAddress := ticketOf("Jane@Example.com", "Sent from jane@")
	// A SupportPal user the unverified account is linked to (the old code
	// linked accounts by any address).
	linked := ticketOf("victim@example.org", "The victim's ticket")
	victim, err := e.api.FindUserByEmail(ctx, "victim@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.DB().Update("customers", dbx.Params{"supportpal_user_id": victim.ID}, dbx.HashExp{"id": unverified.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	e.clock.add(time.Minute)
	e.sync(t)

	if row := e.mirror(t, byJanesAddress); row.GetString("customer") != e.customer.Id {
		t.Errorf("jane's ticket (address in another case) mirrored for %q", row.GetString("customer"))
	}
	for _, id := range []int64{byMallorysAddress, linked} {
		if n, _ := e.app.CountRecords(support.Collection, dbx.HashExp{"supportpal_id": id}); n != 0 {
			t.Errorf("ticket %d mirrored for an unverified account", id)
		}
	}
	if fresh, _ := e.app.FindRecordById("customers", unverified.Id); fresh.GetInt("supportpal_user_id") != int(victim.ID) {
		t.Errorf("the unverified account was linked to SupportPal user %d", fresh.GetInt("supportpal_user_id"))
	}

	// The desk itself refuses them: no user is found, created or signed in.
	users := len(e.sim.Users())
	if _, err := e.desk.UserFor(ctx, unverified); !errors.Is(err, support.ErrUnverified) {
		t.Errorf("UserFor an unverified customer: %v", err)
	}
	if _, _, err := e.desk.LoginLink(ctx, unverified, ""); !errors.Is(err, support.ErrUnverified) {
		t.Errorf("LoginLink for an unverified customer: %v", err)
	}
	if _, err := e.desk.List(ctx, unverified, support.ListQuery{Status: "all"}); !errors.Is(err, support.ErrUnverified) {
		t.Errorf("List for an unverified customer: %v", err)
	}
	if _, err := e.desk.Import(ctx, unverified, support.ImportedTicket{Subject: "Old",
		Messages: []support.ImportedMessage{{HTML: "<p>old</p>"}}}, support.ImportProgress{}); !errors.Is(err, support.ErrUnverified) {
		t.Errorf("Import for an unverified customer: %v", err)
	}
	if len(e.sim.Users()) != users {
		t.Errorf("SupportPal users created for an unverified customer")
	}
}
