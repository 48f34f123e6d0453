package dunning

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// collectedByPayPal tells an invoice for a subscription that a PayPal
// subscription pays: PayPal collects it (and retries it) on its own, so the
// saved card is never charged for it. The link is cleared when the PayPal
// subscription is cancelled, and the card takes over again. Reminders,
// the overdue notice and suspension still follow the policy: a sale that
// arrives later pays the invoice and lifts the suspension.
func collectedByPayPal(app core.App, invoiceID string) (bool, error) {
	var row struct {
		N int `db:"n"`
	}
	err := app.DB().NewQuery(`SELECT COUNT(*) AS n FROM subscriptions s
		WHERE s.paypal_subscription_id != '' AND s.status NOT IN ('cancelled', 'expired')
		AND (s.id IN (SELECT subscription FROM invoice_items WHERE invoice = {:i} AND subscription != '')
			OR s.id IN (SELECT sv.subscription FROM services sv JOIN invoice_items it ON it.service = sv.id WHERE it.invoice = {:i}))`).
		Bind(dbx.Params{"i": invoiceID}).One(&row)
	return row.N > 0, err
}
