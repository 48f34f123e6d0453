// Package backoffice answers the staff console's questions about the
// business as a whole: the search box and the customer list. The routes
// in hooks/ only wire requests and policy to it.
package backoffice

import (
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/bandwidth"
)

// SearchLimit bounds each kind of result: the box shows a handful of
// each, and a broad query must not read a table out.
const SearchLimit = 10

// Query lengths searched: one character would match nearly every name,
// and nothing staff are asked about is longer than a hostname.
const (
	MinQuery = 2
	MaxQuery = 253
)

// Results are the matches of a query, grouped by kind, each list at most
// SearchLimit long and never null.
type Results struct {
	Customers []CustomerHit `json:"customers"`
	Services  []ServiceHit  `json:"services"`
	Invoices  []InvoiceHit  `json:"invoices"`
	Orders    []OrderHit    `json:"orders"`
	Tickets   []TicketHit   `json:"tickets"`
}

// Owner is the customer a result belongs to, named for the row.
type Owner struct {
	Customer      string `db:"customer" json:"customer"`
	CustomerName  string `db:"customer_name" json:"customer_name"`
	CustomerEmail string `db:"customer_email" json:"customer_email"`
}

// CustomerHit is a customer whose id, name, email or company matched.
type CustomerHit struct {
	ID       string `db:"id" json:"id"`
	Customer string `db:"customer" json:"customer"`
	Name     string `db:"name" json:"name"`
	Email    string `db:"email" json:"email"`
	Company  string `db:"company" json:"company"`
	Status   string `db:"status" json:"status"`
}

// ServiceHit is a service found by id, platform server id, hostname,
// domain or label, or by an address it holds or held: Held then says
// when (an abuse report names an address that may have moved since).
type ServiceHit struct {
	ID string `db:"id" json:"id"`
	Owner
	Label             string        `db:"label" json:"label"`
	Hostname          string        `db:"hostname" json:"hostname"`
	Domain            string        `db:"domain" json:"domain"`
	ServiceType       string        `db:"service_type" json:"service_type"`
	Platform          string        `db:"platform" json:"platform"`
	PlatformServiceID string        `db:"platform_service_id" json:"platform_service_id"`
	Status            string        `db:"status" json:"status"`
	IPAddresses       types.JSONRaw `db:"ip_addresses" json:"ip_addresses"`
	Held              *Holding      `db:"-" json:"held,omitempty"`
}

// Holding is one period a service held an address: From empty = since
// before anything was measured, To empty = it still holds it.
type Holding struct {
	Address string `json:"address"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// InvoiceHit is an invoice found by id, number, proforma number or WHMCS
// number.
type InvoiceHit struct {
	ID string `db:"id" json:"id"`
	Owner
	Number         string `db:"number" json:"number"`
	ProformaNumber string `db:"proforma_number" json:"proforma_number"`
	Status         string `db:"status" json:"status"`
	Total          int64  `db:"total" json:"total"`
	AmountDue      int64  `db:"amount_due" json:"amount_due"`
	Currency       string `db:"currency" json:"currency"`
	IssuedAt       string `db:"issued_at" json:"issued_at"`
}

// OrderHit is an order found by its id (the order number customers see).
type OrderHit struct {
	ID string `db:"id" json:"id"`
	Owner
	Status   string `db:"status" json:"status"`
	PlanName string `db:"plan_name" json:"plan_name"`
	Amount   int64  `db:"amount" json:"amount"`
	Currency string `db:"currency" json:"currency"`
	Cycle    string `db:"cycle" json:"cycle"`
	Invoice  string `db:"invoice" json:"invoice"`
	Created  string `db:"created" json:"created"`
}

// TicketHit is a ticket found by number, in the help desk's mirror
// (Source "supportpal") or the WHMCS archive (Source "archive").
type TicketHit struct {
	ID string `db:"id" json:"id"`
	Owner
	Source      string `db:"source" json:"source"`
	Number      string `db:"number" json:"number"`
	Subject     string `db:"subject" json:"subject"`
	Status      string `db:"status" json:"status"`
	LastReplyAt string `db:"last_reply_at" json:"last_reply_at"`
}

// owner joins a result's customer for its name and email.
const owner = `COALESCE(c.name, '') AS customer_name, COALESCE(c.email, '') AS customer_email`

const (
	customersSQL = `SELECT id, id AS customer, name, email, company, status FROM customers`
	servicesSQL  = `SELECT s.id, s.customer, ` + owner + `, s.label, s.hostname, s.domain, s.service_type,
		s.platform, s.platform_service_id, s.status, s.ip_addresses
		FROM services s LEFT JOIN customers c ON c.id = s.customer`
	invoicesSQL = `SELECT i.id, i.customer, ` + owner + `, i.number, i.proforma_number, i.status, i.total,
		i.amount_due, i.currency, i.issued_at
		FROM invoices i LEFT JOIN customers c ON c.id = i.customer`
	ordersSQL = `SELECT o.id, o.customer, ` + owner + `, o.status, COALESCE(p.name, '') AS plan_name,
		COALESCE(pp.amount, 0) AS amount, COALESCE(pp.currency, '') AS currency, COALESCE(pp.cycle, '') AS cycle,
		o.invoice, o.created
		FROM orders o LEFT JOIN customers c ON c.id = o.customer
		LEFT JOIN plan_prices pp ON pp.id = o.plan_price LEFT JOIN plans p ON p.id = pp.plan`
	mirrorTicketsSQL = `SELECT t.id, t.customer, ` + owner + `, 'supportpal' AS source, t.number, t.subject,
		t.status, t.last_reply_at FROM support_tickets t LEFT JOIN customers c ON c.id = t.customer`
	archiveTicketsSQL = `SELECT t.id, t.customer, ` + owner + `, 'archive' AS source, t.number, t.subject,
		t.status, t.last_reply_at FROM ticket_archive t LEFT JOIN customers c ON c.id = t.customer`
	// addressSQL reads the address history through
	// idx_service_addresses_address. A service's ip_addresses are mirrored
	// into it in the same write (billing/bandwidth.Bind), so the current
	// holder is the holding without an end.
	addressSQL = `SELECT h.address, h.` + "`from`" + ` AS held_from, h.` + "`to`" + ` AS held_to, s.id, s.customer, ` + owner + `,
		s.label, s.hostname, s.domain, s.service_type, s.platform, s.platform_service_id, s.status, s.ip_addresses
		FROM service_addresses h JOIN services s ON s.id = h.service LEFT JOIN customers c ON c.id = s.customer
		WHERE h.address = {:address}
		ORDER BY h.` + "`to`" + ` != '', h.` + "`from`" + ` DESC LIMIT {:limit}`
)

// The exact look-ups, each through an index (the tests check the plans).
const (
	serviceByPlatformIDSQL = servicesSQL + ` WHERE s.platform_service_id != '' AND s.platform_service_id = {:number}`
	invoiceByNumberSQL     = invoicesSQL + ` WHERE i.number != '' AND i.number IN ({:number}, {:upper}, {:whmcs})`
	invoiceByProformaSQL   = invoicesSQL + ` WHERE i.proforma_number != '' AND i.proforma_number IN ({:number}, {:upper})`
	invoiceByWHMCSIDSQL    = invoicesSQL + ` WHERE i.whmcs_id != '' AND i.whmcs_id = {:number}`
	mirrorTicketSQL        = mirrorTicketsSQL + ` WHERE t.number = {:number} LIMIT {:limit}`
	archiveTicketSQL       = archiveTicketsSQL + ` WHERE t.number = {:number} LIMIT {:limit}`
)

// Search finds what staff type into the box: a customer by name, email or
// company, or as the holder of an address; a service by address (exact,
// now or in the past), hostname, domain, label or platform server id; an
// invoice by number, proforma number or WHMCS number; an order by its id;
// a ticket by number; and any of these by record id. Exact look-ups go through indexes; the text
// matches scan, bounded by SearchLimit. A query shorter than MinQuery or
// longer than MaxQuery finds nothing without reading anything.
func Search(app core.App, query string) (Results, error) {
	r := Results{Customers: []CustomerHit{}, Services: []ServiceHit{}, Invoices: []InvoiceHit{}, Orders: []OrderHit{}, Tickets: []TicketHit{}}
	q := strings.TrimSpace(query)
	if n := utf8.RuneCountInString(q); n < MinQuery || n > MaxQuery {
		return r, nil
	}
	number := strings.TrimPrefix(q, "#")
	p := dbx.Params{"q": q, "like": likeContains(q), "limit": SearchLimit,
		"number": number, "upper": strings.ToUpper(number), "whmcs": "WHMCS-" + number}
	s := &searcher{app: app, params: p}

	if addr, err := netip.ParseAddr(q); err == nil {
		if err := s.holders(&r, bandwidth.Addresses([]string{addr.String()})); err != nil {
			return r, err
		}
	}
	collect(s, &r.Customers, customersSQL+` WHERE id = {:q}`)
	// Whoever holds or held an address is the customer asked about.
	for _, h := range r.Services {
		s.params["holder"] = h.Customer
		collect(s, &r.Customers, customersSQL+` WHERE id = {:holder}`)
	}
	collect(s, &r.Customers, customersSQL+` WHERE name LIKE {:like} ESCAPE '\' OR email LIKE {:like} ESCAPE '\' OR company LIKE {:like} ESCAPE '\'
		ORDER BY created DESC LIMIT {:limit}`)

	collect(s, &r.Services, servicesSQL+` WHERE s.id = {:q}`,
		serviceByPlatformIDSQL,
		servicesSQL+` WHERE s.hostname LIKE {:like} ESCAPE '\' OR s.domain LIKE {:like} ESCAPE '\' OR s.label LIKE {:like} ESCAPE '\'
			ORDER BY s.created DESC LIMIT {:limit}`)

	collect(s, &r.Invoices, invoicesSQL+` WHERE i.id = {:q}`, invoiceByNumberSQL, invoiceByProformaSQL, invoiceByWHMCSIDSQL)

	collect(s, &r.Orders, ordersSQL+` WHERE o.id = {:number}`)

	collect(s, &r.Tickets, mirrorTicketsSQL+` WHERE t.id = {:q}`, mirrorTicketSQL,
		archiveTicketsSQL+` WHERE t.id = {:q}`, archiveTicketSQL)

	r.Customers = distinct(r.Customers, func(h CustomerHit) string { return h.ID })
	r.Services = distinct(r.Services, func(h ServiceHit) string { return h.ID })
	r.Invoices = distinct(r.Invoices, func(h InvoiceHit) string { return h.ID })
	r.Tickets = distinct(r.Tickets, func(h TicketHit) string { return h.Source + "/" + h.ID })
	return r, s.err
}

// searcher runs a query's look-ups with its bound parameters, keeping the
// first error.
type searcher struct {
	app    core.App
	params dbx.Params
	err    error
}

// collect appends the rows of each statement to dst, in order, so exact
// look-ups listed first come first.
func collect[T any](s *searcher, dst *[]T, statements ...string) {
	for _, sql := range statements {
		if s.err != nil {
			return
		}
		var rows []T
		if err := s.app.DB().NewQuery(sql).Bind(s.params).All(&rows); err != nil {
			s.err = err
			return
		}
		*dst = append(*dst, rows...)
	}
}

// holders lists the services that hold or held the address, current
// holder first, each with its latest holding.
func (s *searcher) holders(r *Results, canonical []string) error {
	if len(canonical) != 1 {
		return nil
	}
	var rows []struct {
		ServiceHit
		Address  string `db:"address"`
		HeldFrom string `db:"held_from"`
		HeldTo   string `db:"held_to"`
	}
	err := s.app.DB().NewQuery(addressSQL).Bind(dbx.Params{"address": canonical[0], "limit": SearchLimit}).All(&rows)
	if err != nil {
		return err
	}
	for _, row := range rows {
		hit := row.ServiceHit
		hit.Held = &Holding{Address: row.Address, From: row.HeldFrom, To: row.HeldTo}
		r.Services = append(r.Services, hit)
	}
	return nil
}

// distinct keeps the first of each key, at most SearchLimit.
func distinct[T any](hits []T, key func(T) string) []T {
	seen := map[string]bool{}
	out := hits[:0]
	for _, h := range hits {
		k := key(h)
		if seen[k] || len(out) == SearchLimit {
			continue
		}
		seen[k] = true
		out = append(out, h)
	}
	return out
}

// likeContains is a LIKE pattern matching s anywhere, its own wildcards
// escaped (with ESCAPE '\'), so "50%" or "a_b" match only themselves.
func likeContains(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
