package fulfilment

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/internal/clock"
)

// Bind carries out, on app, what every invoice paid for, in the
// transaction that marks it paid.
func Bind(app core.App) {
	ledger.OnInvoicePaid(app).BindFunc(func(e *ledger.PaidEvent) error {
		if err := InvoicePaid(e.Context, e.App, e.Invoice, clock.Now(e.App)); err != nil {
			return err
		}
		return e.Next()
	})
}
