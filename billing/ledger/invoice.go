// Package ledger keeps the platform's own books: invoices and their lines,
// numbering, account credit. It is the PocketBase-facing half of billing;
// the arithmetic lives in the pure packages beside it (money, tax, coupon,
// cycle, numbering).
package ledger

import (
	"slices"

	"github.com/pocketbase/pocketbase/core"
)

// Collections the ledger writes.
const (
	InvoicesCollection  = "invoices"
	ItemsCollection     = "invoice_items"
	CreditCollection    = "credit_entries"
	SequencesCollection = "number_sequences"
)

// Invoice statuses.
const (
	StatusDraft             = "draft"
	StatusOpen              = "open"
	StatusPaid              = "paid"
	StatusVoid              = "void"
	StatusUncollectible     = "uncollectible"
	StatusRefunded          = "refunded"
	StatusPartiallyRefunded = "partially_refunded"
)

// transitions lists where an invoice may go from each status. Paid and
// void are final except for refunds, so an invoice never moves backwards.
var transitions = map[string][]string{
	StatusDraft:             {StatusOpen, StatusVoid},
	StatusOpen:              {StatusPaid, StatusVoid, StatusUncollectible},
	StatusUncollectible:     {StatusPaid, StatusVoid},
	StatusPaid:              {StatusRefunded, StatusPartiallyRefunded},
	StatusPartiallyRefunded: {StatusRefunded, StatusPartiallyRefunded},
}

// CanTransition reports whether an invoice may go from one status to another.
func CanTransition(from, to string) bool {
	return from == to || slices.Contains(transitions[from], to)
}

// Editable reports whether an invoice's lines and amounts may still change.
func Editable(status string) bool {
	return status == StatusDraft || status == StatusOpen
}

// Invoice is a typed view of an invoices record.
type Invoice struct {
	core.BaseRecordProxy
}

// AsInvoice wraps an invoices record.
func AsInvoice(rec *core.Record) *Invoice {
	inv := &Invoice{}
	inv.SetProxyRecord(rec)
	return inv
}

// FindInvoice loads an invoice by id.
func FindInvoice(app core.App, id string) (*Invoice, error) {
	rec, err := app.FindRecordById(InvoicesCollection, id)
	if err != nil {
		return nil, err
	}
	return AsInvoice(rec), nil
}

func (i *Invoice) Status() string     { return i.GetString("status") }
func (i *Invoice) Currency() string   { return i.GetString("currency") }
func (i *Invoice) CustomerID() string { return i.GetString("customer") }
func (i *Invoice) Number() string     { return i.GetString("number") }
func (i *Invoice) Total() int64       { return i.GetInt64("total") }
func (i *Invoice) AmountDue() int64   { return i.GetInt64("amount_due") }
