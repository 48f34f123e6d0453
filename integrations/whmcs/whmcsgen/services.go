package whmcsgen

import (
	"fmt"
	"slices"
	"time"
)

// service is what invoices need of a tblhosting row.
type service struct {
	id      int
	client  *client
	product product
	cycle   int // index in cycles; -1 One Time, -2 Free Account
	amount  int64
	setup   int64
	domain  string
	regdate time.Time
}

// writeServices writes services (tblhosting) and the orders they came from.
func (g *gen) writeServices() error {
	hosting := g.w.table("tblhosting", "id", "userid", "orderid", "packageid", "server", "regdate", "domain",
		"paymentmethod", "qty", "firstpaymentamount", "amount", "billingcycle", "nextduedate", "nextinvoicedate",
		"termination_date", "completed_date", "domainstatus", "username", "password", "notes", "subscriptionid",
		"promoid", "promocount", "suspendreason", "overideautosuspend", "overidesuspenduntil", "dedicatedip",
		"assignedips", "ns1", "ns2", "diskusage", "disklimit", "bwusage", "bwlimit", "lastupdate", "created_at", "updated_at")
	orders := g.w.table("tblorders", "id", "ordernum", "userid", "contactid", "requestor_id", "admin_requestor_id",
		"date", "nameservers", "transfersecret", "renewals", "promocode", "promotype", "promovalue", "orderdata", "amount",
		"paymentmethod", "invoiceid", "status", "ipaddress", "fraudmodule", "fraudoutput", "notes", "purchase_source",
		"has_referral_products")
	n := g.size.Services
	// One service per cycle and status is placed first, so every value
	// appears at any size; the rest are drawn.
	type plan struct {
		product       int // index in products; -1 drawn
		cycle, status string
	}
	var forced []plan
	for _, c := range cycles {
		forced = append(forced, plan{0, c, ""}) // VPS S1 has every cycle
	}
	forced = append(forced, plan{5, "", "Completed"}, plan{8, "", "Active"}, plan{1, "", "Active"}, plan{3, "", "Active"})
	for _, s := range []string{"Pending", "Active", "Suspended", "Terminated", "Cancelled", "Fraud"} {
		forced = append(forced, plan{-1, "", s})
	}
	nullDue := false
	missingServer := map[int]bool{29: true}
	for i := 1; i < n/1000; i++ {
		missingServer[29+i*997] = true
	}
	for id := 1; id <= n; id++ {
		c := g.clients[g.r.IntN(len(g.clients))]
		want := plan{product: -1}
		if id <= len(forced) {
			want = forced[id-1]
		}
		p := pick(g.r, products, func(p product) int { return p.weight })
		if want.product >= 0 {
			p = products[want.product]
		}
		s := &service{id: id, client: c, product: p}
		var cycleName string
		switch p.paytype {
		case "free":
			s.cycle, cycleName = -2, "Free Account"
		case "onetime":
			s.cycle, cycleName = -1, "One Time"
			s.amount = price(p.prices[0], c.currency)
		default:
			s.cycle = slices.Index(cycles, want.cycle)
			for s.cycle < 0 || p.prices[s.cycle] == off {
				s.cycle = slices.Index(cycles, g.oneOf(weighted{"Monthly", 55}, weighted{"Quarterly", 10},
					weighted{"Semi-Annually", 8}, weighted{"Annually", 20}, weighted{"Biennially", 4}, weighted{"Triennially", 3}))
			}
			cycleName = cycles[s.cycle]
			s.amount = price(p.prices[s.cycle], c.currency)
			if s.cycle < 4 {
				s.setup = price(p.setup, c.currency)
			}
		}
		s.regdate = g.between(c.since, Now.AddDate(0, 0, -1))
		status := want.status
		if status == "" {
			status = g.oneOf(weighted{"Active", 62}, weighted{"Pending", 5}, weighted{"Suspended", 7},
				weighted{"Terminated", 11}, weighted{"Cancelled", 10}, weighted{"Fraud", 3}, weighted{"Completed", 2})
			if s.cycle == -1 && g.chance(50) {
				status = "Completed"
			}
		}
		next, nextInvoice := zeroDate, zeroDate
		var nextDue any = zeroDate
		if s.cycle >= 0 {
			due := s.regdate
			for !due.After(Now) {
				due = due.AddDate(0, cycleMonths[s.cycle], 0)
			}
			next, nextInvoice = day(due), day(due)
			nextDue = next
		}
		if status == "Pending" && !nullDue {
			nextDue, nullDue = nil, true // WHMCS left it NULL on an order never accepted
		}
		terminated, completed := zeroDate, zeroDate
		switch status {
		case "Terminated", "Cancelled":
			terminated = day(g.between(s.regdate, Now))
		case "Completed":
			completed = day(g.between(s.regdate, Now))
		}
		suspendReason := ""
		if status == "Suspended" {
			suspendReason = g.oneOf(weighted{"Overdue on Payment", 80}, weighted{"Abuse report &quot;spam&quot;", 20})
		}
		server := serverFor(p.module)
		if status == "Pending" && g.chance(40) {
			server = 0
		}
		if missingServer[id] {
			server = 99
		}
		username, dedicated, assigned, ns1, ns2 := "", "", "", "", ""
		switch p.module {
		case "virtfusion":
			s.domain = fmt.Sprintf("vps%d.example.net", id)
			username, dedicated = "root", g.ip()
			if g.chance(15) {
				assigned = g.ip() + "\n" + g.ip() + "\n2001:db8::" + fmt.Sprintf("%x", id)
			}
		case "synergycp":
			s.domain = fmt.Sprintf("srv%d.example.net", id)
			username, dedicated = "administrator", g.ip()
			if g.chance(50) {
				assigned = g.ip() + ", " + g.ip()
			}
		case "pterodactyl":
			s.domain = fmt.Sprintf("game%d.example.com", id)
			username = fmt.Sprintf("player%d", id)
		default:
			s.domain = fmt.Sprintf("site%d.example.org", id)
			username = fmt.Sprintf("%s%d", mailbox(c.first), id)
			ns1, ns2 = "ns1.example.net", "ns2.example.net"
		}
		promo := 0
		if g.chance(10) {
			promo = 1 + g.r.IntN(10)
		}
		notes := ""
		if g.chance(3) {
			notes = "Customer asked for &quot;EU&quot; location"
		}
		subscriptionID := ""
		if c.gateway == "paypal" && s.cycle >= 0 && g.chance(30) {
			subscriptionID = "I-" + g.upperToken(12) // a PayPal billing agreement
		}
		stamp := dateTime(s.regdate)
		hosting.add(id, c.id, id, p.id, server, day(s.regdate), s.domain, c.gateway, 1, money(s.amount+s.setup),
			money(s.amount), cycleName, nextDue, nextInvoice, terminated, completed, status, username, g.secretBlob(),
			notes, subscriptionID, promo, 0, suspendReason, 0, zeroDate, dedicated, assigned, ns1, ns2,
			g.r.IntN(51200), 51200, g.r.IntN(2048000), 2048000, zeroDateTime, stamp, stamp)
		orderStatus := map[string]string{"Pending": "Pending", "Fraud": "Fraud", "Cancelled": "Cancelled"}[status]
		if orderStatus == "" {
			orderStatus = "Active"
		}
		orders.add(id, 1000000000+g.r.Int64N(9000000000), c.id, 0, c.user, 0, stamp, "", "", "", "", "", "", "",
			money(s.amount+s.setup), c.gateway, 0, orderStatus, g.ip(), "", "", "", 0, 0)
		c.services = append(c.services, s)
		g.services = append(g.services, s)
	}
	if err := hosting.close(); err != nil {
		return err
	}
	return orders.close()
}
