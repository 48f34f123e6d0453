package backoffice_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/ezscale/ezscale/internal/backoffice"
	"github.com/ezscale/ezscale/internal/testutil"
)

// insert writes a row straight into table (no hooks: the search only
// reads), returning its id.
func insert(t testing.TB, app core.App, table string, row dbx.Params) string {
	t.Helper()
	if row["id"] == nil {
		row["id"] = security.RandomStringWithAlphabet(15, "abcdefghijklmnopqrstuvwxyz0123456789")
	}
	if _, err := app.DB().Insert(table, row).Execute(); err != nil {
		t.Fatalf("insert %s %v: %v", table, row, err)
	}
	return row["id"].(string)
}

// searchWorld is a small business with something of every kind to find.
type searchWorld struct {
	alice, bob, pct                             *core.Record
	oldHolder, newHolder, v6, game              *core.Record
	invoice, proforma, whmcsInvoice, order      string
	mirrorTicket, archiveTicket, aliceInvoiceID string
}

func newSearchWorld(t *testing.T, app core.App) searchWorld {
	t.Helper()
	var w searchWorld
	w.alice = testutil.Customer(t, app, "alice@acme.test", "USD")
	w.alice.Set("name", "Alice Abbott")
	w.alice.Set("company", "Acme Hosting Ltd")
	w.bob = testutil.Customer(t, app, "bob@builder.test", "EUR")
	w.bob.Set("name", "Bob Builder")
	w.pct = testutil.Customer(t, app, "deals@shop.test", "USD")
	w.pct.Set("name", "50% off_shop")
	for _, c := range []*core.Record{w.alice, w.bob, w.pct} {
		if err := app.Save(c); err != nil {
			t.Fatal(err)
		}
	}
	plan, _ := testutil.Plan(t, app, "search-vps", "USD", 1000)
	service := func(c *core.Record, fields map[string]any) *core.Record {
		data := map[string]any{"customer": c.Id, "plan": plan.Id, "service_type": "vps", "platform": "virtfusion", "status": "active"}
		for k, v := range fields {
			data[k] = v
		}
		return testutil.Create(t, app, "services", data)
	}
	// The abuse report's address was Alice's, then moved to Bob.
	w.oldHolder = service(w.alice, map[string]any{"label": "Old box", "hostname": "old.acme.test", "ip_addresses": []string{"203.0.113.7"}})
	w.oldHolder.Set("ip_addresses", []string{"198.51.100.1"})
	if err := app.Save(w.oldHolder); err != nil {
		t.Fatal(err)
	}
	w.newHolder = service(w.bob, map[string]any{"label": "Bob's VPS", "hostname": "vps.builder.test", "ip_addresses": []string{"203.0.113.7"}, "platform_service_id": "vf-4242"})
	w.v6 = service(w.bob, map[string]any{"label": "IPv6 box", "ip_addresses": []string{"2001:db8::1"}})
	w.game = service(w.alice, map[string]any{"label": "Minecraft", "service_type": "game_server", "platform": "pterodactyl", "domain": "play.example.org"})

	invoice := func(c *core.Record, row dbx.Params) string {
		row["customer"] = c.Id
		row["currency"] = c.GetString("currency")
		return insert(t, app, "invoices", row)
	}
	w.invoice = invoice(w.alice, dbx.Params{"number": "INV-2026-000042", "status": "open", "total": 1999, "amount_due": 1999})
	w.proforma = invoice(w.alice, dbx.Params{"proforma_number": "PRO-2026-000007", "status": "open", "total": 500, "amount_due": 500})
	w.whmcsInvoice = invoice(w.bob, dbx.Params{"number": "WHMCS-4512", "whmcs_id": "9001", "status": "paid", "total": 1200})
	w.order = insert(t, app, "orders", dbx.Params{"customer": w.bob.Id, "status": "pending"})
	w.mirrorTicket = insert(t, app, "support_tickets", dbx.Params{"customer": w.alice.Id, "number": "100200", "subject": "Server down", "supportpal_id": 77, "status": "Open"})
	w.archiveTicket = insert(t, app, "ticket_archive", dbx.Params{"customer": w.bob.Id, "number": "55501", "subject": "Old WHMCS ticket", "status": "Closed"})
	return w
}

func ids[T any](hits []T, id func(T) string) []string {
	out := []string{}
	for _, h := range hits {
		out = append(out, id(h))
	}
	return out
}

func TestSearchFindsEveryKind(t *testing.T) {
	app := testutil.NewApp(t)
	w := newSearchWorld(t, app)
	cust := func(r backoffice.Results) []string {
		return ids(r.Customers, func(h backoffice.CustomerHit) string { return h.ID })
	}
	svc := func(r backoffice.Results) []string {
		return ids(r.Services, func(h backoffice.ServiceHit) string { return h.ID })
	}
	inv := func(r backoffice.Results) []string {
		return ids(r.Invoices, func(h backoffice.InvoiceHit) string { return h.ID })
	}
	ord := func(r backoffice.Results) []string {
		return ids(r.Orders, func(h backoffice.OrderHit) string { return h.ID })
	}
	tik := func(r backoffice.Results) []string {
		return ids(r.Tickets, func(h backoffice.TicketHit) string { return h.Source + ":" + h.ID })
	}
	cases := []struct {
		name, q string
		got     func(backoffice.Results) []string
		want    []string // in order
	}{
		{"name, any case", "alice ABB", cust, []string{w.alice.Id}},
		{"part of an email", "@builder.", cust, []string{w.bob.Id}},
		{"company", "acme hosting", cust, []string{w.alice.Id}},
		{"customer id", w.bob.Id, cust, []string{w.bob.Id}},
		{"percent is not a wildcard", "50%", cust, []string{w.pct.Id}},
		{"two percents match nobody", "%%", cust, []string{}},
		{"underscore is not a wildcard", "f_s", cust, []string{w.pct.Id}},
		{"underscore matches only itself", "f_x", cust, []string{}},
		{"quote is data", "' OR 1=1 --", cust, []string{}},
		{"address: holder now, then before", "203.0.113.7", svc, []string{w.newHolder.Id, w.oldHolder.Id}},
		{"address: their customers", "203.0.113.7", cust, []string{w.bob.Id, w.alice.Id}},
		{"address with spaces around", "  203.0.113.7 ", svc, []string{w.newHolder.Id, w.oldHolder.Id}},
		{"IPv4-mapped address", "::ffff:203.0.113.7", svc, []string{w.newHolder.Id, w.oldHolder.Id}},
		{"IPv6 in another spelling", "2001:DB8:0::1", svc, []string{w.v6.Id}},
		{"part of an address is not an address", "203.0.113", svc, []string{}},
		{"hostname", "vps.builder", svc, []string{w.newHolder.Id}},
		{"domain", "play.example.org", svc, []string{w.game.Id}},
		{"platform server id", "vf-4242", svc, []string{w.newHolder.Id}},
		{"service id", w.game.Id, svc, []string{w.game.Id}},
		{"invoice number", "INV-2026-000042", inv, []string{w.invoice}},
		{"invoice number in lower case", "inv-2026-000042", inv, []string{w.invoice}},
		{"part of an invoice number", "INV-2026", inv, []string{}},
		{"proforma number", "PRO-2026-000007", inv, []string{w.proforma}},
		{"WHMCS invoice number", "4512", inv, []string{w.whmcsInvoice}},
		{"WHMCS invoice id", "9001", inv, []string{w.whmcsInvoice}},
		{"order id", w.order, ord, []string{w.order}},
		{"order id with #", "#" + w.order, ord, []string{w.order}},
		{"ticket number in the mirror", "#100200", tik, []string{"supportpal:" + w.mirrorTicket}},
		{"ticket number in the archive", "55501", tik, []string{"archive:" + w.archiveTicket}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := backoffice.Search(app, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.got(r); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
			}
		})
	}
}

// An abuse report names an address: the answer says who holds it now and
// who held it before, and until when.
func TestSearchAddressHistory(t *testing.T) {
	app := testutil.NewApp(t)
	w := newSearchWorld(t, app)
	r, err := backoffice.Search(app, "203.0.113.7")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Services) != 2 {
		t.Fatalf("services %+v", r.Services)
	}
	now, before := r.Services[0], r.Services[1]
	if now.Customer != w.bob.Id || now.CustomerName != "Bob Builder" || now.Held == nil || now.Held.To != "" || now.Held.Address != "203.0.113.7" {
		t.Errorf("current holder %+v held %+v", now, now.Held)
	}
	if before.Customer != w.alice.Id || before.Held == nil || before.Held.To == "" {
		t.Errorf("former holder %+v held %+v", before, before.Held)
	}
}

func TestSearchShortOrLongQueryFindsNothing(t *testing.T) {
	app := testutil.NewApp(t)
	newSearchWorld(t, app)
	for _, q := range []string{"", " ", "a", " b ", strings.Repeat("a", backoffice.MaxQuery+1)} {
		r, err := backoffice.Search(app, q)
		if err != nil {
			t.Fatal(err)
		}
		n := len(r.Customers) + len(r.Services) + len(r.Invoices) + len(r.Orders) + len(r.Tickets)
		if n != 0 || r.Customers == nil || r.Tickets == nil {
			t.Errorf("Search(%q) = %+v, want empty lists", q, r)
		}
	}
}

func TestSearchIsBounded(t *testing.T) {
	app := testutil.NewApp(t)
	for i := range backoffice.SearchLimit + 5 {
		testutil.Customer(t, app, fmt.Sprintf("bulk%02d@many.test", i), "USD")
	}
	r, err := backoffice.Search(app, "many.test")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Customers) != backoffice.SearchLimit {
		t.Errorf("%d customers, want %d", len(r.Customers), backoffice.SearchLimit)
	}
}

// Every exact look-up reads its table through its index, never whole.
func TestSearchLookupsUseIndexes(t *testing.T) {
	app := testutil.NewApp(t)
	params := dbx.Params{"q": "x", "number": "x", "upper": "X", "whmcs": "WHMCS-x", "address": "203.0.113.7", "limit": 10}
	for index, sql := range backoffice.IndexedLookups {
		var plan []struct {
			Detail string `db:"detail"`
		}
		if err := app.DB().NewQuery("EXPLAIN QUERY PLAN " + sql).Bind(params).All(&plan); err != nil {
			t.Fatalf("%s: %v", index, err)
		}
		var lines []string
		for _, p := range plan {
			lines = append(lines, p.Detail)
		}
		text := strings.Join(lines, "\n")
		if !strings.Contains(text, "USING INDEX "+index) && !strings.Contains(text, "USING COVERING INDEX "+index) {
			t.Errorf("%s not used:\n%s", index, text)
		}
		for _, l := range lines {
			if strings.HasPrefix(l, "SCAN") {
				t.Errorf("%s: a table is scanned:\n%s", index, text)
			}
		}
	}
}
