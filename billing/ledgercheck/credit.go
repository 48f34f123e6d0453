package ledgercheck

// creditBalances checks that no customer's credit in a currency is ever
// negative: at every entry, in the order the entries were made (entries
// of the same instant count additions before uses), which covers the
// final balance too. The balance is a sum of the ledger (ledger.Balance);
// no stored running total exists to disagree with it.
func (c *checker) creditBalances() error {
	var n int
	if err := c.db.NewQuery("SELECT COUNT(*) FROM credit_entries").Row(&n); err != nil {
		return err
	}
	c.count("credit_entries", n)
	seen := map[[2]string]bool{}
	return c.each(`SELECT id, customer, currency, amount, reason, created, running, balance FROM (
			SELECT id, customer, currency, amount, reason, created,
				SUM(amount) OVER (PARTITION BY customer, currency ORDER BY created, amount DESC, id ROWS UNBOUNDED PRECEDING) AS running,
				SUM(amount) OVER (PARTITION BY customer, currency) AS balance
			FROM credit_entries)
		WHERE running < 0 ORDER BY customer, currency, created, amount DESC, id`, nil,
		func(scan func(...any) error) error {
			var id, customer, cur, reason, created string
			var amt, running, balance int64
			if err := scan(&id, &customer, &cur, &amt, &reason, &created, &running, &balance); err != nil {
				return err
			}
			key := [2]string{customer, cur}
			if seen[key] { // the first dip names the cause; later ones follow from it
				return nil
			}
			seen[key] = true
			c.add("credit.balance", "credit_entries", id,
				"customer %s's %s credit goes negative at this %s entry of %s on %s: %s (balance now %s)",
				customer, cur, reason, amount(amt, cur), created, amount(running, cur), amount(balance, cur))
			return nil
		})
}

// creditCauses checks that every credit entry names what caused it, and
// that what it names belongs to the same customer, in the same currency.
func (c *checker) creditCauses() error {
	return c.each(`SELECT ce.id, ce.customer, ce.currency, ce.amount, ce.reason, ce.invoice, ce.description,
			COALESCE(ce.subscription, ''), COALESCE(ce.period_start, ''), COALESCE(ce.period_end, ''),
			inv.id IS NOT NULL, COALESCE(inv.customer, ''), COALESCE(inv.currency, ''), COALESCE(inv.number, ''),
			s.id IS NOT NULL, COALESCE(s.customer, ''), COALESCE(ce.whmcs_id, '') != ''
		FROM credit_entries ce
		LEFT JOIN invoices inv ON inv.id = ce.invoice AND ce.invoice != ''
		LEFT JOIN subscriptions s ON s.id = ce.subscription AND ce.subscription != ''`, nil,
		func(scan func(...any) error) error {
			var id, customer, cur, reason, invoice, description, sub, start, end, invCustomer, invCur, invNumber, subCustomer string
			var amt int64
			var hasInv, hasSub, imported bool
			if err := scan(&id, &customer, &cur, &amt, &reason, &invoice, &description, &sub, &start, &end,
				&hasInv, &invCustomer, &invCur, &invNumber, &hasSub, &subCustomer, &imported); err != nil {
				return err
			}
			bad := func(format string, args ...any) {
				c.add("credit.cause", "credit_entries", id, "%s credit of %s: "+format,
					append([]any{reason, amount(amt, cur)}, args...)...)
			}
			// An imported entry WHMCS has since used up or taken back is
			// brought to zero by the next import rather than deleted, so
			// re-runs stay idempotent; every other entry moves money.
			if amt == 0 && !imported {
				bad("the amount is zero")
			}
			switch reason {
			case "applied", "overpayment", "void", "refund":
				if invoice == "" {
					bad("names no invoice")
				}
			case "downgrade", "cancellation":
				switch {
				case sub == "":
					bad("names no subscription")
				case start == "" || end == "" || end <= start:
					bad("names no period of subscription %s (period_start %q, period_end %q)", sub, start, end)
				}
			case "manual", "import":
				if description == "" {
					bad("has no description")
				}
			default:
				bad("has no known reason")
			}
			if invoice != "" {
				switch {
				case !hasInv:
					bad("names invoice %s, which does not exist", invoice)
				case invCustomer != customer:
					bad("is customer %s's, but %s is customer %s's", customer, label(invoice, invNumber), invCustomer)
				case invCur != cur:
					c.add("currency.invoice", "credit_entries", id, "%s credit in %s for %s in %s",
						reason, cur, label(invoice, invNumber), invCur)
				}
			}
			if sub != "" {
				switch {
				case !hasSub:
					bad("names subscription %s, which does not exist", sub)
				case subCustomer != customer:
					bad("is customer %s's, but subscription %s is customer %s's", customer, sub, subCustomer)
				}
			}
			return nil
		})
}
