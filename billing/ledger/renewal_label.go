package ledger

import (
	"fmt"
	"time"

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

// TrialLabel is RenewalLabel after a free trial of days days: "Free for
// 14 days, then €15.00 monthly plus 19% VAT".
func TrialLabel(inv *Invoice, days int, unitAmount int64, c cycle.Cycle) string {
	return fmt.Sprintf("Free for %d days, %s", days, RenewalLabel(inv, unitAmount, c))
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
	// The free trial's line lists no price: what follows it is the
	// subscription's.
	if end := sub.TrialEnd().Time(); !end.IsZero() && item.GetDateTime("period_end").Time().Equal(end) {
		start := item.GetDateTime("period_start").Time()
		return TrialLabel(inv, int(end.Sub(start).Round(time.Hour).Hours()/24), sub.Amount(), sub.Cycle())
	}
	return RenewalLabel(inv, item.GetInt64("unit_amount"), sub.Cycle())
}
