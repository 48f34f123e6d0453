package ledger

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/pdf"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/internal/settings"
)

// Document is an invoice as its PDF shows it: the parties frozen when it
// was issued (a draft shows today's), its lines and its totals.
func Document(app core.App, inv *Invoice) (pdf.Document, error) {
	seller, buyer, err := parties(app, inv)
	if err != nil {
		return pdf.Document{}, err
	}
	items, err := Items(app, inv.Id)
	if err != nil {
		return pdf.Document{}, err
	}
	t, _ := treatmentOf(inv)
	d := pdf.Document{
		Kind: "invoice", Number: inv.Number(), ProformaNumber: inv.GetString("proforma_number"), Status: inv.Status(),
		IssuedAt: inv.GetDateTime("issued_at").Time(), DueAt: inv.GetDateTime("due_at").Time(), PaidAt: inv.GetDateTime("paid_at").Time(),
		Currency: inv.Currency(), Seller: seller.pdf(), Buyer: buyer.pdf(),
		Subtotal: inv.GetInt64("subtotal"), DiscountTotal: inv.GetInt64("discount_total"), TaxTotal: inv.GetInt64("tax_total"),
		Total: inv.Total(), AmountPaid: inv.GetInt64("amount_paid"), AmountDue: inv.AmountDue(),
		CreditApplied: inv.GetInt64("credit_applied"), AmountRefunded: inv.GetInt64("amount_refunded"),
		ReverseCharge: inv.GetBool("reverse_charge"), Notes: inv.GetString("notes"), BankDetails: seller.BankDetails,
	}
	for _, it := range items {
		if it.GetBool("waived") {
			continue
		}
		l := pdf.Line{
			Description: it.GetString("description"), Quantity: it.GetInt64("quantity"),
			UnitAmount: it.GetInt64("unit_amount"), Amount: it.GetInt64("amount"), TaxRateLabel: lineTaxLabel(t, it),
			PeriodStart: it.GetDateTime("period_start").Time(), Renews: LineRenewalLabel(app, inv, it),
		}
		// Periods are stored half-open; the invoice prints the last day served.
		if end := it.GetDateTime("period_end").Time(); !end.IsZero() {
			l.PeriodEnd = end.AddDate(0, 0, -1)
		}
		d.Lines = append(d.Lines, l)
	}
	var summary []tax.SummaryRow
	if err := inv.UnmarshalJSONField("tax_summary", &summary); err == nil {
		for _, r := range summary {
			d.TaxSummary = append(d.TaxSummary, pdf.TaxRow{Label: fmt.Sprintf("%s %s", r.Name, tax.FormatRate(r.Rate)), Net: r.Net, Tax: r.Tax})
		}
	}
	if d.ReverseCharge {
		d.TaxSummary = append(d.TaxSummary, pdf.TaxRow{Label: "VAT 0% (reverse charge)", Net: d.Subtotal - d.DiscountTotal})
	}
	return d, nil
}

func lineTaxLabel(t Treatment, item *core.Record) string {
	switch {
	case t.ReverseCharge:
		return "0% RC"
	case !t.Charge:
		return "–"
	default:
		return tax.FormatRate(item.GetInt64("tax_rate_value"))
	}
}

// parties are the frozen seller and buyer of an issued invoice, or the
// current ones for a draft.
func parties(app core.App, inv *Invoice) (seller, buyer Party, err error) {
	if inv.Status() != StatusDraft {
		err1 := inv.UnmarshalJSONField("seller", &seller)
		err2 := inv.UnmarshalJSONField("buyer", &buyer)
		if err1 == nil && err2 == nil && seller.Name != "" {
			return seller, buyer, nil
		}
	}
	s, err := settings.Load(app)
	if err != nil {
		return seller, buyer, err
	}
	customer, err := app.FindRecordById(customers.Collection, inv.CustomerID())
	if err != nil {
		return seller, buyer, fmt.Errorf("invoice %s customer: %w", inv.Id, err)
	}
	return SellerParty(s), BuyerParty(customer), nil
}

func (p Party) pdf() pdf.Party {
	return pdf.Party{
		Name: p.Name, Company: p.Company, AddressLines: p.AddressLines, Country: p.Country,
		VATID: p.VATID, TaxID: p.TaxID, Email: p.Email, Registration: p.Registration,
	}
}
