package ledger

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/pdf"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/billing/tax"
)

// RenewalLabel is how a recurring price on inv will be charged, in the
// words of tax.Recurring: "then $5.95 monthly plus 19% VAT". It uses the
// tax treatment frozen on inv, so the checkout's quote, the invoice page,
// its PDF and its emails all say the same; "" for an hourly cycle, which
// is metered rather than a price per period.
func RenewalLabel(inv *Invoice, unitAmount int64, c cycle.Cycle) string {
	if c == cycle.Hourly || !c.Valid() {
		return ""
	}
	t, _ := treatmentOf(inv)
	d := tax.Decision{Rate: t.rate(), Charge: t.Charge, ReverseCharge: t.ReverseCharge, Reason: t.Reason}
	return tax.Recurring(pdf.FormatMoney(unitAmount, inv.Currency()), c.Every(), d)
}

// LineRenewalLabel is RenewalLabel for an invoice line: a subscription's
// period line renews at its listed unit price every cycle of the
// subscription; any other line (setup, proration, overage...) is one-off
// and has none.
func LineRenewalLabel(app core.App, inv *Invoice, item *core.Record) string {
	if item.GetString("kind") != KindPeriod || item.GetString("subscription") == "" {
		return ""
	}
	sub, err := subscriptions.Find(app, item.GetString("subscription"))
	if err != nil {
		return ""
	}
	return RenewalLabel(inv, item.GetInt64("unit_amount"), sub.Cycle())
}
