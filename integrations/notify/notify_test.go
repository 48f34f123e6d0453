package notify_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

const (
	hostileName    = `<script>alert("name")</script>`
	hostileCompany = `Evil & Co <img src=x onerror=alert(1)>`
	hostileLabel   = `<b onmouseover="x()">srv</b>`
)

// hostileApp is an app whose company name, from the settings, is markup.
func hostileApp(t *testing.T) core.App {
	app := testutil.NewApp(t)
	rec, err := settings.Record(app)
	if err != nil {
		t.Fatal(err)
	}
	rec.Set("company_name", hostileCompany)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	return app
}

// hostile replaces the sample's customer and service labels with markup.
func hostile(key string) notify.Data {
	d, _ := notify.SampleData(key)
	d["Customer"] = notify.Data{"ID": "c1", "Name": hostileName, "Email": "x@example.com", "Company": hostileCompany}
	if s, ok := d["Service"].(notify.Data); ok {
		s["Label"] = hostileLabel
	}
	if _, ok := d["Services"]; ok {
		d["Services"] = []string{hostileLabel}
	}
	return d
}

func TestEveryEmailRendersEscaped(t *testing.T) {
	app := hostileApp(t)
	escaped := []string{`&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;`, `Evil &amp; Co &lt;img src=x onerror=alert(1)&gt;`}
	for _, key := range notify.EmailKeys() {
		t.Run(key, func(t *testing.T) {
			data := hostile(key)
			r, err := notify.RenderEmail(app, key, data)
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject == "" || strings.ContainsAny(r.Subject, "\n\r") || strings.Contains(r.Subject, "{{") {
				t.Errorf("subject %q", r.Subject)
			}
			if !strings.Contains(r.HTML, "EZSCALE") || !strings.Contains(r.Text, "EZSCALE") {
				t.Error("no EZSCALE name")
			}
			for _, bad := range []string{"<script", "<img", "<b onmouseover"} {
				if strings.Contains(r.HTML, bad) {
					t.Errorf("HTML carries %q unescaped", bad)
				}
			}
			for _, want := range escaped {
				if !strings.Contains(r.HTML, want) {
					t.Errorf("HTML lacks escaped %q", want)
				}
			}
			for _, want := range []string{hostileName, hostileCompany} {
				if !strings.Contains(r.Text, want) {
					t.Errorf("text lacks verbatim %q:\n%s", want, r.Text)
				}
			}
			if _, ok := data["Service"]; ok || data["Services"] != nil {
				if !strings.Contains(r.Text+r.Subject, hostileLabel) || !strings.Contains(r.HTML, "&lt;b onmouseover=") {
					t.Errorf("service label not verbatim in text or not escaped in HTML")
				}
			}
			if link, ok := data["Link"].(string); ok && (!strings.Contains(r.Text, link) || !strings.Contains(r.HTML, `href="`+link)) {
				t.Errorf("link %s missing", link)
			}
		})
	}
}

func TestEmailNeedsItsData(t *testing.T) {
	app := testutil.NewApp(t)
	for _, key := range notify.EmailKeys() {
		sample, _ := notify.SampleData(key)
		for fact := range sample {
			if fact == "Customer" {
				continue
			}
			d, _ := notify.SampleData(key)
			delete(d, fact)
			// Lines are optional: an invoice email queued before invoices
			// listed their lines still renders at delivery without them.
			if _, err := notify.RenderEmail(app, key, d); err == nil && fact != "Immediate" && fact != "Lines" {
				t.Errorf("%s renders without %s", key, fact)
			}
		}
	}
	if _, err := notify.RenderEmail(app, "no_such_notice", notify.Data{}); err == nil {
		t.Error("an unknown notice rendered")
	}
}

func TestOverride(t *testing.T) {
	app := testutil.NewApp(t)
	tests := []struct {
		name        string
		over        map[string]any
		wantSubject string
		wantHTML    string
	}{
		{"enabled", map[string]any{"subject": "Hi {{.Customer.Name}}", "body_html": "<p>Custom {{.Customer.Company}}</p>", "enabled": true},
			"Hi " + hostileName, "<p>Custom Evil &amp; Co &lt;img"},
		{"disabled keeps the default", map[string]any{"subject": "Hi {{.Customer.Name}}", "enabled": false},
			"Welcome to EZSCALE", "Your email address is confirmed"},
		{"empty parts keep the default's", map[string]any{"subject": "Hello there", "enabled": true},
			"Hello there", "Your email address is confirmed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _ = app.DB().NewQuery("DELETE FROM email_templates").Execute()
			tc.over["key"] = "welcome"
			testutil.Create(t, app, notify.TemplatesCollection, tc.over)
			r, err := notify.RenderEmail(app, "welcome", hostile("welcome"))
			if err != nil {
				t.Fatal(err)
			}
			if r.Subject != tc.wantSubject || !strings.Contains(r.HTML, tc.wantHTML) || strings.Contains(r.HTML, "<img") {
				t.Errorf("subject %q, html %s", r.Subject, r.HTML)
			}
			if !strings.Contains(r.HTML, "EZSCALE") {
				t.Error("the override lost the layout")
			}
		})
	}
}

func TestBrokenOverride(t *testing.T) {
	app := testutil.NewApp(t)
	broken := []struct{ name, field, value, want string }{
		{"unparsable html", "body_html", "<p>{{if .Link}}</p>", "welcome.html"},
		{"unknown fact", "body_text", "Hi {{.Nope}}", "Nope"},
		{"unparsable subject", "subject", "{{.Customer.Name", "welcome.subject"},
		{"unknown function", "body_html", "{{shout .Link}}", "shout"},
	}
	col, _ := app.FindCollectionByNameOrId(notify.TemplatesCollection)
	for _, tc := range broken {
		t.Run(tc.name, func(t *testing.T) {
			rec := core.NewRecord(col)
			rec.Load(map[string]any{"key": "welcome", "enabled": true, tc.field: tc.value})
			err := app.Save(rec)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("saved, or the error does not say where: %v", err)
			}
		})
	}

	// One that slipped in (written before a notice lost a fact, say) falls
	// back to the default at send time.
	good := testutil.Create(t, app, notify.TemplatesCollection, map[string]any{"key": "welcome", "enabled": true, "subject": "Custom"})
	if _, err := app.DB().Update(notify.TemplatesCollection, dbx.Params{"body_html": "{{.Nope}}"}, dbx.HashExp{"id": good.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	r, err := notify.RenderEmail(app, "welcome", hostile("welcome"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Welcome to EZSCALE" || !strings.Contains(r.HTML, "Your email address is confirmed") {
		t.Errorf("no fallback to the default: %q", r.Subject)
	}
}

func TestStaffNotices(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "alice@example.com", "USD")
	for _, key := range notify.StaffKeys() {
		t.Run(key, func(t *testing.T) {
			rec, err := notify.Staff(context.Background(), app, notify.Alert{Key: key, Customer: customer,
				Data: notify.StaffSample(key), DedupeKey: "test:" + key})
			if err != nil {
				t.Fatal(err)
			}
			if rec.GetString("channel") != "discord" || rec.GetString("severity") == "" || rec.GetString("subject") == "" ||
				rec.GetString("body_text") == "" || rec.GetString("customer") != customer.Id || strings.Contains(rec.GetString("subject"), "\n") {
				t.Errorf("message %v", rec.FieldsData())
			}
		})
	}
	if _, err := notify.Staff(context.Background(), app, notify.Alert{Key: "new_order", Data: notify.Data{}}); err == nil {
		t.Error("a staff notice without its facts was queued")
	}
	if _, err := notify.Staff(context.Background(), app, notify.Alert{Key: "nope"}); err == nil {
		t.Error("an unknown staff notice was queued")
	}
}

func TestCustomerQueuesOnce(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "bob@example.com", "EUR")
	for range 2 {
		if _, err := notify.Customer(context.Background(), app, notify.Email{Key: "service_ready", Customer: customer,
			Data: notify.Data{"Service": notify.Data{"ID": "s1", "Label": "srv", "Plan": "VPS", "Hostname": "", "Addresses": []string{}, "PanelURL": ""},
				"Link": "https://x/services/s1", "CredentialsEmailed": true},
			Attachments: []map[string]string{{"kind": "service_credentials", "service": "s1"}}, DedupeKey: "service:s1:ready"}); err != nil {
			t.Fatal(err)
		}
	}
	msgs, err := app.FindAllRecords("outbox", dbx.HashExp{"template": "service_ready"})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	m := msgs[0]
	if m.GetString("recipient") != "bob@example.com" || m.GetString("channel") != "email" || !strings.Contains(m.GetString("attachments"), "service_credentials") ||
		m.GetString("body_html") == "" || m.GetString("body_text") == "" {
		t.Errorf("message %v", m.FieldsData())
	}
	if _, err := notify.Customer(context.Background(), app, notify.Email{Key: "service_ready", Customer: customer, Data: notify.Data{}}); err == nil {
		t.Error("a notice without its facts was queued")
	}
}

// The email_templates.key values are the notices' keys.
func TestTemplateKeysMatchMigration(t *testing.T) {
	app := testutil.NewApp(t)
	col, err := app.FindCollectionByNameOrId(notify.TemplatesCollection)
	if err != nil {
		t.Fatal(err)
	}
	values := col.Fields.GetByName("key").(*core.SelectField).Values
	slices.Sort(values)
	if !slices.Equal(values, notify.EmailKeys()) {
		t.Errorf("email_templates.key %v, notices %v", values, notify.EmailKeys())
	}
}
