package metrics

import (
	"fmt"
	"math/big"

	"github.com/pocketbase/pocketbase/core"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ezscale/ezscale/billing/cycle"
)

var (
	mrrDesc = prometheus.NewDesc(namespace+"_mrr_minor_units",
		"Monthly recurring revenue of the active and past-due subscriptions, in minor units of the currency.", []string{"currency"}, nil)
	receivablesDesc = prometheus.NewDesc(namespace+"_receivables_minor_units",
		"Amount due on open invoices, in minor units of the currency.", []string{"currency"}, nil)
	openInvoicesDesc = prometheus.NewDesc(namespace+"_open_invoices",
		"Open invoices, by currency.", []string{"currency"}, nil)
)

// hoursPerMonth turns an hourly price into a monthly one, as the staff
// analytics do (billing/analytics): 8,760 hours a year over 12 months.
const hoursPerMonth = 730

// business reads MRR and open receivables at scrape time, one grouped
// query each. Money stays in integer minor units of its own currency;
// nothing is converted.
type business struct{ app core.App }

func (b *business) Describe(ch chan<- *prometheus.Desc) {
	ch <- mrrDesc
	ch <- receivablesDesc
	ch <- openInvoicesDesc
}

func (b *business) Collect(ch chan<- prometheus.Metric) {
	if mrr, err := MRR(b.app); err != nil {
		ch <- prometheus.NewInvalidMetric(mrrDesc, err)
	} else {
		for c, v := range mrr {
			ch <- prometheus.MustNewConstMetric(mrrDesc, prometheus.GaugeValue, float64(v), c)
		}
	}
	var rows []struct {
		Currency string `db:"currency"`
		Due      int64  `db:"due"`
		N        int64  `db:"n"`
	}
	err := b.app.DB().NewQuery(`SELECT currency, SUM(amount_due) AS due, COUNT(*) AS n
		FROM invoices WHERE status = 'open' GROUP BY currency`).All(&rows)
	if err != nil {
		err = fmt.Errorf("open receivables: %w", err)
		ch <- prometheus.NewInvalidMetric(receivablesDesc, err)
		ch <- prometheus.NewInvalidMetric(openInvoicesDesc, err)
		return
	}
	for _, r := range rows {
		ch <- prometheus.MustNewConstMetric(receivablesDesc, prometheus.GaugeValue, float64(r.Due), r.Currency)
		ch <- prometheus.MustNewConstMetric(openInvoicesDesc, prometheus.GaugeValue, float64(r.N), r.Currency)
	}
}

// MRR is the monthly recurring revenue per currency, in minor units: each
// active or past-due subscription's amount as a month (÷ the cycle's
// months, an hourly price × 730), summed exactly and rounded once, half
// away from zero, per currency.
func MRR(app core.App) (map[string]int64, error) {
	var rows []struct {
		Currency string `db:"currency"`
		Cycle    string `db:"cycle"`
		Amount   int64  `db:"amount"`
	}
	err := app.DB().NewQuery(`SELECT currency, cycle, SUM(amount) AS amount FROM subscriptions
		WHERE status IN ('active', 'past_due') GROUP BY currency, cycle`).All(&rows)
	if err != nil {
		return nil, fmt.Errorf("MRR: %w", err)
	}
	sums := map[string]*big.Rat{}
	for _, r := range rows {
		cy, err := cycle.Parse(r.Cycle)
		if err != nil {
			return nil, fmt.Errorf("MRR: %s subscriptions in %s: %w", r.Cycle, r.Currency, err)
		}
		f := big.NewRat(hoursPerMonth, 1)
		if cy != cycle.Hourly {
			f = big.NewRat(1, int64(cy.Months()))
		}
		if sums[r.Currency] == nil {
			sums[r.Currency] = new(big.Rat)
		}
		sums[r.Currency].Add(sums[r.Currency], new(big.Rat).Mul(big.NewRat(r.Amount, 1), f))
	}
	out := make(map[string]int64, len(sums))
	for c, s := range sums {
		out[c] = roundHalfAway(s)
	}
	return out, nil
}

// roundHalfAway rounds r to a whole number, halves away from zero.
func roundHalfAway(r *big.Rat) int64 {
	num, den := new(big.Int).Set(r.Num()), r.Denom()
	twice := new(big.Int).Mul(num, big.NewInt(2))
	if num.Sign() >= 0 {
		twice.Add(twice, den)
	} else {
		twice.Sub(twice, den)
	}
	q := new(big.Int).Quo(twice, new(big.Int).Mul(den, big.NewInt(2)))
	return q.Int64()
}
