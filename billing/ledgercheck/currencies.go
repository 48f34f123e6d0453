package ledgercheck

import (
	"fmt"
	"strings"

	"github.com/pocketbase/dbx"

	"github.com/ezscale/ezscale/billing/money"
)

// moneyCollections are the collections whose rows carry a currency.
var moneyCollections = []string{
	"customers", "plan_prices", "subscriptions", "payments", "credit_entries", "credit_notes", "coupon_redemptions",
} // and invoices, met in their own pass

// currencySeen checks the currency of one record met in another pass.
func (c *checker) currencySeen(collection, cur, id string) {
	if c.known == nil {
		c.known = map[string]bool{}
	}
	ok, met := c.known[cur]
	if !met {
		_, err := money.LookupCurrency(cur)
		ok = err == nil
		c.known[cur] = ok
	}
	if !ok {
		c.add("currency.known", collection, id, "%s %s is in %q, not a currency of billing/money's table", strings.TrimSuffix(collection, "s"), id, cur)
	}
}

// currencies checks that every currency is one billing/money knows and
// that what belongs to an invoice is in its currency (rule 11; credit
// entries are checked with their causes).
func (c *checker) currencies() error {
	for _, col := range moneyCollections {
		var unknown []string
		err := c.each(fmt.Sprintf("SELECT currency, COUNT(*) FROM `%s` GROUP BY currency", col), nil,
			func(scan func(...any) error) error {
				var cur string
				var n int
				if err := scan(&cur, &n); err != nil {
					return err
				}
				if _, err := money.LookupCurrency(cur); err != nil {
					unknown = append(unknown, cur)
				}
				return nil
			})
		if err != nil {
			return err
		}
		for _, cur := range unknown {
			err := c.each(fmt.Sprintf("SELECT id FROM `%s` WHERE currency = {:cur} ORDER BY id LIMIT 100", col), dbx.Params{"cur": cur},
				func(scan func(...any) error) error {
					var id string
					if err := scan(&id); err != nil {
						return err
					}
					c.add("currency.known", col, id, "%s %s is in %q, not a currency of billing/money's table", strings.TrimSuffix(col, "s"), id, cur)
					return nil
				})
			if err != nil {
				return err
			}
		}
	}

	mismatch := func(collection, query, what string) error {
		return c.each(query, nil, func(scan func(...any) error) error {
			var id, cur, invoice, number, invCur string
			if err := scan(&id, &cur, &invoice, &number, &invCur); err != nil {
				return err
			}
			c.add("currency.invoice", collection, id, "%s %s is in %s, but %s is in %s", what, id, cur, label(invoice, number), invCur)
			return nil
		})
	}
	if err := mismatch("payments", `SELECT p.id, p.currency, inv.id, inv.number, inv.currency
		FROM payments p JOIN invoices inv ON inv.id = p.invoice WHERE p.invoice != '' AND p.currency != inv.currency`, "payment"); err != nil {
		return err
	}
	if err := mismatch("credit_notes", `SELECT n.id, n.currency, inv.id, inv.number, inv.currency
		FROM credit_notes n JOIN invoices inv ON inv.id = n.invoice WHERE n.currency != inv.currency`, "credit note"); err != nil {
		return err
	}
	return nil
}

// subscriptionLine is a line of an invoice billing a subscription.
type subscriptionLine struct{ line, invoice, subscription string }

// billedCurrencies checks that the subscriptions an invoice bills are in
// its currency; invoices gives each invoice's currency and number.
func (c *checker) billedCurrencies(billed []subscriptionLine, invoices map[string]string) error {
	subs := map[string]string{}
	err := c.each(`SELECT id, currency FROM subscriptions`, nil, func(scan func(...any) error) error {
		var id, cur string
		if err := scan(&id, &cur); err != nil {
			return err
		}
		subs[id] = cur
		return nil
	})
	if err != nil {
		return err
	}
	c.count("subscriptions", len(subs))
	for _, b := range billed {
		inv, ok := invoices[b.invoice]
		subCur, subOK := subs[b.subscription]
		invCur, number, _ := strings.Cut(inv, "\x00")
		if ok && subOK && subCur != invCur {
			c.add("currency.invoice", "invoice_items", b.line, "the line billing subscription %s (in %s) is on %s, in %s",
				b.subscription, subCur, label(b.invoice, number), invCur)
		}
	}
	return nil
}
