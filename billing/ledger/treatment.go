package ledger

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/tax"
	"github.com/ezscale/ezscale/internal/settings"
)

// Treatment is the tax treatment of one invoice, decided when its first
// line is added and stored on it, so every line of an invoice is taxed the
// same way and an issued invoice keeps the rate it was issued with.
type Treatment struct {
	Name          string `json:"name,omitempty"`
	Rate          int64  `json:"rate"`
	Inclusive     bool   `json:"inclusive,omitempty"`
	Charge        bool   `json:"charge"`
	ReverseCharge bool   `json:"reverse_charge,omitempty"`
	Reason        string `json:"reason"`
	RateID        string `json:"rate_id,omitempty"`
}

func (t Treatment) rate() tax.Rate {
	return tax.Rate{ID: t.RateID, Name: t.Name, Rate: t.Rate, Inclusive: t.Inclusive}
}

// Rates loads the active tax rates in a fixed order, as tax.Select expects.
func Rates(app core.App) ([]tax.Rate, error) {
	recs, err := app.FindRecordsByFilter("tax_rates", "active = true", "country,region,id", 0, 0)
	if err != nil {
		return nil, fmt.Errorf("tax rates: %w", err)
	}
	out := make([]tax.Rate, len(recs))
	for i, r := range recs {
		out[i] = tax.Rate{
			ID: r.Id, Name: r.GetString("name"), Country: r.GetString("country"), Region: r.GetString("region"),
			Rate: r.GetInt64("rate"), Inclusive: r.GetBool("inclusive"),
		}
	}
	return out, nil
}

// Decide is the tax treatment of a sale to customer under s.
func Decide(s *settings.Settings, rates []tax.Rate, customer *core.Record) Treatment {
	if !s.TaxEnabled {
		return Treatment{Reason: "tax disabled"}
	}
	c := customers.As(customer)
	seller := tax.Party{Country: s.CompanyCountry, Region: s.CompanyRegion, VATID: s.CompanyVATID}
	buyer := tax.Party{Country: c.Country(), Region: c.Region(), VATID: c.VATID(), Exempt: c.TaxExempt()}
	d := tax.Decide(seller, buyer, rates, s.EUReverseCharge)
	return Treatment{
		Name: d.Rate.Name, Rate: d.Rate.Rate, Inclusive: d.Rate.Inclusive, RateID: d.Rate.ID,
		Charge: d.Charge, ReverseCharge: d.ReverseCharge, Reason: d.Reason,
	}
}

// treatmentOf reads the treatment stored on an invoice.
func treatmentOf(inv *Invoice) (Treatment, bool) {
	var t Treatment
	if err := inv.UnmarshalJSONField("tax", &t); err != nil || t.Reason == "" {
		return Treatment{}, false
	}
	return t, true
}
