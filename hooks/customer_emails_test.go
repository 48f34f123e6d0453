package hooks_test

import (
	"bytes"
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

func signUp(api *testutil.API, email string) *testutil.Response {
	return api.Do(http.MethodPost, "/api/collections/customers/records", "", map[string]any{
		"name": "Someone", "email": email, "password": "correct horse battery", "passwordConfirm": "correct horse battery", "currency": "USD"})
}

func signIn(api *testutil.API, email string) *testutil.Response {
	return api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "",
		map[string]any{"identity": email, "password": "correct horse battery"})
}

// The attack of issue 16: a second account for demo@ as DEMO@.
func TestSignUpWithAnotherCaseOfATakenEmailIsRefused(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	if res := signUp(api, "demo@ezscale.test"); res.Status != http.StatusOK {
		t.Fatalf("first sign-up: %d %s", res.Status, res.Body)
	}
	exact := signUp(api, "demo@ezscale.test")
	if exact.Status != http.StatusBadRequest {
		t.Fatalf("same address again: %d %s", exact.Status, exact.Body)
	}
	for _, email := range []string{"DEMO@ezscale.test", "Demo@EZScale.Test", "  demo@ezscale.test "} {
		res := signUp(api, email)
		// The refusal PocketBase gives for a taken address, word for word:
		// nothing more is told about the account.
		if res.Status != exact.Status || !bytes.Equal(res.Body, exact.Body) {
			t.Errorf("sign-up as %q: %d %s, want the taken-address answer %d %s", email, res.Status, res.Body, exact.Status, exact.Body)
		}
	}
	if n, _ := app.CountRecords("customers"); n != 1 {
		t.Errorf("%d customers, want 1", n)
	}
}

func TestEmailsAreStoredLowerCaseAndSignInIgnoresCase(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	if res := signUp(api, " Jane.Doe@Example.COM "); res.Status != http.StatusOK {
		t.Fatalf("sign-up: %d %s", res.Status, res.Body)
	}
	jane, err := app.FindFirstRecordByData("customers", "email", "jane.doe@example.com")
	if err != nil {
		t.Fatalf("the address is not stored trimmed and lower-cased: %v", err)
	}
	for _, identity := range []string{"jane.doe@example.com", "JANE.DOE@EXAMPLE.COM", "Jane.Doe@example.com"} {
		if res := signIn(api, identity); res.Status != http.StatusOK {
			t.Errorf("sign-in as %q: %d %s", identity, res.Status, res.Body)
		}
	}

	// A password reset asked for in another case reaches the account.
	if res := api.Do(http.MethodPost, "/api/collections/customers/request-password-reset", "",
		map[string]any{"email": "JANE.DOE@example.com"}); res.Status != http.StatusNoContent {
		t.Fatalf("reset request: %d %s", res.Status, res.Body)
	}
	var msg *core.Record
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && msg == nil; time.Sleep(20 * time.Millisecond) {
		msg, _ = app.FindFirstRecordByFilter("outbox", "template = 'account_password_reset' && customer = {:c}", dbx.Params{"c": jane.Id})
	}
	if msg == nil || msg.GetString("recipient") != "jane.doe@example.com" {
		t.Errorf("no reset email for a request in another case: %v", msg)
	}

	// Staff edits are normalised too.
	jane.SetEmail("Jane.Smith@Example.com ")
	if err := app.Save(jane); err != nil {
		t.Fatal(err)
	}
	if fresh, _ := app.FindRecordById("customers", jane.Id); fresh.Email() != "jane.smith@example.com" {
		t.Errorf("staff edit stored %q", fresh.Email())
	}
}

func TestEmailChangeToAnotherCaseOfATakenEmailIsRefused(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	a := testutil.Customer(t, app, "a@example.com", "USD")
	testutil.Customer(t, app, "b@example.com", "USD")

	res := api.Do(http.MethodPost, "/api/collections/customers/request-email-change", testutil.Token(t, a),
		map[string]any{"newEmail": "B@Example.com"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("change to another case of b's address: %d %s", res.Status, res.Body)
	}

	// A confirmed change stores the new address lower-cased.
	token, err := a.NewEmailChangeToken("New.Address@Example.com")
	if err != nil {
		t.Fatal(err)
	}
	res = api.Do(http.MethodPost, "/api/collections/customers/confirm-email-change", "",
		map[string]any{"token": token, "password": "correct horse battery"})
	if res.Status != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	if fresh, _ := app.FindRecordById("customers", a.Id); fresh.Email() != "new.address@example.com" {
		t.Errorf("changed address stored as %q", fresh.Email())
	}

	// A token for another case of a taken address is refused at confirmation.
	a, _ = app.FindRecordById("customers", a.Id)
	token, err = a.NewEmailChangeToken("B@EXAMPLE.COM")
	if err != nil {
		t.Fatal(err)
	}
	res = api.Do(http.MethodPost, "/api/collections/customers/confirm-email-change", "",
		map[string]any{"token": token, "password": "correct horse battery"})
	if res.Status != http.StatusBadRequest {
		t.Errorf("confirm a change to another case of b's address: %d %s", res.Status, res.Body)
	}
}
