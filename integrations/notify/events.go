package notify

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
)

// CustomerVerified welcomes a customer who has just confirmed their email
// address and tells staff a new (real) customer arrived, once each.
func CustomerVerified(ctx context.Context, app core.App, customer *core.Record) error {
	if _, err := Customer(ctx, app, Email{Key: "welcome", Customer: customer, DedupeKey: "customer:" + customer.Id + ":welcome",
		Data: Data{"Link": PortalURL(app) + "/dashboard"}}); err != nil {
		return err
	}
	_, err := Staff(ctx, app, Alert{Key: "new_customer", Customer: customer, DedupeKey: "customer:" + customer.Id + ":new",
		Data: Data{"Country": customers.As(customer).Country()}})
	return err
}

// OrderInvoiceDelay is how long the invoice of a new order waits before
// its email goes out: a checkout is usually paid within it, and then the
// receipt is the one email the customer gets.
var OrderInvoiceDelay = 10 * time.Minute

// InvoiceIssued sends a customer their invoice when it is issued (becomes
// open), once per invoice. An order's invoice is sent only if it is still
// open after OrderInvoiceDelay.
func InvoiceIssued(ctx context.Context, app core.App, inv *ledger.Invoice) error {
	customer, err := app.FindRecordById(customers.Collection, inv.CustomerID())
	if err != nil {
		return err
	}
	e := InvoiceIssuedEmail(app, inv, customer)
	if inv.GetString("purpose") == ledger.PurposeOrder {
		e.NotBefore, e.UnlessSettled = time.Now().UTC().Add(OrderInvoiceDelay), inv.Id
	}
	_, err = Customer(ctx, app, e)
	return err
}

// InvoiceIssuedEmail is the email of an issued invoice, its PDF attached by
// reference; bulk issuers (the renewal run) render it through a Batch.
func InvoiceIssuedEmail(app core.App, inv *ledger.Invoice, customer *core.Record) Email {
	return Email{Key: "invoice_issued", Customer: customer, DedupeKey: "invoice:" + inv.Id + ":issued",
		Data:        Data{"Invoice": InvoiceFacts(inv), "Lines": InvoiceLines(app, inv), "Link": InvoiceLink(app, inv.Id)},
		Attachments: []map[string]string{{"kind": "invoice_pdf", "invoice": inv.Id}}}
}
