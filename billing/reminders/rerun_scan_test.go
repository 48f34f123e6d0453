package reminders_test

import (
	"context"
	"database/sql"
	"regexp"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/reminders"
	"github.com/ezscale/ezscale/internal/testutil"
)

// subscriptionRecords matches a query that loads subscription records, as
// a page of reminders does (the window's scan reads "subscriptions s").
var subscriptionRecords = regexp.MustCompile("FROM `subscriptions` WHERE")

// A re-run the same day finds every reminder queued through the outbox's
// dedupe index: it loads no subscription record, where it used to load
// every subscription in the window to check each key in Go.
func TestRenewalRemindersRerunLoadsNoSubscription(t *testing.T) {
	app := testutil.NewApp(t)
	for n := 1; n <= 3; n++ {
		subscription(t, app, n, now.AddDate(0, 0, n), nil)
	}
	if n, err := reminders.Renewals(context.Background(), app, now); err != nil || n != 3 {
		t.Fatalf("first run: %d reminders, %v", n, err)
	}

	var loads []string
	// Reads outside transactions and in them.
	for _, db := range []*dbx.DB{app.ConcurrentDB().(*dbx.DB), app.NonconcurrentDB().(*dbx.DB)} {
		prev := db.QueryLogFunc
		db.QueryLogFunc = func(ctx context.Context, d time.Duration, q string, rows *sql.Rows, err error) {
			if subscriptionRecords.MatchString(q) {
				loads = append(loads, q)
			}
			if prev != nil {
				prev(ctx, d, q, rows, err)
			}
		}
		t.Cleanup(func() { db.QueryLogFunc = prev })
	}

	if n, err := reminders.Renewals(context.Background(), app, now); err != nil || n != 0 {
		t.Fatalf("re-run: %d reminders, %v", n, err)
	}
	if len(loads) != 0 {
		t.Errorf("the re-run loaded subscriptions: %q", loads)
	}

	// A subscription entering the window later is still reminded, once.
	subscription(t, app, 4, now.AddDate(0, 0, 4), nil)
	loads = nil
	if n, err := reminders.Renewals(context.Background(), app, now); err != nil || n != 1 {
		t.Fatalf("run with a new subscription: %d reminders, %v", n, err)
	}
	if len(loads) != 1 {
		t.Errorf("%d subscription loads for one new reminder, want 1", len(loads))
	}
}
