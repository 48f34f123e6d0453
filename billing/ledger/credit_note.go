package ledger

import (
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/pdf"
)

// CreditNoteDocument is a credit note as its PDF shows it: the refund as
// one line, with the parties of the invoice it credits.
func CreditNoteDocument(app core.App, note *core.Record) (pdf.Document, error) {
	inv, err := FindInvoice(app, note.GetString("invoice"))
	if err != nil {
		return pdf.Document{}, err
	}
	var seller, buyer Party
	if err := note.UnmarshalJSONField("seller", &seller); err != nil || seller.Name == "" {
		if seller, buyer, err = parties(app, inv); err != nil {
			return pdf.Document{}, err
		}
	} else {
		_ = note.UnmarshalJSONField("buyer", &buyer)
	}
	amount := note.GetInt64("amount")
	description := "Refund"
	if r := note.GetString("reason"); r != "" {
		description += ": " + r
	}
	issued := note.GetDateTime("issued_at").Time()
	return pdf.Document{
		Kind: "credit_note", Number: note.GetString("number"), Status: StatusPaid, IssuedAt: issued,
		Currency: note.GetString("currency"), Seller: seller.pdf(), Buyer: buyer.pdf(),
		Lines:    []pdf.Line{{Description: description, Quantity: 1, UnitAmount: amount, Amount: amount, TaxRateLabel: "–"}},
		Subtotal: amount, Total: amount,
		References: "Credit note for invoice " + Label(inv),
	}, nil
}
