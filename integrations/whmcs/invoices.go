package whmcs

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/internal/settings"
)

// invoiceColumns and invoiceItemColumns are written from WHMCS on every run.
var (
	invoiceColumns = []string{"customer", "number", "series", "status", "currency", "subtotal", "discount_total", "tax_total",
		"total", "credit_applied", "amount_paid", "amount_refunded", "amount_due", "issued_at", "due_at", "paid_at", "voided_at",
		"seller", "buyer", "tax", "tax_summary", "reverse_charge", "notes"}
	invoiceItemColumns = []string{"invoice", "customer", "subscription", "service", "kind", "description", "quantity",
		"unit_amount", "amount", "tax_rate_value", "tax_amount", "period_start", "sort_order"}
)

// Limits of the invoicing schema.
const (
	invoiceNumberMax = 64
	invoiceNotesMax  = 5000
	itemTextMax      = 500
)

// invoiceSeries is the number series of imported invoices: their WHMCS
// numbers stay theirs and never enter our gapless series.
const invoiceSeries = "whmcs"

// invoiceStatuses maps tblinvoices.status to ours.
var invoiceStatuses = map[string]string{
	"Paid": ledger.StatusPaid, "Unpaid": ledger.StatusOpen, "Payment Pending": ledger.StatusOpen,
	"Collections": ledger.StatusUncollectible, "Draft": ledger.StatusDraft, "Cancelled": ledger.StatusVoid,
	"Refunded": ledger.StatusRefunded,
}

// itemKinds maps tblinvoiceitems.type (lower case) to a line kind; any
// other type (Item, Addon, Domain, Upgrade, AddFunds, …) is an adjustment.
var itemKinds = map[string]string{
	"hosting": "period", "setup": "setup", "promohosting": "discount", "promodomain": "discount",
	"groupdiscount": "discount", "latefee": "adjustment",
}

// serviceItemTypes are the item types whose relid is a tblhosting id.
var serviceItemTypes = map[string]bool{"hosting": true, "setup": true, "promohosting": true}

// whmcsInvoice is a tblinvoices row, its lines and what was paid on it.
type whmcsInvoice struct {
	id, clientID                       int64
	number, status, notes              string
	date, dueDate, datePaid, cancelled sql.NullTime
	subtotal, credit, tax, tax2, total string
	taxRate, taxRate2                  string
	paidIn, paidOut                    string // SUM(amountin), SUM(amountout) of its transactions
	items                              []*whmcsItem
}

// whmcsItem is a tblinvoiceitems row.
type whmcsItem struct {
	id, invoiceID, relID int64
	kind, description    string
	amount               string
	taxed                bool
	dueDate              sql.NullTime
}

// invoiceMoney is an invoice's figures in minor units of its currency.
type invoiceMoney struct {
	subtotal, credit, tax, tax2, total, paid, refunded int64
	items                                              []int64
}

// importInvoices imports tblinvoices and their lines as they were in
// WHMCS: their numbers (in their own series), dates, tax and status, and
// totals kept even where they disagree with the lines (listed). WHMCS's
// total is what was left after credit; ours is before it, so total −
// credit applied is WHMCS's total. Lines carry no tax of their own: WHMCS
// taxes the invoice, so the tax is on the invoice and its summary. With
// inclusive tax (tblconfiguration TaxType) the line amounts already hold
// the tax: WHMCS's total is the lines less credit, and the lines are
// marked tax-inclusive so a recomputation never adds the tax again.
// Mass-pay invoices are listed, not imported (see loadMassPay). Every
// WHMCS table is read with one query and matched in memory.
func (im *importer) importInvoices(ctx context.Context) error {
	r := &invoiceRun{im: im, c: im.report.count("invoices"), ic: im.report.count("invoice_items"),
		treatments: treatmentCache{}, numbers: map[string]int64{}}
	if err := im.loadClients(ctx); err != nil {
		return err
	}
	var err error
	if r.tax, err = im.loadTaxConfig(ctx); err != nil {
		return err
	}
	if r.massPay, err = im.loadMassPay(ctx); err != nil {
		return err
	}
	invoices, err := im.readInvoices(ctx)
	if err != nil {
		return err
	}
	orphans, err := im.readInvoiceItems(ctx, invoices)
	if err != nil {
		return err
	}
	if r.serviceIDs, err = im.idSet(ctx, "tblhosting"); err != nil {
		return err
	}
	if r.services, err = im.table("services", &Count{}, []string{"subscription"}); err != nil {
		return err
	}
	if r.parties, err = im.invoiceParties(); err != nil {
		return err
	}
	if r.taken, err = im.foreignValues("invoices", "number"); err != nil {
		return err
	}
	if r.invoices, err = im.table("invoices", r.c, invoiceColumns); err != nil {
		return err
	}
	if r.items, err = im.table("invoice_items", r.ic, r.itemColumns()); err != nil {
		return err
	}
	for _, it := range orphans {
		r.ic.Read++
		im.report.skip(r.ic, it.id, "invoice %d does not exist in WHMCS", it.invoiceID)
	}
	r.periods = claimPeriods(invoices, r.services)
	for n, inv := range invoices {
		im.progress("invoices", n+1, len(invoices))
		r.invoice(inv)
	}
	if err := im.flush(ctx, r.invoices); err != nil {
		return err
	}
	return im.flush(ctx, r.items)
}

// invoiceRun is one run of the invoices step: the tables it writes and
// what it matches WHMCS rows against.
type invoiceRun struct {
	im              *importer
	c, ic           *Count
	invoices, items *table
	services        *table         // imported services, with their subscription
	serviceIDs      map[int64]bool // every WHMCS service
	periods         map[int64]bool // the period lines that link their subscription
	parties         invoiceParties
	treatments      treatmentCache
	numbers         map[string]int64 // number → WHMCS invoice given it this run
	taken           map[string]bool  // numbers of invoices made in EZSCALE
	tax             taxConfig
	massPay         map[int64][]int64
}

// itemColumns are the line columns written: tax_inclusive only for an
// inclusive-tax WHMCS, so the lines an exclusive one imported before keep
// the digest (whmcs_hash) they were written with.
func (r *invoiceRun) itemColumns() []string {
	if r.tax.inclusive {
		return append(slices.Clone(invoiceItemColumns), "tax_inclusive")
	}
	return invoiceItemColumns
}

// invoice imports one invoice with its lines, or lists it, and adds it to
// the report's sums.
func (r *invoiceRun) invoice(inv *whmcsInvoice) {
	im := r.im
	r.c.Read++
	r.ic.Read += len(inv.items)
	cl := im.clients[inv.clientID]
	sumCurrency := "_no_client"
	switch {
	case cl != nil && cl.currency != "":
		sumCurrency = cl.currency
	case cl != nil:
		sumCurrency = "_unknown_currency"
	}
	m, err := im.invoiceFigures(inv, sumCurrency)
	if err != nil {
		im.report.fail(r.c, inv.id, err)
		r.skipItems(inv, "its invoice failed to import")
		return
	}
	sum := im.money["invoices"].at(sumCurrency, inv.status)
	sum.WHMCS += m.total
	status, known := invoiceStatuses[inv.status]
	reason := ""
	switch {
	case cl == nil:
		reason = fmt.Sprintf("client %d no longer exists in WHMCS: an invoice needs a customer", inv.clientID)
	case cl.record == "":
		reason = fmt.Sprintf("client %d was not imported", inv.clientID)
	case !known:
		reason = fmt.Sprintf("unknown status %q", inv.status)
	case r.massPay[inv.id] != nil:
		reason = fmt.Sprintf("mass-pay invoice of invoices %s: WHMCS turned its payment into credit that paid them, so the revenue is "+
			"theirs and counted there once; its payment is imported without an invoice", idList(r.massPay[inv.id]))
	}
	if reason != "" {
		sum.Excluded += m.total
		im.report.skip(r.c, inv.id, "%s", reason)
		r.skipItems(inv, fmt.Sprintf("invoice %d was not imported", inv.id))
		return
	}
	cur := cl.currency
	lines := sumOf(m.items)
	switch {
	case r.tax.inclusive && m.total != lines-m.credit:
		im.report.note("invoices", inv.id, "total %s disagrees with its lines: items %s (tax %s included) − credit %s = %s; imported as WHMCS has it",
			decimal(m.total, cur), decimal(lines, cur), decimal(m.tax+m.tax2, cur), decimal(m.credit, cur), decimal(lines-m.credit, cur))
	case !r.tax.inclusive && m.total != lines+m.tax+m.tax2-m.credit:
		im.report.note("invoices", inv.id, "total %s disagrees with its lines: items %s + tax %s − credit %s = %s; imported as WHMCS has it",
			decimal(m.total, cur), decimal(lines, cur), decimal(m.tax+m.tax2, cur), decimal(m.credit, cur),
			decimal(lines+m.tax+m.tax2-m.credit, cur))
	}
	if paid := paidInvoices(inv); len(paid) > 0 {
		im.report.note("invoices", inv.id, "pays invoices %s among other lines: imported as it is, so their revenue is on both", idList(paid))
	}
	status = paidStatus(status, m.paid, m.refunded)
	rate1, rate2 := im.invoiceRate(inv.id, inv.taxRate), im.invoiceRate(inv.id, inv.taxRate2)
	var taxedNet int64
	for i, it := range inv.items {
		if it.taxed {
			taxedNet += m.items[i]
		}
	}
	if r.tax.inclusive {
		taxedNet -= m.tax + m.tax2
	}
	var paidAt, voidedAt time.Time
	switch status {
	case ledger.StatusPaid, ledger.StatusPartiallyRefunded, ledger.StatusRefunded:
		paidAt = date(inv.datePaid)
	case ledger.StatusVoid:
		voidedAt = date(inv.cancelled)
	}
	total := m.total + m.credit
	id := r.invoices.put(strconv.FormatInt(inv.id, 10), map[string]any{
		"customer": cl.record, "number": r.number(inv), "series": invoiceSeries, "status": status, "currency": cur,
		"subtotal": m.subtotal, "discount_total": int64(0), "tax_total": m.tax + m.tax2, "total": total,
		"credit_applied": m.credit, "amount_paid": m.paid, "amount_refunded": m.refunded,
		"amount_due": amountDue(status, total, m.credit, m.paid), "issued_at": date(inv.date), "due_at": date(inv.dueDate),
		"paid_at": paidAt, "voided_at": voidedAt, "seller": r.parties.seller, "buyer": r.parties.buyer[cl.record],
		"tax": r.treatments.get(rate1, r.tax.inclusive, m.tax, m.tax2), "tax_summary": invoiceTaxSummary(rate1, rate2, taxedNet, m.tax, m.tax2, r.tax.compound),
		"reverse_charge": false, "notes": clip(text(inv.notes), invoiceNotesMax),
	})
	sum.Imported += total - m.credit
	r.lines(inv, m, id, cl.record, rate1)
}

// number is the invoice's WHMCS number, made unique: WHMCS does not keep
// its sequential numbers unique, and one may be an id another shows.
func (r *invoiceRun) number(inv *whmcsInvoice) string {
	number := invoiceNumber(inv.id, inv.number)
	if other, dup := r.numbers[number]; dup || r.taken[number] {
		alt := clip(fmt.Sprintf("WHMCS-%s-%d", text(inv.number), inv.id), invoiceNumberMax)
		owner := "an invoice made in EZSCALE"
		if dup {
			owner = fmt.Sprintf("invoice %d", other)
		}
		r.im.report.note("invoices", inv.id, "number %s is also %s's: numbered %s", number, owner, alt)
		number = alt
	}
	r.numbers[number] = inv.id
	return number
}

// lines imports an invoice's lines, in WHMCS's order, each linked to the
// service it bills when that was imported.
func (r *invoiceRun) lines(inv *whmcsInvoice, m invoiceMoney, invoiceID, customer string, rate int64) {
	for i, it := range inv.items {
		serviceID, subscriptionID, periodStart := "", "", time.Time{}
		kind := itemKind(it.kind)
		if serviceItemTypes[strings.ToLower(it.kind)] && it.relID != 0 {
			svc := r.services.byWHMCS[strconv.FormatInt(it.relID, 10)]
			switch {
			case svc != nil:
				serviceID, subscriptionID = svc.id, svc.values["subscription"]
			case r.serviceIDs[it.relID]:
				r.im.report.note("invoice_items", it.id, "service %d was not imported: line kept without it", it.relID)
			default:
				r.im.report.note("invoice_items", it.id, "service %d no longer exists in WHMCS: line kept without it", it.relID)
			}
		}
		if kind == "period" && subscriptionID != "" {
			if r.periods[it.id] {
				periodStart = date(it.dueDate)
			} else {
				subscriptionID = ""
			}
		}
		var lineRate int64
		if it.taxed {
			lineRate = rate
		}
		r.items.put(strconv.FormatInt(it.id, 10), map[string]any{
			"invoice": invoiceID, "customer": customer, "subscription": subscriptionID, "service": serviceID,
			"kind": kind, "description": itemDescription(it), "quantity": int64(1), "unit_amount": m.items[i],
			"amount": m.items[i], "tax_rate_value": lineRate, "tax_amount": int64(0), "period_start": periodStart,
			"sort_order": int64(i), "tax_inclusive": it.taxed && r.tax.inclusive,
		})
	}
}

func (r *invoiceRun) skipItems(inv *whmcsInvoice, reason string) {
	for _, it := range inv.items {
		r.im.report.skip(r.ic, it.id, "%s", reason)
	}
}

// readInvoices reads every invoice with the sums of its transactions.
func (im *importer) readInvoices(ctx context.Context) ([]*whmcsInvoice, error) {
	paid := map[int64][2]string{}
	rows, err := im.rows(ctx, "SELECT invoiceid, SUM(amountin), SUM(amountout) FROM tblaccounts WHERE invoiceid <> 0 GROUP BY invoiceid")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var in, out string
		if err := rows.Scan(&id, &in, &out); err != nil {
			return nil, err
		}
		paid[id] = [2]string{in, out}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	rows, err = im.rows(ctx, `SELECT id, userid, invoicenum, date, duedate, datepaid, date_cancelled, subtotal, credit, tax, tax2,
		total, taxrate, taxrate2, status, notes FROM tblinvoices ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*whmcsInvoice
	for rows.Next() {
		inv := &whmcsInvoice{}
		if err := rows.Scan(&inv.id, &inv.clientID, &inv.number, &inv.date, &inv.dueDate, &inv.datePaid, &inv.cancelled,
			&inv.subtotal, &inv.credit, &inv.tax, &inv.tax2, &inv.total, &inv.taxRate, &inv.taxRate2, &inv.status, &inv.notes); err != nil {
			return nil, err
		}
		inv.paidIn, inv.paidOut = "0", "0"
		if p, ok := paid[inv.id]; ok {
			inv.paidIn, inv.paidOut = p[0], p[1]
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// readInvoiceItems attaches every line to its invoice, in id order, and
// answers the lines whose invoice does not exist.
func (im *importer) readInvoiceItems(ctx context.Context, invoices []*whmcsInvoice) (orphans []*whmcsItem, err error) {
	byID := make(map[int64]*whmcsInvoice, len(invoices))
	for _, inv := range invoices {
		byID[inv.id] = inv
	}
	rows, err := im.rows(ctx, "SELECT id, invoiceid, type, relid, description, amount, taxed, duedate FROM tblinvoiceitems ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		it := &whmcsItem{}
		if err := rows.Scan(&it.id, &it.invoiceID, &it.kind, &it.relID, &it.description, &it.amount, &it.taxed, &it.dueDate); err != nil {
			return nil, err
		}
		if inv := byID[it.invoiceID]; inv != nil {
			inv.items = append(inv.items, it)
		} else {
			orphans = append(orphans, it)
		}
	}
	return orphans, rows.Err()
}

// invoiceFigures reads an invoice's decimals in its currency. Invoices of
// deleted clients have none: WHMCS keeps two decimals, so they are read in
// the default currency, for the report's sums only.
func (im *importer) invoiceFigures(inv *whmcsInvoice, currency string) (invoiceMoney, error) {
	if len(currency) != 3 {
		currency = im.defaultCur
	}
	var m invoiceMoney
	for _, f := range []struct {
		name, dec string
		to        *int64
	}{{"subtotal", inv.subtotal, &m.subtotal}, {"credit", inv.credit, &m.credit}, {"tax", inv.tax, &m.tax},
		{"tax2", inv.tax2, &m.tax2}, {"total", inv.total, &m.total}, {"payments", inv.paidIn, &m.paid},
		{"refunds", inv.paidOut, &m.refunded}} {
		v, err := minor(f.dec, currency)
		if err != nil {
			return m, fmt.Errorf("%s %q: %w", f.name, f.dec, err)
		}
		*f.to = v
	}
	if m.credit < 0 || m.tax < 0 || m.tax2 < 0 || m.total+m.credit < 0 {
		return m, fmt.Errorf("negative credit, tax or total (credit %s, tax %s + %s, total %s)", inv.credit, inv.tax, inv.tax2, inv.total)
	}
	for _, it := range inv.items {
		v, err := minor(it.amount, currency)
		if err != nil {
			return m, fmt.Errorf("line %d amount %q: %w", it.id, it.amount, err)
		}
		m.items = append(m.items, v)
	}
	return m, nil
}

// invoiceRate is a WHMCS tax rate in thousandths of a percent; one our
// schema cannot hold is noted and left out.
func (im *importer) invoiceRate(id int64, dec string) int64 {
	r, err := percentThousandths(dec)
	if err != nil || r > maxTaxRate {
		im.report.note("invoices", id, "tax rate %q is not a percentage between 0 and 100: left off its lines", dec)
		return 0
	}
	return r
}

// invoiceParties are the seller (the company as the settings describe it)
// and the buyer per customer record (as the imported customer describes
// them), in the shape the ledger freezes on an invoice when it issues it.
//
// They are JSON text, shared by every invoice of a customer rather than
// encoded per invoice.
type invoiceParties struct {
	seller string
	buyer  map[string]string
}

func (im *importer) invoiceParties() (invoiceParties, error) {
	p := invoiceParties{buyer: map[string]string{}}
	s, err := settings.Load(im.app)
	if err != nil {
		return p, fmt.Errorf("settings: %w", err)
	}
	raw, err := json.Marshal(ledger.SellerParty(s))
	if err != nil {
		return p, err
	}
	p.seller = string(raw)
	customers, err := im.app.FindRecordsByFilter("customers", "whmcs_id != ''", "", 0, 0)
	if err != nil {
		return p, fmt.Errorf("read imported customers: %w", err)
	}
	for _, rec := range customers {
		if raw, err = json.Marshal(ledger.BuyerParty(rec)); err != nil {
			return p, err
		}
		p.buyer[rec.Id] = string(raw)
	}
	return p, nil
}

// claimPeriods picks the period lines that link their subscription: one
// per subscription and due date, as a unique index keeps a period from
// being billed twice. WHMCS has duplicate lines, and bills a period again
// after cancelling its invoice: the first line in id order of an invoice
// that is not void claims the period. The others keep their service only;
// so do the lines of void invoices, which nothing pays any more.
func claimPeriods(invoices []*whmcsInvoice, services *table) map[int64]bool {
	claimed := map[string]bool{}
	out := map[int64]bool{}
	for _, inv := range invoices {
		if invoiceStatuses[inv.status] == ledger.StatusVoid {
			continue
		}
		for _, it := range inv.items {
			if itemKind(it.kind) != "period" {
				continue
			}
			svc := services.byWHMCS[strconv.FormatInt(it.relID, 10)]
			if svc == nil || svc.values["subscription"] == "" {
				continue
			}
			key := svc.values["subscription"] + "/" + date(it.dueDate).String()
			if !claimed[key] {
				claimed[key] = true
				out[it.id] = true
			}
		}
	}
	return out
}

// paidStatus is a paid invoice partly refunded: WHMCS keeps it Paid.
func paidStatus(status string, paid, refunded int64) string {
	if status == ledger.StatusPaid && refunded > 0 && refunded < paid {
		return ledger.StatusPartiallyRefunded
	}
	return status
}

// amountDue is what is left to pay on an invoice still to be paid (a
// draft carries what it will ask for, as the ledger keeps it); a settled
// or void one owes nothing.
func amountDue(status string, total, credit, paid int64) int64 {
	switch status {
	case ledger.StatusOpen, ledger.StatusDraft, ledger.StatusUncollectible:
		return max(0, total-credit-paid)
	}
	return 0
}

// invoiceNumber is the number WHMCS showed: its sequential number when it
// had one, else its id.
func invoiceNumber(id int64, invoicenum string) string {
	n := text(invoicenum)
	if n == "" {
		n = fmt.Sprint(id)
	}
	return clip("WHMCS-"+n, invoiceNumberMax)
}

// itemDescription is a line's text, which our lines require: an empty
// one is named by its WHMCS type.
func itemDescription(it *whmcsItem) string {
	if d := clip(text(it.description), itemTextMax); d != "" {
		return d
	}
	if d := clip(text(it.kind), itemTextMax); d != "" {
		return d
	}
	return "Invoice line"
}

// itemKind is the line kind of a WHMCS item type.
func itemKind(whmcsType string) string {
	if k, ok := itemKinds[strings.ToLower(strings.TrimSpace(whmcsType))]; ok {
		return k
	}
	return "adjustment"
}

// invoiceTreatment is the tax treatment stored on an imported invoice, so
// its lines show WHMCS's (level 1) rate: charged when WHMCS charged tax,
// inclusive when its prices held the tax.
func invoiceTreatment(rate int64, inclusive, charged bool) string {
	raw, _ := json.Marshal(ledger.Treatment{Name: "Tax", Rate: rate, Inclusive: inclusive, Charge: charged, Reason: "as invoiced by WHMCS"})
	return string(raw)
}

// invoiceTaxSummary is the per-rate summary an invoice prints: WHMCS's
// level 1 tax and, when charged, its level 2 tax, each on the taxed lines
// net of tax; a compound level 2 tax (TaxL2Compound) is charged on them
// plus the level 1 tax.
func invoiceTaxSummary(rate1, rate2, taxedNet, tax1, tax2 int64, compound bool) string {
	if tax1 == 0 && tax2 == 0 {
		return "[]"
	}
	rows := []tax.SummaryRow{}
	if tax1 != 0 {
		rows = append(rows, tax.SummaryRow{Name: "Tax", Rate: rate1, Net: taxedNet, Tax: tax1})
	}
	if tax2 != 0 {
		net := taxedNet
		if compound {
			net += tax1
		}
		rows = append(rows, tax.SummaryRow{Name: "Tax (level 2)", Rate: rate2, Net: net, Tax: tax2})
	}
	raw, _ := json.Marshal(rows)
	return string(raw)
}

// treatmentCache holds the few distinct treatments, by rate and whether
// tax was charged, encoded once.
type treatmentCache map[treatmentKey]string

type treatmentKey struct {
	rate               int64
	inclusive, charged bool
}

func (c treatmentCache) get(rate int64, inclusive bool, tax1, tax2 int64) string {
	k := treatmentKey{rate, inclusive, tax1 != 0 || tax2 != 0}
	s, ok := c[k]
	if !ok {
		s = invoiceTreatment(k.rate, k.inclusive, k.charged)
		c[k] = s
	}
	return s
}

// paidInvoices are the invoices an invoice's Invoice lines pay (a mass
// payment mixed with other lines; a pure one is not imported).
func paidInvoices(inv *whmcsInvoice) []int64 {
	var out []int64
	for _, it := range inv.items {
		if strings.EqualFold(strings.TrimSpace(it.kind), "Invoice") {
			out = append(out, it.relID)
		}
	}
	return out
}

func sumOf(v []int64) int64 {
	var s int64
	for _, x := range v {
		s += x
	}
	return s
}
