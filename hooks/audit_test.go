package hooks_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/testutil"
)

func auditRows(t *testing.T, app core.App, collection, recordID string) []*core.Record {
	t.Helper()
	rows, err := app.FindRecordsByFilter(audit.Collection, "collection = {:c} && record_id = {:r}", "created", 0, 0,
		dbx.Params{"c": collection, "r": recordID})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func changes(t *testing.T, row *core.Record) map[string]audit.Change {
	t.Helper()
	var out map[string]audit.Change
	if err := row.UnmarshalJSONField("changes", &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestAuditAttributesActors(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "a@example.com", "USD")

	// A save without a request or context is the system's.
	rows := auditRows(t, app, "customers", customer.Id)
	if len(rows) != 1 || rows[0].GetString("action") != "create" || rows[0].GetString("actor_kind") != audit.KindSystem {
		t.Fatalf("create entry: %v", rows)
	}
	if rows[0].GetString("customer") != customer.Id {
		t.Errorf("entry about a customer names the customer, got %q", rows[0].GetString("customer"))
	}
	if c := changes(t, rows[0]); c["password"].After != "[redacted]" || c["name"].After != customer.GetString("name") {
		t.Errorf("create changes: %+v", c)
	}

	// A job names itself through the context. Records are loaded before
	// they are changed, as PocketBase diffs against the loaded state.
	customer, _ = app.FindRecordById("customers", customer.Id)
	customer.Set("company", "Acme")
	if err := app.SaveWithContext(audit.WithActor(context.Background(), audit.Job("renewals")), customer); err != nil {
		t.Fatal(err)
	}
	rows = auditRows(t, app, "customers", customer.Id)
	last := rows[len(rows)-1]
	if last.GetString("actor_kind") != audit.KindJob || last.GetString("actor_id") != "renewals" {
		t.Errorf("job entry: kind %q id %q", last.GetString("actor_kind"), last.GetString("actor_id"))
	}
	if c := changes(t, last); len(c) != 1 || c["company"].Before != nil || c["company"].After != "Acme" {
		t.Errorf("update lists only what changed: %+v", c)
	}

	// A save that changes nothing writes nothing.
	n := len(rows)
	customer, _ = app.FindRecordById("customers", customer.Id)
	if err := app.Save(customer); err != nil {
		t.Fatal(err)
	}
	if got := len(auditRows(t, app, "customers", customer.Id)); got != n {
		t.Errorf("no-op save wrote %d entries", got-n)
	}
}

func TestAuditRequestActorAndRedaction(t *testing.T) {
	const customerID, serviceID = "custaaaaaaaaaaa", "servaaaaaaaaaaa"
	newApp := func(t testing.TB) *tests.TestApp {
		app := testutil.NewApp(t)
		c := testutil.Create(t, app, "customers", map[string]any{
			"id": customerID, "email": "a@example.com", "password": "correct horse battery",
			"name": "A", "currency": "USD", "verified": true,
		})
		plan, _ := testutil.Plan(t, app, "vps", "USD", 1000)
		testutil.Create(t, app, "services", map[string]any{
			"id": serviceID, "customer": c.Id, "plan": plan.Id, "service_type": "vps",
			"platform": "virtfusion", "status": "active",
		})
		return app
	}
	// Tokens depend on the app's secrets, so they are minted once it exists.
	customerHeaders := map[string]string{"User-Agent": "portal-test"}
	staffHeaders := map[string]string{}

	scenarios := []tests.ApiScenario{
		{
			Name:            "customer edits own profile",
			Method:          http.MethodPatch,
			URL:             "/api/collections/customers/records/" + customerID,
			Body:            strings.NewReader(`{"phone":"+44 20 7946 0000"}`),
			Headers:         customerHeaders,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"phone":"+44 20 7946 0000"`},
			TestAppFactory: func(t testing.TB) *tests.TestApp {
				app := newApp(t)
				c, _ := app.FindRecordById("customers", customerID)
				customerHeaders["Authorization"] = testutil.Token(t, c)
				return app
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				rows := auditRows(t.(*testing.T), app, "customers", customerID)
				last := rows[len(rows)-1]
				if last.GetString("actor_kind") != audit.KindCustomer || last.GetString("actor_id") != customerID {
					t.Errorf("actor: %q %q", last.GetString("actor_kind"), last.GetString("actor_id"))
				}
				if last.GetString("ip") == "" || last.GetString("user_agent") != "portal-test" {
					t.Errorf("request details: ip %q ua %q", last.GetString("ip"), last.GetString("user_agent"))
				}
			},
		},
		{
			Name:            "staff edits hidden service notes",
			Method:          http.MethodPatch,
			URL:             "/api/collections/services/records/" + serviceID,
			Body:            strings.NewReader(`{"staff_notes":"rack 12, port 7"}`),
			Headers:         staffHeaders,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"staff_notes":"rack 12, port 7"`},
			TestAppFactory: func(t testing.TB) *tests.TestApp {
				app := newApp(t)
				staffHeaders["Authorization"] = testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))
				return app
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				rows, _ := app.FindRecordsByFilter(audit.Collection, "collection = 'services' && action = 'update'", "", 0, 0)
				if len(rows) != 1 {
					t.Fatalf("want 1 update entry, got %d", len(rows))
				}
				if rows[0].GetString("actor_kind") != audit.KindSuperuser {
					t.Errorf("actor kind %q", rows[0].GetString("actor_kind"))
				}
				c := changes(t.(*testing.T), rows[0])
				if c["staff_notes"].After != "[redacted]" || strings.Contains(rows[0].GetString("changes"), "rack 12") {
					t.Errorf("hidden field value leaked into the audit log: %s", rows[0].GetString("changes"))
				}
			},
		},
	}
	for _, s := range scenarios {
		s.Test(t)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	row := auditRows(t, app, "customers", c.Id)[0]

	row.Set("message", "tampered")
	if err := app.Save(row); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("update of an audit row: want append-only error, got %v", err)
	}
	if err := app.Delete(row); err == nil {
		t.Error("delete of an audit row succeeded")
	}
	fresh, _ := app.FindRecordById(audit.Collection, row.Id)
	if fresh == nil || fresh.GetString("message") != "" {
		t.Error("audit row changed or vanished")
	}
}

func TestAuditRollsBackWithItsChange(t *testing.T) {
	app := testutil.NewApp(t)
	c := testutil.Customer(t, app, "a@example.com", "USD")
	n := len(auditRows(t, app, "customers", c.Id))
	boom := errors.New("boom")
	err := app.RunInTransaction(func(tx core.App) error {
		rec, _ := tx.FindRecordById("customers", c.Id)
		rec.Set("company", "Rolled Back Ltd")
		if err := tx.Save(rec); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if got := len(auditRows(t, app, "customers", c.Id)); got != n {
		t.Errorf("a rolled back change left %d audit entries", got-n)
	}
}

func TestAuditSkipsMachineBookkeeping(t *testing.T) {
	app := testutil.NewApp(t)
	ev := testutil.Create(t, app, "webhook_events", map[string]any{
		"gateway": "stripe", "event_id": "evt_1", "type": "payment_intent.succeeded", "status": "received",
	})
	if rows := auditRows(t, app, "webhook_events", ev.Id); len(rows) != 0 {
		t.Errorf("webhook events are not audited, got %d entries", len(rows))
	}
}
