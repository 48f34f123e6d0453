package reminders_test

import (
	"context"
	"testing"

	"github.com/ezscale/ezscale/billing/reminders"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestHeldCustomerIsNotRemindedUntilCutover: WHMCS sends its customers'
// renewal reminders; after the cutover this platform does.
func TestHeldCustomerIsNotRemindedUntilCutover(t *testing.T) {
	app := testutil.NewApp(t)
	sub := subscription(t, app, 1, now.AddDate(0, 0, 5), nil)
	testutil.HoldForWHMCS(t, app, sub.GetString("customer"), true)
	if n, err := reminders.Renewals(context.Background(), app, now); err != nil || n != 0 {
		t.Fatalf("held: %d reminders, %v; want none", n, err)
	}
	testutil.HoldForWHMCS(t, app, sub.GetString("customer"), false)
	if n, err := reminders.Renewals(context.Background(), app, now); err != nil || n != 1 {
		t.Fatalf("after the cutover: %d reminders, %v; want 1", n, err)
	}
}
