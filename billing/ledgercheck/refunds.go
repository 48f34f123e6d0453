package ledgercheck

// refunds checks that every refund returns a succeeded charge of its own
// invoice, in its currency, and that the refunds of a charge, made or
// reserved (pending), never exceed it (rule 7; the invoice's side is in
// invoices).
func (c *checker) refunds() error {
	var n int
	if err := c.db.NewQuery("SELECT COUNT(*) FROM payments").Row(&n); err != nil {
		return err
	}
	c.count("payments", n)
	err := c.each(`SELECT r.id, r.status, r.amount, r.currency, r.invoice, r.refund_of,
			ch.id IS NOT NULL, COALESCE(ch.kind, ''), COALESCE(ch.status, ''), COALESCE(ch.invoice, ''), COALESCE(ch.currency, '')
		FROM payments r LEFT JOIN payments ch ON ch.id = r.refund_of AND r.refund_of != ''
		WHERE r.kind = 'refund' AND r.status IN ('pending', 'succeeded')
			AND (ch.id IS NULL OR ch.kind != 'charge' OR ch.status != 'succeeded' OR ch.invoice != r.invoice OR ch.currency != r.currency)`, nil,
		func(scan func(...any) error) error {
			var id, status, cur, invoice, of, kind, chStatus, chInvoice, chCur string
			var amt int64
			var found bool
			if err := scan(&id, &status, &amt, &cur, &invoice, &of, &found, &kind, &chStatus, &chInvoice, &chCur); err != nil {
				return err
			}
			what := "the " + status + " refund of " + amount(amt, cur)
			switch {
			case !found:
				c.add("refund.charge", "payments", id, "%s returns payment %q, which does not exist", what, of)
			case kind != "charge" || chStatus != "succeeded":
				c.add("refund.charge", "payments", id, "%s returns payment %s, a %s %s, not a succeeded charge", what, of, chStatus, kind)
			case chInvoice != invoice:
				c.add("refund.charge", "payments", id, "%s is for invoice %s, but its charge %s paid invoice %s", what, invoice, of, chInvoice)
			default:
				c.add("refund.charge", "payments", id, "%s is in %s, but its charge %s is in %s", what, cur, of, chCur)
			}
			return nil
		})
	if err != nil {
		return err
	}
	return c.each(`SELECT ch.id, ch.amount, ch.currency, COALESCE(inv.number, ''), ch.invoice, SUM(r.amount), COUNT(*)
		FROM payments r JOIN payments ch ON ch.id = r.refund_of
		LEFT JOIN invoices inv ON inv.id = ch.invoice
		WHERE r.kind = 'refund' AND r.status IN ('pending', 'succeeded') AND r.refund_of != ''
		GROUP BY ch.id HAVING SUM(r.amount) > ch.amount`, nil,
		func(scan func(...any) error) error {
			var id, cur, number, invoice string
			var charge, refunded int64
			var n int
			if err := scan(&id, &charge, &cur, &number, &invoice, &refunded, &n); err != nil {
				return err
			}
			c.add("refund.charge", "payments", id, "the charge of %s on %s has %d refunds (pending and succeeded) of %s, more than it",
				amount(charge, cur), label(invoice, number), n, amount(refunded, cur))
			return nil
		})
}
