package oldlinks_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/whmcs/oldlinks"
	"github.com/ezscale/ezscale/internal/testutil"
)

// world holds records as the WHMCS import leaves them, with their WHMCS
// ids, and public pages the friendly routes can lead to.
type world struct {
	app       core.App
	invoice   *core.Record // WHMCS invoice 5
	service   *core.Record // WHMCS service 7
	archived  *core.Record // WHMCS ticket ABC-123456
	mirrored  *core.Record // SupportPal ticket 77, number SP-555
	otherPlan *core.Record // on sale, no WHMCS id
}

func newWorld(t *testing.T) *world {
	t.Helper()
	app := testutil.NewApp(t)
	w := &world{app: app}
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	w.invoice = testutil.Create(t, app, "invoices", map[string]any{"customer": alice.Id, "currency": "USD", "status": "draft", "whmcs_id": "5"})
	w.service = testutil.Service(t, app, alice)
	w.service.Set("whmcs_id", "7")
	if err := app.Save(w.service); err != nil {
		t.Fatal(err)
	}
	var err error
	if w.otherPlan, err = app.FindRecordById("plans", w.service.GetString("plan")); err != nil {
		t.Fatal(err)
	}
	testutil.Create(t, app, "plans", map[string]any{"name": "VPS Small", "slug": "vps-small", "service_type": "vps",
		"platform": "virtfusion", "status": "active", "whmcs_id": "12"})
	testutil.Create(t, app, "plans", map[string]any{"name": "VPS Secret", "slug": "vps-secret", "service_type": "vps",
		"platform": "virtfusion", "status": "hidden", "whmcs_id": "13"})
	testutil.Create(t, app, "plans", map[string]any{"name": "VPS Old", "slug": "vps-old", "service_type": "vps",
		"platform": "virtfusion", "status": "archived", "whmcs_id": "14"})
	w.archived = testutil.Create(t, app, "ticket_archive", map[string]any{"customer": alice.Id, "whmcs_id": "31",
		"number": "ABC-123456", "subject": "Help"})
	for i, id := range []string{"32", "33"} {
		testutil.Create(t, app, "ticket_archive", map[string]any{"customer": alice.Id, "whmcs_id": id,
			"number": "DUP-1", "subject": "Twin " + string(rune('a'+i))})
	}
	w.mirrored = testutil.Create(t, app, "support_tickets", map[string]any{"customer": alice.Id, "supportpal_id": 77,
		"number": "SP-555", "subject": "Live"})
	page := func(kind, slug string, published bool) {
		testutil.Create(t, app, "pages", map[string]any{"title": slug, "slug": slug, "kind": kind, "published": published})
	}
	page("kb", "reset-your-password", true)
	page("kb", "draft-article", false)
	page("legal", "terms", true)
	post := func(slug string, published bool, at time.Time) {
		testutil.Create(t, app, "announcements", map[string]any{"title": slug, "slug": slug, "published": published,
			"published_at": at})
	}
	post("new-datacenter", true, time.Now().Add(-time.Hour))
	post("secret-news", false, time.Now().Add(-time.Hour))
	post("scheduled-news", true, time.Now().Add(24*time.Hour))
	return w
}

// target resolves an address as a visitor types it (path?query).
func target(t *testing.T, app core.App, address string) string {
	t.Helper()
	path, query, _ := strings.Cut(address, "?")
	to, err := oldlinks.Target(app, path, query)
	if err != nil {
		t.Fatalf("%s: %v", address, err)
	}
	return to
}

func TestTarget(t *testing.T) {
	w := newWorld(t)
	invoice := "/billing/invoices/" + w.invoice.Id
	service := "/services/" + w.service.Id
	article := "/kb/reset-your-password"
	small := "/order?plan=vps-small"
	cases := []struct{ address, want string }{
		// viewinvoice.php: the imported invoice, else the list.
		{"/viewinvoice.php?id=5", invoice},
		{"/viewinvoice.php?id=005", invoice},
		{"/viewinvoice.php?id=6", "/billing/invoices"},
		{"/viewinvoice.php?id=0", "/billing/invoices"},
		{"/viewinvoice.php?id=5abc", "/billing/invoices"},
		{"/viewinvoice.php?id=-5", "/billing/invoices"},
		{"/viewinvoice.php?id=+5", "/billing/invoices"},
		{"/viewinvoice.php?id=%205", "/billing/invoices"},
		{"/viewinvoice.php?id=5.0", "/billing/invoices"},
		{"/viewinvoice.php?id=0x5", "/billing/invoices"},
		{"/viewinvoice.php?id=99999999999999999999", "/billing/invoices"},
		{"/viewinvoice.php?id=5&id=6", "/billing/invoices"},
		{"/viewinvoice.php?id=5;DROP", "/billing/invoices"},
		{"/viewinvoice.php?id=5%", "/billing/invoices"},
		{"/viewinvoice.php?id=https://evil.example/", "/billing/invoices"},
		{"/viewinvoice.php?ID=5", "/billing/invoices"},
		{"/viewinvoice.php", "/billing/invoices"},

		// clientarea.php and its actions, in any case.
		{"/clientarea.php", "/dashboard"},
		{"/clientarea.php?action=productdetails&id=7", service},
		{"/clientarea.php?action=ProductDetails&id=7", service},
		{"/clientarea.php?action=PRODUCTDETAILS&id=0007", service},
		{"/clientarea.php?id=7&action=productdetails&modop=custom&a=management", service},
		{"/clientarea.php?action=productdetails&id=8", "/services"},
		{"/clientarea.php?action=productdetails&id=x7", "/services"},
		{"/clientarea.php?action=productdetails&id=7&id=7", "/services"},
		{"/clientarea.php?action=productdetails", "/services"},
		{"/clientarea.php?action=productdetails&id=5", "/services"}, // an invoice's id is not a service's
		{"/clientarea.php?action=cancel&id=7", service},
		{"/clientarea.php?action=upgrade&id=7", service},
		{"/clientarea.php?action=services", "/services"},
		{"/clientarea.php?action=products", "/services"},
		{"/clientarea.php?action=domains", "/services"},
		{"/clientarea.php?action=invoices", "/billing/invoices"},
		{"/clientarea.php?action=Invoices", "/billing/invoices"},
		{"/clientarea.php?action=quotes", "/billing/invoices"},
		{"/clientarea.php?action=masspay&all=true", "/billing/invoices?status=unpaid"},
		{"/clientarea.php?action=details", "/account"},
		{"/clientarea.php?action=contacts", "/account"},
		{"/clientarea.php?action=emails", "/account"},
		{"/clientarea.php?action=changepw", "/account/security"},
		{"/clientarea.php?action=security", "/account/security"},
		{"/clientarea.php?action=creditcard", "/billing/methods"},
		{"/clientarea.php?action=paymentmethods", "/billing/methods"},
		{"/clientarea.php?action=addfunds", "/billing/credit"},
		{"/clientarea.php?action=nonsense", "/dashboard"},
		{"/clientarea.php?action=https://evil.example/", "/dashboard"},
		{"/clientarea.php?action=invoices&action=details", "/dashboard"},
		{"/upgrade.php?type=package&id=7", service},
		{"/upgrade.php?type=package&id=70", "/services"},

		// cart.php: the order page, for the mapped plan when it is on sale.
		{"/cart.php", "/order"},
		{"/cart.php?a=add&pid=12", small},
		{"/cart.php?a=ADD&pid=12&billingcycle=annually", small},
		{"/cart.php?a=add&pid=13", "/order"}, // hidden: sold by staff only
		{"/cart.php?a=add&pid=14", "/order"}, // archived
		{"/cart.php?a=add&pid=15", "/order"},
		{"/cart.php?a=add&pid=abc", "/order"},
		{"/cart.php?a=add&pid=vps-small", "/order"},
		{"/cart.php?a=add", "/order"},
		{"/cart.php?pid=12", "/order"},
		{"/cart.php?gid=2", "/order"},
		{"/cart.php?a=view", "/order"},
		{"/cart.php?a=checkout", "/order"},

		// Tickets: the archive by number, then the SupportPal mirror.
		{"/submitticket.php", "/support/new"},
		{"/submitticket.php?step=2&deptid=1", "/support/new"},
		{"/contact.php", "/support/new"},
		{"/supporttickets.php", "/support"},
		{"/viewticket.php?tid=ABC-123456&c=Xy12AbCd", "/support/archive/" + w.archived.Id},
		{"/viewticket.php?tid=ABC-123456", "/support/archive/" + w.archived.Id},
		{"/viewticket.php?tid=SP-555&c=Xy12AbCd", "/support/77"},
		{"/viewticket.php?tid=DUP-1&c=x", "/support"}, // two tickets: neither
		{"/viewticket.php?tid=NOPE-1&c=x", "/support"},
		{"/viewticket.php?tid=abc-123456", "/support"},
		{"/viewticket.php?tid=ABC-123456%27%20OR%201=1", "/support"},
		{"/viewticket.php?tid=//evil.example", "/support"},
		{"/viewticket.php?tid=ABC-123456&tid=SP-555", "/support"},
		{"/viewticket.php?tid=", "/support"},
		{"/viewticket.php", "/support"},

		// Knowledge base, announcements, downloads.
		{"/knowledgebase.php", "/kb"},
		{"/knowledgebase.php?action=displayarticle&id=3", "/kb"},
		{"/knowledgebase.php?action=displaycat&catid=1", "/kb"},
		{"/announcements.php", "/news"},
		{"/announcements.php?id=2", "/news"},
		{"/dl.php?type=i&id=5", invoice},
		{"/dl.php?type=I&id=5", invoice},
		{"/dl.php?type=i&id=6", "/billing/invoices"},
		{"/dl.php?type=i&id=x", "/billing/invoices"},
		{"/dl.php?type=d&id=1", "/"},
		{"/dl.php", "/"},
		{"/downloads.php", "/"},

		// Signing in.
		{"/login.php", "/login"},
		{"/login.php?goto=https://evil.example/", "/login"},
		{"/logout.php", "/login"},
		{"/register.php", "/signup"},
		{"/pwreset.php", "/forgot-password"},
		{"/pwreset.php?key=abcdef", "/forgot-password"},

		// WHMCS 8 routes, as index.php?rp=/…
		{"/index.php", "/"},
		{"/index.php?m=someaddon", "/"},
		{"/index.php?rp=/knowledgebase", "/kb"},
		{"/index.php?rp=/knowledgebase/3/reset-your-password.html", article},
		{"/index.php?rp=/KnowledgeBase/3/Reset-Your-Password.HTML", article},
		{"/index.php?rp=knowledgebase/3/reset-your-password.html", article},
		{"/index.php?rp=/knowledgebase/3/reset-your-password", "/kb"},
		{"/index.php?rp=/knowledgebase/x/reset-your-password.html", "/kb"},
		{"/index.php?rp=/knowledgebase/3/no-such-article.html", "/kb"},
		{"/index.php?rp=/knowledgebase/4/draft-article.html", "/kb"}, // unpublished
		{"/index.php?rp=/knowledgebase/5/terms.html", "/kb"},         // a legal page, not an article
		{"/index.php?rp=/knowledgebase/3/..%2F..%2Fevil.html", "/kb"},
		{"/index.php?rp=/knowledgebase/2/Billing", "/kb"},
		{"/index.php?rp=/knowledgebase/search/dns", "/kb"},
		{"/index.php?rp=/knowledgebase/tag/dns", "/kb"},
		{"/index.php?rp=/announcements", "/news"},
		{"/index.php?rp=/announcements/2/new-datacenter.html", "/news/new-datacenter"},
		{"/index.php?rp=/announcements/3/secret-news.html", "/news"},
		{"/index.php?rp=/announcements/4/scheduled-news.html", "/news"},
		{"/index.php?rp=/announcements/view/2", "/news"},
		{"/index.php?rp=/announcements/rss", "/news"},
		{"/index.php?rp=/store", "/order"},
		{"/index.php?rp=/store/vps", "/order"},
		{"/index.php?rp=/store/vps/vps-small", small},
		{"/index.php?rp=/store/vps/VPS-Small", small},
		{"/index.php?rp=/store/vps/vps-secret", "/order"},
		{"/index.php?rp=/store/vps/" + w.otherPlan.GetString("slug"), "/order?plan=" + w.otherPlan.GetString("slug")},
		{"/index.php?rp=/store/vps/vps_small", "/order"},
		{"/index.php?rp=/cart/domain/renew", "/order"},
		{"/index.php?rp=/login", "/login"},
		{"/index.php?rp=/password/reset", "/forgot-password"},
		{"/index.php?rp=/password/reset/begin", "/forgot-password"},
		{"/index.php?rp=/password/reset/redeem/0123456789abcdef", "/forgot-password"},
		{"/index.php?rp=/account/paymentmethods", "/billing/methods"},
		{"/index.php?rp=/account/paymentmethods/add", "/billing/methods"},
		{"/index.php?rp=/account/users", "/account"},
		{"/index.php?rp=/account/contacts", "/account"},
		{"/index.php?rp=/user/profile", "/account"},
		{"/index.php?rp=/user/password", "/account/security"},
		{"/index.php?rp=/user/security", "/account/security"},
		{"/index.php?rp=/user/accounts", "/dashboard"},
		{"/index.php?rp=/invoice/5/pay", invoice},
		{"/index.php?rp=/invoice/6/pay", "/billing/invoices"},
		{"/index.php?rp=/invoice/five/pay", "/billing/invoices"},
		{"/index.php?rp=/contact", "/support/new"},
		{"/index.php?rp=/download", "/"},
		{"/index.php?rp=/download/category/1/manuals.html", "/"},
		{"/index.php?rp=/nothing/here", "/"},
		{"/index.php?rp=//evil.example/x", "/"},
		{"/index.php?rp=https://evil.example/", "/"},
		{"/index.php?rp=/%5Cevil.example", "/"},
		{"/index.php?rp=/login&rp=/knowledgebase", "/"},
		{"/index.php?rp=/knowledgebase%", "/"},

		// … as index.php/route ("Friendly index.php") and /route itself.
		{"/index.php/knowledgebase/3/reset-your-password.html", article},
		{"/index.php/store/vps/vps-small", small},
		{"/index.php/invoice/5/pay", invoice},
		{"/index.php//evil.example", "/"},
		{"/knowledgebase", "/kb"},
		{"/knowledgebase/3/reset-your-password.html", article},
		{"/announcements/2/new-datacenter.html", "/news/new-datacenter"},
		{"/announcements", "/news"},
		{"/store/vps/vps-small", small},
		{"/store", "/order"},
		{"/download", "/"},
		{"/password/reset/begin", "/forgot-password"},
	}
	for _, c := range cases {
		if got := target(t, w.app, c.address); got != c.want {
			t.Errorf("%s: redirects to %q, want %q", c.address, got, c.want)
		}
	}
}

// TestTargetStaysOnSite: whatever the address, the target is a path of
// this site, never a scheme, host or protocol-relative address.
func TestTargetStaysOnSite(t *testing.T) {
	w := newWorld(t)
	evil := []string{"https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example", "javascript:alert(1)",
		"%2F%2Fevil.example", "/%0d%0aLocation:%20https://evil.example"}
	var addresses []string
	for _, e := range evil {
		q := url.QueryEscape(e)
		for _, p := range []string{"viewinvoice.php?id=", "clientarea.php?action=productdetails&id=", "clientarea.php?action=",
			"cart.php?a=add&pid=", "viewticket.php?tid=", "dl.php?type=i&id=", "index.php?rp=", "index.php?rp=/store/vps/",
			"index.php?rp=/knowledgebase/1/", "login.php?goto=", "index.php?rp=/invoice/"} {
			addresses = append(addresses, "/"+p+q, "/"+p+e)
		}
		addresses = append(addresses, "/index.php/"+e, "/store/vps/"+e, "/knowledgebase/1/"+e+".html")
	}
	for _, a := range addresses {
		to := target(t, w.app, a)
		u, err := url.Parse(to)
		if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(to, "/") ||
			strings.HasPrefix(to, "//") || strings.ContainsAny(to, "\\\r\n") {
			t.Errorf("%s: redirects to %q, off this site", a, to)
		}
	}
}

// TestTicketLookupsUseAnIndex: an old ticket link is one indexed lookup
// per table, not a read of every ticket.
func TestTicketLookupsUseAnIndex(t *testing.T) {
	app := testutil.NewApp(t)
	for _, table := range []string{"ticket_archive", "support_tickets"} {
		var plan []struct {
			Detail string `db:"detail"`
		}
		q := app.DB().NewQuery("EXPLAIN QUERY PLAN SELECT id FROM " + table + " WHERE number = {:n} LIMIT 2")
		if err := q.Bind(dbx.Params{"n": "ABC-123456"}).All(&plan); err != nil {
			t.Fatal(err)
		}
		if len(plan) == 0 || !strings.Contains(plan[0].Detail, "USING INDEX") && !strings.Contains(plan[0].Detail, "USING COVERING INDEX") {
			t.Errorf("%s: lookup by number is %+v, want an index search", table, plan)
		}
	}
}
