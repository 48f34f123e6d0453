package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
)

// bindInvoiceRenewals adds "renews" to every invoice line the API returns:
// how a recurring line will be charged from then on ("then $5.95 monthly
// plus 19% VAT"), made by the ledger from the invoice's frozen tax
// treatment, so the invoice page shows the server's words, the same as the
// checkout, the PDF and the emails; "" for one-off lines.
func bindInvoiceRenewals(app core.App) {
	app.OnRecordEnrich(ledger.ItemsCollection).BindFunc(func(e *core.RecordEnrichEvent) error {
		label := ""
		if e.Record.GetString("kind") == ledger.KindPeriod {
			if inv, err := ledger.FindInvoice(e.App, e.Record.GetString("invoice")); err == nil {
				label = ledger.LineRenewalLabel(e.App, inv, e.Record)
			}
		}
		e.Record.WithCustomData(true)
		e.Record.Set("renews", label)
		return e.Next()
	})
}
