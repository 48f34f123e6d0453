package whmcs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestImportHoldsCustomersUntilCutover: the customers an import creates
// before the cutover are WHMCS's (a customer who signed up here never
// is); the cutover switches them all on at once, cancels what was queued
// for them meanwhile, records when and by whom, and is done once.
func TestImportHoldsCustomersUntilCutover(t *testing.T) {
	app := testutil.NewApp(t)
	signedUp := testutil.Customer(t, app, "signed-up@example.com", "USD")
	runImport(t, app, whmcs.Options{})
	imported := countWhere(t, app, "customers", "whmcs_id != ''")
	if imported == 0 || countWhere(t, app, "customers", "whmcs_id != '' AND whmcs_billed = TRUE") != imported ||
		countWhere(t, app, "customers", "whmcs_id = '' AND whmcs_billed = TRUE") != 0 {
		t.Fatalf("of %d imported customers, %d held; sign-ups held: %d", imported,
			countWhere(t, app, "customers", "whmcs_id != '' AND whmcs_billed = TRUE"), countWhere(t, app, "customers", "whmcs_id = '' AND whmcs_billed = TRUE"))
	}
	// A re-run holds nobody again nor releases anyone.
	runImport(t, app, whmcs.Options{Only: []string{"customers"}})
	if n := countWhere(t, app, "customers", "whmcs_billed = TRUE"); n != imported {
		t.Fatalf("after a re-run %d held, want %d", n, imported)
	}

	now := time.Now().UTC()
	check, err := whmcs.Check(app, now)
	if err != nil {
		t.Fatal(err)
	}
	unlinked := countWhere(t, app, "services", "whmcs_id != '' AND status IN ('active', 'suspended') AND platform != 'manual' AND platform_service_id = ''")
	due := countWhere(t, app, "invoices", "whmcs_id != '' AND status = 'open' AND due_at != '' AND due_at <= '"+now.Add(7*24*time.Hour).Format("2006-01-02 15:04:05.000Z")+"'")
	if check.Held != imported || len(check.Unlinked) != unlinked || unlinked == 0 || !check.Blocked() || len(check.DueSoon) != due {
		t.Fatalf("checklist: held %d unlinked %d due %d blocked %v; want %d, %d, %d and blocked", check.Held, len(check.Unlinked),
			len(check.DueSoon), check.Blocked(), imported, unlinked, due)
	}

	// What the parallel run queued for a held customer, and for the one who signed up.
	var held string
	if err := app.DB().Select("id").From("customers").Where(dbx.NewExp("whmcs_billed = TRUE")).Limit(1).Row(&held); err != nil {
		t.Fatal(err)
	}
	heldMail, err := outbox.Queue(context.Background(), app, outbox.Message{Channel: "email", Recipient: "x@example.com", CustomerID: held,
		Template: "test_notice", Subject: "Invoice due", BodyText: "Pay"})
	if err != nil {
		t.Fatal(err)
	}
	liveMail, err := outbox.Queue(context.Background(), app, outbox.Message{Channel: "email", Recipient: signedUp.Email(), CustomerID: signedUp.Id,
		Template: "test_notice", Subject: "Welcome", BodyText: "Hi"})
	if err != nil {
		t.Fatal(err)
	}
	var heldService string
	if err := app.DB().Select("id").From("services").Where(dbx.HashExp{"customer": held}).Limit(1).Row(&heldService); err != nil {
		t.Skip("the held customer has no service in the sample")
	}
	job, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: heldService, Action: provisioning.ActionSuspend})
	if err != nil {
		t.Fatal(err)
	}
	before, err := ledgercheck.Run(app)
	if err != nil {
		t.Fatal(err)
	}

	res, err := whmcs.Cutover(context.Background(), app, "alice", now)
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyDone || res.Customers != imported || res.EmailsHeld != 1 || res.JobsHeld != 1 {
		t.Errorf("cutover: %+v, want %d customers, 1 email and 1 job", res, imported)
	}
	if n := countWhere(t, app, "customers", "whmcs_billed = TRUE"); n != 0 {
		t.Errorf("%d customers still held", n)
	}
	for id, want := range map[string]string{heldMail.Id: outbox.StatusCancelled, liveMail.Id: outbox.StatusPending} {
		if got, _ := app.FindRecordById(outbox.Collection, id); got.GetString("status") != want {
			t.Errorf("email %s: %s, want %s", id, got.GetString("status"), want)
		}
	}
	if got, _ := app.FindRecordById(provisioning.Collection, job.Id); got.GetString("status") != "cancelled" {
		t.Errorf("the parallel run's job: %s, want cancelled", got.GetString("status"))
	}
	rec, _ := settings.Record(app)
	if !rec.GetDateTime("whmcs_cutover_at").Time().Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("cutover at %v, want %v", rec.GetDateTime("whmcs_cutover_at"), now)
	}
	entry, err := app.FindFirstRecordByData("audit_logs", "action", "whmcs.cutover")
	if err != nil || !strings.Contains(entry.GetString("message"), "by alice") || entry.GetString("actor_id") != "whmcs-cutover" {
		t.Errorf("audit entry: %v %v", entry, err)
	}
	after, err := ledgercheck.Run(app)
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Violations) != len(before.Violations) {
		t.Errorf("the cutover changed the books: %d violations before, %d after: %v", len(before.Violations), len(after.Violations), after.Violations)
	}

	again, err := whmcs.Cutover(context.Background(), app, "bob", now.Add(time.Hour))
	if err != nil || !again.AlreadyDone || again.Customers != 0 || !again.At.Equal(now.Truncate(time.Millisecond)) {
		t.Errorf("second cutover: %+v %v, want already done at the first's time", again, err)
	}
}

// TestImportAfterCutoverHoldsNobody: once the business cut over, WHMCS
// serves no one, so a late import brings its customers in live.
func TestImportAfterCutoverHoldsNobody(t *testing.T) {
	app := testutil.NewApp(t)
	if _, err := whmcs.Cutover(context.Background(), app, "alice", time.Now()); err != nil {
		t.Fatal(err)
	}
	runImport(t, app, whmcs.Options{Only: []string{"customers"}})
	if n := countWhere(t, app, "customers", "whmcs_id != ''"); n == 0 || countWhere(t, app, "customers", "whmcs_billed = TRUE") != 0 {
		t.Errorf("imported %d, held %d after the cutover", n, countWhere(t, app, "customers", "whmcs_billed = TRUE"))
	}
}
