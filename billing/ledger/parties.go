package ledger

import (
	"strings"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/internal/settings"
)

// Party is a seller or buyer as printed on an invoice. It is copied onto
// the invoice when it is issued, so later edits of the customer or the
// company details never rewrite an issued invoice.
type Party struct {
	Name         string   `json:"name"`
	Company      string   `json:"company,omitempty"`
	AddressLines []string `json:"address_lines,omitempty"`
	Country      string   `json:"country,omitempty"`
	Region       string   `json:"region,omitempty"`
	VATID        string   `json:"vat_id,omitempty"`
	TaxID        string   `json:"tax_id,omitempty"`
	Registration string   `json:"registration,omitempty"`
	Email        string   `json:"email,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	BankDetails  string   `json:"bank_details,omitempty"`
}

// SellerParty is the company as the settings describe it now.
func SellerParty(s *settings.Settings) Party {
	return Party{
		Name:         s.CompanyName,
		AddressLines: nonEmpty(strings.Split(s.CompanyAddress, "\n")...),
		Country:      s.CompanyCountry,
		Region:       s.CompanyRegion,
		VATID:        s.CompanyVATID,
		Registration: s.CompanyRegistration,
		Email:        s.CompanyEmail,
		Phone:        s.CompanyPhone,
		BankDetails:  s.CompanyBankDetails,
	}
}

// BuyerParty is the customer as their profile describes them now.
func BuyerParty(rec *core.Record) Party {
	c := customers.As(rec)
	cityLine := strings.TrimSpace(c.PostalCode() + " " + c.City())
	return Party{
		Name:         c.Name(),
		Company:      c.Company(),
		AddressLines: nonEmpty(c.AddressLine1(), c.AddressLine2(), cityLine, c.Region()),
		Country:      c.Country(),
		Region:       c.Region(),
		VATID:        c.VATID(),
		TaxID:        c.TaxID(),
		Email:        c.Email(),
		Phone:        c.Phone(),
	}
}

func nonEmpty(lines ...string) []string {
	out := lines[:0:0]
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
