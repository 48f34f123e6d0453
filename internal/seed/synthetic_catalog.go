package seed

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// catalog is what synthetic customers buy: the active, non-hourly prices
// per currency, and the tax rates (exclusive: catalog prices are net) by
// country.
type catalog struct {
	prices   map[string][]price
	taxRates map[string]taxRate
}

type price struct {
	id, cycle                      string
	plan                           plan
	months                         int
	amount, setupFee, overagePerGB int64
}

type plan struct{ id, name, slug, serviceType, platform string }

type taxRate struct {
	id, name string
	rate     int64 // thousandths of a percent
}

var cycleMonths = map[string]int{"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12, "biennial": 24, "triennial": 36}

func loadCatalog(app core.App) (*catalog, error) {
	n, err := app.CountRecords("plans")
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if err := app.RunInTransaction(DemoCatalog); err != nil {
			return nil, fmt.Errorf("seed: demo catalog: %w", err)
		}
	}
	plans := map[string]plan{}
	recs, err := app.FindAllRecords("plans", dbx.NewExp("status != 'archived'"))
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		plans[r.Id] = plan{r.Id, r.GetString("name"), r.GetString("slug"), r.GetString("service_type"), r.GetString("platform")}
	}

	cat := &catalog{prices: map[string][]price{}, taxRates: map[string]taxRate{}}
	if recs, err = app.FindAllRecords("plan_prices", dbx.HashExp{"active": true}); err != nil {
		return nil, err
	}
	for _, r := range recs {
		p, ok := plans[r.GetString("plan")]
		months := cycleMonths[r.GetString("cycle")]
		if !ok || months == 0 {
			continue
		}
		cur := r.GetString("currency")
		cat.prices[cur] = append(cat.prices[cur], price{
			id: r.Id, cycle: r.GetString("cycle"), plan: p, months: months,
			amount: int64(r.GetInt("amount")), setupFee: int64(r.GetInt("setup_fee")), overagePerGB: int64(r.GetInt("overage_per_gb")),
		})
	}
	// Record ids differ between databases; sort by what they mean so the
	// seed alone decides what is bought.
	for _, ps := range cat.prices {
		slices.SortFunc(ps, func(a, b price) int {
			return cmp.Or(strings.Compare(a.plan.slug, b.plan.slug), a.months-b.months)
		})
	}

	if recs, err = app.FindAllRecords("tax_rates", dbx.HashExp{"active": true, "region": "", "inclusive": false}); err != nil {
		return nil, err
	}
	for _, r := range recs {
		cat.taxRates[r.GetString("country")] = taxRate{r.Id, r.GetString("name"), int64(r.GetInt("rate"))}
	}
	return cat, nil
}
