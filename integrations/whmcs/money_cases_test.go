package whmcs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/mariadbtest"
	"github.com/ezscale/ezscale/internal/testutil"
)

// The cases addendum (testdata/whmcs-cases.sql) goes into databases of its
// own, so the tests of the plain sample keep their figures: "whmcs_cases"
// is the sample and the cases, "whmcs_inclusive" those and the inclusive
// tax addendum.
var (
	casesOnce, inclusiveOnce sync.Once
)

func casesSource(t *testing.T) *sql.DB {
	t.Helper()
	casesOnce.Do(func() {
		server.CreateDatabase(t, "whmcs_cases")
		server.LoadSQL(t, "whmcs_cases", mariadbtest.FixturePath("whmcs-sample.sql"))
		server.LoadSQL(t, "whmcs_cases", mariadbtest.FixturePath("whmcs-cases.sql"))
	})
	return server.Open(t, "whmcs_cases")
}

func inclusiveSource(t *testing.T) *sql.DB {
	t.Helper()
	inclusiveOnce.Do(func() {
		server.CreateDatabase(t, "whmcs_inclusive")
		for _, f := range []string{"whmcs-sample.sql", "whmcs-cases.sql", "whmcs-cases-inclusive.sql"} {
			server.LoadSQL(t, "whmcs_inclusive", mariadbtest.FixturePath(f))
		}
	})
	return server.Open(t, "whmcs_inclusive")
}

// casesExpected is whmcs-cases.expected.json.
type casesExpected struct {
	ClientCredit  map[string]string `json:"client_credit_by_currency"`
	CreditHistory map[string]struct {
		Amount string `json:"amount"`
		Rows   int    `json:"rows"`
	} `json:"credit_history_by_currency"`
	CreditOrphans []struct {
		ID     int    `json:"id"`
		Amount string `json:"amount"`
	} `json:"credit_history_orphans"`
	InclusiveTaxed []int                        `json:"inclusive_taxed_invoices"`
	InvoiceTotals  map[string]map[string]string `json:"invoice_totals_by_currency_status"`
	MassPay        []struct {
		ID    int    `json:"id"`
		Pays  []int  `json:"pays"`
		Total string `json:"total"`
	} `json:"mass_pay_invoices"`
	Merged []struct {
		ID       int `json:"id"`
		Into     int `json:"into"`
		Messages int `json:"messages"`
	} `json:"merged_tickets"`
	NegativeRefundFees []struct {
		ID   int    `json:"id"`
		Fees string `json:"fees"`
	} `json:"negative_refund_fees"`
	RefundsToCredit []struct {
		ID            int    `json:"id"`
		RefundID      int    `json:"refundid"`
		InvoiceID     int    `json:"invoiceid"`
		AmountOut     string `json:"amountout"`
		CreditRow     int    `json:"credit_row"`
		CreditRowFees string `json:"credit_row_fees"`
	} `json:"refunds_to_credit"`
	Transactions map[string]struct {
		AmountIn  string `json:"amountin"`
		AmountOut string `json:"amountout"`
		Fees      string `json:"fees"`
		Rows      int    `json:"rows"`
	} `json:"transactions_by_currency"`
}

func readCasesExpected(t *testing.T) casesExpected {
	t.Helper()
	raw, err := os.ReadFile(mariadbtest.FixturePath("whmcs-cases.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e casesExpected
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("whmcs-cases.expected.json: %v", err)
	}
	return e
}

// query reads every row of a query as strings.
func query(t *testing.T, db *sql.DB, q string) [][]string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCasesExpectedFigures recomputes every figure of
// whmcs-cases.expected.json with SQL on the loaded cases, so the file
// cannot say what the data does not.
func TestCasesExpectedFigures(t *testing.T) {
	db := casesSource(t)
	e := readCasesExpected(t)

	got := map[string]map[string]string{}
	for _, r := range query(t, db, `SELECT COALESCE(cur.code, '_no_client'), i.status, SUM(i.total) FROM tblinvoices i
		LEFT JOIN tblclients c ON c.id = i.userid LEFT JOIN tblcurrencies cur ON cur.id = c.currency GROUP BY 1, 2`) {
		if got[r[0]] == nil {
			got[r[0]] = map[string]string{}
		}
		got[r[0]][r[1]] = r[2]
	}
	if fmt.Sprint(got) != fmt.Sprint(e.InvoiceTotals) {
		t.Errorf("invoice totals: SQL %v, JSON %v", got, e.InvoiceTotals)
	}

	tx := map[string]string{}
	for _, r := range query(t, db, `SELECT COALESCE(cur.code, '_unresolved'), SUM(a.amountin), SUM(a.amountout), SUM(a.fees), COUNT(*)
		FROM tblaccounts a LEFT JOIN tblclients c ON c.id = a.userid
		LEFT JOIN tblcurrencies cur ON cur.id = IF(a.currency <> 0, a.currency, c.currency) GROUP BY 1`) {
		tx[r[0]] = strings.Join(r[1:], " ")
	}
	want := map[string]string{}
	for cur, s := range e.Transactions {
		want[cur] = fmt.Sprintf("%s %s %s %d", s.AmountIn, s.AmountOut, s.Fees, s.Rows)
	}
	if fmt.Sprint(tx) != fmt.Sprint(want) {
		t.Errorf("transactions: SQL %v, JSON %v", tx, want)
	}

	credit := map[string]string{}
	for _, r := range query(t, db, `SELECT cur.code, SUM(c.credit) FROM tblclients c JOIN tblcurrencies cur ON cur.id = c.currency GROUP BY 1`) {
		credit[r[0]] = r[1]
	}
	if fmt.Sprint(credit) != fmt.Sprint(e.ClientCredit) {
		t.Errorf("credit balances: SQL %v, JSON %v", credit, e.ClientCredit)
	}

	history := map[string]string{}
	for _, r := range query(t, db, `SELECT cur.code, SUM(cr.amount), COUNT(*) FROM tblcredit cr JOIN tblclients c ON c.id = cr.clientid
		JOIN tblcurrencies cur ON cur.id = c.currency GROUP BY 1`) {
		history[r[0]] = r[1] + " " + r[2]
	}
	wantHistory := map[string]string{}
	for cur, h := range e.CreditHistory {
		wantHistory[cur] = fmt.Sprintf("%s %d", h.Amount, h.Rows)
	}
	if fmt.Sprint(history) != fmt.Sprint(wantHistory) {
		t.Errorf("credit history: SQL %v, JSON %v", history, wantHistory)
	}
	orphans := query(t, db, `SELECT cr.id, cr.amount FROM tblcredit cr LEFT JOIN tblclients c ON c.id = cr.clientid WHERE c.id IS NULL ORDER BY cr.id`)
	if fmt.Sprint(orphans) != fmt.Sprint(mapRows(e.CreditOrphans, func(o struct {
		ID     int    `json:"id"`
		Amount string `json:"amount"`
	}) []string {
		return []string{fmt.Sprint(o.ID), o.Amount}
	})) {
		t.Errorf("credit of deleted clients: SQL %v, JSON %v", orphans, e.CreditOrphans)
	}

	// A refund to credit is the out-row and the in-row of the same amount,
	// both without a gateway, as refundInvoicePayment writes them.
	pairs := query(t, db, `SELECT o.id, o.refundid, o.invoiceid, o.amountout, i.id, i.fees FROM tblaccounts o
		JOIN tblaccounts i ON i.userid = o.userid AND i.gateway = '' AND i.amountout = 0 AND i.amountin = o.amountout
			AND i.description = CONCAT('Credit from Refund of Invoice ID ', o.invoiceid)
		WHERE o.gateway = '' AND o.description LIKE 'Refund of Transaction ID % to Credit Balance' ORDER BY o.id`)
	var wantPairs [][]string
	for _, p := range e.RefundsToCredit {
		wantPairs = append(wantPairs, []string{fmt.Sprint(p.ID), fmt.Sprint(p.RefundID), fmt.Sprint(p.InvoiceID), p.AmountOut,
			fmt.Sprint(p.CreditRow), p.CreditRowFees})
	}
	if fmt.Sprint(pairs) != fmt.Sprint(wantPairs) {
		t.Errorf("refunds to credit: SQL %v, JSON %v", pairs, wantPairs)
	}

	mass := query(t, db, `SELECT i.id, GROUP_CONCAT(it.relid ORDER BY it.id SEPARATOR ' '), i.total FROM tblinvoices i
		JOIN tblinvoiceitems it ON it.invoiceid = i.id GROUP BY i.id
		HAVING SUM(it.type = 'Invoice') > 0 AND SUM(it.type <> 'Invoice') = 0 ORDER BY i.id`)
	var wantMass [][]string
	for _, m := range e.MassPay {
		wantMass = append(wantMass, []string{fmt.Sprint(m.ID), strings.Trim(fmt.Sprint(m.Pays), "[]"), m.Total})
	}
	if fmt.Sprint(mass) != fmt.Sprint(wantMass) {
		t.Errorf("mass-pay invoices: SQL %v, JSON %v", mass, wantMass)
	}

	fees := query(t, db, `SELECT id, fees FROM tblaccounts WHERE amountout > 0 AND fees < 0 ORDER BY id`)
	var wantFees [][]string
	for _, f := range e.NegativeRefundFees {
		wantFees = append(wantFees, []string{fmt.Sprint(f.ID), f.Fees})
	}
	if fmt.Sprint(fees) != fmt.Sprint(wantFees) {
		t.Errorf("negative refund fees: SQL %v, JSON %v", fees, wantFees)
	}

	// A merged ticket's thread joins its target's: both openings and all replies.
	merged := query(t, db, `SELECT t.id, t.merged_ticket_id, 2 + (SELECT COUNT(*) FROM tblticketreplies r WHERE r.tid IN (t.id, t.merged_ticket_id))
		FROM tbltickets t WHERE t.merged_ticket_id <> 0 ORDER BY t.id`)
	var wantMerged [][]string
	for _, m := range e.Merged {
		wantMerged = append(wantMerged, []string{fmt.Sprint(m.ID), fmt.Sprint(m.Into), fmt.Sprint(m.Messages)})
	}
	if fmt.Sprint(merged) != fmt.Sprint(wantMerged) {
		t.Errorf("merged tickets: SQL %v, JSON %v", merged, wantMerged)
	}

	taxed := query(t, inclusiveSource(t), `SELECT DISTINCT i.id FROM tblinvoices i JOIN tblinvoiceitems it ON it.invoiceid = i.id
		WHERE it.taxed = 1 AND i.tax > 0 AND i.total = (SELECT SUM(amount) FROM tblinvoiceitems WHERE invoiceid = i.id) - i.credit
		AND i.subtotal = (SELECT SUM(amount) FROM tblinvoiceitems WHERE invoiceid = i.id) - i.tax - i.tax2 ORDER BY i.id`)
	if fmt.Sprint(taxed) != fmt.Sprint(mapRows(e.InclusiveTaxed, func(id int) []string { return []string{fmt.Sprint(id)} })) {
		t.Errorf("invoices taxed inclusively: SQL %v, JSON %v", taxed, e.InclusiveTaxed)
	}
}

func mapRows[T any](list []T, f func(T) []string) [][]string {
	var out [][]string
	for _, v := range list {
		out = append(out, f(v))
	}
	return out
}

func importFrom(t *testing.T, app core.App, db *sql.DB, opts whmcs.Options) *whmcs.Report {
	t.Helper()
	rep, err := whmcs.Import(context.Background(), app, db, opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if !rep.Reconciled {
		var buf strings.Builder
		rep.Print(&buf)
		t.Fatalf("the cases do not reconcile:\n%s", buf.String())
	}
	return rep
}

// sumOf finds a report sum.
func sumOf(list []*whmcs.Sum, currency, status string) *whmcs.Sum {
	for _, s := range list {
		if s.Currency == currency && s.Status == status {
			return s
		}
	}
	return &whmcs.Sum{Currency: currency, Status: status}
}

func record(t *testing.T, app core.App, collection, whmcsID string) *core.Record {
	t.Helper()
	rec, err := app.FindFirstRecordByData(collection, "whmcs_id", whmcsID)
	if err != nil {
		t.Fatalf("%s %s: %v", collection, whmcsID, err)
	}
	return rec
}

func absent(t *testing.T, app core.App, collection, whmcsID string) {
	t.Helper()
	if n := countWhere(t, app, collection, "whmcs_id = '"+whmcsID+"'"); n != 0 {
		t.Errorf("%s %s was imported", collection, whmcsID)
	}
}

func noted(list []whmcs.Problem, entity, id, contains string) bool {
	return slices.ContainsFunc(list, func(p whmcs.Problem) bool {
		return p.Entity == entity && slices.Contains(strings.Split(p.ID, ","), id) && strings.Contains(p.Reason, contains)
	})
}

func TestImportMoneyCases(t *testing.T) {
	e := readCasesExpected(t)
	app := testutil.NewApp(t)
	rep := importFrom(t, app, casesSource(t), whmcs.Options{})

	t.Run("WHMCS's figures in the report", func(t *testing.T) {
		for cur, statuses := range e.InvoiceTotals {
			for status, total := range statuses {
				if got := sumOf(rep.Invoices, cur, status).WHMCS; got != cents(t, total, "USD") {
					t.Errorf("invoices %s %s: WHMCS %d, want %s", cur, status, got, total)
				}
			}
		}
		for cur, s := range e.Transactions {
			for status, dec := range map[string]string{"in": s.AmountIn, "out": s.AmountOut, "fees": s.Fees} {
				if got := sumOf(rep.Payments, cur, status).WHMCS; got != cents(t, dec, cur) {
					t.Errorf("payments %s %s: WHMCS %d, want %s", cur, status, got, dec)
				}
			}
		}
		for cur, dec := range e.ClientCredit {
			if s := sumOf(rep.Credit, cur, "balance"); s.WHMCS != cents(t, dec, cur) || s.Imported != s.WHMCS {
				t.Errorf("credit %s: %+v, want %s all imported", cur, s, dec)
			}
		}
		for cur, h := range e.CreditHistory {
			if s := sumOf(rep.Credit, cur, "history"); s.WHMCS != cents(t, h.Amount, cur) || s.Imported != s.WHMCS {
				t.Errorf("credit history %s: %+v, want %s all imported", cur, s, h.Amount)
			}
		}
	})

	t.Run("refund to credit", func(t *testing.T) {
		for _, p := range e.RefundsToCredit {
			refund := record(t, app, "payments", fmt.Sprint(p.ID))
			charge := record(t, app, "payments", fmt.Sprint(p.RefundID))
			if refund.GetString("kind") != "refund" || refund.GetString("gateway") != "credit" || refund.GetString("refund_of") != charge.Id ||
				refund.GetInt("amount") != int(cents(t, p.AmountOut, "USD")) {
				t.Errorf("refund %d: kind %s gateway %s refund_of %s amount %d, want a credit refund of %s (%s)", p.ID, refund.GetString("kind"),
					refund.GetString("gateway"), refund.GetString("refund_of"), refund.GetInt("amount"), charge.Id, p.AmountOut)
			}
			absent(t, app, "payments", fmt.Sprint(p.CreditRow))
			if !listed(rep.NotImported, "payments", p.CreditRow) {
				t.Errorf("the credit side %d of the refund is not listed", p.CreditRow)
			}
			in := sumOf(rep.Payments, "USD", "in")
			if in.Excluded < cents(t, p.AmountOut, "USD") {
				t.Errorf("payments in %+v: the credit row's %s is not left out", in, p.AmountOut)
			}
		}
		if n := countWhere(t, app, "payments", "kind = 'charge' AND gateway = 'manual' AND whmcs_id IN ('1002')"); n != 0 {
			t.Error("the credit from a refund became a manual payment")
		}
	})

	t.Run("refund fees are negative by design", func(t *testing.T) {
		for _, f := range e.NegativeRefundFees {
			id := fmt.Sprint(f.ID)
			if noted(rep.Notes, "payments", id, "fee") {
				t.Errorf("refund %s noted for its fee", id)
			}
			if got, want := record(t, app, "payments", id).GetInt("fee"), -int(cents(t, f.Fees, "USD")); got != want {
				t.Errorf("refund %s fee %d, want the %d returned", id, got, want)
			}
		}
		if s := sumOf(rep.Payments, "USD", "fees"); s.Imported != s.WHMCS-s.Excluded || s.Excluded != cents(t, e.RefundsToCredit[0].CreditRowFees, "USD") {
			t.Errorf("fees %+v: only the credit row's fee may be left out", s)
		}
	})

	t.Run("mass payment counted once", func(t *testing.T) {
		for _, m := range e.MassPay {
			absent(t, app, "invoices", fmt.Sprint(m.ID))
			if !listed(rep.NotImported, "invoices", m.ID) {
				t.Errorf("mass-pay invoice %d is not listed", m.ID)
			}
			var ids []string
			for _, id := range m.Pays {
				ids = append(ids, fmt.Sprintf("'%d'", id))
			}
			var total, credit int64
			if err := app.DB().NewQuery("SELECT COALESCE(SUM(total), 0), COALESCE(SUM(credit_applied), 0) FROM invoices WHERE whmcs_id IN ("+
				strings.Join(ids, ",")+")").Row(&total, &credit); err != nil {
				t.Fatal(err)
			}
			if want := cents(t, m.Total, "USD"); total != want || credit != want {
				t.Errorf("invoices %v: total %d, credit applied %d; want the mass payment's %d once, paid by credit", m.Pays, total, credit, want)
			}
			var applied int64
			if err := app.DB().NewQuery("SELECT COALESCE(SUM(ce.amount), 0) FROM credit_entries ce JOIN invoices i ON i.id = ce.invoice " +
				"WHERE ce.reason = 'applied' AND i.whmcs_id IN (" + strings.Join(ids, ",") + ")").Row(&applied); err != nil {
				t.Fatal(err)
			}
			if applied != -credit {
				t.Errorf("applied credit entries of invoices %v: %d, want −%d (their credit applied)", m.Pays, applied, credit)
			}
			var charges []struct {
				Invoice string `db:"invoice"`
				Amount  int64  `db:"amount"`
			}
			if err := app.DB().NewQuery("SELECT p.invoice, p.amount FROM payments p WHERE p.whmcs_id = '1004'").All(&charges); err != nil {
				t.Fatal(err)
			}
			if len(charges) != 1 || charges[0].Invoice != "" || charges[0].Amount != cents(t, m.Total, "USD") {
				t.Errorf("the mass payment's charge: %+v, want %s without an invoice", charges, m.Total)
			}
		}
	})

	t.Run("credit history", func(t *testing.T) {
		balances := sumWhere(t, app, "SELECT currency, SUM(amount) AS total FROM credit_entries GROUP BY currency", nil)
		for cur, dec := range e.ClientCredit {
			if balances[cur] != cents(t, dec, cur) {
				t.Errorf("credit entries in %s sum to %d, WHMCS's balances to %s", cur, balances[cur], dec)
			}
		}
		history := sumWhere(t, app, "SELECT currency, SUM(amount) AS total FROM credit_entries WHERE whmcs_id LIKE 'credit/%' GROUP BY currency", nil)
		for cur, h := range e.CreditHistory {
			if history[cur] != cents(t, h.Amount, cur) {
				t.Errorf("history in %s: %d, want %s", cur, history[cur], h.Amount)
			}
		}
		if n := countWhere(t, app, "credit_entries", "whmcs_id LIKE 'credit/%'"); n != e.CreditHistory["USD"].Rows {
			t.Errorf("%d history entries, want %d", n, e.CreditHistory["USD"].Rows)
		}
		for _, o := range e.CreditOrphans {
			if !listed(rep.NotImported, "credit_history", o.ID) {
				t.Errorf("movement %d of a deleted client is not listed", o.ID)
			}
		}
		if d := record(t, app, "credit_entries", "credit/3").GetString("description"); d != "2025-05-02: Credit from Refund of Invoice ID 36" {
			t.Errorf("description %q", d)
		}
	})

	t.Run("gateway modules", func(t *testing.T) {
		for id, want := range map[string]string{"1004": "paypal", "1005": "stripe", "1006": "manual"} {
			if got := record(t, app, "payments", id).GetString("gateway"); got != want {
				t.Errorf("payment %s: gateway %s, want %s", id, got, want)
			}
		}
		if !noted(rep.Notes, "gateways", "gocardless", "--gateway-map") {
			t.Errorf("the unknown module gocardless is not reported: %v", rep.Notes)
		}
		mapped := importFrom(t, testutil.NewApp(t), casesSource(t), whmcs.Options{GatewayMap: whmcs.GatewayMap{"gocardless": "manual"}})
		if noted(mapped.Notes, "gateways", "gocardless", "") {
			t.Error("a module the map names is still reported")
		}
	})

	t.Run("services and promotions", func(t *testing.T) {
		var opts map[string]any
		if err := record(t, app, "services", "1001").UnmarshalJSONField("options", &opts); err != nil {
			t.Fatal(err)
		}
		if opts["quantity"] != float64(3) || opts["gateway"] != "paypal" {
			t.Errorf("options %v, want quantity 3 and gateway paypal", opts)
		}
		if !noted(rep.Notes, "subscriptions", "1001", "discounts 4 more renewals") {
			t.Errorf("the promotion's remaining renewals are not noted: %v", rep.Notes)
		}
		if got := record(t, app, "coupons", "1002").GetString("duration"); got != "forever" {
			t.Errorf("lifetime promotion: duration %s, want forever", got)
		}
		if !noted(rep.Notes, "coupons", "1001", "already has") || !noted(rep.Notes, "coupons", "1001", "once per order") {
			t.Errorf("requiresexisting and applyonce are not noted: %v", rep.Notes)
		}
	})

	t.Run("merged tickets", func(t *testing.T) {
		for _, m := range e.Merged {
			absent(t, app, "ticket_archive", fmt.Sprint(m.ID))
			var msgs []archived
			if err := record(t, app, "ticket_archive", fmt.Sprint(m.Into)).UnmarshalJSONField("messages", &msgs); err != nil {
				t.Fatal(err)
			}
			if len(msgs) != m.Messages {
				t.Fatalf("ticket %d has %d messages, want %d", m.Into, len(msgs), m.Messages)
			}
			if !slices.IsSortedFunc(msgs, func(a, b archived) int { return strings.Compare(a.CreatedAt, b.CreatedAt) }) || !strings.Contains(msgs[1].HTML, "Merged from ticket 900002") {
				t.Errorf("thread %+v: want the merged ticket's messages in date order", msgs)
			}
		}
		if c := count(rep, "ticket_replies"); c.Read != c.Created+c.Updated+c.Unchanged+c.Skipped+c.Failed {
			t.Errorf("replies %+v do not add up", c)
		}
	})
}

func TestMoneyCasesSecondRunChangesNothing(t *testing.T) {
	app := testutil.NewApp(t)
	importFrom(t, app, casesSource(t), whmcs.Options{})
	rep := importFrom(t, app, casesSource(t), whmcs.Options{})
	for _, c := range rep.Entities {
		if c.Created != 0 || c.Updated != 0 {
			t.Errorf("second run: %+v", c)
		}
	}
	if noted(rep.Notes, "credit_entries", "", "changed on EZSCALE") {
		t.Error("the import's own credit entries look changed on EZSCALE")
	}
}

// TestImportBeforeMergedTickets: a WHMCS older than merged_ticket_id
// imports its tickets as they are.
func TestImportBeforeMergedTickets(t *testing.T) {
	server.CreateDatabase(t, "whmcs_old_tickets")
	server.LoadSQL(t, "whmcs_old_tickets", mariadbtest.FixturePath("whmcs-sample.sql"))
	db := server.Open(t, "whmcs_old_tickets")
	if _, err := db.Exec("ALTER TABLE tbltickets DROP COLUMN merged_ticket_id"); err != nil {
		t.Fatal(err)
	}
	rep := importFrom(t, testutil.NewApp(t), db, whmcs.Options{Only: []string{"customers", "tickets"}})
	if c := count(rep, "tickets"); c.Read != readExpected(t).RowCounts["tbltickets"] || c.Failed != 0 {
		t.Errorf("tickets %+v", c)
	}
}

// TestImportInclusiveTax: with TaxType Inclusive, an invoice agrees with
// its lines when its total is the lines less credit; its tax is in them.
func TestImportInclusiveTax(t *testing.T) {
	e := readCasesExpected(t)
	db := inclusiveSource(t)
	app := testutil.NewApp(t)
	rep := importFrom(t, app, db, whmcs.Options{})

	// The invoices that really disagree, by WHMCS's inclusive rule: those
	// imported (a client imported, not a mass payment) whose total is not
	// the items less credit.
	var want []int
	for _, r := range query(t, db, `SELECT i.id FROM tblinvoices i JOIN tblclients c ON c.id = i.userid
		WHERE i.total <> COALESCE((SELECT SUM(amount) FROM tblinvoiceitems WHERE invoiceid = i.id), 0) - i.credit
		AND NOT EXISTS (SELECT 1 FROM tblinvoiceitems m WHERE m.invoiceid = i.id AND m.type = 'Invoice') ORDER BY i.id`) {
		id, _ := strconv.Atoi(r[0])
		want = append(want, id)
	}
	var got []int
	for _, n := range rep.Notes {
		if n.Entity == "invoices" && strings.Contains(n.Reason, "disagrees") {
			id, _ := strconv.Atoi(n.ID)
			got = append(got, id)
		}
	}
	slices.Sort(got)
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("invoices noted as disagreeing: %v, want %v", got, want)
	}
	for _, id := range e.InclusiveTaxed {
		inv := record(t, app, "invoices", fmt.Sprint(id))
		if inv.GetInt("total") != inv.GetInt("subtotal")+inv.GetInt("tax_total") {
			t.Errorf("invoice %d: subtotal %d + tax %d ≠ total %d", id, inv.GetInt("subtotal"), inv.GetInt("tax_total"), inv.GetInt("total"))
		}
		var lines, taxedInclusive int
		if err := app.DB().NewQuery("SELECT SUM(amount), SUM(tax_inclusive) FROM invoice_items WHERE invoice = {:id}").
			Bind(dbx.Params{"id": inv.Id}).Row(&lines, &taxedInclusive); err != nil {
			t.Fatal(err)
		}
		if lines != inv.GetInt("total") || taxedInclusive == 0 {
			t.Errorf("invoice %d: lines %d (%d inclusive), total %d: the tax must be in the lines, not on top", id, lines, taxedInclusive, inv.GetInt("total"))
		}
	}
	if n := countWhere(t, app, "tax_rates", "whmcs_id != '' AND inclusive = FALSE"); n != 0 {
		t.Errorf("%d tax rates imported exclusive", n)
	}
}
