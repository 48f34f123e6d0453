package seed_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

func TestSyntheticWritesValidRecords(t *testing.T) {
	app := testutil.NewApp(t)
	var out bytes.Buffer
	res, err := seed.Synthetic(app, seed.SyntheticOptions{Customers: 20, Seed: 1, BatchSize: 8}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "20/20 customers") {
		t.Errorf("progress output lacks the final line:\n%s", out.String())
	}

	wantBetween := map[string][2]int{
		"customers":       {20, 20},
		"subscriptions":   {40, 40},
		"services":        {40, 80},
		"invoices":        {480, 480},
		"invoice_items":   {480, 1440},
		"payments":        {300, 800},
		"payment_methods": {1, 20},
		"credit_entries":  {1, 80},
	}
	for col, want := range wantBetween {
		n, err := app.CountRecords(col)
		if err != nil {
			t.Fatal(err)
		}
		if int(n) != res.Rows[col] || int(n) < want[0] || int(n) > want[1] {
			t.Errorf("%s: %d rows stored, %d reported, want %d..%d", col, n, res.Rows[col], want[0], want[1])
		}
	}

	for col := range res.Rows {
		recs, err := app.FindAllRecords(col)
		if err != nil {
			t.Fatalf("%s: %v", col, err)
		}
		for _, r := range recs {
			if err := app.Validate(r); err != nil {
				t.Fatalf("%s %s is not a valid record: %v\n%v", col, r.Id, err, r.PublicExport())
			}
		}
	}

	customer, err := app.FindAuthRecordByEmail("customers", seed.SyntheticEmail(res.First))
	if err != nil {
		t.Fatal(err)
	}
	if !customer.ValidatePassword(seed.SyntheticPassword) || !customer.Verified() {
		t.Error("a synthetic customer cannot sign in with the synthetic password")
	}
	if !regexp.MustCompile(`^[a-z0-9]{15}$`).MatchString(customer.Id) {
		t.Errorf("id %q does not look like a PocketBase id", customer.Id)
	}
	if _, err := types.ParseDateTime(customer.GetString("created")); err != nil || len(customer.GetString("created")) != len(types.DefaultDateLayout) {
		t.Errorf("created %q is not in PocketBase's date format", customer.GetString("created"))
	}
}

func TestSyntheticInvoicesAddUp(t *testing.T) {
	app := testutil.NewApp(t)
	if _, err := seed.Synthetic(app, seed.SyntheticOptions{Customers: 20, Seed: 7}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	var bad []struct {
		Number string `db:"number"`
	}
	err := app.DB().NewQuery(`SELECT i.number FROM invoices i
		LEFT JOIN (SELECT invoice, SUM(amount) AS net, SUM(tax_amount) AS tax FROM invoice_items GROUP BY invoice) s ON s.invoice = i.id
		WHERE i.subtotal != COALESCE(s.net, 0) OR i.tax_total != COALESCE(s.tax, 0) OR i.total != i.subtotal + i.tax_total
		OR i.number = '' OR i.amount_due < 0`).All(&bad)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Errorf("%d invoices whose totals are not the sum of their lines (or lack a number), e.g. %s", len(bad), bad[0].Number)
	}

	// The ledger's counters continue after the seeded numbers.
	var last, invoices int
	if err := app.DB().NewQuery(`SELECT COALESCE(SUM(last), 0) FROM number_sequences WHERE series = 'invoice'`).Row(&last); err != nil {
		t.Fatal(err)
	}
	if err := app.DB().NewQuery(`SELECT COUNT(*) FROM invoices`).Row(&invoices); err != nil {
		t.Fatal(err)
	}
	if last != invoices {
		t.Errorf("invoice sequences end at %d in total, want %d (one per invoice)", last, invoices)
	}

	// Every paid invoice has exactly one successful charge for what was not paid with credit.
	var unpaid int
	err = app.DB().NewQuery(`SELECT COUNT(*) FROM invoices i WHERE i.status IN ('paid', 'refunded', 'partially_refunded')
		AND (SELECT COUNT(*) FROM payments p WHERE p.invoice = i.id AND p.kind = 'charge' AND p.status = 'succeeded'
			AND p.amount = i.total - i.credit_applied) != 1`).Row(&unpaid)
	if err != nil {
		t.Fatal(err)
	}
	if unpaid > 0 {
		t.Errorf("%d paid invoices without exactly one matching charge", unpaid)
	}

	// Booleans are stored as PocketBase stores them: integers 0 and 1.
	var kind string
	var verified int
	if err := app.DB().NewQuery(`SELECT typeof(verified), verified FROM customers LIMIT 1`).Row(&kind, &verified); err != nil {
		t.Fatal(err)
	}
	if kind != "integer" || verified != 1 {
		t.Errorf("verified stored as %s %d, want integer 1", kind, verified)
	}
}

func TestSyntheticAppendsAndRepeats(t *testing.T) {
	a, b := testutil.NewApp(t), testutil.NewApp(t)
	opts := seed.SyntheticOptions{Customers: 3, Seed: 42}
	for _, app := range []core.App{a, b} {
		if _, err := seed.Synthetic(app, opts, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := fingerprint(t, a), fingerprint(t, b); got != want {
		t.Errorf("the same seed gave different data:\n%s\n%s", got, want)
	}

	res, err := seed.Synthetic(a, opts, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if res.First != 4 || res.Last != 6 {
		t.Errorf("second run numbered %d..%d, want 4..6", res.First, res.Last)
	}
	n, err := a.CountRecords("customers", dbx.NewExp("email LIKE '%@seed.ezscale.test'"))
	if err != nil || n != 6 {
		t.Errorf("%d synthetic customers after two runs (%v), want 6", n, err)
	}
}

// fingerprint summarises the seeded data without record ids and dates,
// which differ between databases and days.
func fingerprint(t *testing.T, app core.App) string {
	t.Helper()
	var rows []struct {
		Line string `db:"line"`
	}
	err := app.DB().NewQuery(`SELECT c.email || ' ' || c.name || ' ' || c.currency || ' ' ||
		(SELECT group_concat(total || status, ',') FROM invoices WHERE customer = c.id) AS line
		FROM customers c ORDER BY c.email`).All(&rows)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Line + "\n")
	}
	return b.String()
}
