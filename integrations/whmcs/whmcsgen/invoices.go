package whmcsgen

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// invoice is a tblinvoices row as planned, amounts in cents; transactions
// are made from it.
type invoice struct {
	id, userid                 int
	client                     *client // nil: the client was deleted
	date, paid                 time.Time
	status, gateway, number    string
	items                      []item
	subtotal, tax, tax2        int64
	credit, total              int64
	rate1, rate2               int64
	creditCovered, mismatching bool
}

// item is a tblinvoiceitems row.
type item struct {
	kind, description string
	relid             int
	amount            int64
	taxed             bool
}

// invoiceStatuses are WHMCS's, each with its share of invoices older than
// three weeks; every one appears at any size.
var invoiceStatuses = []weighted{{"Paid", 840}, {"Cancelled", 80}, {"Unpaid", 30}, {"Refunded", 20},
	{"Collections", 15}, {"Payment Pending", 8}, {"Draft", 7}}

// writeInvoices plans every invoice with its items (amounts in cents, tax
// per WHMCS: on the taxed lines, level 2 on top for Quebec), then writes both.
func (g *gen) writeInvoices() error {
	size := g.size
	// A client's share of the invoices grows with their services and the
	// time they have been a customer.
	weights := make([]int, len(g.clients))
	total := 0
	for i, c := range g.clients {
		weights[i] = (len(c.services) + 1) * max(1, int(Now.Sub(c.since).Hours()/24/30))
		total += weights[i]
	}
	orphans := max(2, size.Invoices/2000) // invoices of deleted clients
	for i := range size.Invoices {
		inv := &invoice{}
		if i < orphans {
			inv.userid = len(g.clients) + 100 + i
			inv.date = g.between(firstDay, Now)
		} else {
			n := g.r.IntN(total)
			k := 0
			for n >= weights[k] {
				n -= weights[k]
				k++
			}
			inv.client = g.clients[k]
			inv.userid = inv.client.id
			inv.date = g.between(inv.client.since, Now)
		}
		g.invoices = append(g.invoices, inv)
	}
	// Ids follow time, as WHMCS's do.
	slices.SortStableFunc(g.invoices, func(a, b *invoice) int { return a.date.Compare(b.date) })
	for i, inv := range g.invoices {
		inv.id = i + 1
	}

	// Items: one each, the rest spread at random.
	counts := make([]int, len(g.invoices))
	for i := range counts {
		counts[i] = 1
	}
	for range size.Items - size.Invoices {
		counts[g.r.IntN(len(counts))]++
	}
	missingService := max(1, size.Items/20000)
	for i, inv := range g.invoices {
		g.planItems(inv, counts[i], &missingService)
	}

	g.planStatuses()
	mismatches := max(3, size.Invoices/10000)
	creditCovered := max(1, size.Invoices/1000)
	number := 0
	for _, inv := range g.invoices {
		for _, it := range inv.items {
			inv.subtotal += it.amount
		}
		if inv.client != nil && !inv.client.taxExempt {
			inv.rate1, inv.rate2 = taxFor(inv.client.country, inv.client.state)
			taxed := int64(0)
			for _, it := range inv.items {
				if it.taxed {
					taxed += it.amount
				}
			}
			inv.tax, inv.tax2 = ofRate(taxed, inv.rate1), ofRate(taxed, inv.rate2)
		}
		gross := inv.subtotal + inv.tax + inv.tax2
		switch {
		case inv.status == "Paid" && creditCovered > 0 && gross > 0 && inv.client != nil:
			creditCovered--
			inv.creditCovered, inv.credit = true, gross
		case inv.client != nil && gross > 200 && g.chance(2):
			inv.credit = 1 + g.r.Int64N(gross/2)
		}
		inv.total = gross - inv.credit
		if mismatches > 0 && inv.id%97 == 12 && !inv.creditCovered && inv.total > 200 {
			mismatches--
			inv.mismatching = true // a total someone edited, or rounded differently
			inv.total += []int64{-1, 1, -inv.tax2 - 1, 100}[mismatches%4]
		}
		inv.gateway = "banktransfer"
		if inv.client != nil {
			inv.gateway = inv.client.gateway
		}
		switch inv.status {
		case "Paid", "Refunded":
			inv.paid = g.within(inv.date, 10)
			if inv.date.Year() >= sequentialYear {
				number++
				inv.number = fmt.Sprintf("INV-%d-%05d", inv.date.Year(), number)
			}
		}
	}
	if mismatches > 0 {
		// Few invoices: the ids the rule above skipped get them.
		for _, inv := range g.invoices[len(g.invoices)/2:] {
			if mismatches > 0 && !inv.creditCovered && !inv.mismatching && inv.total > 200 {
				mismatches--
				inv.mismatching = true
				inv.total++
			}
		}
	}

	invoices := g.w.table("tblinvoices", "id", "userid", "invoicenum", "date", "duedate", "datepaid",
		"last_capture_attempt", "date_refunded", "date_cancelled", "subtotal", "credit", "tax", "tax2", "total", "taxrate",
		"taxrate2", "status", "paymentmethod", "paymethodid", "notes", "created_at", "updated_at")
	items := g.w.table("tblinvoiceitems", "id", "invoiceid", "userid", "type", "relid", "description", "amount", "taxed",
		"duedate", "paymentmethod", "notes")
	itemID := 0
	for _, inv := range g.invoices {
		due := inv.date.AddDate(0, 0, []int{0, 7, 14}[inv.id%3])
		paid, refunded, cancelled, capture := zeroDateTime, zeroDateTime, zeroDateTime, zeroDateTime
		if !inv.paid.IsZero() {
			paid = dateTime(inv.paid)
		}
		switch inv.status {
		case "Refunded":
			refunded = dateTime(g.within(inv.paid, 20))
		case "Cancelled":
			cancelled = dateTime(g.within(inv.date, 40))
		case "Unpaid", "Collections":
			if inv.gateway == "stripe" {
				capture = dateTime(g.between(due, Now))
			}
		}
		stamp := dateTime(inv.date.Add(time.Duration(g.r.IntN(86400)) * time.Second))
		if inv.date.Year() < 2019 && g.chance(50) {
			stamp = zeroDateTime
		}
		notes := ""
		if g.chance(1) {
			notes = "PO &quot;" + g.upperToken(6) + "&quot;"
		}
		invoices.add(inv.id, inv.userid, inv.number, day(inv.date), day(due), paid, capture, refunded, cancelled,
			money(inv.subtotal), money(inv.credit), money(inv.tax), money(inv.tax2), money(inv.total), percent(inv.rate1),
			percent(inv.rate2), inv.status, inv.gateway, nil, notes, stamp, stamp)
		for _, it := range inv.items {
			itemID++
			items.add(itemID, inv.id, inv.userid, it.kind, it.relid, it.description, money(it.amount), boolInt(it.taxed),
				day(due), inv.gateway, "")
		}
	}
	if err := invoices.close(); err != nil {
		return err
	}
	return items.close()
}

// planItems gives an invoice its n lines: services billed for a period
// first, then setup fees, discounts (negative), late fees and custom lines.
func (g *gen) planItems(inv *invoice, n int, missingService *int) {
	taxed := inv.client != nil && !inv.client.taxExempt
	hostingLine := func() (item, bool) {
		if inv.client == nil {
			return item{}, false
		}
		var billable []*service
		for _, s := range inv.client.services {
			if s.amount > 0 {
				billable = append(billable, s)
			}
		}
		if len(billable) == 0 {
			return item{}, false
		}
		s := billable[g.r.IntN(len(billable))]
		months := 0
		if s.cycle >= 0 {
			months = cycleMonths[s.cycle]
		}
		end := inv.date.AddDate(0, months, -1)
		relid := s.id
		if *missingService > 0 && inv.id%53 == 7 {
			*missingService-- // the service was deleted since
			relid = len(g.services) + 500 + *missingService
		}
		return item{kind: "Hosting", relid: relid, amount: s.amount, taxed: taxed, description: fmt.Sprintf(
			"%s - %s (%s - %s)", s.product.name, s.domain, inv.date.Format("02/01/2006"), end.Format("02/01/2006"))}, true
	}
	custom := func() item {
		return item{kind: "Item", amount: 100 + g.r.Int64N(20000), taxed: taxed && g.chance(70),
			description: []string{"Migration assistance", "Additional IPv4 address", "Backup restore &amp; check",
				"Remote hands (30 min)", "Priority support &lt;1h&gt;", "rDNS change – manual"}[g.r.IntN(6)]}
	}
	first, ok := hostingLine()
	switch {
	case n == 1 && inv.client != nil && g.chance(2):
		first = item{kind: "AddFunds", amount: 1000 * (1 + g.r.Int64N(10)), description: "Add Funds"}
	case !ok:
		first = custom()
	}
	inv.items = append(inv.items, first)
	for len(inv.items) < n {
		kind := g.oneOf(weighted{"Hosting", 40}, weighted{"Setup", 10}, weighted{"PromoHosting", 15},
			weighted{"GroupDiscount", 10}, weighted{"LateFee", 10}, weighted{"Item", 15})
		it := custom()
		switch kind {
		case "Hosting":
			if h, ok := hostingLine(); ok {
				it = h
			}
		case "Setup":
			it = item{kind: "Setup", relid: first.relid, amount: 1000 + g.r.Int64N(4000), taxed: taxed,
				description: "Setup fee"}
		case "PromoHosting":
			if first.kind == "Hosting" && first.amount >= 20 {
				it = item{kind: kind, relid: first.relid, amount: -max(1, first.amount*15/100), taxed: first.taxed,
					description: "Loyalty discount (" + strings.SplitN(first.description, " - ", 2)[0] + ")"}
			}
		case "GroupDiscount":
			if first.amount >= 20 {
				it = item{kind: kind, amount: -max(1, first.amount*5/100), taxed: first.taxed, description: "Client Group Discount"}
			}
		case "LateFee":
			it = item{kind: "LateFee", amount: []int64{100, 500}[g.r.IntN(2)],
				description: "Late Fee (Added " + inv.date.Format("02/01/2006") + ")"}
		}
		inv.items = append(inv.items, it)
	}
}

// planStatuses gives every invoice a status: recent ones are mostly still
// open, older ones mostly paid; invoices of deleted clients were left
// unpaid or cancelled. Each status is given at least once.
func (g *gen) planStatuses() {
	recent := Now.AddDate(0, 0, -21)
	seen := map[string]bool{}
	for _, inv := range g.invoices {
		switch {
		case inv.client == nil:
			inv.status = g.oneOf(weighted{"Unpaid", 1}, weighted{"Cancelled", 1})
		case inv.date.After(recent):
			inv.status = g.oneOf(weighted{"Unpaid", 45}, weighted{"Paid", 45}, weighted{"Payment Pending", 4}, weighted{"Draft", 6})
		default:
			inv.status = g.oneOf(invoiceStatuses...)
		}
		seen[inv.status] = true
	}
	for i, s := range invoiceStatuses {
		if !seen[s.value] {
			inv := g.invoices[len(g.invoices)-1-i*3]
			if inv.client == nil {
				inv = g.invoices[len(g.invoices)/2+i]
			}
			inv.status = s.value
		}
	}
}

// ofRate is a tax at rate (thousandths of a percent) on cents, rounded half
// away from zero to the cent as WHMCS rounds.
func ofRate(cents, rate int64) int64 {
	if cents < 0 {
		return -ofRate(-cents, rate)
	}
	return (cents*rate + 50000) / 100000
}
