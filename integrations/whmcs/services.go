package whmcs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cycle"
)

// subscriptionColumns and serviceColumns are written from WHMCS on every run.
var (
	subscriptionColumns = []string{"customer", "plan", "plan_price", "status", "cycle", "currency", "amount", "anchor_at",
		"anchor_day", "current_period_start", "current_period_end", "billed_until", "cancelled_at", "paypal_subscription_id"}
	serviceColumns = []string{"customer", "subscription", "plan", "label", "service_type", "platform", "status",
		"suspend_reason", "hostname", "domain", "ip_addresses", "options", "activated_at", "terminated_at", "staff_notes"}
)

// Limits of the services schema.
const (
	serviceLabelMax = 120
	serviceHostMax  = 253
	staffNotesMax   = 20000
	paypalIDMax     = 255
)

// hostingCycles maps tblhosting.billingcycle (lower case) to our cycle;
// "" marks the cycles that never renew, whose services get no subscription.
var hostingCycles = map[string]cycle.Cycle{
	"monthly": cycle.Monthly, "quarterly": cycle.Quarterly, "semi-annually": cycle.SemiAnnual,
	"annually": cycle.Annual, "biennially": cycle.Biennial, "triennially": cycle.Triennial,
	"free account": "", "free": "", "one time": "", "onetime": "",
}

// hostingStatuses maps tblhosting.domainstatus to the service's status and
// its subscription's.
var hostingStatuses = map[string]struct{ service, subscription string }{
	"Pending":    {"pending", "pending"},
	"Active":     {"active", "active"},
	"Suspended":  {"suspended", "past_due"},
	"Terminated": {"terminated", "cancelled"},
	"Cancelled":  {"cancelled", "cancelled"},
	"Fraud":      {"cancelled", "cancelled"},
	"Completed":  {"terminated", "expired"},
}

// hosting is a tblhosting row.
type hosting struct {
	id, clientID, productID, serverID                int64
	regdate, nextDue, nextInvoice, terminated, ended sql.NullTime
	domain, amount, billingCycle, status, username   string
	notes, paypalID, suspendReason, dedicatedIP      string
	assignedIPs, gateway, firstPayment               string
	qty, promoID, promoCount                         int64
	hasPassword                                      bool
}

// importServices imports tblhosting: each service becomes a service and,
// when it renews, a subscription billing it. WHMCS's recurring amount is
// the subscription's amount (it already has any recurring discount in
// it, so no coupon is attached). WHMCS's encrypted service passwords
// cannot be read without its key and are never carried over; the login
// name goes into the service's options.
func (im *importer) importServices(ctx context.Context) error {
	r := &serviceRun{im: im, c: im.report.count("services"), sc: im.report.count("subscriptions")}
	if err := im.loadClients(ctx); err != nil {
		return err
	}
	var err error
	if r.products, err = im.idFlags(ctx, "SELECT id, retired FROM tblproducts"); err != nil {
		return err
	}
	if r.servers, err = im.idSet(ctx, "tblservers"); err != nil {
		return err
	}
	if r.plans, err = im.table("plans", &Count{}, []string{"service_type", "platform"}); err != nil {
		return err
	}
	if r.prices, err = im.planPrices(); err != nil {
		return err
	}
	if r.subs, err = im.table("subscriptions", r.sc, subscriptionColumns); err != nil {
		return err
	}
	if r.services, err = im.table("services", r.c, serviceColumns); err != nil {
		return err
	}
	if r.promos, err = im.servicePromotions(ctx); err != nil {
		return err
	}
	rows, err := im.rows(ctx, `SELECT id, userid, packageid, server, regdate, domain, amount, billingcycle, nextduedate,
		nextinvoicedate, termination_date, completed_date, domainstatus, username, password <> '', notes, subscriptionid,
		suspendreason, dedicatedip, assignedips, qty, paymentmethod, firstpaymentamount, promoid, COALESCE(promocount, 0)
		FROM tblhosting ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h hosting
		if err := rows.Scan(&h.id, &h.clientID, &h.productID, &h.serverID, &h.regdate, &h.domain, &h.amount, &h.billingCycle,
			&h.nextDue, &h.nextInvoice, &h.terminated, &h.ended, &h.status, &h.username, &h.hasPassword, &h.notes, &h.paypalID,
			&h.suspendReason, &h.dedicatedIP, &h.assignedIPs, &h.qty, &h.gateway, &h.firstPayment, &h.promoID,
			&h.promoCount); err != nil {
			return err
		}
		r.service(h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range []*table{r.prices.table, r.subs, r.services} {
		if err := im.flush(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// serviceRun is one run of the services step: the tables it writes and
// what it matches WHMCS rows against.
type serviceRun struct {
	im             *importer
	c, sc          *Count
	products       map[int64]bool // every WHMCS product: retired or not
	servers        map[int64]bool // every WHMCS server
	plans          *table         // imported plans, with their service type and platform
	prices         *priceBook
	subs, services *table
	promos         map[int64]servicePromo // every WHMCS promotion, by id
}

// service imports one tblhosting row, or lists it.
func (r *serviceRun) service(h hosting) {
	im := r.im
	r.c.Read++
	cl := im.clients[h.clientID]
	retired, productExists := r.products[h.productID]
	plan := r.plans.byWHMCS[strconv.FormatInt(h.productID, 10)]
	status, statusKnown := hostingStatuses[h.status]
	switch {
	case cl == nil:
		im.report.skip(r.c, h.id, "client %d no longer exists in WHMCS", h.clientID)
		return
	case cl.record == "":
		im.report.skip(r.c, h.id, "client %d was not imported", h.clientID)
		return
	case !productExists:
		im.report.skip(r.c, h.id, "product %d was deleted in WHMCS: a service needs a plan; create the plan and import again, or recreate the service by hand", h.productID)
		return
	case plan == nil:
		im.report.skip(r.c, h.id, "the plan of product %d was not imported", h.productID)
		return
	case !statusKnown:
		im.report.skip(r.c, h.id, "unknown status %q", h.status)
		return
	}
	amount, err := minor(h.amount, cl.currency)
	if err == nil && amount < 0 {
		err = fmt.Errorf("recurring amount %s is negative", h.amount)
	}
	if err != nil {
		im.report.fail(r.c, h.id, err)
		return
	}
	im.serviceNotes(h, retired, r.servers)
	subID := r.subscription(h, cl, plan, status.subscription, amount)
	if subID != "" {
		r.promotionNotes(h)
	}

	name := text(h.domain)
	hostname, domain := name, ""
	if plan.values["service_type"] == "hosting" {
		hostname, domain = "", name
	}
	ips, bad := serviceIPs(h.dedicatedIP, h.assignedIPs)
	if len(bad) > 0 {
		im.report.note("services", h.id, "not IP addresses, left out: %s", strings.Join(bad, ", "))
	}
	var activated time.Time
	if status.service != "pending" {
		activated = date(h.regdate)
	}
	r.services.put(strconv.FormatInt(h.id, 10), map[string]any{
		"customer": cl.record, "subscription": subID, "plan": plan.id, "label": clip(name, serviceLabelMax),
		"service_type": plan.values["service_type"], "platform": plan.values["platform"], "status": status.service,
		"suspend_reason": suspendReason(status.service, h.suspendReason), "hostname": clip(hostname, serviceHostMax),
		"domain": clip(domain, serviceHostMax), "ip_addresses": ips,
		"options":      serviceOptions(text(h.username), h.qty, im.serviceGateway(h.gateway)),
		"activated_at": activated, "terminated_at": terminatedAt(h), "staff_notes": clip(text(h.notes), staffNotesMax),
	})
}

// subscription imports the subscription of a service that renews and
// answers its record id; "" for one that does not.
func (r *serviceRun) subscription(h hosting, cl *client, plan *stored, status string, amount int64) string {
	im := r.im
	billing, known := hostingCycles[strings.ToLower(strings.TrimSpace(h.billingCycle))]
	switch {
	case !known:
		im.report.note("services", h.id, "billing cycle %q: imported without a subscription, so nothing will renew it", h.billingCycle)
		return ""
	case billing == "":
		im.report.note("services", h.id, "%s: imported without a subscription, as nothing renews it (first payment %s)",
			h.billingCycle, strings.TrimSpace(h.firstPayment))
		return ""
	}
	r.sc.Read++
	price := im.planPrice(r.prices, h, plan.id, cl.currency, billing, amount)
	sched, ok := hostingSchedule(billing, date(h.regdate), date(h.nextDue), date(h.nextInvoice))
	if !ok {
		im.report.note("subscriptions", h.id, "no next due date in WHMCS: billing periods left empty; set them before the subscription can renew")
	}
	var cancelledAt time.Time
	if status == "cancelled" {
		cancelledAt = date(h.terminated)
	}
	return r.subs.put(strconv.FormatInt(h.id, 10), map[string]any{
		"customer": cl.record, "plan": plan.id, "plan_price": price, "status": status, "cycle": string(billing),
		"currency": cl.currency, "amount": amount, "anchor_at": sched.anchor, "anchor_day": anchorDay(sched.anchor),
		"current_period_start": sched.start, "current_period_end": sched.end, "billed_until": sched.billedUntil,
		"cancelled_at": cancelledAt, "paypal_subscription_id": paypalSubscription(h.paypalID),
	})
}

// serviceNotes records what staff should know about an imported service.
func (im *importer) serviceNotes(h hosting, retiredProduct bool, servers map[int64]bool) {
	if retiredProduct {
		im.report.note("services", h.id, "product %d is retired in WHMCS: the service is on an archived plan", h.productID)
	}
	if h.serverID != 0 && !servers[h.serverID] {
		im.report.note("services", h.id, "server %d no longer exists in WHMCS: check where the service runs", h.serverID)
	}
	if h.status == "Fraud" {
		im.report.note("services", h.id, "marked Fraud in WHMCS: imported cancelled")
	}
	if h.qty > 1 {
		im.report.note("services", h.id, "quantity %d: EZSCALE services are one unit; the subscription bills WHMCS's recurring amount for all %d", h.qty, h.qty)
	}
	if h.hasPassword {
		im.report.note("services", h.id, "password not imported: WHMCS encrypts it with its own key; the customer resets it on the platform")
	}
	if id := strings.TrimSpace(h.paypalID); id != "" && paypalSubscription(id) == "" {
		im.report.note("services", h.id, "WHMCS subscription %q is not a PayPal subscription: not linked", id)
	}
}

// idSet reads the ids of a WHMCS table.
func (im *importer) idSet(ctx context.Context, table string) (map[int64]bool, error) {
	return im.idFlags(ctx, "SELECT id, TRUE FROM "+table)
}

// idFlags reads (id, flag) rows into a map, e.g. every product and
// whether it is retired.
func (im *importer) idFlags(ctx context.Context, query string) (map[int64]bool, error) {
	rows, err := im.rows(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		var flag bool
		if err := rows.Scan(&id, &flag); err != nil {
			return nil, err
		}
		out[id] = flag
	}
	return out, rows.Err()
}

// priceBook finds a subscription's plan price: the one imported for its
// product, currency and cycle, else one made in EZSCALE for that plan,
// currency and cycle (a plan has one price per currency and cycle).
type priceBook struct {
	table *table
	own   map[[3]string]string // plan, currency, cycle → record id
	count *Count
}

// planPrices loads the plan prices: imported ones by WHMCS key, the ones
// made in EZSCALE by plan, currency and cycle.
func (im *importer) planPrices() (*priceBook, error) {
	c := im.report.count("plan_prices")
	t, err := im.table("plan_prices", c, planPriceColumns)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID       string `db:"id"`
		Plan     string `db:"plan"`
		Currency string `db:"currency"`
		Cycle    string `db:"cycle"`
	}
	err = im.app.DB().Select("id", "plan", "currency", "cycle").From("plan_prices").Where(dbx.HashExp{"whmcs_id": ""}).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("read plan prices: %w", err)
	}
	own := make(map[[3]string]string, len(rows))
	for _, r := range rows {
		own[[3]string{r.Plan, r.Currency, r.Cycle}] = r.ID
	}
	return &priceBook{table: t, own: own, count: c}, nil
}

// planPrice is the price record a service's subscription is on. When the
// product has no price in the client's currency for the service's cycle
// (WHMCS keeps what a customer pays after the cycle is disabled), an
// inactive price with the service's amount is made for it, so it is on
// record and never offered.
func (im *importer) planPrice(b *priceBook, h hosting, planID, currency string, c cycle.Cycle, amount int64) string {
	key := fmt.Sprintf("%d/%s/%s", h.productID, currency, c)
	if id := b.table.id(key); id != "" {
		return id
	}
	if id := b.own[[3]string{planID, currency, string(c)}]; id != "" {
		return id
	}
	b.count.Read++
	im.report.note("plan_prices", key, "product %d has no %s %s price: created inactive at %s, the amount of service %d",
		h.productID, currency, c, decimal(amount, currency), h.id)
	return b.table.put(key, map[string]any{"plan": planID, "currency": currency, "cycle": string(c), "amount": amount,
		"setup_fee": int64(0), "active": false})
}

// hostingSchedule places a WHMCS service on our billing schedule.
// WHMCS's next due date is where the unpaid time starts: the current
// period ends there, one cycle after it started. Periods are counted from
// the registration date when the due dates follow from it (month ends
// clamped, as ours are), else from the next due date, since WHMCS moved it
// (a cycle change, an edit by staff). A service never paid (due on its
// registration date: a pending order) is in its first period, which its
// order invoice bills. Billed until is as far as WHMCS has invoiced: the
// next invoice date when it is later and on the schedule, else the end of
// the current period. ok is false when WHMCS has no next due date: then
// only the anchor is known.
func hostingSchedule(c cycle.Cycle, regdate, nextDue, nextInvoice time.Time) (s subscriptionSchedule, ok bool) {
	if nextDue.IsZero() {
		return subscriptionSchedule{anchor: regdate}, false
	}
	switch {
	case !regdate.IsZero() && !nextDue.After(regdate):
		first := cycle.PeriodAt(nextDue, c, 0)
		s = subscriptionSchedule{anchor: nextDue, start: first.Start, end: first.End}
	case !regdate.IsZero() && onSchedule(regdate, c, nextDue):
		_, n := cycle.PeriodContaining(regdate, c, nextDue)
		s = subscriptionSchedule{anchor: regdate, start: cycle.PeriodAt(regdate, c, n-1).Start, end: nextDue}
	default:
		s = subscriptionSchedule{anchor: nextDue, start: cycle.PeriodAt(nextDue, c, -1).Start, end: nextDue}
	}
	s.billedUntil = s.end
	if nextInvoice.After(s.end) && onSchedule(s.anchor, c, nextInvoice) {
		s.billedUntil = nextInvoice
	}
	return s, true
}

// subscriptionSchedule is where a subscription's periods are counted from,
// its current period and how far it is invoiced.
type subscriptionSchedule struct {
	anchor, start, end, billedUntil time.Time
}

// onSchedule says whether t starts a period of the schedule anchored at anchor.
func onSchedule(anchor time.Time, c cycle.Cycle, t time.Time) bool {
	p, _ := cycle.PeriodContaining(anchor, c, t)
	return p.Start.Equal(t)
}

func anchorDay(anchor time.Time) int {
	if anchor.IsZero() {
		return 0
	}
	return anchor.Day()
}

// suspendReason of a suspended service: overdue when WHMCS suspended it
// for non-payment ("Overdue on Payment"), which a payment lifts, else
// staff's.
func suspendReason(status, whmcsReason string) string {
	if status != "suspended" {
		return ""
	}
	r := strings.ToLower(whmcsReason)
	if strings.Contains(r, "overdue") || strings.Contains(r, "payment") {
		return "overdue"
	}
	return "staff"
}

// terminatedAt is when a service ended: WHMCS's termination date, or for a
// completed one (a one-time job done) its completion date.
func terminatedAt(h hosting) time.Time {
	if t := date(h.terminated); !t.IsZero() || h.status != "Completed" {
		return t
	}
	return date(h.ended)
}

// serviceIPs is the JSON list of a service's dedicated and assigned
// addresses (one per line in WHMCS, sometimes separated by commas or
// spaces), duplicates dropped; bad lists what is neither an address nor a
// prefix.
func serviceIPs(dedicated, assigned string) (ips types.JSONRaw, bad []string) {
	list := []string{}
	split := func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }
	for _, f := range strings.FieldsFunc(dedicated+"\n"+assigned, split) {
		_, errAddr := netip.ParseAddr(f)
		_, errPrefix := netip.ParsePrefix(f)
		switch {
		case errAddr != nil && errPrefix != nil:
			bad = append(bad, f)
		case !slices.Contains(list, f):
			list = append(list, f)
		}
	}
	raw, _ := json.Marshal(list)
	return raw, bad
}

// serviceOptions holds the login name WHMCS had for the service, how many
// units it was (WHMCS 8 sells a product in quantities; the recurring
// amount is for all of them) when more than one, and the gateway it was
// paid through.
func serviceOptions(username string, qty int64, gateway string) types.JSONRaw {
	opts := map[string]any{}
	if username != "" {
		opts["username"] = username
	}
	if qty > 1 {
		opts["quantity"] = qty
	}
	if gateway != "" {
		opts["gateway"] = gateway
	}
	raw, _ := json.Marshal(opts)
	return raw
}

// serviceGateway is our gateway for the service's WHMCS payment module
// (tblhosting.paymentmethod); "" when it names none.
func (im *importer) serviceGateway(module string) string {
	if strings.TrimSpace(module) == "" {
		return ""
	}
	return im.paymentGateway(module)
}

// paypalSubscription is WHMCS's subscription id when it is PayPal's ("I-…"):
// linked, a renewal PayPal collects pays the subscription's open invoice.
func paypalSubscription(id string) string {
	id = strings.TrimSpace(id)
	if !strings.HasPrefix(id, "I-") || len(id) > paypalIDMax {
		return ""
	}
	return id
}
