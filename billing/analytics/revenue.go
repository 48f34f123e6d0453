package analytics

import (
	"fmt"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// revenueSQL nets payments per day and currency. Both halves are grouped
// where they are read: the first in the order of idx_payments_revenue,
// whose expression it repeats word for word.
const revenueSQL = `SELECT day, currency, SUM(net) AS net FROM (
		SELECT substr(paid_at, 1, 10) AS day, currency, SUM(CASE kind WHEN 'refund' THEN -amount ELSE amount END) AS net
		FROM payments
		WHERE status = 'succeeded' AND substr(paid_at, 1, 10) >= {:from} AND substr(paid_at, 1, 10) <= {:to}
		GROUP BY substr(paid_at, 1, 10), currency
		UNION ALL
		SELECT substr(created, 1, 10) AS day, currency, SUM(CASE kind WHEN 'refund' THEN -amount ELSE amount END) AS net
		FROM payments
		WHERE status = 'succeeded' AND substr(paid_at, 1, 10) = '' AND created >= {:start} AND created < {:end}
		GROUP BY 1, 2)
	GROUP BY day, currency`

// dayRow is one day's net collected in one currency.
type dayRow struct {
	Day      string `db:"day"`
	Currency string `db:"currency"`
	Net      int64  `db:"net"`
}

// revenue is what was collected: succeeded charges minus succeeded
// refunds, on the day they were paid (paid_at, or when it is empty the
// row's creation). Each day's net per currency is converted and rounded
// once; months, years, currencies and the total are sums of those days,
// so every breakdown adds up. Days, months and years are listed in full,
// zeros included, so a chart needs no gap filling.
func revenue(app core.App, r Range, conv *converter, sum *Summary) error {
	var rows []dayRow
	err := app.DB().NewQuery(revenueSQL).
		Bind(dbx.Params{"from": r.From.Format(DateLayout), "to": r.To.Format(DateLayout),
			"start": r.From.Format(types.DefaultDateLayout), "end": r.end().Format(types.DefaultDateLayout)}).All(&rows)
	if err != nil {
		return err
	}
	byDay := map[string]int64{}
	rev := Revenue{ByCurrency: map[string]int64{}}
	for _, row := range rows {
		v, err := conv.convert(row.Currency, ratInt(row.Net))
		if err != nil {
			return fmt.Errorf("revenue of %s: %w", row.Day, err)
		}
		byDay[row.Day] += v
		rev.ByCurrency[row.Currency] += v
		rev.Total += v
	}
	rev.ByDay = []DayAmount{}
	rev.ByMonth = []MonthAmount{}
	rev.ByYear = []YearAmount{}
	for d := r.From; d.Before(r.end()); d = d.AddDate(0, 0, 1) {
		day := d.Format(DateLayout)
		v := byDay[day]
		rev.ByDay = append(rev.ByDay, DayAmount{Date: day, Amount: v})
		if n := len(rev.ByMonth); n == 0 || rev.ByMonth[n-1].Month != day[:7] {
			rev.ByMonth = append(rev.ByMonth, MonthAmount{Month: day[:7]})
		}
		rev.ByMonth[len(rev.ByMonth)-1].Amount += v
		if n := len(rev.ByYear); n == 0 || rev.ByYear[n-1].Year != day[:4] {
			rev.ByYear = append(rev.ByYear, YearAmount{Year: day[:4]})
		}
		rev.ByYear[len(rev.ByYear)-1].Amount += v
	}
	sum.Revenue = rev
	return nil
}
