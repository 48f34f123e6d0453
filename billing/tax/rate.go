package tax

import "strings"

// Rate is one row of the tax_rates collection. Rate is in thousandths of a
// percent; Inclusive means prices taxed at it already contain the tax.
type Rate struct {
	ID, Name, Country, Region string
	Rate                      int64
	Inclusive                 bool
}

// Select returns the rate for a place: a rate for the region wins over the
// country-wide one (Region ""), since a state or province rate replaces the
// national default there. rates must hold only active rates, as the query
// loading them should ensure. Country codes are upper-case ISO 3166-1
// alpha-2, as the schema enforces; regions are free text typed by people, so
// they match ignoring case and surrounding spaces. Among several matches at
// the same level the first in rates wins, so callers should load rates in a
// fixed order. A region without its own rate falls back to the country's;
// a place without either has no rate.
func Select(rates []Rate, country, region string) (Rate, bool) {
	region = strings.TrimSpace(region)
	var countryWide Rate
	found := false
	for _, r := range rates {
		if r.Country != country {
			continue
		}
		rr := strings.TrimSpace(r.Region)
		switch {
		case rr == "" && !found:
			countryWide, found = r, true
		case rr != "" && region != "" && strings.EqualFold(rr, region):
			return r, true
		}
	}
	return countryWide, found
}
