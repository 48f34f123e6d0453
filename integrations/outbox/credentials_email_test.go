package outbox_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/mailgun/mailgunsim"
	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

// optIn sets the platforms whose logins the business emails.
func optIn(t *testing.T, app core.App, platforms ...string) {
	t.Helper()
	rec, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("email_credentials_platforms", platforms)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
}

// A message that references a login (queued by an older release, or before
// the opt-in was withdrawn) goes out without it unless the service's
// platform is opted in now; an opted-in login is labelled for the customer
// and its sending audited.
func TestEmailedLoginFollowsTheOptInAtDelivery(t *testing.T) {
	w := newWorld(t)
	customer := testutil.Customer(t, w.app, "carol@example.com", "USD")
	svc := testutil.Service(t, w.app, customer) // a VirtFusion service
	sealed, err := w.box.Seal(map[string]string{"username": "root", "password": "vf-Secret-99", "virtfusion_user_id": "4711"})
	if err != nil {
		t.Fatal(err)
	}
	svc.Set("credentials", sealed)
	if err := w.app.Save(svc); err != nil {
		t.Fatal(err)
	}
	ref := []map[string]string{{"kind": outbox.KindServiceCredentials, "service": svc.Id}}
	queue := func(subject string) *core.Record {
		return w.queue(t, outbox.Message{Recipient: customer.Email(), CustomerID: customer.Id, Subject: subject, BodyText: "Your server is ready.",
			BodyHTML: "<html><body><p>Your server is ready.</p></body></html>", Attachments: ref})
	}
	sent := func(rec *core.Record) mailgunsim.Received {
		for _, m := range w.sim.Received() {
			if m.MessageID == w.mg.MessageID(rec.Id) {
				return m
			}
		}
		t.Fatalf("message %s was not sent", rec.Id)
		return mailgunsim.Received{}
	}
	audited := func() int {
		n, err := w.app.CountRecords("audit_logs", dbx.HashExp{"action": "credentials.email", "record_id": svc.Id})
		if err != nil {
			t.Fatal(err)
		}
		return int(n)
	}

	optIn(t, w.app, "pterodactyl")
	legacy := queue("Ready (not opted in)")
	drain(t, w.deliverer(nil), "email")
	if m := sent(legacy); strings.Contains(m.Text+m.HTML, "vf-Secret-99") || strings.Contains(m.Text, "Login details") {
		t.Errorf("a platform not opted in had its login emailed:\n%s", m.Text)
	}
	if n := audited(); n != 0 {
		t.Errorf("%d audit entries for a login not emailed", n)
	}

	optIn(t, w.app, "virtfusion")
	opted := queue("Ready (opted in)")
	drain(t, w.deliverer(nil), "email")
	m := sent(opted)
	for _, want := range []string{"Password: vf-Secret-99", "Panel user: 4711", "Username: root"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, "<th align=\"left\">Panel user</th>") || strings.Contains(m.Text+m.HTML, "virtfusion_user_id") {
		t.Errorf("labels not humanised:\n%s\n%s", m.Text, m.HTML)
	}
	if n := audited(); n != 1 {
		t.Errorf("%d audit entries for one emailed login", n)
	}
	for _, rec := range []*core.Record{legacy, opted} {
		row := w.reload(t, rec.Id)
		for _, f := range []string{"body_text", "body_html", "attachments", "last_error"} {
			if strings.Contains(row.GetString(f), "vf-Secret-99") {
				t.Errorf("the secret is in the outbox row's %s", f)
			}
		}
	}
}

// CredentialLabel spells out a field no platform table names.
func TestCredentialLabel(t *testing.T) {
	for field, want := range map[string]string{
		"virtfusion_user_id": "Panel user", "root_password": "Root password", "password": "Password",
		"sftp_port": "Sftp port", "": "",
	} {
		if got := outbox.CredentialLabel(field); got != want {
			t.Errorf("CredentialLabel(%q) = %q, want %q", field, got, want)
		}
	}
}
