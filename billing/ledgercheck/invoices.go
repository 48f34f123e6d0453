package ledgercheck

import "strings"

// invoiceRow is an invoice with the sums of what the rest of the ledger
// says about it.
type invoiceRow struct {
	id, number, status, currency             string
	subtotal, discount, tax                  int64
	total, applied, paid, refunded, due      int64
	imported                                 bool // from WHMCS: its lines carry no tax
	charges, refunds, overpaid, used, voided int64
	toCredit, refundCredit                   int64 // refunds paid into credit, and the credit entries giving them
	lineSubtotal, lineDiscount, lineTax      int64
}

// label names an invoice in messages: its number, or that it has none.
func label(id, number string) string {
	if number != "" {
		return "invoice " + number
	}
	return "invoice " + id + " (no number)"
}

// invoices checks each invoice's figures against its payments, credit
// entries and lines, and its status against its figures (rules 1 and 2),
// and hands its numbers and currencies to the rules that need them. Each
// table is read once, in storage order, its sums grouped by invoice in
// SQL and kept by id here: on large tables sequential scans are far
// faster than index lookups per invoice.
func (c *checker) invoices() error {
	type paid struct{ charges, refunds, toCredit int64 }
	payments := map[string]paid{}
	err := c.each(`SELECT invoice, SUM(CASE WHEN kind = 'charge' THEN amount ELSE 0 END), SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END),
			SUM(CASE WHEN kind = 'refund' AND gateway = 'credit' THEN amount ELSE 0 END)
		FROM payments NOT INDEXED WHERE status = 'succeeded' AND invoice != '' GROUP BY invoice`, nil,
		func(scan func(...any) error) error {
			var id string
			var p paid
			if err := scan(&id, &p.charges, &p.refunds, &p.toCredit); err != nil {
				return err
			}
			payments[id] = p
			return nil
		})
	if err != nil {
		return err
	}
	type credited struct{ overpaid, used, voided, refunded int64 }
	credits := map[string]credited{}
	err = c.each(`SELECT invoice, SUM(CASE WHEN reason = 'overpayment' THEN amount ELSE 0 END),
			-SUM(CASE WHEN reason = 'applied' THEN amount ELSE 0 END), SUM(CASE WHEN reason = 'void' THEN amount ELSE 0 END),
			SUM(CASE WHEN reason = 'refund' THEN amount ELSE 0 END)
		FROM credit_entries NOT INDEXED WHERE invoice != '' GROUP BY invoice`, nil,
		func(scan func(...any) error) error {
			var id string
			var cr credited
			if err := scan(&id, &cr.overpaid, &cr.used, &cr.voided, &cr.refunded); err != nil {
				return err
			}
			credits[id] = cr
			return nil
		})
	if err != nil {
		return err
	}
	type lined struct{ subtotal, discount, tax int64 }
	lines := map[string]lined{}
	var billed []subscriptionLine
	items := 0
	err = c.each(`SELECT invoice, subscription, MIN(id), COUNT(*),
			SUM(CASE WHEN kind != 'discount' THEN amount - CASE WHEN tax_inclusive THEN tax_amount ELSE 0 END ELSE 0 END),
			-SUM(CASE WHEN kind = 'discount' THEN amount - CASE WHEN tax_inclusive THEN tax_amount ELSE 0 END ELSE 0 END),
			SUM(tax_amount)
		FROM invoice_items NOT INDEXED WHERE waived = FALSE GROUP BY invoice, subscription`, nil,
		func(scan func(...any) error) error {
			var id, sub, line string
			var l lined
			var n int
			if err := scan(&id, &sub, &line, &n, &l.subtotal, &l.discount, &l.tax); err != nil {
				return err
			}
			items += n
			sum := lines[id]
			lines[id] = lined{sum.subtotal + l.subtotal, sum.discount + l.discount, sum.tax + l.tax}
			if sub != "" {
				billed = append(billed, subscriptionLine{line: line, invoice: id, subscription: sub})
			}
			return nil
		})
	if err != nil {
		return err
	}
	c.count("invoice_items", items)

	currencies := make(map[string]string, len(lines))
	n := 0
	err = c.each(`SELECT id, number, series, proforma_number, status, currency, subtotal, discount_total, tax_total, total,
			credit_applied, amount_paid, amount_refunded, amount_due, COALESCE(whmcs_id, '') != ''
		FROM invoices`, nil,
		func(scan func(...any) error) error {
			var r invoiceRow
			var series, proforma string
			if err := scan(&r.id, &r.number, &series, &proforma, &r.status, &r.currency,
				&r.subtotal, &r.discount, &r.tax, &r.total, &r.applied, &r.paid, &r.refunded, &r.due, &r.imported); err != nil {
				return err
			}
			n++
			p, cr, l := payments[r.id], credits[r.id], lines[r.id]
			r.charges, r.refunds, r.toCredit = p.charges, p.refunds, p.toCredit
			r.refundCredit = cr.refunded
			r.overpaid, r.used, r.voided = cr.overpaid, cr.used, cr.voided
			r.lineSubtotal, r.lineDiscount, r.lineTax = l.subtotal, l.discount, l.tax
			c.invoice(r)
			if r.number != "" && (series == "" || series == "invoice") {
				c.numbered(numbered{"invoices", r.id, "invoice", r.number})
			}
			if proforma != "" {
				c.numbered(numbered{"invoices", r.id, "proforma", proforma})
			}
			c.currencySeen("invoices", r.currency, r.id)
			currencies[r.id] = r.currency + "\x00" + r.number
			return nil
		})
	c.count("invoices", n)
	if err != nil {
		return err
	}
	return c.billedCurrencies(billed, currencies)
}

func (c *checker) invoice(r invoiceRow) {
	name, cur := label(r.id, r.number), r.currency
	add := func(rule, format string, args ...any) {
		c.add(rule, "invoices", r.id, name+": "+format, args...)
	}
	if r.paid != r.charges-r.overpaid {
		add("invoice.amount_paid", "amount_paid %s, but its succeeded charges %s less the overpayment credit %s make %s",
			amount(r.paid, cur), amount(r.charges, cur), amount(r.overpaid, cur), amount(r.charges-r.overpaid, cur))
	}
	if r.applied != r.used {
		add("invoice.credit_applied", "credit_applied %s, but its applied credit entries use %s",
			amount(r.applied, cur), amount(r.used, cur))
	}
	if r.refunded != r.refunds {
		add("invoice.amount_refunded", "amount_refunded %s, but its succeeded refunds make %s",
			amount(r.refunded, cur), amount(r.refunds, cur))
	}

	owed := r.total - r.applied - r.paid
	switch r.status {
	case "draft":
		// A draft carries what issuing it will ask for (the ledger keeps
		// its totals current as lines change); nothing is applied or
		// paid on it yet (invoice.status), so that is its total.
		if r.due != max(owed, 0) {
			add("invoice.amount_due", "draft with amount_due %s, but total %s − credit %s − paid %s = %s",
				amount(r.due, cur), amount(r.total, cur), amount(r.applied, cur), amount(r.paid, cur), amount(owed, cur))
		}
	case "open", "uncollectible":
		if r.due != owed {
			add("invoice.amount_due", "%s with amount_due %s, but total %s − credit %s − paid %s = %s",
				r.status, amount(r.due, cur), amount(r.total, cur), amount(r.applied, cur), amount(r.paid, cur), amount(owed, cur))
		} else if r.status == "open" && r.due <= 0 && r.total != 0 {
			add("invoice.status", "open with nothing due (total %s, credit %s, paid %s): it should be paid",
				amount(r.total, cur), amount(r.applied, cur), amount(r.paid, cur))
		}
	default:
		if r.due != 0 {
			add("invoice.amount_due", "%s with amount_due %s, want 0", r.status, amount(r.due, cur))
		}
	}

	switch r.status {
	case "draft":
		if r.applied != 0 || r.paid != 0 {
			add("invoice.status", "a draft with credit %s and payments %s applied", amount(r.applied, cur), amount(r.paid, cur))
		}
	case "paid", "partially_refunded", "refunded":
		if r.applied+r.paid != r.total {
			add("invoice.status", "%s, but credit %s + paid %s = %s, not its total %s", r.status,
				amount(r.applied, cur), amount(r.paid, cur), amount(r.applied+r.paid, cur), amount(r.total, cur))
		}
		switch {
		case r.status == "paid" && r.refunded != 0:
			add("invoice.status", "paid, with %s refunded", amount(r.refunded, cur))
		case r.status == "partially_refunded" && (r.refunded <= 0 || r.refunded >= r.paid):
			add("invoice.status", "partially_refunded, with %s of %s paid refunded", amount(r.refunded, cur), amount(r.paid, cur))
		case r.status == "refunded" && r.refunded != r.paid:
			add("invoice.status", "refunded, with %s of %s paid refunded", amount(r.refunded, cur), amount(r.paid, cur))
		}
	}

	held := r.applied + r.paid - r.refunded
	if r.status == "void" && r.voided != held {
		add("invoice.void_returned", "void, holding credit %s + paid %s − refunded %s = %s, but %s was returned as credit",
			amount(r.applied, cur), amount(r.paid, cur), amount(r.refunded, cur), amount(held, cur), amount(r.voided, cur))
	}
	if r.status != "void" && r.voided != 0 {
		add("invoice.void_returned", "%s, yet %s was returned as credit as if it were void", r.status, amount(r.voided, cur))
	}
	if r.refundCredit > r.toCredit {
		// Refunds to credit imported from WHMCS bring their credit in its
		// history (reason import), so only more credit than such refunds is wrong.
		add("refund.credit", "%s of credit given for refunds, but its refunds to credit make %s",
			amount(r.refundCredit, cur), amount(r.toCredit, cur))
	}
	c.totals(r)
	if r.refunded > r.paid {
		add("refund.invoice", "refunded %s, more than the %s paid on it", amount(r.refunded, cur), amount(r.paid, cur))
	}
}

// totals checks that an issued invoice's totals are the sums of its
// lines, as the ledger recomputes them (a waived line counts nothing; an
// inclusive line's amount already holds its tax).
func (c *checker) totals(r invoiceRow) {
	if r.status == "draft" || r.imported {
		return
	}
	lineTotal := r.lineSubtotal - r.lineDiscount + r.lineTax
	var diffs []string
	for _, f := range []struct {
		name        string
		have, lines int64
	}{{"subtotal", r.subtotal, r.lineSubtotal}, {"discount_total", r.discount, r.lineDiscount}, {"tax_total", r.tax, r.lineTax}, {"total", r.total, lineTotal}} {
		if f.have != f.lines {
			diffs = append(diffs, f.name+" "+amount(f.have, r.currency)+" but its lines make "+amount(f.lines, r.currency))
		}
	}
	if len(diffs) > 0 {
		c.add("invoice.total", "invoices", r.id, "%s: %s", label(r.id, r.number), strings.Join(diffs, "; "))
	}
}
