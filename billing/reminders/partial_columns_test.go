package reminders_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/reminders"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A page loads only some columns of services and subscriptions: a service
// without a label is still named by its hostname, and the amount and
// renewal date still come from the subscription.
func TestRenewalReminderFromLoadedColumns(t *testing.T) {
	app := testutil.NewApp(t)
	sub := subscription(t, app, 1, now.AddDate(0, 0, 3), map[string]any{"amount": 2350})
	svc, err := app.FindFirstRecordByData("services", "subscription", sub.Id)
	if err != nil {
		t.Fatal(err)
	}
	svc.Set("label", "")
	svc.Set("hostname", "srv1.example.net")
	if err := app.Save(svc); err != nil {
		t.Fatal(err)
	}
	if n, err := reminders.Renewals(context.Background(), app, now); err != nil || n != 1 {
		t.Fatalf("%d reminders, %v", n, err)
	}
	msgs, err := app.FindAllRecords("outbox", dbx.HashExp{"template": "renewal_reminder"})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d reminders, %v", len(msgs), err)
	}
	m := msgs[0]
	if !strings.Contains(m.GetString("body_html"), "srv1.example.net") || !strings.Contains(m.GetString("subject"), "23.50 USD") ||
		!strings.HasSuffix(m.GetString("dedupe_key"), ":"+now.AddDate(0, 0, 3).UTC().Format("2006-01-02")) {
		t.Errorf("reminder %v", m.FieldsData())
	}
}
