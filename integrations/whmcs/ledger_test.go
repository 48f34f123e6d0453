package whmcs_test

import (
	"database/sql"
	"slices"
	"testing"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/ledgercheck"
	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestImportPassesTheLedgerCheck: an imported WHMCS database keeps every
// invariant of the books, without a credit history (the plain sample) and
// with one (the cases), and still after a second run.
func TestImportPassesTheLedgerCheck(t *testing.T) {
	for _, tc := range []struct {
		name string
		db   func(*testing.T) *sql.DB
	}{{"plain sample", source}, {"cases", casesSource}} {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			for run := 1; run <= 2; run++ {
				importFrom(t, app, tc.db(t), whmcs.Options{})
				rep, err := ledgercheck.Run(app)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range rep.Violations {
					t.Errorf("run %d: %s", run, v)
				}
			}
		})
	}
}

// TestInvoiceCreditWithoutHistory: credit WHMCS applied to an invoice that
// its credit history does not explain (all of it without tblcredit) is one
// applied entry naming the invoice, dated at its date paid, else its date;
// every client's entries still add up to WHMCS's balance; credit the
// history explains gets no second entry.
func TestInvoiceCreditWithoutHistory(t *testing.T) {
	for _, tc := range []struct {
		name      string
		db        func(*testing.T) *sql.DB
		explained []string // WHMCS invoices whose credit the history explains
	}{{"plain sample", source, nil}, {"cases", casesSource, []string{"1002", "1003"}}} {
		t.Run(tc.name, func(t *testing.T) {
			app := testutil.NewApp(t)
			db := tc.db(t)
			importFrom(t, app, db, whmcs.Options{})

			invoices := query(t, db, `SELECT id, DATE_FORMAT(IF(datepaid > '1971-01-01', datepaid, date), '%Y-%m-%d')
				FROM tblinvoices WHERE credit <> 0 ORDER BY id`)
			synthesized := 0
			for _, row := range invoices {
				id, day := row[0], row[1]
				inv, err := app.FindFirstRecordByData("invoices", "whmcs_id", id)
				if err != nil {
					continue // not imported (a mass payment, a deleted client)
				}
				entry, err := app.FindFirstRecordByData("credit_entries", "whmcs_id", "applied/"+id)
				if slices.Contains(tc.explained, id) {
					if err == nil {
						t.Errorf("invoice %s: its credit is in the history, yet applied/%s exists (%d)", id, id, entry.GetInt("amount"))
					}
					continue
				}
				if err != nil {
					t.Errorf("invoice %s holds credit %d with no applied entry", id, inv.GetInt("credit_applied"))
					continue
				}
				synthesized++
				if entry.GetString("reason") != "applied" || entry.GetString("invoice") != inv.Id ||
					entry.GetInt("amount") != -inv.GetInt("credit_applied") || entry.GetString("customer") != inv.GetString("customer") ||
					entry.GetString("currency") != inv.GetString("currency") {
					t.Errorf("applied/%s: %v, want −%d applied to %s", id, entry, inv.GetInt("credit_applied"), inv.Id)
				}
				if want := day + ": Credit applied to invoice " + inv.GetString("number"); entry.GetString("description") != want {
					t.Errorf("applied/%s: description %q, want %q", id, entry.GetString("description"), want)
				}
			}
			if synthesized == 0 {
				t.Fatal("no invoice's credit was left to the import to explain: the test checks nothing")
			}

			// Per client, not only per currency: the entries are WHMCS's balance.
			for _, row := range query(t, db, "SELECT id, credit FROM tblclients WHERE credit >= 0 ORDER BY id") {
				cust, err := app.FindFirstRecordByData("customers", "whmcs_id", row[0])
				if err != nil {
					continue
				}
				var sum int64
				if err := app.DB().NewQuery("SELECT COALESCE(SUM(amount), 0) FROM credit_entries WHERE customer = {:c}").
					Bind(dbx.Params{"c": cust.Id}).Row(&sum); err != nil {
					t.Fatal(err)
				}
				if want := cents(t, row[1], cust.GetString("currency")); sum != want {
					t.Errorf("client %s: credit entries sum to %d, WHMCS's balance is %s", row[0], sum, row[1])
				}
			}
		})
	}
}
