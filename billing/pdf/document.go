// Package pdf renders invoices and credit notes as A4 PDF documents with an
// embedded Unicode font, so that any customer's name and address print as
// typed.
package pdf

import "time"

// Document is everything printed on one invoice or credit note. It is a
// plain value, independent of the database, so that the layout can be
// rendered and tested without one. Money fields are integer minor units of
// Currency; times print as calendar dates in their own location, so pass
// them in the zone the customer should see.
type Document struct {
	// Kind is "invoice" or "credit_note".
	Kind string
	// Number is the legal document number. An invoice with only a
	// ProformaNumber is printed as a proforma invoice.
	Number, ProformaNumber string
	// Status is one of draft, open, paid, void, uncollectible, refunded
	// and partially_refunded; draft, paid, void and refunded are stamped
	// across the page so that a copy cannot be mistaken for a live demand.
	Status string

	// IssuedAt, DueAt and PaidAt are printed when set.
	IssuedAt, DueAt, PaidAt time.Time
	// Currency is the ISO 4217 code of every amount in the document.
	Currency string

	Seller Party
	Buyer  Party
	Lines  []Line
	// TaxSummary has one row per tax rate, printed in the totals.
	TaxSummary []TaxRow

	// DiscountTotal, CreditApplied and AmountRefunded are positive
	// amounts; discount and credit are printed as deductions.
	Subtotal, DiscountTotal, TaxTotal, Total, AmountPaid, AmountDue, CreditApplied, AmountRefunded int64

	// ReverseCharge prints the EU reverse-charge statement, which a
	// zero-rated B2B invoice must carry.
	ReverseCharge bool
	// Notes, References (such as "Credit note for invoice
	// INV-2026-000042") and BankDetails are free text; newlines are kept.
	Notes       string
	References  string
	BankDetails string
}

// Party is the seller or the buyer. Company, when set, is the legal name
// printed first and Name the contact person under it.
type Party struct {
	Name, Company string
	AddressLines  []string
	Country       string
	VATID, TaxID  string
	Email         string
	// Registration is printed as given, such as "Company no. 12345678".
	Registration string
}

// Line is one row of the line table. Amount is Quantity × UnitAmount after
// any rounding the billing engine applied; it is printed, not recomputed.
type Line struct {
	Description  string
	Quantity     int64
	UnitAmount   int64
	Amount       int64
	TaxRateLabel string
	// PeriodStart and PeriodEnd are the first and last days of service,
	// both inclusive; a half-open period must end a day earlier.
	PeriodStart, PeriodEnd time.Time
	// Renews is the price the line recurs at, as tax.Recurring says it
	// ("then $5.95 monthly plus 19% VAT"), or empty for a one-off line.
	Renews string
}

// TaxRow is the tax charged at one rate on Net.
type TaxRow struct {
	Label    string
	Net, Tax int64
}
