package whmcs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// taxRateColumns are written from WHMCS on every run.
var taxRateColumns = []string{"name", "country", "region", "rate", "inclusive", "active"}

// maxTaxRate is 100 % in thousandths of a percent, the schema's limit.
const maxTaxRate = 100000

// importTaxes imports tbltax as tax rates. WHMCS's "all countries" rows
// (an empty country) have no equivalent: a rate here belongs to one country, so
// they are listed for staff to add per country. A level 2 tax is charged
// by WHMCS on top of the level 1 one; EZSCALE charges one rate per place
// (a region's replaces its country's), so level 2 rates keep that in
// their name and are noted for review. A rate is inclusive when WHMCS's
// TaxType is: its prices hold the tax, and so do the plan prices imported
// from them.
func (im *importer) importTaxes(ctx context.Context) error {
	cfg, err := im.loadTaxConfig(ctx)
	if err != nil {
		return err
	}
	c := im.report.count("tax_rates")
	t, err := im.table("tax_rates", c, taxRateColumns)
	if err != nil {
		return err
	}
	rows, err := im.rows(ctx, "SELECT id, level, name, state, country, taxrate FROM tbltax ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, level int64
		var name, state, country, rate string
		if err := rows.Scan(&id, &level, &name, &state, &country, &rate); err != nil {
			return err
		}
		c.Read++
		country = strings.ToUpper(text(country))
		switch {
		case country == "":
			im.report.skip(c, id, "applies to all countries: an EZSCALE tax rate belongs to one country; add it for each country that needs it")
			continue
		case !countryCode.MatchString(country):
			im.report.skip(c, id, "country %q is not an ISO 3166-1 alpha-2 code", country)
			continue
		}
		value, err := percentThousandths(rate)
		if err != nil || value > maxTaxRate {
			im.report.skip(c, id, "rate %q is not a percentage between 0 and 100 with at most three decimals", rate)
			continue
		}
		region := clip(text(state), 100)
		name = text(name)
		if name == "" {
			name = "Tax"
		}
		if level == 2 {
			name += " (level 2)"
			place := country
			if region != "" {
				place = region + ", " + country
			}
			im.report.note("tax_rates", id, "WHMCS adds this level 2 tax to the level 1 tax; EZSCALE charges one rate per place (a region's replaces its country's): review the rate charged in %s", place)
		}
		t.put(fmt.Sprint(id), map[string]any{
			"name": clip(name, 100), "country": country, "region": region, "rate": value, "inclusive": cfg.inclusive, "active": true,
		})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return im.flush(ctx, t)
}

// percentThousandths reads a WHMCS percentage ("19.000", "9.975", "8.25")
// exactly into thousandths of a percent (19000, 9975, 8250), the unit of
// tax_rates.rate and invoice tax_rate_value. Negative values and finer
// fractions than a thousandth are refused.
func percentThousandths(dec string) (int64, error) {
	s := strings.TrimSpace(dec)
	whole, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	if whole == "" || !allDigits(whole) || !allDigits(frac) || len(frac) > 3 || len(whole) > 12 {
		return 0, fmt.Errorf("percentage %q: not a non-negative decimal with at most three decimals", dec)
	}
	n, err := strconv.ParseInt(whole+frac+strings.Repeat("0", 3-len(frac)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("percentage %q: %w", dec, err)
	}
	return n, nil
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
