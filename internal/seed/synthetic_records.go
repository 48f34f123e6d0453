package seed

import (
	"cmp"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/money"
)

var (
	cardBrands = []string{"visa", "mastercard", "amex"}
	games      = []string{"paper", "vanilla", "forge"}
	images     = []string{"debian-12", "ubuntu-24.04", "almalinux-9"}
	declines   = [][2]string{{"card_declined", "Your card was declined."},
		{"insufficient_funds", "Your card has insufficient funds."}, {"expired_card", "Your card has expired."}}
)

// customerRows are the facts about one customer that its other rows repeat.
type customerRows struct {
	n               int
	id, currency    string
	created         time.Time
	domain          string // hostnames and hosted sites live under it
	gateway, method string // how they pay; method is the payment_methods id
	tax             taxRate
	reverseCharge   bool
	buyer           string // JSON frozen on invoices
	subs            []subscription
	credit          int64 // unused credit
	creditFor       int   // index of the invoice the credit is applied to
}

type subscription struct {
	id, service string
	price       price
	created     time.Time
	cancelled   time.Time
	billedUntil time.Time // end of the last period billed
}

// period is the period of s that issued falls in, to bill on an invoice
// issued then; ok is false when s was not running then or that period is
// billed already, so no period is billed twice and none overlap.
func (s *subscription) period(issued time.Time) (start, end time.Time, ok bool) {
	if issued.Before(s.created) || (!s.cancelled.IsZero() && !issued.Before(s.cancelled)) {
		return start, end, false
	}
	start, end = s.periodAt(issued)
	if start.Before(s.billedUntil) {
		return start, end, false
	}
	s.billedUntil = end
	return start, end, true
}

// periodAt is the period of s's schedule that t falls in, the way the
// renewal run computes it (from the anchor, month ends clamped), so the
// seeded periods are the ones the platform would have billed.
func (s *subscription) periodAt(t time.Time) (start, end time.Time) {
	p, _ := cycle.PeriodContaining(s.created, cycle.Cycle(s.price.cycle), t)
	return p.Start, p.End
}

// customer writes customer n with everything they hold and were billed.
func (g *generator) customer(n int) {
	g.pcg.Seed(g.seed, uint64(n))
	cc := g.country()
	c := &customerRows{n: n, id: g.id(), currency: cc.currency, domain: fmt.Sprintf("site%05d.example.com", n),
		created: g.between(g.now.Add(-history), g.now.Add(-30*24*time.Hour))}
	first, last := firstNames[g.r.IntN(len(firstNames))], lastNames[g.r.IntN(len(lastNames))]
	company, vatID := "", ""
	if g.r.IntN(100) < 40 {
		company = fmt.Sprintf("%s %s %s", last, businesses[g.r.IntN(len(businesses))], suffixes[cc.code])
		if cc.eu {
			vatID = fmt.Sprintf("%s%09d", cc.code, g.r.IntN(1e9))
		}
	}
	c.tax = cc.vat
	if tr, ok := g.cat.taxRates[cc.code]; ok {
		c.tax = tr
	}
	if vatID != "" { // EU business: the buyer accounts for the VAT
		c.reverseCharge, c.tax = true, taxRate{}
	}
	city := cc.cities[g.r.IntN(len(cc.cities))]
	street := fmt.Sprintf("%d %s", 1+g.r.IntN(200), streets[g.r.IntN(len(streets))])
	email := SyntheticEmail(n)
	c.buyer = jsonText(map[string]string{"name": first + " " + last, "company": company, "email": email,
		"address_line1": street, "city": city[0], "postal_code": city[2], "country": cc.code, "vat_id": vatID})

	g.w.insert("customers",
		"id", c.id, "email", email, "emailVisibility", false, "verified", true,
		"password", g.hash, "tokenKey", security.RandomString(50),
		"name", first+" "+last, "company", company, "phone", fmt.Sprintf("%s %04d", cc.phone, g.r.IntN(10000)),
		"address_line1", street, "city", city[0], "region", city[1], "postal_code", city[2], "country", cc.code,
		"vat_id", vatID, "currency", c.currency, "status", g.pick(customerStatuses),
		"created", ts(c.created), "updated", ts(g.between(c.created, g.now)))

	g.paymentMethod(c)
	for k := range 2 {
		g.subscription(c, k)
	}
	for k := range 2 + g.r.IntN(3) {
		g.service(c, k)
	}
	g.credits(c)
	step := g.now.Sub(c.created) / invoicesPerCustomer
	for i := range invoicesPerCustomer {
		g.invoice(c, i, c.created.Add(step*time.Duration(i)+time.Duration(g.r.Int64N(int64(step/4)))))
	}
}

func (g *generator) paymentMethod(c *customerRows) {
	c.gateway = g.pick(gateways)
	if c.gateway == "manual" { // bank transfer: nothing saved
		return
	}
	c.method = g.id()
	kind, brand, last4, month, year, ref := "paypal", "", "", 0, 0, "B-"+strings.ToUpper(g.id())
	if c.gateway == "stripe" {
		kind, brand, last4 = "card", cardBrands[g.r.IntN(len(cardBrands))], fmt.Sprintf("%04d", g.r.IntN(10000))
		month, year, ref = 1+g.r.IntN(12), g.now.Year()+g.r.IntN(5), "pm_"+g.id()+g.id()[:9]
	}
	g.w.insert("payment_methods",
		"id", c.method, "customer", c.id, "gateway", c.gateway, "gateway_ref", ref, "kind", kind,
		"brand", brand, "last4", last4, "exp_month", month, "exp_year", year, "is_default", true,
		"created", ts(c.created), "updated", ts(c.created))
}

// subscription k starts at sign-up or within the month after; a fifth is
// cancelled by now. It is billed until the end of its current period, where
// the renewal job takes over.
func (g *generator) subscription(c *customerRows, k int) {
	prices := g.cat.prices[c.currency]
	s := subscription{id: g.id(), price: prices[g.r.IntN(len(prices))], created: c.created}
	if k > 0 {
		s.created = g.between(c.created, c.created.Add(30*24*time.Hour))
	}
	status, reason, periodAt := "active", "", g.now
	if g.r.IntN(100) < 20 {
		s.cancelled = g.between(s.created, g.now)
		status, reason, periodAt = "cancelled", g.pick(cancelReasons), s.cancelled
	}
	start, end := s.periodAt(periodAt)
	g.w.insert("subscriptions",
		"id", s.id, "customer", c.id, "plan", s.price.plan.id, "plan_price", s.price.id, "payment_method", c.method,
		"status", status, "cycle", s.price.cycle, "currency", c.currency, "amount", s.price.amount,
		"anchor_at", ts(s.created), "anchor_day", s.created.Day(), "current_period_start", ts(start),
		"current_period_end", ts(end), "billed_until", ts(end),
		"cancelled_at", ts(s.cancelled), "cancel_reason", reason,
		"created", ts(s.created), "updated", ts(latest(s.created, s.cancelled)))
	c.subs = append(c.subs, s)
}

// service k belongs to subscription k; further services are older
// one-off purchases without one.
func (g *generator) service(c *customerRows, k int) {
	id, status := g.id(), g.pick(serviceStatuses)
	var p price
	var created, ended time.Time
	subID := ""
	if k < len(c.subs) {
		s := &c.subs[k]
		s.service, subID, p, created = id, s.id, s.price, s.created
		if !s.cancelled.IsZero() {
			status, ended = "terminated", s.cancelled
		}
	} else {
		prices := g.cat.prices[c.currency]
		p, created = prices[g.r.IntN(len(prices))], g.between(c.created, g.now)
	}

	var activated, suspended, terminated, usageAt time.Time
	var ips, options any // JSON; NULL until provisioned
	power, reason, platformID, userID, hostname, domain := "unknown", "", "", "", "", ""
	var cpu float64
	var memUsed, memTotal, diskUsed, diskTotal int
	if status != "pending" && status != "provisioning" && status != "failed" {
		activated = created.Add(time.Duration(2+g.r.IntN(30)) * time.Minute)
		platformID, userID, power = fmt.Sprintf("%d%02d", c.n, k), fmt.Sprint(c.n), "offline"
		memTotal, diskTotal = 1024*(4<<g.r.IntN(3)), 1024*(80<<g.r.IntN(3))
		switch p.plan.serviceType {
		case "hosting":
			domain, memTotal = c.domain, 0
			options, ips = jsonText(map[string]string{"domain": domain}), jsonText([]string{serviceIPv4(c.n, k)})
		case "game_server":
			options = jsonText(map[string]string{"game": games[g.r.IntN(len(games))]})
			ips = jsonText([]string{serviceIPv4(c.n, k)})
		default:
			hostname = fmt.Sprintf("%s%d.%s", strings.ReplaceAll(p.plan.serviceType, "_", ""), k+1, c.domain)
			options = jsonText(map[string]string{"hostname": hostname, "os": images[g.r.IntN(len(images))]})
			ips = jsonText([]string{serviceIPv4(c.n, k), fmt.Sprintf("2001:db8:%x::%x", c.n, k+1)})
		}
	}
	switch status {
	case "active":
		if g.r.IntN(100) < 95 {
			power = "online"
		}
		usageAt = g.now.Add(-time.Duration(g.r.IntN(600)) * time.Second)
		cpu = float64(g.r.IntN(1000)) / 10
		memUsed, diskUsed = g.r.IntN(memTotal+1), g.r.IntN(diskTotal+1)
	case "suspended":
		reason, suspended = g.pick(suspendReasons), g.between(activated, g.now)
	case "terminated", "cancelled":
		if ended.IsZero() {
			ended = g.between(activated, g.now)
		}
		terminated = latest(activated, ended.Add(time.Duration(g.r.IntN(72))*time.Hour))
		if terminated.After(g.now) {
			terminated = g.now
		}
	}
	label := cmp.Or(hostname, domain, p.plan.name)
	g.w.insert("services",
		"id", id, "customer", c.id, "subscription", subID, "plan", p.plan.id, "payment_method", c.method,
		"label", label, "service_type", p.plan.serviceType, "platform", p.plan.platform, "status", status,
		"suspend_reason", reason, "power_state", power, "hostname", hostname, "domain", domain,
		"ip_addresses", ips, "options", options, "cpu_percent", cpu,
		"memory_used_mb", memUsed, "memory_total_mb", memTotal, "disk_used_mb", diskUsed, "disk_total_mb", diskTotal,
		"usage_updated_at", ts(usageAt), "activated_at", ts(activated), "suspended_at", ts(suspended),
		"terminated_at", ts(terminated), "platform_service_id", platformID, "platform_user_id", userID,
		"created", ts(created), "updated", ts(latest(created, activated, suspended, terminated, usageAt)))
	g.createJob(id, subID, status, created)
}

// serviceIPv4 is service k of customer n's own address, in the shared
// address space 100.64.0.0/10 (never a real host's): 16 per customer, so
// no two services share one (bandwidth is attributed by address) for up to
// 262,143 customers.
func serviceIPv4(n, k int) string {
	i := uint32(n)<<4 | uint32(k&15)
	return netip.AddrFrom4([4]byte{100, 64 | byte(i>>16&63), byte(i >> 8), byte(i)}).String()
}

// credits adds up to three credit grants by staff dated before invoice
// creditFor, which uses them if it gets paid. They are manual grants: a
// downgrade, cancellation or overpayment credit would have to name the
// subscription period or the invoice it comes from.
func (g *generator) credits(c *customerRows) {
	c.creditFor = invoicesPerCustomer - 4
	before := c.created.Add(g.now.Sub(c.created) * time.Duration(c.creditFor) / invoicesPerCustomer)
	for range g.r.IntN(4) {
		amount, why := int64(500+g.r.IntN(4500)), g.pick(creditReasons)
		at := g.between(c.created, before)
		g.w.insert("credit_entries",
			"id", g.id(), "customer", c.id, "invoice", "", "currency", c.currency, "amount", amount,
			"reason", "manual", "description", "Credit: "+why,
			"created", ts(at), "updated", ts(at))
		c.credit += amount
	}
}

// line is an invoice line before it is written.
type line struct {
	kind, description, subscription, service string
	quantity, unit, amount, tax              int64
	start, end                               time.Time
}

// lines bills the current period of one or two subscriptions (those not
// billed yet), and sometimes a setup fee, overage or an extra IP; an
// invoice with no period to bill gets the extra.
func (g *generator) lines(c *customerRows, i int, issued time.Time) []line {
	n := 1 + g.r.IntN(3)
	out := make([]line, 0, n)
	for j := range min(n, len(c.subs)) {
		s := &c.subs[(i+j)%len(c.subs)]
		start, end, ok := s.period(issued)
		if !ok {
			continue
		}
		out = append(out, line{kind: "period", subscription: s.id, service: s.service, quantity: 1, unit: s.price.amount,
			start: start, end: end, description: fmt.Sprintf("%s (%s), %s – %s",
				s.price.plan.name, s.price.cycle, start.Format(time.DateOnly), end.Format(time.DateOnly))})
	}
	if n == 3 || len(out) == 0 {
		s := c.subs[i%len(c.subs)]
		extra := line{kind: "adjustment", description: "Additional IPv4 address", quantity: 1, unit: 300}
		switch {
		case i == 0 && s.price.setupFee > 0:
			extra = line{kind: "setup", description: "Setup fee, " + s.price.plan.name, quantity: 1, unit: s.price.setupFee}
		case s.price.overagePerGB > 0:
			gb := int64(1 + g.r.IntN(500))
			extra = line{kind: "overage", description: fmt.Sprintf("Bandwidth overage, %d GB", gb), quantity: gb, unit: s.price.overagePerGB}
		}
		extra.subscription, extra.service = s.id, s.service
		out = append(out, extra)
	}
	for j := range out {
		out[j].amount = out[j].quantity * out[j].unit
		tax, err := money.MulRatioHalfEven(out[j].amount, c.tax.rate, 100000)
		if err != nil {
			panic(err) // catalog prices are far below any overflow
		}
		out[j].tax = tax
	}
	return out
}

// invoice writes invoice i, issued at issued, with its lines and payments.
// Invoices not yet due are open; the others are mostly paid, some overdue
// with failed charges, a few void or refunded.
func (g *generator) invoice(c *customerRows, i int, issued time.Time) {
	id, due := g.id(), issued.AddDate(0, 0, dueDays)
	number := g.seq.next(issued)
	lines := g.lines(c, i, issued)
	var subtotal, tax int64
	for _, l := range lines {
		subtotal, tax = subtotal+l.amount, tax+l.tax
	}
	total := subtotal + tax
	outcome := "open"
	if due.Before(g.now) {
		outcome = g.pick(invoiceOutcomes)
	}

	var paidAt, voidedAt, nextCharge, updated time.Time
	var applied, paid, refunded, amountDue int64
	attempts := 0
	automatic := c.gateway != "manual"
	status := outcome
	switch outcome {
	case "open", "overdue":
		status, amountDue, updated = "open", total, issued
		if automatic {
			nextCharge = due
		}
		if outcome == "overdue" && automatic { // charged on the due date and retried every other day
			attempts = 1 + g.r.IntN(3)
			for a := range attempts {
				updated = earliest(due.AddDate(0, 0, 2*a), g.now)
				g.payment(c, id, "charge", "failed", total, a+1, updated, "")
			}
			nextCharge = g.now.AddDate(0, 0, 1+g.r.IntN(3))
		}
	case "void":
		voidedAt = g.between(issued, due)
		updated = voidedAt
	default: // paid, possibly refunded later
		paidAt = g.between(issued, due)
		if g.r.IntN(100) < 10 { // paid late
			paidAt = g.between(due, due.AddDate(0, 0, 10))
		}
		paidAt = earliest(paidAt, g.now)
		if i == c.creditFor && c.credit > 0 && total > 1 { // credit pays at most half
			applied = min(c.credit, total/2)
			c.credit -= applied
			g.w.insert("credit_entries",
				"id", g.id(), "customer", c.id, "invoice", id, "currency", c.currency, "amount", -applied,
				"reason", "applied", "description", "Applied to "+number, "created", ts(paidAt), "updated", ts(paidAt))
		}
		paid = total - applied
		if automatic && g.r.IntN(100) < 8 { // the first charge failed, the retry went through
			attempts++
			g.payment(c, id, "charge", "failed", paid, attempts, g.between(issued, paidAt), "")
		}
		attempts++
		charge := g.payment(c, id, "charge", "succeeded", paid, attempts, paidAt, "")
		updated = paidAt
		if outcome != "paid" {
			refunded = paid
			if outcome == "partially_refunded" && paid >= 2 {
				refunded = paid / 2
			} else {
				status = "refunded" // half of a cent cannot be refunded
			}
			updated = earliest(g.between(paidAt, paidAt.AddDate(0, 0, 20)), g.now)
			g.payment(c, id, "refund", "succeeded", refunded, 1, updated, charge)
		}
		if !automatic {
			attempts = 0 // bank transfers are not charge attempts
		}
	}

	summary := "[]"
	if tax > 0 {
		summary = jsonText([]map[string]any{{"name": c.tax.name, "rate": c.tax.rate, "net": subtotal, "tax": tax}})
	}
	purpose := "renewal"
	if i == 0 {
		purpose = "order"
	}
	g.w.insert("invoices",
		"id", id, "customer", c.id, "number", number, "series", ledger.SeriesInvoice, "purpose", purpose,
		"status", status, "currency", c.currency,
		"subtotal", subtotal, "tax_total", tax, "total", total, "credit_applied", applied,
		"amount_paid", paid, "amount_refunded", refunded, "amount_due", amountDue,
		"issued_at", ts(issued), "due_at", ts(due), "paid_at", ts(paidAt), "voided_at", ts(voidedAt),
		"seller", g.seller, "buyer", c.buyer, "tax_summary", summary, "reverse_charge", c.reverseCharge,
		"charge_attempts", attempts, "next_charge_at", ts(nextCharge),
		"created", ts(issued), "updated", ts(latest(issued, updated)))
	for j, l := range lines {
		g.w.insert("invoice_items",
			"id", g.id(), "invoice", id, "customer", c.id, "subscription", l.subscription, "service", l.service,
			"tax_rate", c.tax.id, "kind", l.kind, "description", l.description, "quantity", l.quantity,
			"unit_amount", l.unit, "amount", l.amount, "tax_rate_value", c.tax.rate, "tax_amount", l.tax,
			"period_start", ts(l.start), "period_end", ts(l.end), "sort_order", j,
			"created", ts(issued), "updated", ts(issued))
	}
}

// createJob queues the create job of a service being set up, as a paid
// order does: its subscription's invoices are mostly paid, and a paid
// service left pending with nothing queued would never be built.
func (g *generator) createJob(service, subscription, status string, created time.Time) {
	if subscription == "" || (status != "pending" && status != "provisioning") {
		return
	}
	g.w.insert("provisioning_jobs",
		"id", g.id(), "service", service, "action", "create", "status", "pending", "dedupe_key", "seed:create:"+service,
		"max_attempts", 8, "run_after", ts(g.now), "requested_by", "seed", "created", ts(created), "updated", ts(created))
}

// payment writes a charge or refund on the customer's gateway and returns
// its id. Gateway ids follow each gateway's style and are unique.
func (g *generator) payment(c *customerRows, invoice, kind, status string, amount int64, attempt int, at time.Time, refundOf string) string {
	id := g.id()
	gatewayID, fee := "", int64(0)
	switch c.gateway {
	case "stripe":
		gatewayID, fee = "pi_"+id, amount*29/1000+30
		if kind == "refund" {
			gatewayID = "re_" + id
		}
	case "paypal":
		gatewayID, fee = strings.ToUpper(id), amount*349/10000+49
	}
	code, message, paidAt, reason := "", "", ts(at), ""
	if status == "failed" {
		d := declines[g.r.IntN(len(declines))]
		code, message, paidAt = d[0], d[1], ""
	}
	if kind == "refund" || status == "failed" {
		fee = 0
	}
	if kind == "refund" {
		reason = "requested_by_customer"
	}
	g.w.insert("payments",
		"id", id, "customer", c.id, "invoice", invoice, "payment_method", c.method, "kind", kind,
		"gateway", c.gateway, "gateway_id", gatewayID, "status", status, "amount", amount, "currency", c.currency,
		"fee", fee, "failure_code", code, "failure_message", message, "reason", reason, "attempt", attempt,
		"paid_at", paidAt, "refund_of", refundOf, "created", ts(at), "updated", ts(at))
	return id
}

func latest(ts ...time.Time) time.Time {
	var out time.Time
	for _, t := range ts {
		if t.After(out) {
			out = t
		}
	}
	return out
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
