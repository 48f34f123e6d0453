package ledger

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/money"
)

// PaidUntil is where the paid time of a subscription between from and to
// ends: the latest end, capped at to, of the periods paid for in that span,
// or from when none is. Credit that returns unused time names the span up
// to it, not time that was billed and never paid.
func PaidUntil(app core.App, subscriptionID string, from, to time.Time) (time.Time, error) {
	lines, err := paidLines(app, subscriptionID, from, to)
	if err != nil {
		return from, fmt.Errorf("paid time of subscription %s: %w", subscriptionID, err)
	}
	until := from
	for _, l := range lines {
		if l.end.After(until) {
			until = l.end
		}
	}
	if until.After(to) {
		until = to
	}
	return until, nil
}

// PaidValue is what a customer actually paid for a subscription's time
// between from and to, tax included, less the credit already returned for
// that time. It is the most a downgrade or a cancellation may give back:
// a list price says what the time would cost, not what was paid for it (a
// 100 % coupon paid nothing; a forever coupon paid half).
//
// It counts the period and proration lines of the subscription on paid
// invoices, each net of its share of the coupon discounts on the same
// invoice and service, scaled down by what was refunded of the invoice,
// and prorated to the second over the part of the line's period that lies
// between from and to. Every share is rounded down and every credit
// already given rounded up, so the result never exceeds what was paid.
func PaidValue(app core.App, subscriptionID string, from, to time.Time) (int64, error) {
	if !to.After(from) {
		return 0, nil
	}
	lines, err := paidLines(app, subscriptionID, from, to)
	if err != nil {
		return 0, fmt.Errorf("paid value of subscription %s: %w", subscriptionID, err)
	}
	var value int64
	for _, l := range lines {
		v := l.discounted()
		if l.invoiceTotal > 0 && l.refunded > 0 {
			v = money.MulRatioFloor(v, max(l.invoiceTotal-l.refunded, 0), l.invoiceTotal)
		}
		value += money.MulRatioFloor(max(v, 0), overlap(l.start, l.end, from, to), int64(l.end.Sub(l.start)/time.Second))
	}
	returned, err := returnedCredit(app, subscriptionID, from, to)
	if err != nil {
		return 0, fmt.Errorf("paid value of subscription %s: %w", subscriptionID, err)
	}
	return max(value-returned, 0), nil
}

// paidLine is a billed span of a subscription with what its invoice says
// about the money behind it.
type paidLine struct {
	Invoice       string `db:"invoice"`
	Subscription  string `db:"subscription"`
	Service       string `db:"service"`
	Amount        int64  `db:"amount"`
	Tax           int64  `db:"tax_amount"`
	Inclusive     bool   `db:"tax_inclusive"`
	PeriodStart   string `db:"period_start"`
	PeriodEnd     string `db:"period_end"`
	InvoiceTotal  int64  `db:"total"`
	Refunded      int64  `db:"amount_refunded"`
	start, end    time.Time
	gross         int64
	invoiceTotal  int64
	refunded      int64
	baseGross     int64 // the service's non-discount lines on the invoice
	discountGross int64 // the service's discount lines on the invoice (negative)
	// Discount lines that name no service (orders placed before discounts
	// named theirs) are spread over the whole invoice.
	invoiceBase, invoiceDiscount int64
}

// discounted is what the line cost with tax, less its share of the
// coupon discounts on its invoice.
func (l *paidLine) discounted() int64 {
	v := l.gross
	if l.baseGross > 0 && l.discountGross != 0 {
		v = money.MulRatioFloor(v, l.baseGross+l.discountGross, l.baseGross)
	}
	if l.invoiceBase > 0 && l.invoiceDiscount != 0 {
		v = money.MulRatioFloor(v, l.invoiceBase+l.invoiceDiscount, l.invoiceBase)
	}
	return max(v, 0)
}

// RefundLimit is the most an invoice may have refunded in all: what was
// paid on it, and less where some of the time it paid for was already
// given back as credit (a downgrade, a cancellation), so that a refund
// never returns in money what credit returned already. A refund takes
// its share of every line, so each line whose time was credited bounds
// the refunds R by value × (total − R) / total ≥ credited.
func RefundLimit(app core.App, inv *Invoice) (int64, error) {
	limit, total := inv.GetInt64("amount_paid"), inv.Total()
	lines, err := timeLines(app, "it.invoice = {:inv}", dbx.Params{"inv": inv.Id})
	if err != nil {
		return 0, fmt.Errorf("refund limit of invoice %s: %w", Label(inv), err)
	}
	for _, l := range lines {
		credited, err := returnedCredit(app, l.Subscription, l.start, l.end)
		if err != nil {
			return 0, fmt.Errorf("refund limit of invoice %s: %w", Label(inv), err)
		}
		if credited == 0 || total <= 0 {
			continue
		}
		v := l.discounted()
		if credited >= v {
			return 0, nil
		}
		limit = min(limit, total+money.MulRatioFloor(-credited, total, v)) // total − ⌈credited × total / value⌉
	}
	return max(limit, 0), nil
}

func paidLines(app core.App, subscriptionID string, from, to time.Time) ([]*paidLine, error) {
	return timeLines(app, `it.subscription = {:sub} AND it.period_end > {:from} AND it.period_start < {:to}
			AND inv.status IN ('paid', 'partially_refunded', 'refunded')`,
		dbx.Params{"sub": subscriptionID, "from": from.UTC().Format(types.DefaultDateLayout), "to": to.UTC().Format(types.DefaultDateLayout)})
}

// timeLines are the period and proration lines matching where (on it, the
// line, and inv, its invoice), each with the discounts that share it.
func timeLines(app core.App, where string, params dbx.Params) ([]*paidLine, error) {
	var rows []*paidLine
	err := app.DB().NewQuery(`SELECT it.invoice, it.subscription, it.service, it.amount, it.tax_amount, it.tax_inclusive,
			it.period_start, it.period_end, inv.total, inv.amount_refunded
		FROM invoice_items it JOIN invoices inv ON inv.id = it.invoice
		WHERE it.kind IN ('period', 'proration') AND it.waived = FALSE AND it.subscription != ''
			AND it.period_start != '' AND ` + where).Bind(params).All(&rows)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	invoices := make([]any, 0, len(rows))
	for _, l := range rows {
		if l.start, err = time.Parse(types.DefaultDateLayout, l.PeriodStart); err != nil {
			return nil, fmt.Errorf("line of invoice %s: period start %q: %w", l.Invoice, l.PeriodStart, err)
		}
		if l.end, err = time.Parse(types.DefaultDateLayout, l.PeriodEnd); err != nil {
			return nil, fmt.Errorf("line of invoice %s: period end %q: %w", l.Invoice, l.PeriodEnd, err)
		}
		l.gross = lineGross(l.Amount, l.Tax, l.Inclusive)
		l.invoiceTotal, l.refunded = l.InvoiceTotal, l.Refunded
		invoices = append(invoices, l.Invoice)
	}

	// What the coupon took off a service's lines on each invoice.
	var others []struct {
		Invoice   string `db:"invoice"`
		Service   string `db:"service"`
		Kind      string `db:"kind"`
		Amount    int64  `db:"amount"`
		Tax       int64  `db:"tax_amount"`
		Inclusive bool   `db:"tax_inclusive"`
	}
	err = app.DB().Select("invoice", "service", "kind", "amount", "tax_amount", "tax_inclusive").From(ItemsCollection).
		Where(dbx.In("invoice", invoices...)).AndWhere(dbx.HashExp{"waived": false}).All(&others)
	if err != nil {
		return nil, err
	}
	base, discount := map[string]int64{}, map[string]int64{}
	invoiceBase, invoiceDiscount := map[string]int64{}, map[string]int64{}
	for _, o := range others {
		gross := lineGross(o.Amount, o.Tax, o.Inclusive)
		switch {
		case o.Kind != KindDiscount:
			base[o.Invoice+"/"+o.Service] += gross
			invoiceBase[o.Invoice] += gross
		case o.Service == "":
			invoiceDiscount[o.Invoice] += gross
		default:
			discount[o.Invoice+"/"+o.Service] += gross
		}
	}
	for _, l := range rows {
		key := l.Invoice + "/" + l.Service
		l.baseGross, l.discountGross = base[key], discount[key]
		l.invoiceBase, l.invoiceDiscount = invoiceBase[l.Invoice], invoiceDiscount[l.Invoice]
	}
	return rows, nil
}

// returnedCredit is the credit already given back for the subscription's
// time between from and to, each entry prorated over the span it names and
// rounded up.
func returnedCredit(app core.App, subscriptionID string, from, to time.Time) (int64, error) {
	var rows []struct {
		Amount int64  `db:"amount"`
		Start  string `db:"period_start"`
		End    string `db:"period_end"`
	}
	err := app.DB().Select("amount", "period_start", "period_end").From(CreditCollection).
		Where(dbx.HashExp{"subscription": subscriptionID, "reason": []any{CreditDowngrade, CreditCancellation}}).
		AndWhere(dbx.NewExp("period_end > {:from} AND period_start < {:to}",
			dbx.Params{"from": from.UTC().Format(types.DefaultDateLayout), "to": to.UTC().Format(types.DefaultDateLayout)})).
		All(&rows)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, r := range rows {
		start, err1 := time.Parse(types.DefaultDateLayout, r.Start)
		end, err2 := time.Parse(types.DefaultDateLayout, r.End)
		if err1 != nil || err2 != nil || !end.After(start) {
			total += r.Amount // a span that cannot be read counts whole
			continue
		}
		span := int64(end.Sub(start) / time.Second)
		total += -money.MulRatioFloor(-r.Amount, overlap(start, end, from, to), span) // rounded up
	}
	return total, nil
}

// lineGross is what a line costs with tax: an inclusive amount already has it.
func lineGross(amount, tax int64, inclusive bool) int64 {
	if inclusive {
		return amount
	}
	return amount + tax
}

// overlap is how many whole seconds [aStart, aEnd) and [bStart, bEnd) share.
func overlap(aStart, aEnd, bStart, bEnd time.Time) int64 {
	start, end := aStart, aEnd
	if bStart.After(start) {
		start = bStart
	}
	if bEnd.Before(end) {
		end = bEnd
	}
	if !end.After(start) {
		return 0
	}
	return int64(end.Sub(start) / time.Second)
}
