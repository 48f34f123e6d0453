package whmcs_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/mariadbtest"
	"github.com/ezscale/ezscale/internal/testutil"
)

// server is a throwaway MariaDB holding the WHMCS sample, shared by the
// package's tests (which only read it).
var server *mariadbtest.Server

func TestMain(m *testing.M) { mariadbtest.Main(m, func(s *mariadbtest.Server) { server = s }) }

var (
	loadOnce sync.Once
	loadErr  error
)

// source is the WHMCS sample database.
func source(t *testing.T) *sql.DB {
	t.Helper()
	loadOnce.Do(func() {
		server.CreateDatabase(t, "whmcs")
		server.LoadSQL(t, "whmcs", mariadbtest.FixturePath("whmcs-sample.sql"))
	})
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return server.Open(t, "whmcs")
}

// expected is whmcs-sample.expected.json: figures computed from the sample.
type expected struct {
	ClientCreditByCurrency map[string]string            `json:"client_credit_by_currency"`
	ClientsByStatus        map[string]int               `json:"clients_by_status"`
	ClosedClients          idList                       `json:"closed_clients"`
	CaseDuplicates         [][]clientRef                `json:"case_duplicate_email_groups"`
	FillerPassword         struct{ Password string }    `json:"filler_password"`
	GuestTickets           int                          `json:"guest_tickets"`
	HTMLEntityClients      idList                       `json:"html_entity_clients"`
	InvoiceTotalMismatches idList                       `json:"invoice_total_mismatches"`
	InvoiceTotals          map[string]map[string]string `json:"invoice_totals_by_currency_status"`
	InvoicesByStatus       map[string]int               `json:"invoices_by_status"`
	KnownPasswords         []login                      `json:"known_passwords"`
	LegacyPasswords        []login                      `json:"legacy_md5_passwords"`
	LongCompanyNames       []struct {
		clientRef
		Chars int `json:"chars"`
	} `json:"long_company_names"`
	Orphans                 map[string]idList `json:"orphans"`
	PaidWithoutTransactions idList            `json:"paid_invoices_without_transactions"`
	PartiallyPaid           idList            `json:"partially_paid_invoices"`
	RefundTransactions      []struct {
		ID        int    `json:"id"`
		RefundID  int    `json:"refundid"`
		AmountOut string `json:"amountout"`
	} `json:"refund_transactions"`
	RowCounts              map[string]int `json:"row_counts"`
	ServicesByBillingCycle map[string]int `json:"services_by_billingcycle"`
	ServicesByStatus       map[string]int `json:"services_by_domainstatus"`
	ServicesByServertype   map[string]int `json:"services_by_servertype"`
	TransactionsByGateway  map[string]int `json:"transactions_by_gateway"`
	UsersLinkedToSeveral   idList         `json:"users_linked_to_several_clients"`
	TransactionsByCurrency map[string]struct {
		AmountIn, AmountOut, Fees string
		Rows                      int
	} `json:"transactions_by_currency"`
	EmojiRows map[string]int `json:"emoji_rows"`
}

type clientRef struct {
	ClientID int `json:"client_id"`
}

type idList struct {
	Count int   `json:"count"`
	IDs   []int `json:"ids"`
}

type login struct {
	ClientID int    `json:"client_id"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

func readExpected(t *testing.T) expected {
	t.Helper()
	raw, err := os.ReadFile(mariadbtest.FixturePath("whmcs-sample.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatal(err)
	}
	return e
}

// cents reads an expected decimal string in currency.
func cents(t *testing.T, dec, currency string) int64 {
	t.Helper()
	a, err := money.ParseDecimal(dec, currency)
	if err != nil {
		t.Fatal(err)
	}
	return a.Minor
}

func runImport(t *testing.T, app core.App, opts whmcs.Options) *whmcs.Report {
	t.Helper()
	rep, err := whmcs.Import(context.Background(), app, source(t), opts)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return rep
}

func count(r *whmcs.Report, entity string) whmcs.Count {
	for _, c := range r.Entities {
		if c.Entity == entity {
			return *c
		}
	}
	return whmcs.Count{}
}

// listed says whether the report names a WHMCS record of entity, in
// not_imported (skipped) or in notes.
func listed(list []whmcs.Problem, entity string, id int) bool {
	return slices.ContainsFunc(list, func(p whmcs.Problem) bool {
		return p.Entity == entity && slices.Contains(strings.Split(p.ID, ","), fmt.Sprint(id))
	})
}

func sumWhere(t *testing.T, app core.App, query string, params dbx.Params) map[string]int64 {
	t.Helper()
	var rows []struct {
		Currency string `db:"currency"`
		Sum      int64  `db:"total"`
	}
	if err := app.DB().NewQuery(query).Bind(params).All(&rows); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Currency] = r.Sum
	}
	return out
}

func countWhere(t *testing.T, app core.App, collection, where string) int {
	t.Helper()
	var n int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM " + collection + " WHERE " + where).Row(&n); err != nil {
		t.Fatalf("count %s where %s: %v", collection, where, err)
	}
	return n
}

func TestImportMatchesTheSample(t *testing.T) {
	e := readExpected(t)
	app := testutil.NewApp(t)
	rep := runImport(t, app, whmcs.Options{})
	if !rep.Reconciled {
		var buf strings.Builder
		rep.Print(&buf)
		t.Fatalf("the sample does not reconcile:\n%s", buf.String())
	}

	t.Run("counts", func(t *testing.T) {
		for entity, table := range map[string]string{"customers": "tblclients", "services": "tblhosting", "invoices": "tblinvoices",
			"invoice_items": "tblinvoiceitems", "payments": "tblaccounts", "tickets": "tbltickets", "plans": "tblproducts",
			"coupons": "tblpromotions", "tax_rates": "tbltax", "contacts": "tblcontacts"} {
			c := count(rep, entity)
			if c.Read != e.RowCounts[table] {
				t.Errorf("%s: read %d, the sample has %d rows in %s", entity, c.Read, e.RowCounts[table], table)
			}
			if c.Created+c.Skipped+c.Failed+c.Unchanged+c.Updated != c.Read {
				t.Errorf("%s: %+v does not account for every row read", entity, c)
			}
			if c.Failed != 0 {
				t.Errorf("%s: %d failed", entity, c.Failed)
			}
		}
		if got := countWhere(t, app, "customers", "whmcs_id != ''"); got != e.RowCounts["tblclients"] {
			t.Errorf("%d customers imported, want every one of %d clients", got, e.RowCounts["tblclients"])
		}
		if got := countWhere(t, app, "customers", "status = 'closed'"); got != e.ClientsByStatus["Closed"] {
			t.Errorf("%d closed customers, want %d", got, e.ClientsByStatus["Closed"])
		}
	})

	t.Run("invoice totals per currency and status", func(t *testing.T) {
		for cur, byStatus := range e.InvoiceTotals {
			for status, dec := range byStatus {
				code := cur
				if code == "_no_client" {
					code = "USD" // parsing only: two decimals
				}
				want := cents(t, dec, code)
				i := slices.IndexFunc(rep.Invoices, func(s *whmcs.Sum) bool { return s.Currency == cur && s.Status == status })
				if i < 0 || rep.Invoices[i].WHMCS != want || !rep.Invoices[i].OK {
					t.Errorf("invoices %s %s: report %+v, want WHMCS %d", cur, status, rep.Invoices, want)
				}
			}
		}
		// In the database: total − credit applied is WHMCS's total, per currency.
		got := sumWhere(t, app, "SELECT currency, SUM(total - credit_applied) AS total FROM invoices WHERE whmcs_id != '' GROUP BY currency", nil)
		for cur, byStatus := range e.InvoiceTotals {
			if cur == "_no_client" {
				continue
			}
			var want int64
			for _, dec := range byStatus {
				want += cents(t, dec, cur)
			}
			if got[cur] != want {
				t.Errorf("invoices in %s: %d in the database, want %d", cur, got[cur], want)
			}
		}
		for _, id := range e.Orphans["invoices_missing_client"].IDs {
			if !listed(rep.NotImported, "invoices", id) {
				t.Errorf("invoice %d of a deleted client is not listed", id)
			}
		}
		for _, id := range e.InvoiceTotalMismatches.IDs {
			if !listed(rep.Notes, "invoices", id) {
				t.Errorf("invoice %d whose total disagrees with its items is not listed", id)
			}
			if countWhere(t, app, "invoices", fmt.Sprintf("whmcs_id = '%d'", id)) != 1 {
				t.Errorf("invoice %d whose total disagrees with its items is not imported as it was", id)
			}
		}
		imported := e.RowCounts["tblinvoices"] - e.Orphans["invoices_missing_client"].Count
		if got := countWhere(t, app, "invoices", "whmcs_id != '' AND number LIKE 'WHMCS-%' AND series = 'whmcs'"); got != imported {
			t.Errorf("%d invoices numbered in the WHMCS series, want %d", got, imported)
		}
	})

	t.Run("payments and refunds", func(t *testing.T) {
		in := sumWhere(t, app, "SELECT currency, SUM(amount) AS total FROM payments WHERE whmcs_id != '' AND kind = 'charge' GROUP BY currency", nil)
		out := sumWhere(t, app, "SELECT currency, SUM(amount) AS total FROM payments WHERE whmcs_id != '' AND kind = 'refund' GROUP BY currency", nil)
		fees := sumWhere(t, app, "SELECT currency, SUM(fee) AS total FROM payments WHERE whmcs_id != '' GROUP BY currency", nil)
		excluded := map[string]int64{}
		for _, s := range rep.Payments {
			if s.Status == "in" {
				excluded[s.Currency] += s.Excluded
			}
			if !s.OK {
				t.Errorf("payments %s %s do not reconcile: %+v", s.Currency, s.Status, s)
			}
		}
		for cur, w := range e.TransactionsByCurrency {
			if in[cur]+excluded[cur] != cents(t, w.AmountIn, cur) || out[cur] != cents(t, w.AmountOut, cur) {
				t.Errorf("%s: in %d (+%d not imported), out %d; want %s in, %s out", cur, in[cur], excluded[cur], out[cur], w.AmountIn, w.AmountOut)
			}
			if fees[cur] > cents(t, w.Fees, cur) {
				t.Errorf("%s: fees %d exceed WHMCS's %s", cur, fees[cur], w.Fees)
			}
		}
		for _, r := range e.RefundTransactions {
			refund, err := app.FindFirstRecordByData("payments", "whmcs_id", fmt.Sprint(r.ID))
			if err != nil {
				t.Errorf("refund %d: %v", r.ID, err)
				continue
			}
			orig, err := app.FindFirstRecordByData("payments", "whmcs_id", fmt.Sprint(r.RefundID))
			if err != nil || refund.GetString("kind") != "refund" || refund.GetString("refund_of") != orig.Id ||
				refund.GetInt("amount") != int(cents(t, r.AmountOut, refund.GetString("currency"))) {
				t.Errorf("refund %d: kind %q of %q (want payment %d), amount %d want %s", r.ID, refund.GetString("kind"),
					refund.GetString("refund_of"), r.RefundID, refund.GetInt("amount"), r.AmountOut)
			}
		}
		for _, id := range e.PartiallyPaid.IDs {
			inv, err := app.FindFirstRecordByData("invoices", "whmcs_id", fmt.Sprint(id))
			if err != nil || inv.GetString("status") != "open" || inv.GetInt("amount_paid") <= 0 || inv.GetInt("amount_due") <= 0 {
				t.Errorf("partly paid invoice %d: %v %v", id, inv, err)
			}
		}
		for _, id := range e.PaidWithoutTransactions.IDs {
			inv, err := app.FindFirstRecordByData("invoices", "whmcs_id", fmt.Sprint(id))
			if err != nil || inv.GetString("status") != "paid" || inv.GetInt("amount_due") != 0 || inv.GetInt("amount_paid") != 0 {
				t.Errorf("invoice %d paid from credit: %v %v", id, inv, err)
			}
		}
	})

	t.Run("credit balances", func(t *testing.T) {
		got := sumWhere(t, app, "SELECT currency, SUM(amount) AS total FROM credit_entries WHERE whmcs_id != '' GROUP BY currency", nil)
		for cur, dec := range e.ClientCreditByCurrency {
			if got[cur] != cents(t, dec, cur) {
				t.Errorf("credit in %s: %d, want %s", cur, got[cur], dec)
			}
		}
	})

	t.Run("services", func(t *testing.T) {
		missing := e.Orphans["services_missing_product"]
		if got, want := countWhere(t, app, "services", "whmcs_id != ''"), e.RowCounts["tblhosting"]-missing.Count; got != want {
			t.Errorf("%d services imported, want %d", got, want)
		}
		for _, id := range missing.IDs {
			if !listed(rep.NotImported, "services", id) {
				t.Errorf("service %d of a deleted product is not listed", id)
			}
		}
		for _, kind := range []string{"services_retired_product", "services_missing_server"} {
			for _, id := range e.Orphans[kind].IDs {
				if !listed(rep.Notes, "services", id) || countWhere(t, app, "services", fmt.Sprintf("whmcs_id = '%d'", id)) != 1 {
					t.Errorf("%s: service %d not imported and noted", kind, id)
				}
			}
		}
		recurring := 0
		for cycle, n := range e.ServicesByBillingCycle {
			if cycle != "Free Account" && cycle != "One Time" {
				recurring += n
			}
		}
		if got := countWhere(t, app, "subscriptions", "whmcs_id != ''"); got > recurring || got < recurring-missing.Count {
			t.Errorf("%d subscriptions, want one per recurring service (%d)", got, recurring)
		}
		if n := countWhere(t, app, "services", "whmcs_id != '' AND credentials != ''"); n != 0 {
			t.Errorf("%d services carry credentials: WHMCS's encrypted passwords must not be imported", n)
		}
	})

	t.Run("text as people wrote it", func(t *testing.T) {
		for _, id := range e.HTMLEntityClients.IDs {
			c, err := app.FindFirstRecordByData("customers", "whmcs_id", fmt.Sprint(id))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{"name", "company", "address_line1"} {
				if v := c.GetString(f); strings.Contains(v, "&#") || strings.Contains(v, "&amp;") || strings.Contains(v, "&quot;") {
					t.Errorf("customer %d %s still escaped: %q", id, f, v)
				}
			}
		}
		for _, l := range e.LongCompanyNames {
			c, err := app.FindFirstRecordByData("customers", "whmcs_id", fmt.Sprint(l.ClientID))
			if err != nil || len([]rune(c.GetString("company"))) != l.Chars {
				t.Errorf("client %d's %d-character company name: %v %v", l.ClientID, l.Chars, c, err)
			}
		}
		for _, group := range e.CaseDuplicates {
			if !listed(rep.Notes, "customers", group[0].ClientID) {
				t.Errorf("addresses differing in case only (client %d) are not reported", group[0].ClientID)
			}
			for _, c := range group {
				if countWhere(t, app, "customers", fmt.Sprintf("whmcs_id = '%d'", c.ClientID)) != 1 {
					t.Errorf("client %d with a case-duplicate address was dropped", c.ClientID)
				}
			}
		}
		var emoji int
		for _, r := range mustRecords(t, app, "ticket_archive") {
			if strings.ContainsFunc(r.GetString("subject"), func(c rune) bool { return c > 0xFFFF }) {
				emoji++
			}
		}
		if emoji == 0 && e.EmojiRows["tbltickets"] > 0 {
			t.Error("no ticket subject kept its emoji")
		}
	})

	t.Run("tickets", func(t *testing.T) {
		want := e.RowCounts["tbltickets"] - e.GuestTickets - e.Orphans["tickets_missing_client"].Count
		if got := countWhere(t, app, "ticket_archive", "whmcs_id != ''"); got != want {
			t.Errorf("%d tickets archived, want %d (guests' and deleted clients' are listed)", got, want)
		}
		if c := count(rep, "tickets"); c.Skipped != e.GuestTickets+e.Orphans["tickets_missing_client"].Count {
			t.Errorf("tickets skipped: %+v", c)
		}
	})

	t.Run("statuses, platforms and gateways", func(t *testing.T) {
		byStatus := func(collection, status string) int {
			return countWhere(t, app, collection, fmt.Sprintf("whmcs_id != '' AND status = '%s'", status))
		}
		if got := byStatus("customers", "active"); got != e.ClientsByStatus["Active"]+e.ClientsByStatus["Inactive"] {
			t.Errorf("%d active customers, want WHMCS's Active and Inactive (%d)", got, e.ClientsByStatus["Active"]+e.ClientsByStatus["Inactive"])
		}
		for _, id := range e.ClosedClients.IDs {
			if countWhere(t, app, "customers", fmt.Sprintf("whmcs_id = '%d' AND status = 'closed'", id)) != 1 {
				t.Errorf("closed client %d is not a closed customer", id)
			}
		}
		// Invoices: every WHMCS status lands on ours; the two invoices of a
		// deleted client (one Cancelled, one Unpaid) are not imported.
		w := e.InvoicesByStatus
		for _, c := range []struct {
			name      string
			got, want int
		}{
			{"paid", byStatus("invoices", "paid") + byStatus("invoices", "partially_refunded"), w["Paid"]},
			{"refunded", byStatus("invoices", "refunded"), w["Refunded"]},
			{"uncollectible", byStatus("invoices", "uncollectible"), w["Collections"]},
			{"draft", byStatus("invoices", "draft"), w["Draft"]},
			{"void", byStatus("invoices", "void"), w["Cancelled"] - 1},
			{"open", byStatus("invoices", "open"), w["Unpaid"] + w["Payment Pending"] - 1},
		} {
			if c.got != c.want {
				t.Errorf("%d %s invoices, want %d", c.got, c.name, c.want)
			}
		}
		for platform, n := range e.ServicesByServertype {
			if platform == "_missing_product" {
				continue
			}
			if got := countWhere(t, app, "services", fmt.Sprintf("whmcs_id != '' AND platform = '%s'", platform)); got != n {
				t.Errorf("%d services on %s, want %d", got, platform, n)
			}
		}
		for gateway, n := range e.TransactionsByGateway {
			ours := map[string]string{"banktransfer": "manual"}[gateway]
			if ours == "" {
				ours = gateway
			}
			got := countWhere(t, app, "payments", fmt.Sprintf("whmcs_id != '' AND gateway = '%s'", ours))
			if gateway == "banktransfer" {
				got += count(rep, "payments").Skipped // the unmatched deposits
			}
			if got != n {
				t.Errorf("%d payments by %s, want %d", got, gateway, n)
			}
		}
		for _, s := range rep.Payments {
			if w, ok := e.TransactionsByCurrency[s.Currency]; ok && s.Status == "fees" && s.WHMCS != cents(t, w.Fees, s.Currency) {
				t.Errorf("fees in %s: %d, want %s", s.Currency, s.WHMCS, w.Fees)
			}
		}
		if n := countWhere(t, app, "invoices", "whmcs_id != '' AND (issued_at LIKE '0%' OR due_at LIKE '0%' OR paid_at LIKE '0%')"); n != 0 {
			t.Errorf("%d invoices carry WHMCS's zero dates", n)
		}
	})

	t.Run("one login owning several clients", func(t *testing.T) {
		// User 11 owns clients 11 and 13, whose addresses differ in case
		// only: one account per address, so the Active client 11 gets the
		// login's password and 13 none (shared_addresses_test.go).
		var hashes []string
		if err := app.DB().NewQuery("SELECT password FROM customers WHERE whmcs_id IN ('11', '13') ORDER BY whmcs_id").Column(&hashes); err != nil {
			t.Fatal(err)
		}
		if len(hashes) != 2 || hashes[0] == "" || hashes[0] == hashes[1] {
			t.Errorf("clients 11 and 13 share a password hash: %q", hashes)
		}
		for _, id := range e.UsersLinkedToSeveral.IDs {
			if id != 11 && !listed(rep.NotImported, "users", id) {
				t.Errorf("user %d, a team member of several clients, is not listed", id)
			}
		}
	})

	t.Run("every orphan imported and noted, or listed", func(t *testing.T) {
		for _, c := range []struct {
			orphans, entity string
			list            []whmcs.Problem
		}{
			{"users_without_clients", "users", rep.NotImported},
			{"pricing_missing_product", "plan_prices", rep.NotImported},
			{"transactions_missing_invoice", "payments", rep.Notes},
			{"invoiceitems_missing_service", "invoice_items", rep.Notes},
			{"tickets_missing_client", "tickets", rep.NotImported},
		} {
			for _, id := range e.Orphans[c.orphans].IDs {
				if !listed(c.list, c.entity, id) {
					t.Errorf("%s: %s %d is not in the report", c.orphans, c.entity, id)
				}
			}
		}
	})

	t.Run("customers keep their password", func(t *testing.T) {
		api := testutil.NewAPI(t, app)
		signIn := func(email, password string) int {
			return api.Do(http.MethodPost, "/api/collections/customers/auth-with-password", "",
				map[string]any{"identity": email, "password": password}).Status
		}
		for _, l := range e.KnownPasswords {
			if got := signIn(l.Email, l.Password); got != http.StatusOK {
				t.Errorf("%s with their WHMCS password: %d", l.Email, got)
			}
			if got := signIn(l.Email, l.Password+"x"); got == http.StatusOK {
				t.Errorf("%s with a wrong password signed in", l.Email)
			}
		}
		var other *core.Record
		for _, c := range mustRecords(t, app, "customers") {
			if !slices.ContainsFunc(e.KnownPasswords, func(l login) bool { return l.Email == c.Email() }) &&
				!slices.ContainsFunc(e.LegacyPasswords, func(l login) bool { return l.Email == c.Email() }) &&
				c.GetString("whmcs_id") != "11" && c.GetString("whmcs_id") != "13" && c.GetString("status") == "active" {
				other = c
				break
			}
		}
		if other == nil || signIn(other.Email(), e.FillerPassword.Password) != http.StatusOK {
			t.Errorf("another customer does not sign in with the filler password (%v)", other)
		}
		for _, l := range e.LegacyPasswords {
			if got := signIn(l.Email, l.Password); got == http.StatusOK {
				t.Errorf("%s with a legacy MD5 hash signed in without a reset", l.Email)
			}
			c, err := app.FindAuthRecordByEmail("customers", l.Email)
			if err != nil || !c.GetBool("password_reset_required") {
				t.Errorf("%s: reset not required (%v)", l.Email, err)
			}
		}
	})
}

func mustRecords(t *testing.T, app core.App, collection string) []*core.Record {
	t.Helper()
	recs, err := app.FindAllRecords(collection)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestSecondRunChangesNothing: importing the same WHMCS data again creates
// and updates nothing, and the report is the same.
func TestSecondRunChangesNothing(t *testing.T) {
	app := testutil.NewApp(t)
	first := runImport(t, app, whmcs.Options{})
	second := runImport(t, app, whmcs.Options{})
	for _, c := range second.Entities {
		if c.Created != 0 || c.Updated != 0 || c.Failed != 0 {
			t.Errorf("second run: %+v", c)
		}
		if f := count(first, c.Entity); f.Read != c.Read || f.Skipped != c.Skipped {
			t.Errorf("%s: first run %+v, second %+v", c.Entity, f, *c)
		}
	}
	if !second.Reconciled {
		t.Error("the second run does not reconcile")
	}
}

// TestRerunKeepsWhatThePlatformChanged: an invoice paid and an address
// corrected on the platform after the import are not reverted by the next
// run from WHMCS's older data; they are noted instead.
func TestRerunKeepsWhatThePlatformChanged(t *testing.T) {
	app := testutil.NewApp(t)
	runImport(t, app, whmcs.Options{})
	inv, err := app.FindFirstRecordByData("invoices", "whmcs_id", fmt.Sprint(readExpected(t).PartiallyPaid.IDs[0]))
	if err != nil {
		t.Fatal(err)
	}
	inv.Set("status", "paid")
	inv.Set("amount_paid", inv.GetInt("total")-inv.GetInt("credit_applied"))
	inv.Set("amount_due", 0)
	customer, err := app.FindFirstRecordByData("customers", "whmcs_id", "2")
	if err != nil {
		t.Fatal(err)
	}
	customer.Set("city", "Corrected City")
	for _, r := range []*core.Record{inv, customer} {
		if err := app.Save(r); err != nil {
			t.Fatal(err)
		}
	}

	rep := runImport(t, app, whmcs.Options{})
	if c := count(rep, "invoices"); c.Updated != 0 {
		t.Errorf("the re-run updated invoices: %+v", c)
	}
	if inv, _ = app.FindRecordById("invoices", inv.Id); inv.GetString("status") != "paid" || inv.GetInt("amount_due") != 0 {
		t.Errorf("the invoice paid on the platform was reverted to %s, %d due", inv.GetString("status"), inv.GetInt("amount_due"))
	}
	if customer, _ = app.FindRecordById("customers", customer.Id); customer.GetString("city") != "Corrected City" {
		t.Errorf("the corrected city was reverted to %q", customer.GetString("city"))
	}
	for _, k := range []struct {
		entity, id string
	}{{"invoices", inv.GetString("whmcs_id")}, {"customers", "2"}} {
		if !slices.ContainsFunc(rep.Notes, func(p whmcs.Problem) bool { return p.Entity == k.entity && p.ID == k.id }) {
			t.Errorf("%s %s kept without a note", k.entity, k.id)
		}
	}
}

// TestInterruptedRunIsCompletedByARerun stops an import in the middle of the
// invoices, then runs it again: the result is the complete import, nothing
// twice.
func TestInterruptedRunIsCompletedByARerun(t *testing.T) {
	app := testutil.NewApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	progress := writerFunc(func(p []byte) {
		if strings.HasPrefix(string(p), "invoices") {
			cancel()
		}
	})
	if _, err := whmcs.Import(ctx, app, source(t), whmcs.Options{Progress: progress}); err == nil {
		t.Fatal("the interrupted import reported success")
	}
	partial := countWhere(t, app, "invoices", "whmcs_id != ''")

	rep := runImport(t, app, whmcs.Options{})
	if !rep.Reconciled {
		t.Error("the completed import does not reconcile")
	}
	e := readExpected(t)
	if got, want := countWhere(t, app, "invoices", "whmcs_id != ''"), e.RowCounts["tblinvoices"]-e.Orphans["invoices_missing_client"].Count; got != want || partial >= want {
		t.Errorf("invoices: %d after the interruption, %d after the re-run; want %d", partial, got, want)
	}
	for _, collection := range []string{"customers", "services", "invoices", "invoice_items", "payments"} {
		if dup := countWhere(t, app, collection, "whmcs_id != '' AND whmcs_id IN (SELECT whmcs_id FROM "+collection+" GROUP BY whmcs_id HAVING COUNT(*) > 1)"); dup != 0 {
			t.Errorf("%s: %d records imported twice", collection, dup)
		}
	}
}

// TestDryRunWritesNothing and reports what a real run does.
func TestDryRunWritesNothing(t *testing.T) {
	app := testutil.NewApp(t)
	dry := runImport(t, app, whmcs.Options{DryRun: true})
	if !dry.Reconciled {
		t.Error("the dry run does not reconcile")
	}
	for _, collection := range []string{"customers", "plans", "plan_prices", "coupons", "services", "invoices", "payments", "credit_entries", "ticket_archive"} {
		if n := countWhere(t, app, collection, "1 = 1"); n != 0 {
			t.Errorf("the dry run wrote %d %s", n, collection)
		}
	}
	real := runImport(t, testutil.NewApp(t), whmcs.Options{})
	for _, c := range real.Entities {
		if d := count(dry, c.Entity); d.Created != c.Created || d.Skipped != c.Skipped || d.Read != c.Read {
			t.Errorf("%s: the dry run says %+v, the real run did %+v", c.Entity, d, *c)
		}
	}
	if len(dry.NotImported) != len(real.NotImported) {
		t.Errorf("the dry run lists %d records not imported, the real run %d", len(dry.NotImported), len(real.NotImported))
	}
}

// TestOnlySomeEntities imports customers first and the rest later: the
// later run finds the customers by their WHMCS id.
func TestOnlySomeEntities(t *testing.T) {
	app := testutil.NewApp(t)
	first := runImport(t, app, whmcs.Options{Only: []string{"customers"}})
	if c := count(first, "customers"); c.Created == 0 || count(first, "invoices").Read != 0 {
		t.Fatalf("--only customers: %+v", first.Entities)
	}
	rest := runImport(t, app, whmcs.Options{})
	if c := count(rest, "customers"); c.Created != 0 {
		t.Errorf("customers imported again: %+v", c)
	}
	if !rest.Reconciled {
		t.Error("does not reconcile")
	}
	if _, err := whmcs.Import(context.Background(), app, source(t), whmcs.Options{Only: []string{"widgets"}}); err == nil {
		t.Error("an unknown entity is accepted")
	}
}

type writerFunc func(p []byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }
