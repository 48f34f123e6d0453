package staffinvoices

import (
	"context"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/security"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/notify"
)

// Resend queues the invoice email again (the one sent when it was issued,
// its PDF attached) for a customer who lost it. Each resend is its own
// message: the dedupe key would drop it as sent.
func (s Staff) Resend(ctx context.Context, app core.App, invoiceID string) (*ledger.Invoice, error) {
	var inv *ledger.Invoice
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if inv, err = findInvoice(tx, invoiceID); err != nil {
			return err
		}
		switch inv.Status() {
		case ledger.StatusDraft:
			return refuse("invoice %s is a draft: customers never see drafts; issue it to send it", ledger.Label(inv))
		case ledger.StatusVoid:
			return refuse("invoice %s is void: it is not sent again", ledger.Label(inv))
		}
		customer, err := tx.FindRecordById(customers.Collection, inv.CustomerID())
		if err != nil {
			return err
		}
		email := notify.InvoiceIssuedEmail(tx, inv, customer)
		email.DedupeKey = fmt.Sprintf("invoice:%s:resent:%s", inv.Id, security.RandomString(16))
		if _, err := notify.Customer(s.ctx(ctx), tx, email); err != nil {
			return err
		}
		return s.note(tx, "invoice.resend", inv, "invoice email sent again to "+customer.Email())
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}
