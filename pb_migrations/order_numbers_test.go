package migrations_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestOrderNumbersBackfill: migration 1764000038 numbers the orders placed
// before it in the order they were placed, each in its year's series, and
// the next placed order continues after them.
func TestOrderNumbersBackfill(t *testing.T) {
	app := testutil.NewApp(t)
	customer := testutil.Customer(t, app, "old@example.com", "USD")
	_, price := testutil.Plan(t, app, "old-plan", "USD", 1000)
	now := time.Now().UTC()
	place := func() *core.Record {
		t.Helper()
		res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id}, orders.By{}, now)
		if err != nil {
			t.Fatal(err)
		}
		return res.Order
	}
	a, b, c := place(), place(), place()
	lastYear := now.AddDate(-1, 0, 0)
	// Placed in this order: c (last year), then b, then a.
	for id, created := range map[string]time.Time{c.Id: lastYear, b.Id: now.Add(-2 * time.Hour), a.Id: now.Add(-time.Hour)} {
		if _, err := app.DB().Update("orders", dbx.Params{"created": created.Format("2006-01-02 15:04:05.000Z")},
			dbx.HashExp{"id": id}).Execute(); err != nil {
			t.Fatal(err)
		}
	}

	var m *core.Migration
	for _, item := range core.AppMigrations.Items() {
		if strings.HasPrefix(item.File, "1764000038_") {
			m = item
		}
	}
	if m == nil {
		t.Fatal("migration 1764000038 is not registered")
	}
	if err := m.Down(app); err != nil {
		t.Fatalf("down: %v", err)
	}
	if err := m.Up(app); err != nil {
		t.Fatalf("up: %v", err)
	}

	thisYear, prevYear := now.Format("2006"), lastYear.Format("2006")
	want := map[string]string{c.Id: "ORD-" + prevYear + "-000001", b.Id: "ORD-" + thisYear + "-000001", a.Id: "ORD-" + thisYear + "-000002"}
	for id, number := range want {
		rec, err := app.FindRecordById("orders", id)
		if err != nil {
			t.Fatal(err)
		}
		if rec.GetString("number") != number {
			t.Errorf("order %s: number %q, want %q", id, rec.GetString("number"), number)
		}
	}
	if got := place().GetString("number"); got != "ORD-"+thisYear+"-000003" {
		t.Errorf("next order after the backfill: %q, want ORD-%s-000003", got, thisYear)
	}
}
