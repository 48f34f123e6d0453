package hooks_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/testutil"
)

const movedMessage = "Your account was moved to our new platform. We emailed you a link to choose a new password."

// importedCustomer is a customer as the WHMCS import leaves one whose
// password hash could not be carried over.
func importedCustomer(t *testing.T, app core.App, email string) *core.Record {
	t.Helper()
	c := testutil.Customer(t, app, email, "USD")
	c.Set("password_reset_required", true)
	if err := app.Save(c); err != nil {
		t.Fatal(err)
	}
	if c, err := app.FindRecordById("customers", c.Id); err != nil || !c.GetBool("password_reset_required") {
		t.Fatalf("the flag did not stick: %v", err)
	}
	return c
}

func resetMails(t *testing.T, app core.App, customer *core.Record) []*core.Record {
	t.Helper()
	msgs, err := app.FindAllRecords("outbox", dbx.HashExp{"template": "account_password_reset", "customer": customer.Id})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

func TestImportedLoginsMustResetTheirPassword(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	moved := importedCustomer(t, app, "moved@example.com")
	normal := testutil.Customer(t, app, "normal@example.com", "USD")
	signIn := func(email, password string) *testutil.Response {
		return api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "",
			map[string]any{"identity": email, "password": password})
	}

	// In order: the reset email goes once, however often they try.
	cases := []struct {
		name, email, password string
		status, mails         int
	}{
		{"imported, wrong password", "moved@example.com", "whatever they had", http.StatusForbidden, 1},
		{"imported, right password", "moved@example.com", "correct horse battery", http.StatusForbidden, 1},
		{"normal, right password", "normal@example.com", "correct horse battery", http.StatusOK, 1},
		{"normal, wrong password", "normal@example.com", "wrong", http.StatusBadRequest, 1},
		{"unknown", "nobody@example.com", "correct horse battery", http.StatusBadRequest, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := signIn(tc.email, tc.password)
			if res.Status != tc.status {
				t.Fatalf("%d %s, want %d", res.Status, res.Body, tc.status)
			}
			body := res.Object(t)
			if tc.status == http.StatusForbidden && (body["message"] != movedMessage || body["token"] != nil) {
				t.Errorf("answer %v, want the moved-account message and no token", body)
			}
			if tc.status == http.StatusOK && body["token"] == nil {
				t.Errorf("no token: %v", body)
			}
			if got := len(resetMails(t, app, moved)); got != tc.mails {
				t.Errorf("%d reset emails, want %d", got, tc.mails)
			}
		})
	}
	if n := len(resetMails(t, app, normal)); n != 0 {
		t.Errorf("the normal customer got %d reset emails", n)
	}
	mail := resetMails(t, app, moved)[0]
	if mail.GetString("recipient") != "moved@example.com" || !portalLink(app, "/reset-password/").MatchString(mail.GetString("body_text")) {
		t.Errorf("reset email %v", mail.FieldsData())
	}
	if n := app.TestMailer.TotalSend(); n != 0 {
		t.Errorf("PocketBase's mailer sent %d messages besides the outbox", n)
	}

	t.Run("the reset link clears the flag", func(t *testing.T) {
		token, err := moved.NewPasswordResetToken()
		if err != nil {
			t.Fatal(err)
		}
		res := api.Do(http.MethodPost, "/api/collections/customers/confirm-password-reset", "",
			map[string]any{"token": token, "password": "a brand new passphrase", "passwordConfirm": "a brand new passphrase"})
		if res.Status != http.StatusNoContent {
			t.Fatalf("confirm: %d %s", res.Status, res.Body)
		}
		if got := signIn("moved@example.com", "a brand new passphrase"); got.Status != http.StatusOK {
			t.Errorf("sign in with the new password: %d %s", got.Status, got.Body)
		}
		if got := signIn("moved@example.com", "correct horse battery"); got.Status != http.StatusBadRequest {
			t.Errorf("sign in with the old password: %d", got.Status)
		}
	})

	t.Run("updates", func(t *testing.T) {
		staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
		updates := []struct {
			name, email string
			body        map[string]any
			wantFlag    bool
			wantLogin   int
		}{
			{"staff edit a name", "renamed@example.com", map[string]any{"name": "Renamed"}, true, http.StatusForbidden},
			{"staff set a password", "given@example.com", map[string]any{"password": "set by staff 123", "passwordConfirm": "set by staff 123"}, false, http.StatusOK},
		}
		for _, u := range updates {
			t.Run(u.name, func(t *testing.T) {
				c := importedCustomer(t, app, u.email)
				res := api.Do(http.MethodPatch, "/api/collections/customers/records/"+c.Id, staff, u.body)
				if res.Status != http.StatusOK {
					t.Fatalf("update: %d %s", res.Status, res.Body)
				}
				c, err := app.FindRecordById("customers", c.Id)
				if err != nil || c.GetBool("password_reset_required") != u.wantFlag {
					t.Errorf("flag %v (%v), want %v", c.GetBool("password_reset_required"), err, u.wantFlag)
				}
				password, _ := u.body["password"].(string)
				if password == "" {
					password = "correct horse battery"
				}
				if got := signIn(c.Email(), password).Status; got != u.wantLogin {
					t.Errorf("sign in: %d, want %d", got, u.wantLogin)
				}
			})
		}
	})
}
