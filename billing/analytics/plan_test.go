package analytics_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/analytics"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The big reads take their index, covering where the migration made one
// so: a changed query that no longer matches it would scan the table.
func TestQueriesUseTheirIndexes(t *testing.T) {
	app := testutil.NewApp(t)
	params := dbx.Params{"from": "2026-01-01", "to": "2026-12-31", "start": "2026-01-01 00:00:00.000Z",
		"end": "2027-01-01 00:00:00.000Z", "now": "2026-06-01 00:00:00.000Z", "d31": "x", "d61": "x", "d91": "x"}
	for _, tc := range []struct{ name, sql, want string }{
		{"revenue", analytics.RevenueSQL, "USING COVERING INDEX idx_payments_revenue"},
		{"receivables", analytics.ReceivablesSQL, "USING COVERING INDEX idx_invoices_receivables"},
		{"amount changes", analytics.AmountChangesSQL, "USING INDEX idx_audit_logs_subscription_amounts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var steps []struct {
				Detail string `db:"detail"`
			}
			if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + tc.sql).Bind(params).All(&steps); err != nil {
				t.Fatal(err)
			}
			var plan []string
			for _, s := range steps {
				plan = append(plan, s.Detail)
			}
			if !strings.Contains(strings.Join(plan, "\n"), tc.want) {
				t.Errorf("plan does not say %q:\n%s", tc.want, strings.Join(plan, "\n"))
			}
		})
	}
}
