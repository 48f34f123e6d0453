package whmcs_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/testutil"
)

// Clients whose addresses differ only in case (the sample's 11, Active, and
// 13, Inactive, both owned by user 11) are imported so that one account
// has the address: the other can sign in with nothing, keeps its own
// services and invoices, and the report names the group for staff.
func TestCaseDuplicateClientsGetOneSignIn(t *testing.T) {
	e := readExpected(t)
	app := testutil.NewApp(t)
	rep := runImport(t, app, whmcs.Options{})
	api := testutil.NewAPI(t, app)
	customer := func(whmcsID string) *core.Record {
		t.Helper()
		r, err := app.FindFirstRecordByData("customers", "whmcs_id", whmcsID)
		if err != nil {
			t.Fatalf("client %s not imported: %v", whmcsID, err)
		}
		return r
	}
	signIn := func(identity string) (int, string) {
		res := api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "",
			map[string]any{"identity": identity, "password": e.FillerPassword.Password})
		if res.Status != http.StatusOK {
			return res.Status, ""
		}
		rec, _ := res.Object(t)["record"].(map[string]any)
		id, _ := rec["id"].(string)
		return res.Status, id
	}

	src := source(t)
	for _, group := range e.CaseDuplicates {
		ids := make([]string, len(group))
		emails := make([]string, len(group))
		for i, c := range group {
			ids[i] = fmt.Sprint(c.ClientID)
			if err := src.QueryRow("SELECT email FROM tblclients WHERE id = ?", c.ClientID).Scan(&emails[i]); err != nil {
				t.Fatal(err)
			}
		}
		var note string
		for _, p := range rep.Notes {
			if p.Entity == "customers" && p.ID == strings.Join(ids, ",") {
				note = p.Reason
			}
		}
		address := strings.ToLower(emails[0])
		if !strings.Contains(note, address) || !strings.Contains(note, "client 11 keeps it") || !strings.Contains(note, "whmcs-client-13@duplicate.invalid") {
			t.Errorf("report note for clients %v: %q", ids, note)
		}
		// Whatever case is typed, the address signs into client 11 only.
		for _, email := range append(emails, strings.ToUpper(address)) {
			if status, id := signIn(email); status != http.StatusOK || id != customer("11").Id {
				t.Errorf("sign-in as %s: %d, record %q; want client 11's %s", email, status, id, customer("11").Id)
			}
		}
	}
	kept, dropped := customer("11"), customer("13")
	if kept.Email() != "shared.mailbox1@example.com" {
		t.Errorf("client 11: %q", kept.Email())
	}
	if dropped.Email() != "whmcs-client-13@duplicate.invalid" || dropped.Verified() || dropped.GetBool("password_reset_required") {
		t.Errorf("client 13: %q, verified %v, reset %v", dropped.Email(), dropped.Verified(), dropped.GetBool("password_reset_required"))
	}
	if status, _ := signIn(dropped.Email()); status == http.StatusOK {
		t.Error("client 13 signs in with its placeholder and the owner's password")
	}
	var whmcsServices int
	if err := src.QueryRow("SELECT COUNT(*) FROM tblhosting WHERE userid = 13").Scan(&whmcsServices); err != nil {
		t.Fatal(err)
	}
	if n, _ := app.CountRecords("services", dbx.HashExp{"customer": dropped.Id}); int(n) != whmcsServices {
		t.Errorf("client 13 has %d services, WHMCS %d", n, whmcsServices)
	}
	if n := count(rep, "customers"); n.Failed != 0 {
		t.Errorf("customers failed: %+v", n)
	}

	// A second run moves nothing.
	again := runImport(t, app, whmcs.Options{Only: []string{"customers"}})
	if c := count(again, "customers"); c.Created != 0 || c.Updated != 0 {
		t.Errorf("second run: %+v", c)
	}
	if customer("11").Email() != kept.Email() || customer("13").Email() != dropped.Email() {
		t.Error("the second run moved the address")
	}
}

// A client with the address of a customer who signed up on EZSCALE, in any
// case, is imported without sign-in instead of failing the import.
func TestClientWithAnEZSCALECustomersAddress(t *testing.T) {
	app := testutil.NewApp(t)
	mine := testutil.Customer(t, app, "SHARED.MAILBOX1@example.com", "USD")
	rep := runImport(t, app, whmcs.Options{Only: []string{"customers"}})
	if c := count(rep, "customers"); c.Failed != 0 {
		t.Fatalf("customers: %+v", c)
	}
	for _, id := range []string{"11", "13"} {
		r, err := app.FindFirstRecordByData("customers", "whmcs_id", id)
		if err != nil {
			t.Fatal(err)
		}
		if want := "whmcs-client-" + id + "@duplicate.invalid"; r.Email() != want {
			t.Errorf("client %s: %q, want %q", id, r.Email(), want)
		}
	}
	if !listed(rep.Notes, "customers", 11) || !listed(rep.Notes, "customers", 13) {
		t.Errorf("clients 11 and 13 are not in the notes: %v", rep.Notes)
	}
	if got, _ := app.FindRecordById("customers", mine.Id); got.Email() != "shared.mailbox1@example.com" {
		t.Errorf("the EZSCALE customer's address changed: %q", got.Email())
	}
}
