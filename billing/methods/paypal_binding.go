package methods

import (
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/paypal"
)

// Refusals of a PayPal capture, each before any money moves.
var (
	// ErrOrderNotFound is a PayPal order that does not exist.
	ErrOrderNotFound = errors.New("PayPal order not found")
	// ErrOrderMismatch is an order made for another invoice or customer:
	// PayPal would capture it, for its own amount, so capturing it here
	// would pay this invoice with the money of another.
	ErrOrderMismatch = errors.New("this PayPal order is not for this invoice")
	// ErrOrderNotApproved is an order the buyer has not approved (yet), or
	// one PayPal has voided.
	ErrOrderNotApproved = errors.New("this PayPal order is not approved")
)

// orderFor checks that order is the one CreateOrder made for inv: its
// custom_id (and invoice_id, when PayPal returns it) name the invoice, its
// reference_id the invoice's customer, and its amount is in the invoice's
// currency.
func orderFor(order paypal.Order, inv *ledger.Invoice) error {
	switch {
	case order.InvoiceID != inv.Id, order.PayPalInvoiceID != "" && order.PayPalInvoiceID != inv.Id:
		return fmt.Errorf("%w: PayPal order %s was made for another invoice", ErrOrderMismatch, order.ID)
	case order.CustomerID != inv.CustomerID():
		return fmt.Errorf("%w: PayPal order %s was made for another customer", ErrOrderMismatch, order.ID)
	case order.Amount.Currency != inv.Currency():
		return fmt.Errorf("%w: PayPal order %s is in %q, the invoice in %s", ErrOrderMismatch, order.ID, order.Amount.Currency, inv.Currency())
	}
	return nil
}

// ownedInvoice is an issued invoice of the customer, whatever its status:
// money PayPal has taken for it is recorded even once it is paid.
func ownedInvoice(app core.App, customer *core.Record, invoiceID string) (*ledger.Invoice, error) {
	inv, err := ledger.FindInvoice(app, invoiceID)
	if err != nil || inv.CustomerID() != customer.Id || inv.Status() == ledger.StatusDraft {
		return nil, ErrNotFound
	}
	return inv, nil
}
