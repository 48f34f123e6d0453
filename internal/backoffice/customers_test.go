package backoffice_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/backoffice"
	"github.com/ezscale/ezscale/internal/testutil"
)

// listWorld: Alice (USD, active) has a live VPS, a terminated game
// server, subscriptions, credit and an overdue invoice; Bob (EUR,
// suspended) a dedicated server on an annual plan and credit in two
// currencies; Carol (GBP, closed) nothing.
type listWorld struct {
	alice, bob, carol *core.Record
	now               time.Time
}

func newListWorld(t *testing.T, app core.App) listWorld {
	t.Helper()
	w := listWorld{now: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	at := func(d time.Duration) string { return w.now.Add(d).Format("2006-01-02 15:04:05.000Z") }
	w.alice = testutil.Customer(t, app, "alice@acme.test", "USD")
	w.alice.Set("name", "Alice Abbott")
	w.alice.Set("company", `Acme, "the" hosts`)
	w.bob = testutil.Customer(t, app, "bob@builder.test", "EUR")
	w.bob.Set("name", `=HYPERLINK("http://evil.test","Bob")`)
	w.bob.Set("status", "suspended")
	w.carol = testutil.Customer(t, app, "carol@closed.test", "GBP")
	w.carol.Set("name", "Carol Closed")
	w.carol.Set("status", "closed")
	for i, c := range []*core.Record{w.alice, w.bob, w.carol} {
		if err := app.Save(c); err != nil {
			t.Fatal(err)
		}
		// Signed up a day apart (PocketBase sets created on save).
		_, err := app.DB().Update("customers", dbx.Params{"created": at(time.Duration(i-3) * 24 * time.Hour)}, dbx.HashExp{"id": c.Id}).Execute()
		if err != nil {
			t.Fatal(err)
		}
	}
	plan, _ := testutil.Plan(t, app, "list-vps", "USD", 1000)
	service := func(c *core.Record, typ, platform, status string) {
		testutil.Create(t, app, "services", map[string]any{"customer": c.Id, "plan": plan.Id, "service_type": typ, "platform": platform, "status": status})
	}
	service(w.alice, "vps", "virtfusion", "active")
	service(w.alice, "game_server", "pterodactyl", "terminated")
	service(w.bob, "dedicated", "synergycp", "suspended")

	sub := func(c *core.Record, currency, cycle, status string, amount int64) {
		insert(t, app, "subscriptions", dbx.Params{"customer": c.Id, "currency": currency, "cycle": cycle, "status": status, "amount": amount})
	}
	// 1000 a month, and two quarters of 1000: 2000/3 = 666.67, rounded
	// once to 667 (each quarter rounded alone would give 666).
	sub(w.alice, "USD", "monthly", "active", 1000)
	sub(w.alice, "USD", "quarterly", "active", 1000)
	sub(w.alice, "USD", "quarterly", "past_due", 1000)
	sub(w.alice, "USD", "monthly", "cancelled", 99999)
	sub(w.alice, "USD", "monthly", "pending", 99999)
	sub(w.bob, "EUR", "annual", "active", 12000)

	credit := func(c *core.Record, currency string, amount int64) {
		insert(t, app, "credit_entries", dbx.Params{"customer": c.Id, "currency": currency, "amount": amount, "reason": "manual"})
	}
	credit(w.alice, "USD", 500)
	credit(w.alice, "USD", -200)
	credit(w.bob, "EUR", 250)
	credit(w.bob, "USD", 100)

	invoice := func(c *core.Record, status, due string, due2 int64) {
		insert(t, app, "invoices", dbx.Params{"customer": c.Id, "currency": c.GetString("currency"), "status": status, "due_at": due, "amount_due": due2, "total": due2})
	}
	invoice(w.alice, "open", at(-24*time.Hour), 1999)  // overdue
	invoice(w.alice, "open", at(24*time.Hour), 5000)   // not due yet
	invoice(w.alice, "draft", at(-24*time.Hour), 7000) // not issued
	invoice(w.bob, "uncollectible", at(-72*time.Hour), 3000)
	return w
}

func listIDs(l backoffice.CustomerList) []string {
	out := []string{}
	for _, c := range l.Items {
		out = append(out, c.ID)
	}
	return out
}

func TestCustomerListFilters(t *testing.T) {
	app := testutil.NewApp(t)
	w := newListWorld(t, app)
	a, b, c := w.alice.Id, w.bob.Id, w.carol.Id
	cases := []struct {
		query string
		want  []string
		total int64
	}{
		{"", []string{c, b, a}, 3},
		{"sort=created", []string{a, b, c}, 3},
		{"status=suspended", []string{b}, 1},
		{"overdue=1", []string{a}, 1},
		{"overdue=false", []string{c, b, a}, 3},
		{"service_type=vps", []string{a}, 1},
		{"service_type=game_server", []string{}, 0}, // terminated
		{"platform=synergycp", []string{b}, 1},
		{"currency=eur", []string{b}, 1},
		{"q=ACME", []string{a}, 1},
		{"q=%25", []string{}, 0},
		{"status=active&overdue=true&service_type=vps&platform=virtfusion&currency=USD", []string{a}, 1},
		{"service_type=vps&platform=synergycp", []string{}, 0},
		{"perPage=1&page=2", []string{b}, 3},
		{"perPage=2&page=3", []string{}, 3},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			v, _ := url.ParseQuery(tc.query)
			p, err := backoffice.ParseListParams(app, v)
			if err != nil {
				t.Fatal(err)
			}
			l, err := backoffice.ListCustomers(app, p, w.now)
			if err != nil {
				t.Fatal(err)
			}
			if got := listIDs(l); !slices.Equal(got, tc.want) || l.TotalItems != tc.total {
				t.Errorf("%s: %v of %d, want %v of %d", tc.query, got, l.TotalItems, tc.want, tc.total)
			}
		})
	}
}

func TestCustomerListFigures(t *testing.T) {
	app := testutil.NewApp(t)
	w := newListWorld(t, app)
	l, err := backoffice.ListCustomers(app, backoffice.ListParams{Page: 1, PerPage: 10, Sort: "created"}, w.now)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 3 {
		t.Fatalf("items %+v", l.Items)
	}
	alice, bob, carol := l.Items[0], l.Items[1], l.Items[2]
	check := func(who string, got, want map[string]int64) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %v, want %v", who, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %v, want %v", who, got, want)
			}
		}
	}
	if alice.Services != 1 || bob.Services != 1 || carol.Services != 0 {
		t.Errorf("services %d %d %d", alice.Services, bob.Services, carol.Services)
	}
	check("alice MRR", alice.MRR, map[string]int64{"USD": 1667})
	check("bob MRR", bob.MRR, map[string]int64{"EUR": 1000})
	check("carol MRR", carol.MRR, map[string]int64{})
	check("alice balance", alice.Balance, map[string]int64{"USD": 300})
	check("bob balance", bob.Balance, map[string]int64{"EUR": 250, "USD": 100})
	check("alice overdue", alice.Overdue, map[string]int64{"USD": 1999})
	check("bob overdue", bob.Overdue, map[string]int64{})
}

func TestCustomerListRefusesBadFilters(t *testing.T) {
	app := testutil.NewApp(t)
	for _, tc := range []struct{ query, field string }{
		{"status=deleted", "status"},
		{"service_type=vps'--", "service_type"},
		{"platform=whmcs", "platform"},
		{"currency=XYZ", "currency"},
		{"currency=US", "currency"},
		{"overdue=maybe", "overdue"},
		{"page=0", "page"},
		{"page=-1", "page"},
		{"page=two", "page"},
		{"perPage=101", "perPage"},
		{"sort=password", "sort"},
	} {
		v, _ := url.ParseQuery(tc.query)
		_, err := backoffice.ParseListParams(app, v)
		var perr *backoffice.ParamError
		if !errors.As(err, &perr) || perr.Field != tc.field {
			t.Errorf("%s: %v, want a refusal of %s", tc.query, err, tc.field)
		}
	}
}

func TestCustomerListCSV(t *testing.T) {
	app := testutil.NewApp(t)
	w := newListWorld(t, app)
	var buf bytes.Buffer
	v, _ := url.ParseQuery("sort=created&status=active&perPage=1&page=9")
	p, err := backoffice.ParseListParams(app, v)
	if err != nil {
		t.Fatal(err)
	}
	n, err := backoffice.WriteCustomersCSV(app, p, w.now, &buf)
	if err != nil || n != 1 {
		t.Fatalf("%d customers, %v", n, err)
	}
	lines, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		backoffice.CSVHeader,
		{w.alice.Id, "Alice Abbott", "alice@acme.test", `Acme, "the" hosts`, "active", "2026-12-04", "1", "USD", "16.67", "3.00", "19.99"},
	}
	if !slices.EqualFunc(lines, want, slices.Equal) {
		t.Errorf("CSV\n%q\nwant\n%q", lines, want)
	}

	// Bob has figures in two currencies: a line each; his name is a formula.
	buf.Reset()
	p.Status = "suspended"
	if _, err := backoffice.WriteCustomersCSV(app, p, w.now, &buf); err != nil {
		t.Fatal(err)
	}
	lines, _ = csv.NewReader(&buf).ReadAll()
	name := `'=HYPERLINK("http://evil.test","Bob")`
	want = [][]string{
		backoffice.CSVHeader,
		{w.bob.Id, name, "bob@builder.test", "", "suspended", "2026-12-05", "1", "EUR", "10.00", "2.50", "0.00"},
		{w.bob.Id, name, "bob@builder.test", "", "suspended", "2026-12-05", "1", "USD", "0.00", "1.00", "0.00"},
	}
	if !slices.EqualFunc(lines, want, slices.Equal) {
		t.Errorf("CSV\n%q\nwant\n%q", lines, want)
	}
}

func TestCSVText(t *testing.T) {
	for in, want := range map[string]string{
		"=1+2": "'=1+2", "+1": "'+1", "-1": "'-1", "@SUM(A1)": "'@SUM(A1)", "\t=1": "'\t=1", "\r=1": "'\r=1",
		"Alice": "Alice", "": "", "a=b": "a=b", "'quoted": "'quoted",
	} {
		if got := backoffice.CSVText(in); got != want {
			t.Errorf("CSVText(%q) = %q, want %q", in, got, want)
		}
	}
}

// The export reads in batches: more customers than one batch all come out,
// each once.
func TestCustomerListCSVBatches(t *testing.T) {
	if testing.Short() {
		t.Skip("creates 600 customers")
	}
	app := testutil.NewApp(t)
	for i := range 600 {
		insert(t, app, "customers", dbx.Params{"email": "c" + string(rune('a'+i%26)) + time.Duration(i).String() + "@bulk.test",
			"tokenKey": "key" + time.Duration(i).String(), "status": "active", "currency": "USD", "created": time.Date(2026, 1, 1, 0, 0, i, 0, time.UTC).Format("2006-01-02 15:04:05.000Z")})
	}
	var buf bytes.Buffer
	n, err := backoffice.WriteCustomersCSV(app, backoffice.ListParams{Sort: "-created"}, time.Now(), &buf)
	if err != nil || n != 600 {
		t.Fatalf("%d, %v", n, err)
	}
	lines, _ := csv.NewReader(&buf).ReadAll()
	seen := map[string]bool{}
	for _, l := range lines[1:] {
		seen[l[0]] = true
	}
	if len(lines) != 601 || len(seen) != 600 {
		t.Errorf("%d lines, %d customers", len(lines), len(seen))
	}
}
