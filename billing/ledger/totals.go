package ledger

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/tax"
)

// ItemAmounts is what totals need of one invoice line.
type ItemAmounts struct {
	Kind      string
	Amount    int64 // quantity × unit amount, as listed
	Tax       int64
	Inclusive bool // Amount already contains Tax
	Waived    bool
}

// Totals of an invoice, all in its currency's minor units.
type Totals struct {
	Subtotal      int64 // net of the lines that are not discounts
	DiscountTotal int64 // net of the discount lines, as a positive number
	TaxTotal      int64
	Total         int64 // what the customer owes: the sum of every line's gross
}

// Net and gross of a line: an inclusive line's amount is its gross.
func (l ItemAmounts) net() int64 {
	if l.Inclusive {
		return l.Amount - l.Tax
	}
	return l.Amount
}

// ComputeTotals adds up lines. Every figure is a sum of already rounded
// line amounts, so the total always equals the sum of its lines.
func ComputeTotals(lines []ItemAmounts) Totals {
	var t Totals
	for _, l := range lines {
		if l.Waived {
			continue
		}
		net := l.net()
		if l.Kind == KindDiscount {
			t.DiscountTotal -= net
		} else {
			t.Subtotal += net
		}
		t.TaxTotal += l.Tax
		t.Total += net + l.Tax
	}
	return t
}

// Items loads an invoice's lines in their order.
func Items(app core.App, invoiceID string) ([]*core.Record, error) {
	return app.FindRecordsByFilter(ItemsCollection, "invoice = {:id}", "sort_order,created,id", 0, 0, dbx.Params{"id": invoiceID})
}

// Recompute sets an invoice's totals, tax summary and amount due from its
// lines and payments so far. It does not save the invoice.
func Recompute(app core.App, inv *Invoice) error {
	items, err := Items(app, inv.Id)
	if err != nil {
		return fmt.Errorf("invoice %s lines: %w", inv.Id, err)
	}
	RecomputeFrom(inv, items)
	return nil
}

// RecomputeFrom sets an invoice's totals from the given lines.
func RecomputeFrom(inv *Invoice, items []*core.Record) {
	amounts := make([]ItemAmounts, len(items))
	taxed := make([]tax.TaxedLine, 0, len(items))
	t, _ := treatmentOf(inv)
	for i, it := range items {
		a := ItemAmounts{
			Kind: it.GetString("kind"), Amount: it.GetInt64("amount"), Tax: it.GetInt64("tax_amount"),
			Inclusive: it.GetBool("tax_inclusive"), Waived: it.GetBool("waived"),
		}
		amounts[i] = a
		if t.Charge && !a.Waived && !isRounding(it) {
			taxed = append(taxed, tax.TaxedLine{
				Rate:    tax.Rate{Name: t.Name, Rate: it.GetInt64("tax_rate_value")},
				LineTax: tax.LineTax{Net: a.net(), Tax: a.Tax, Gross: a.net() + a.Tax},
			})
		}
	}
	totals := ComputeTotals(amounts)
	inv.Set("subtotal", totals.Subtotal)
	inv.Set("discount_total", totals.DiscountTotal)
	inv.Set("tax_total", totals.TaxTotal)
	inv.Set("total", totals.Total)
	inv.Set("tax_summary", tax.Summarize(taxed))
	inv.Set("reverse_charge", t.ReverseCharge)
	setAmountDue(inv)
}

// setAmountDue is what is left to pay: the total less credit and payments.
func setAmountDue(inv *Invoice) {
	due := inv.Total() - inv.GetInt64("credit_applied") - inv.GetInt64("amount_paid")
	if due < 0 || inv.Status() == StatusVoid {
		due = 0
	}
	inv.Set("amount_due", due)
}
