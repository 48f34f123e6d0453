package hooks_test

import (
	"context"
	"database/sql"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStripeWebhookStatementsPerPayment pins the SQL one paying event
// costs, the webhook's speed (issue 17): its event row is written once,
// the settings are read at most once, the records fulfilment only moves
// to another status are not re-validated relation by relation, and the
// whole delivery stays within a budget a new repeated lookup would break.
func TestStripeWebhookStatementsPerPayment(t *testing.T) {
	app, api := stripeApp(t)
	customer := testutil.Customer(t, app, "statements@example.com", "USD")
	_, price := testutil.Plan(t, app, "vps", "USD", 1200)
	res, err := orders.Place(context.Background(), app, customer, orders.Request{PlanPrice: price.Id}, orders.By{}, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var statements []string
	logSQL := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		statements = append(statements, s)
	}
	for _, db := range []*dbx.DB{app.ConcurrentDB().(*dbx.DB), app.NonconcurrentDB().(*dbx.DB)} {
		db.QueryLogFunc = func(_ context.Context, _ time.Duration, s string, _ *sql.Rows, _ error) { logSQL(s) }
		db.ExecLogFunc = func(_ context.Context, _ time.Duration, s string, _ sql.Result, _ error) { logSQL(s) }
	}
	body := paymentSucceeded("evt_statements", "pi_statements", res.Invoice.Id, customer.Id, 1200)
	if code := deliver(api.Handler(), body, stripe.SignPayload(webhookSecret, body, time.Now())); code != http.StatusOK {
		t.Fatalf("delivery answered %d", code)
	}
	for _, db := range []*dbx.DB{app.ConcurrentDB().(*dbx.DB), app.NonconcurrentDB().(*dbx.DB)} {
		db.QueryLogFunc, db.ExecLogFunc = nil, nil
	}

	inv, err := ledger.FindInvoice(app, res.Invoice.Id)
	if err != nil || inv.Status() != ledger.StatusPaid {
		t.Fatalf("the event did not pay its invoice: %v %v", inv, err)
	}
	count := func(prefix string) int {
		n := 0
		for _, s := range statements {
			if strings.HasPrefix(s, prefix) {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		what      string
		prefix    string
		want, max int
	}{
		{"event row stored", "INSERT INTO `webhook_events`", 1, 1},
		{"event row rewritten", "UPDATE `webhook_events`", 0, 0},
		{"settings read", "SELECT `settings`", 0, 1},
		{"subscription relations re-counted", "SELECT count(*) FROM `plans`", 0, 0},
		{"order relations re-counted", "SELECT count(*) FROM `plan_prices`", 0, 0},
	} {
		if n := count(c.prefix); n < c.want || n > c.max {
			t.Errorf("%s %d times, want %d to %d", c.what, n, c.want, c.max)
		}
	}
	const budget = 38
	if len(statements) > budget {
		t.Errorf("one paying event ran %d SQL statements, over the budget of %d:\n%s", len(statements), budget, strings.Join(statements, "\n"))
	}
}
