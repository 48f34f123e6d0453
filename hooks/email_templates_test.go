package hooks_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/internal/testutil"
)

func TestEmailTemplatePreview(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	customer := testutil.Token(t, testutil.Customer(t, app, "alice@example.com", "USD"))
	testutil.Create(t, app, "email_templates", map[string]any{"key": "invoice_issued", "enabled": true,
		"subject": "Your bill {{.Invoice.Number}}"})

	tests := []struct {
		name, key, token string
		status           int
		subject          string
	}{
		{"default", "payment_failed", staff, 200, "Payment of invoice INV-2026-000042 (due 1 December 2026) failed"},
		{"saved override", "invoice_issued", staff, 200, "Your bill INV-2026-000042"},
		{"customer", "payment_failed", customer, 403, ""},
		{"anonymous", "payment_failed", "", 401, ""},
		{"unknown key", "no_such_notice", staff, 404, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := api.Do(http.MethodGet, "/api/staff/email-templates/"+tc.key+"/preview", tc.token, nil)
			if res.Status != tc.status {
				t.Fatalf("status %d: %s", res.Status, res.Body)
			}
			if tc.status != 200 {
				return
			}
			got := res.Object(t)
			html, _ := got["html"].(string)
			text, _ := got["text"].(string)
			if got["subject"] != tc.subject || !strings.Contains(html, "<html") || !strings.Contains(text, "Jane Doe") {
				t.Errorf("preview %v", got)
			}
		})
	}
}

func TestBrokenTemplateRefusedOnSave(t *testing.T) {
	app := testutil.NewApp(t)
	api := testutil.NewAPI(t, app)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
	res := api.Do(http.MethodPost, "/api/collections/email_templates/records", staff,
		map[string]any{"key": "welcome", "enabled": true, "body_html": "<p>{{.Customer.Nmae}}</p>"})
	if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "welcome.html") {
		t.Errorf("broken template: %d %s", res.Status, res.Body)
	}
	res = api.Do(http.MethodPost, "/api/collections/email_templates/records", staff,
		map[string]any{"key": "welcome", "enabled": true, "body_html": "<p>Hi {{.Customer.Name}}</p>"})
	if res.Status != http.StatusOK {
		t.Errorf("good template: %d %s", res.Status, res.Body)
	}
}

// Confirming the email address welcomes the customer and tells staff, once.
func TestVerifiedCustomerIsWelcomed(t *testing.T) {
	app := testutil.NewApp(t)
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	alice.SetVerified(false)
	if err := app.Save(alice); err != nil {
		t.Fatal(err)
	}
	token, err := alice.NewVerificationToken()
	if err != nil {
		t.Fatal(err)
	}
	api := testutil.NewAPI(t, app)
	if res := api.Do(http.MethodPost, "/api/collections/customers/confirm-verification", "", map[string]any{"token": token}); res.Status != http.StatusNoContent {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	// Verified again later (by staff, say): no second welcome.
	for _, verified := range []bool{false, true} {
		alice, _ = app.FindRecordById("customers", alice.Id)
		alice.SetVerified(verified)
		if err := app.Save(alice); err != nil {
			t.Fatal(err)
		}
	}
	welcome, err := app.FindAllRecords("outbox", dbx.HashExp{"template": "welcome"})
	if err != nil || len(welcome) != 1 {
		t.Fatalf("%d welcome emails, %v", len(welcome), err)
	}
	if w := welcome[0]; w.GetString("recipient") != "alice@example.com" || w.GetString("customer") != alice.Id ||
		w.GetString("dedupe_key") != "customer:"+alice.Id+":welcome" {
		t.Errorf("welcome %v", w.FieldsData())
	}
	if n, _ := app.CountRecords("outbox", dbx.HashExp{"template": "new_customer", "channel": "discord"}); n != 1 {
		t.Errorf("%d new-customer notices", n)
	}
}
