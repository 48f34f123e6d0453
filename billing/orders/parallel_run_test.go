package orders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ezscale/ezscale/billing/orders"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestNoOrderForAHeldCustomer: not even staff place an order for a
// customer WHMCS still serves (it would be billed beside WHMCS); nothing
// is written. After the cutover the same order is placed.
func TestNoOrderForAHeldCustomer(t *testing.T) {
	app := testutil.NewApp(t)
	_, price := testutil.Plan(t, app, "vps", "USD", 1000)
	c := testutil.HoldForWHMCS(t, app, testutil.Customer(t, app, "held@example.com", "USD").Id, true)
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	for _, by := range []orders.By{{}, {Staff: true}} {
		_, err := orders.Place(context.Background(), app, c, orders.Request{PlanPrice: price.Id}, by, now)
		var oerr *orders.Error
		if !errors.As(err, &oerr) || oerr.Status != 403 || oerr.Code != "billed_by_whmcs" {
			t.Errorf("staff %v: %v, want 403 billed_by_whmcs", by.Staff, err)
		}
	}
	for _, col := range []string{"orders", "subscriptions", "services", "invoices"} {
		if n, _ := app.CountRecords(col); n != 0 {
			t.Errorf("%d %s written", n, col)
		}
	}
	c = testutil.HoldForWHMCS(t, app, c.Id, false)
	if _, err := orders.Place(context.Background(), app, c, orders.Request{PlanPrice: price.Id}, orders.By{}, now); err != nil {
		t.Errorf("after the cutover: %v", err)
	}
}
