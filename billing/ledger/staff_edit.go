package ledger

import (
	"fmt"
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// ledgerFields are an invoice's figures the ledger computes from its lines,
// payments and credit, and the numbers and dates issuing and paying give.
// Nobody types them in: a total set by hand would be money no line or
// payment accounts for.
var ledgerFields = []string{
	"subtotal", "discount_total", "tax_total", "total", "credit_applied", "amount_paid", "amount_refunded", "amount_due",
	"number", "series", "proforma_number", "issued_at", "paid_at", "voided_at", "seller", "buyer", "tax_summary", "reverse_charge",
}

// staffTransitions are the status changes staff make by editing an
// invoice. Paid and refunded come from money only: a payment recorded
// (a manual one for a bank transfer), or a refund.
var staffTransitions = map[string][]string{
	StatusDraft:         {StatusOpen, StatusVoid},
	StatusOpen:          {StatusVoid, StatusUncollectible},
	StatusUncollectible: {StatusVoid},
}

// CheckStaffEdit refuses an edit of an invoice through the API (staff, in
// the dashboard) that would set what only the ledger sets: its figures,
// numbers and dates, or a status that money decides.
func CheckStaffEdit(orig, inv *core.Record) error {
	for _, name := range ledgerFields {
		if fmt.Sprint(orig.Get(name)) != fmt.Sprint(inv.Get(name)) {
			return fmt.Errorf("invoice %s: %s is kept by the ledger and cannot be set by hand", Label(AsInvoice(orig)), name)
		}
	}
	from, to := orig.GetString("status"), inv.GetString("status")
	if from == to || slices.Contains(staffTransitions[from], to) {
		return nil
	}
	switch to {
	case StatusPaid:
		return fmt.Errorf("invoice %s: record the payment received (a manual payment for a bank transfer or cheque); it marks the invoice paid", Label(AsInvoice(orig)))
	case StatusRefunded, StatusPartiallyRefunded:
		return fmt.Errorf("invoice %s: refund its payment; the refund marks the invoice refunded", Label(AsInvoice(orig)))
	}
	return fmt.Errorf("invoice %s cannot go from %s to %s", Label(AsInvoice(orig)), from, to)
}
