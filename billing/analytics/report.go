// Package analytics computes the staff console's business figures: MRR and
// ARR, their monthly movements and churn, revenue collected, plan
// popularity, order conversion and receivables. Every figure is an SQL
// aggregate (GROUP BY over indexed columns); Go only normalises cycles to
// months and converts currencies, exactly, on a few hundred grouped rows.
package analytics

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/settings"
)

// Summary is the report, in the JSON shape the staff console reads. All
// money is in minor units of Currency.
type Summary struct {
	From        string      `json:"from"`
	To          string      `json:"to"`
	Currency    string      `json:"currency"`
	MRR         Breakdown   `json:"mrr"`
	ARR         Breakdown   `json:"arr"`
	Months      []Month     `json:"months"`
	Revenue     Revenue     `json:"revenue"`
	Plans       []Plan      `json:"plans"`
	Conversion  Conversion  `json:"conversion"`
	Receivables Receivables `json:"receivables"`
}

// Breakdown is a total and its parts by the currency the money is held in,
// each converted to the report's currency; the parts add up to the total.
type Breakdown struct {
	Total      int64            `json:"total"`
	ByCurrency map[string]int64 `json:"by_currency"`
}

// Month is one calendar month of the range (the first and last are cut to
// the range): MRR at its end, the movements that made it, and churn.
type Month struct {
	Month           string `json:"month"`
	MRR             int64  `json:"mrr"`
	New             int64  `json:"new"`
	Expansion       int64  `json:"expansion"`
	Contraction     int64  `json:"contraction"`
	Churned         int64  `json:"churned"`
	NetNew          int64  `json:"net_new"`
	ActiveCustomers int64  `json:"active_customers"`
	Signups         int64  `json:"signups"`
	CustomerChurnBP int64  `json:"customer_churn_bp"`
	RevenueChurnBP  int64  `json:"revenue_churn_bp"`
	Revenue         int64  `json:"revenue"`
}

// Revenue is money collected: succeeded charges minus succeeded refunds,
// by the date they were paid.
type Revenue struct {
	Total      int64            `json:"total"`
	ByDay      []DayAmount      `json:"by_day"`
	ByMonth    []MonthAmount    `json:"by_month"`
	ByYear     []YearAmount     `json:"by_year"`
	ByCurrency map[string]int64 `json:"by_currency"`
}

// DayAmount is the revenue of one day.
type DayAmount struct {
	Date   string `json:"date"`
	Amount int64  `json:"amount"`
}

// MonthAmount is the revenue of one month (within the range).
type MonthAmount struct {
	Month  string `json:"month"`
	Amount int64  `json:"amount"`
}

// YearAmount is the revenue of one year (within the range).
type YearAmount struct {
	Year   string `json:"year"`
	Amount int64  `json:"amount"`
}

// Plan is one plan's live subscriptions and their MRR.
type Plan struct {
	Plan   string `json:"plan"`
	Name   string `json:"name"`
	Active int64  `json:"active"`
	MRR    int64  `json:"mrr"`
}

// Conversion is how many orders placed in the range have a paid invoice.
type Conversion struct {
	Orders int64 `json:"orders"`
	Paid   int64 `json:"paid"`
	RateBP int64 `json:"rate_bp"`
}

// Receivables are open invoices' amounts due, and the overdue part aged
// by days past due.
type Receivables struct {
	Outstanding int64    `json:"outstanding"`
	Overdue     int64    `json:"overdue"`
	Buckets     []Bucket `json:"buckets"`
}

// Bucket is the overdue invoices of one age band.
type Bucket struct {
	Label  string `json:"label"`
	Amount int64  `json:"amount"`
	Count  int64  `json:"count"`
}

// Report computes the figures for r in currency, which must be the base
// currency or one with an exchange rate in the settings (see ParseParams).
func Report(app core.App, r Range, currency string) (*Summary, error) {
	return ReportTimed(app, r, currency, nil)
}

// Sections are the parts of a report, computed in this order.
var Sections = []string{"current MRR and plans", "monthly movements", "revenue", "conversion", "receivables"}

// ReportTimed is Report that tells took how long each of Sections took
// (the benchmark prints it); took may be nil.
func ReportTimed(app core.App, r Range, currency string, took func(section string, d time.Duration)) (*Summary, error) {
	s, err := settings.Load(app)
	if err != nil {
		return nil, err
	}
	conv, err := newConverter(s, currency)
	if err != nil {
		return nil, err
	}
	if r.Now.IsZero() {
		r.Now = time.Now()
	}
	sum := &Summary{From: r.From.Format(DateLayout), To: r.To.Format(DateLayout), Currency: conv.target.Code}
	runs := []func(core.App, Range, *converter, *Summary) error{currentMRR, months, revenue, conversion, receivables}
	for i, run := range runs {
		started := time.Now()
		if err := run(app, r, conv, sum); err != nil {
			return nil, fmt.Errorf("analytics %s to %s, %s: %w", sum.From, sum.To, Sections[i], err)
		}
		if took != nil {
			took(Sections[i], time.Since(started))
		}
	}
	// A month's revenue is the by_month figure of the same month.
	byMonth := map[string]int64{}
	for _, m := range sum.Revenue.ByMonth {
		byMonth[m.Month] = m.Amount
	}
	for i := range sum.Months {
		sum.Months[i].Revenue = byMonth[sum.Months[i].Month]
	}
	return sum, nil
}
