package ledgercheck

import (
	"slices"
	"strings"

	"github.com/ezscale/ezscale/billing/money"
)

// periods checks that no subscription period is billed twice and that the
// billed periods of a subscription never overlap (rule 5), in one pass
// over the period lines in the order of their index. Lines of void
// invoices bill nothing. Invoice numbers are looked up for the lines
// reported only.
func (c *checker) periods() error {
	return c.each(`SELECT id, subscription, period_start, period_end, prev_start, prev_end,
			(SELECT number FROM invoices WHERE id = p.invoice), (SELECT number FROM invoices WHERE id = p.prev_invoice)
		FROM (SELECT id, invoice, subscription, period_start, period_end,
				LAG(period_start) OVER w AS prev_start, LAG(invoice) OVER w AS prev_invoice,
				MAX(period_end) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
			FROM invoice_items
			WHERE kind = 'period' AND subscription != '' AND invoice NOT IN (SELECT id FROM invoices WHERE status = 'void')
			WINDOW w AS (PARTITION BY subscription ORDER BY period_start, created, id)) p
		WHERE prev_start = period_start OR prev_end > period_start`, nil,
		func(scan func(...any) error) error {
			var id, sub, start, end, prevStart, prevEnd, number, prevNumber string
			var num, prevNum *string
			if err := scan(&id, &sub, &start, &end, &prevStart, &prevEnd, &num, &prevNum); err != nil {
				return err
			}
			if num != nil {
				number = *num
			}
			if prevNum != nil {
				prevNumber = *prevNum
			}
			if prevStart == start {
				c.add("period.unique", "invoice_items", id, "subscription %s's period from %s is billed again on %s, already billed on %s",
					sub, start, label("", number), label("", prevNumber))
				return nil
			}
			c.add("period.overlap", "invoice_items", id,
				"subscription %s's period %s – %s on %s starts before an earlier billed period ends (%s, on %s)",
				sub, start, end, label("", number), prevEnd, label("", prevNumber))
			return nil
		})
}

// periodCredit checks that downgrade and cancellation credit never gives
// back more than was paid (rule 6): per subscription, the credit is at
// most the value of its period and proration lines on paid invoices, each
// net of its share of the coupon discount of its service on the invoice
// and of the invoice's refunds; and each credit returns time within spans
// paid for.
func (c *checker) periodCredit() error {
	type credit struct {
		id, reason, cur, start, end string
		amount                      int64
	}
	credits := map[string][]credit{}
	err := c.each(`SELECT id, subscription, reason, currency, amount, period_start, period_end FROM credit_entries
		WHERE reason IN ('downgrade', 'cancellation') AND subscription != '' AND period_start != '' AND period_end > period_start`, nil,
		func(scan func(...any) error) error {
			var cr credit
			var sub string
			if err := scan(&cr.id, &sub, &cr.reason, &cr.cur, &cr.amount, &cr.start, &cr.end); err != nil {
				return err
			}
			credits[sub] = append(credits[sub], cr)
			return nil
		})
	if err != nil || len(credits) == 0 {
		return err
	}

	type span struct{ start, end string }
	paid := map[string]int64{}
	spans := map[string][]span{}
	err = c.each(`WITH credited AS (SELECT DISTINCT subscription FROM credit_entries
				WHERE reason IN ('downgrade', 'cancellation') AND subscription != ''),
			lines AS (SELECT it.*, it.amount + CASE WHEN it.tax_inclusive THEN 0 ELSE it.tax_amount END AS gross
				FROM invoice_items it WHERE it.waived = FALSE AND it.invoice IN (
					SELECT invoice FROM invoice_items WHERE subscription IN (SELECT subscription FROM credited))),
			shares AS (SELECT invoice, service,
					SUM(CASE WHEN kind != 'discount' THEN gross ELSE 0 END) AS base,
					SUM(CASE WHEN kind = 'discount' THEN gross ELSE 0 END) AS discount
				FROM lines WHERE service != '' GROUP BY invoice, service)
		SELECT l.subscription, l.gross, l.period_start, l.period_end, inv.total, inv.amount_refunded,
			COALESCE(sh.base, 0), COALESCE(sh.discount, 0)
		FROM lines l JOIN invoices inv ON inv.id = l.invoice
		LEFT JOIN shares sh ON sh.invoice = l.invoice AND sh.service = l.service AND l.service != ''
		WHERE l.subscription IN (SELECT subscription FROM credited) AND l.kind IN ('period', 'proration')
			AND l.period_start != '' AND inv.status IN ('paid', 'partially_refunded', 'refunded')`, nil,
		func(scan func(...any) error) error {
			var sub, start, end string
			var gross, total, refunded, base, discount int64
			if err := scan(&sub, &gross, &start, &end, &total, &refunded, &base, &discount); err != nil {
				return err
			}
			v := gross
			if base > 0 && discount != 0 {
				v = money.MulRatioFloor(v, base+discount, base)
			}
			if total > 0 && refunded > 0 {
				v = money.MulRatioFloor(v, max(total-refunded, 0), total)
			}
			paid[sub] += max(v, 0)
			spans[sub] = append(spans[sub], span{start, end})
			return nil
		})
	if err != nil {
		return err
	}

	for _, sub := range sortedKeys(credits) {
		var total int64
		var ids []string
		cur := credits[sub][0].cur
		covered := spans[sub]
		slices.SortFunc(covered, func(a, b span) int { return strings.Compare(a.start, b.start) })
		for _, cr := range credits[sub] {
			total += cr.amount
			ids = append(ids, cr.id)
			if !within(cr.start, cr.end, covered, func(s span) (string, string) { return s.start, s.end }) {
				c.add("period.credit", "credit_entries", cr.id, "%s credit of %s returns %s – %s of subscription %s, time not paid for",
					cr.reason, amount(cr.amount, cr.cur), cr.start, cr.end, sub)
			}
		}
		if total > paid[sub] {
			c.add("period.credit", "subscriptions", sub,
				"subscription %s: downgrade and cancellation credit %s (entries %s) exceeds the %s paid for its periods",
				sub, amount(total, cur), strings.Join(ids, ", "), amount(paid[sub], cur))
		}
	}
	return nil
}

// within reports whether [start, end) is covered by the union of spans,
// sorted by start.
func within[S any](start, end string, spans []S, bounds func(S) (string, string)) bool {
	at := start
	for _, s := range spans {
		from, to := bounds(s)
		if from > at {
			break
		}
		if to > at {
			at = to
		}
		if at >= end {
			return true
		}
	}
	return at >= end
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
