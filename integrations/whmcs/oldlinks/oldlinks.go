// Package oldlinks sends the addresses of the WHMCS client area, which
// bookmarks, old emails and search engines keep after the switch-over, to
// the portal page that replaced each. A WHMCS id in the address is looked
// up through the whmcs_id the import gave the record (invoices, services,
// plans) or through the ticket's number (the archive, then the SupportPal
// mirror). An id that names nothing, or that is not a plain id, leads to the
// list page it belongs to, never to an error.
//
// A target is always a path on this site built here from constants and
// record ids: nothing of the request is echoed into it, so no parameter can
// send a visitor elsewhere. It tells no more about a record than its id; the
// portal's sign-in and access rules decide what the visitor sees there.
package oldlinks

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Paths are the WHMCS addresses taken over, as router patterns: the client
// area's scripts, WHMCS 8's routes behind index.php ("Basic URLs" mode:
// index.php?rp=/route; "Friendly index.php" mode: index.php/route) and the
// routes of its "Full Friendly Rewrite" mode whose first segment the portal
// does not use itself.
var Paths = []string{
	"/viewinvoice.php", "/clientarea.php", "/cart.php", "/upgrade.php",
	"/submitticket.php", "/viewticket.php", "/supporttickets.php", "/contact.php",
	"/knowledgebase.php", "/announcements.php", "/dl.php", "/downloads.php",
	"/login.php", "/register.php", "/pwreset.php", "/logout.php",
	"/index.php", "/index.php/{route...}",
	"/knowledgebase", "/knowledgebase/{route...}", "/announcements", "/announcements/{route...}",
	"/store", "/store/{route...}", "/download", "/download/{route...}", "/password/{route...}",
}

// Portal pages a link can lead to.
const (
	home          = "/"
	dashboard     = "/dashboard"
	services      = "/services"
	invoices      = "/billing/invoices"
	methods       = "/billing/methods"
	credit        = "/billing/credit"
	account       = "/account"
	security      = "/account/security"
	order         = "/order"
	tickets       = "/support"
	newTicket     = "/support/new"
	archive       = "/support/archive/"
	knowledgeBase = "/kb"
	news          = "/news"
	login         = "/login"
	signup        = "/signup"
	forgot        = "/forgot-password"
)

// clientAreaPages are clientarea.php's actions without a record, by the
// action's name in lower case; an action not listed leads to the dashboard.
var clientAreaPages = map[string]string{
	"services": services, "products": services, "domains": services, "domaindetails": services,
	"invoices": invoices, "quotes": invoices, "masspay": invoices + "?status=unpaid",
	"details": account, "contacts": account, "addcontact": account, "emails": account,
	"changepw": security, "security": security,
	"creditcard": methods, "paymentmethods": methods,
	"addfunds": credit,
}

var (
	// plainID is a WHMCS id as WHMCS writes it: decimal digits only (no
	// sign, no space, no "5abc" that PHP would read as 5).
	plainID = regexp.MustCompile(`^[0-9]{1,18}$`)
	// ticketNumber is a WHMCS ticket mask's output, e.g. ABC-123456.
	ticketNumber = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$`)
	// slug is the portal's slug alphabet (plans, pages, announcements).
	slug = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
)

// Target is the portal page that replaced the WHMCS address path?rawQuery.
// A malformed query counts as none. The error is the database's only.
func Target(app core.App, path, rawQuery string) (string, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		q = url.Values{}
	}
	l := link{app: app, q: q}
	file, rest, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	switch file = strings.ToLower(file); file {
	case "index.php":
		if rest != "" {
			return l.route("/" + rest)
		}
		if rp, ok := l.param("rp"); ok {
			return l.route(rp)
		}
		return home, nil
	case "knowledgebase", "announcements", "store", "download", "password":
		return l.route(path)
	}
	return l.script(file)
}

// link is one address being resolved.
type link struct {
	app core.App
	q   url.Values
}

// param is the query parameter key when it is given exactly once: WHMCS
// (PHP) would take the last of several, but an address that says two
// things is not guessed at.
func (l link) param(key string) (string, bool) {
	v := l.q[key]
	if len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// id is the query parameter key as a WHMCS id ("" when it is not one).
func (l link) id(key string) string {
	v, _ := l.param(key)
	return wid(v)
}

// action is a parameter that names what to do (clientarea.php's action,
// cart.php's a, dl.php's type), in lower case.
func (l link) action(key string) string {
	v, _ := l.param(key)
	return strings.ToLower(v)
}

// wid is s as a WHMCS id in its canonical form ("" when s is not one).
func wid(s string) string {
	if !plainID.MatchString(s) {
		return ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// script resolves one of the client area's PHP scripts (file, lower case).
func (l link) script(file string) (string, error) {
	switch file {
	case "viewinvoice.php":
		return l.invoice(l.id("id"))
	case "clientarea.php":
		switch a := l.action("action"); a {
		case "productdetails", "cancel", "upgrade":
			return l.service(l.id("id"))
		default:
			if to, ok := clientAreaPages[a]; ok {
				return to, nil
			}
			return dashboard, nil
		}
	case "upgrade.php":
		return l.service(l.id("id"))
	case "cart.php":
		if l.action("a") == "add" {
			return l.plan("whmcs_id", l.id("pid"))
		}
		return order, nil
	case "submitticket.php", "contact.php":
		return newTicket, nil
	case "viewticket.php":
		return l.ticket()
	case "supporttickets.php":
		return tickets, nil
	case "knowledgebase.php":
		return knowledgeBase, nil
	case "announcements.php":
		return news, nil
	case "dl.php":
		// type=i is an invoice's PDF, which the invoice page offers.
		if l.action("type") == "i" {
			return l.invoice(l.id("id"))
		}
		return home, nil
	case "login.php", "logout.php":
		return login, nil
	case "register.php":
		return signup, nil
	case "pwreset.php":
		return forgot, nil
	}
	return home, nil
}

// route resolves a WHMCS 8 route (index.php?rp=/knowledgebase/12/dns.html,
// or the same path itself). Route names match in any case.
func (l link) route(rp string) (string, error) {
	segs := strings.Split(strings.Trim(rp, "/"), "/")
	at := func(i int) string {
		if i < len(segs) {
			return strings.ToLower(segs[i])
		}
		return ""
	}
	switch at(0) {
	case "knowledgebase":
		// knowledgebase/{id}/{slug}.html is an article; other forms
		// (categories, tags, search) are the list.
		if s := articleSlug(segs); s != "" {
			return l.public("pages", dbx.HashExp{"kind": "kb", "published": true, "slug": s}, knowledgeBase+"/"+s, knowledgeBase)
		}
		return knowledgeBase, nil
	case "announcements":
		if s := articleSlug(segs); s != "" {
			// As the collection's rule: published, and its time has come.
			return l.public("announcements", dbx.And(dbx.HashExp{"published": true, "slug": s},
				dbx.NewExp("[[published_at]] <= {:now}", dbx.Params{"now": types.NowDateTime().String()})), news+"/"+s, news)
		}
		return news, nil
	case "store":
		// store/{group}/{product}: the product's slug is the plan's.
		if len(segs) == 3 && slug.MatchString(at(2)) {
			return l.plan("slug", at(2))
		}
		return order, nil
	case "cart":
		return order, nil
	case "login":
		return login, nil
	case "password":
		return forgot, nil
	case "account":
		if at(1) == "paymentmethods" {
			return methods, nil
		}
		return account, nil
	case "user":
		switch at(1) {
		case "password", "security":
			return security, nil
		case "accounts":
			return dashboard, nil
		}
		return account, nil
	case "invoice":
		return l.invoice(wid(at(1)))
	case "contact":
		return newTicket, nil
	}
	return home, nil
}

// articleSlug is the slug of a knowledgebase or announcements article
// route, {section}/{id}/{slug}.html ("" for any other form).
func articleSlug(segs []string) string {
	if len(segs) != 3 || wid(segs[1]) == "" {
		return ""
	}
	name := strings.ToLower(segs[2])
	s, ok := strings.CutSuffix(name, ".html")
	if !ok || len(s) > 120 || !slug.MatchString(s) {
		return ""
	}
	return s
}

// invoice is the invoice imported from WHMCS invoice id, else the list.
func (l link) invoice(id string) (string, error) {
	return l.record("invoices", id, invoices)
}

// service is the service imported from WHMCS service (tblhosting) id,
// else the list.
func (l link) service(id string) (string, error) {
	return l.record("services", id, services)
}

// record is the portal page of the record of collection imported from
// WHMCS id (list + "/" + its id), else list.
func (l link) record(collection, id, list string) (string, error) {
	if id == "" {
		return list, nil
	}
	rec, err := l.one(collection, "id", dbx.HashExp{"whmcs_id": id})
	if err != nil || rec == "" {
		return list, err
	}
	return list + "/" + url.PathEscape(rec), nil
}

// plan is the order page for the plan whose column is value, when it is
// on sale (an anonymous visitor could read it anyway), else the order page.
func (l link) plan(column, value string) (string, error) {
	if value == "" {
		return order, nil
	}
	s, err := l.one("plans", "slug", dbx.HashExp{column: value, "status": "active"})
	if err != nil || s == "" {
		return order, err
	}
	return order + "?" + url.Values{"plan": {s}}.Encode(), nil
}

// public is found when a public record matches where, else list.
func (l link) public(collection string, where dbx.Expression, found, list string) (string, error) {
	id, err := l.one(collection, "id", where)
	if err != nil || id == "" {
		return list, err
	}
	return found, nil
}

// ticket is viewticket.php?tid=…&c=…: the WHMCS ticket kept in the archive
// by its number (tid), else the SupportPal ticket mirrored under that
// number, else the ticket list. The access key c is not checked: the
// portal shows a ticket to its owner only.
func (l link) ticket() (string, error) {
	tid, _ := l.param("tid")
	if !ticketNumber.MatchString(tid) {
		return tickets, nil
	}
	id, err := l.one("ticket_archive", "id", dbx.HashExp{"number": tid})
	if err != nil {
		return "", err
	}
	if id != "" {
		return archive + url.PathEscape(id), nil
	}
	n, err := l.one("support_tickets", "supportpal_id", dbx.HashExp{"number": tid})
	if err != nil || n == "" {
		return tickets, err
	}
	return tickets + "/" + url.PathEscape(n), nil
}

// one is column of the single record of collection that matches where; ""
// when none or several do (a number shared by two tickets names neither).
func (l link) one(collection, column string, where dbx.Expression) (string, error) {
	var values []string
	err := l.app.DB().Select(column).From(collection).Where(where).Limit(2).Column(&values)
	if err != nil || len(values) != 1 {
		return "", err
	}
	return values[0], nil
}
