package reminders_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/reminders"
	"github.com/ezscale/ezscale/internal/settings"
	"github.com/ezscale/ezscale/internal/testutil"
)

var now = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)

// subscription creates an active subscription (and its service) whose
// period ends at end.
func subscription(t *testing.T, app core.App, n int, end time.Time, extra map[string]any) *core.Record {
	customer := testutil.Customer(t, app, fmt.Sprintf("c%d@example.com", n), "USD")
	plan, price := testutil.Plan(t, app, fmt.Sprintf("p%d", n), "USD", 1500)
	data := map[string]any{"customer": customer.Id, "plan": plan.Id, "plan_price": price.Id, "status": "active",
		"cycle": "monthly", "currency": "USD", "amount": 1500, "current_period_start": end.AddDate(0, -1, 0), "current_period_end": end}
	for k, v := range extra {
		data[k] = v
	}
	sub := testutil.Create(t, app, "subscriptions", data)
	testutil.Create(t, app, "services", map[string]any{"customer": customer.Id, "subscription": sub.Id, "plan": plan.Id,
		"service_type": "vps", "platform": "virtfusion", "status": "active", "label": "<b>web</b>"})
	return sub
}

func TestRenewalReminders(t *testing.T) {
	app := testutil.NewApp(t)
	due := subscription(t, app, 1, now.AddDate(0, 0, 5), nil)
	subscription(t, app, 2, now.AddDate(0, 0, 9), nil)                                          // beyond the 7 days
	subscription(t, app, 3, now.AddDate(0, 0, 2), map[string]any{"cancel_at_period_end": true}) // ending, not renewing
	subscription(t, app, 4, now.AddDate(0, 0, 2), map[string]any{"status": "past_due"})
	subscription(t, app, 5, now.AddDate(0, 0, -1), nil) // already renewed

	for run, want := range []int{1, 0} { // a second run the same day sends nothing again
		n, err := reminders.Renewals(context.Background(), app, now)
		if err != nil || n != want {
			t.Fatalf("run %d: %d reminders, want %d (%v)", run, n, want, err)
		}
	}
	msgs, err := app.FindAllRecords("outbox", dbx.HashExp{"template": "renewal_reminder"})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("%d reminders, %v", len(msgs), err)
	}
	m := msgs[0]
	if m.GetString("recipient") != "c1@example.com" || m.GetString("dedupe_key") != "renewal_reminder:"+due.Id+":2026-12-06" ||
		!strings.Contains(m.GetString("subject"), "15.00 USD") || !strings.Contains(m.GetString("body_html"), "&lt;b&gt;web&lt;/b&gt;") {
		t.Errorf("reminder %v", m.FieldsData())
	}

	// Off in the settings: none.
	rec, _ := settings.Record(app)
	rec.Set("renewal_reminder_days", 0)
	if err := app.Save(rec); err != nil {
		t.Fatal(err)
	}
	subscription(t, app, 6, now.AddDate(0, 0, 1), nil)
	if n, err := reminders.Renewals(context.Background(), app, now); err != nil || n != 0 {
		t.Errorf("reminders off: %d, %v", n, err)
	}
}
