package fulfilment_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/fulfilment"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The overdue check runs for every invoice paid, renewals paid from credit
// included: it must find the service's lines by their index, not walk
// every open overdue invoice of the business, whose number grows with the
// history (a renewal run over a seeded year of 10,000 customers took
// minutes, 55 % of it here).
func TestOverdueElsewhereSearchesByService(t *testing.T) {
	app := testutil.NewApp(t)
	var plan []struct {
		Detail string `db:"detail"`
	}
	err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + fulfilment.OverdueElsewhereSQL).
		Bind(dbx.Params{"svc": "s", "paid": "p", "now": "2026-12-20 00:00:00.000Z"}).All(&plan)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, p := range plan {
		steps = append(steps, p.Detail)
	}
	if len(steps) == 0 || !strings.Contains(steps[0], "idx_invoice_items_service") {
		t.Fatalf("the overdue check does not start from the service's lines: %q", steps)
	}
}
