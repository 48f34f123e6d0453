package analytics

import (
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/cycle"
)

// hoursPerMonth turns an hourly price into a monthly one: 730 hours is
// 8,760 hours a year over 12 months, the usual convention for "always on".
const hoursPerMonth = 730

// monthly is the factor that turns one billing cycle's amount into a
// month's: 1/months of the cycle, or 730 for an hourly price.
func monthly(c string) (*big.Rat, error) {
	cy, err := cycle.Parse(c)
	if err != nil {
		return nil, err
	}
	if cy == cycle.Hourly {
		return big.NewRat(hoursPerMonth, 1), nil
	}
	return big.NewRat(1, int64(cy.Months())), nil
}

// addMonthly adds amount (one cycle's price, minor units of currency) as
// a monthly amount.
func (s sums) addMonthly(currency, cyc string, amount int64) error {
	f, err := monthly(cyc)
	if err != nil {
		return fmt.Errorf("%s amount in %s: %w", cyc, currency, err)
	}
	s.add(currency, new(big.Rat).Mul(big.NewRat(amount, 1), f))
	return nil
}

// subsCTE is every subscription that was ever live (pending ones never
// were) with the instant it ended: cancelled_at, or for a cancelled or
// expired subscription without one, its last update. A subscription is
// live at instant T when created < T <= ended (or it has not ended), so it
// counts as new in the month it was created and as churned in the month
// it ended.
const subsCTE = `subs AS (SELECT id, customer, plan, currency, cycle, amount, created,
	CASE WHEN cancelled_at != '' THEN cancelled_at WHEN status IN ('cancelled', 'expired') THEN updated ELSE '' END AS ended
	FROM subscriptions WHERE status != 'pending')`

// amountRow is a grouped sum of subscription amounts.
type amountRow struct {
	Plan     string `db:"plan"`
	Name     string `db:"name"`
	Currency string `db:"currency"`
	Cycle    string `db:"cycle"`
	N        int64  `db:"n"`
	Amount   int64  `db:"amount"`
}

// currentMRR is the MRR of the subscriptions active or past due now, in
// total and per plan.
func currentMRR(app core.App, _ Range, conv *converter, sum *Summary) error {
	var rows []amountRow
	err := app.DB().NewQuery(`SELECT s.plan AS plan, COALESCE(p.name, '') AS name, s.currency AS currency, s.cycle AS cycle,
		COUNT(*) AS n, SUM(s.amount) AS amount
		FROM subscriptions s LEFT JOIN plans p ON p.id = s.plan
		WHERE s.status IN ('active', 'past_due')
		GROUP BY s.plan, s.currency, s.cycle`).All(&rows)
	if err != nil {
		return err
	}
	all := sums{}
	plans := map[string]sums{}
	byPlan := map[string]*Plan{}
	for _, row := range rows {
		if err := all.addMonthly(row.Currency, row.Cycle, row.Amount); err != nil {
			return err
		}
		if plans[row.Plan] == nil {
			plans[row.Plan] = sums{}
			byPlan[row.Plan] = &Plan{Plan: row.Plan, Name: row.Name}
		}
		if err := plans[row.Plan].addMonthly(row.Currency, row.Cycle, row.Amount); err != nil {
			return err
		}
		byPlan[row.Plan].Active += row.N
	}
	total, byCurrency, err := conv.convertSums(all)
	if err != nil {
		return err
	}
	sum.MRR = Breakdown{Total: total, ByCurrency: byCurrency}
	sum.ARR = Breakdown{Total: 12 * total, ByCurrency: map[string]int64{}}
	for c, v := range byCurrency {
		sum.ARR.ByCurrency[c] = 12 * v
	}
	sum.Plans = make([]Plan, 0, len(byPlan))
	for id, p := range byPlan {
		if p.MRR, _, err = conv.convertSums(plans[id]); err != nil {
			return err
		}
		sum.Plans = append(sum.Plans, *p)
	}
	slices.SortFunc(sum.Plans, func(a, b Plan) int {
		if a.MRR != b.MRR {
			return cmpDesc(a.MRR, b.MRR)
		}
		if a.Active != b.Active {
			return cmpDesc(a.Active, b.Active)
		}
		return strings.Compare(a.Plan, b.Plan)
	})
	return nil
}

func cmpDesc(a, b int64) int {
	if a > b {
		return -1
	}
	return 1
}

// bounds are the instants that cut the range into calendar months: From,
// the first of each later month, and the end of To. Month i runs from
// bound i (inclusive) to bound i+1 (exclusive).
func bounds(r Range) []string {
	b := []string{r.From.Format(types.DefaultDateLayout)}
	for t := time.Date(r.From.Year(), r.From.Month()+1, 1, 0, 0, 0, 0, time.UTC); t.Before(r.end()); t = t.AddDate(0, 1, 0) {
		b = append(b, t.Format(types.DefaultDateLayout))
	}
	return append(b, r.end().Format(types.DefaultDateLayout))
}

// maxBounds keeps customerCounts' bit runs, up to bit len(b), below the
// sign bit of a 64-bit integer.
const maxBounds = 62

// spanSQL gives each subscription, in one pass over the table, the first
// and last bound it is live at: first is the least k with created <
// bound k (len(b) when created after the range), last the greatest k with
// ended >= bound k (len(b)-1 when it has not ended, -1 when it ended
// before the range). It is live at bound k when first <= k <= last, new
// in month i when first = i+1, churned in month i when last = i < len(b)-1.
// The CASE chains are bound parameters; a MaxYears range has at most 62
// bounds, so a run of them fits the bits of an SQLite integer.
func spanSQL(b []string) (first, last string, params dbx.Params) {
	params = dbx.Params{}
	var f, l strings.Builder
	f.WriteString("CASE")
	l.WriteString("CASE WHEN s.ended = '' THEN " + strconv.Itoa(len(b)-1))
	for k := range b {
		params["t"+strconv.Itoa(k)] = b[k]
		fmt.Fprintf(&f, " WHEN s.created < {:t%d} THEN %d", k, k)
		j := len(b) - 1 - k
		fmt.Fprintf(&l, " WHEN s.ended >= {:t%d} THEN %d", j, j)
	}
	fmt.Fprintf(&f, " ELSE %d END", len(b))
	l.WriteString(" ELSE -1 END")
	return f.String(), l.String(), params
}

// change is a recorded change of a subscription's amount (a plan change,
// or staff editing it), from the audit log, with what the subscription
// it belongs to looks like.
type change struct {
	At       string `db:"at"`
	Delta    int64  `db:"delta"`
	Currency string `db:"currency"`
	Cycle    string `db:"cycle"`
	Created  string `db:"created"`
	Ended    string `db:"ended"`
}

// amountChangesSQL lists the changes, from the partial index
// idx_audit_logs_subscription_amounts, whose WHERE it repeats.
const amountChangesSQL = `WITH ` + subsCTE + `
		SELECT a.created AS at, s.currency AS currency, s.cycle AS cycle, s.created AS created, s.ended AS ended,
			CAST(COALESCE(json_extract(a.changes, '$.amount.after'), 0) AS INTEGER)
			- CAST(COALESCE(json_extract(a.changes, '$.amount.before'), 0) AS INTEGER) AS delta
		FROM audit_logs a JOIN subs s ON s.id = a.record_id
		WHERE a.collection = 'subscriptions' AND a.action = 'update' AND json_extract(a.changes, '$.amount') IS NOT NULL`

func (c change) liveAt(t string) bool { return c.Created < t && (c.Ended == "" || c.Ended >= t) }

// months fills the monthly movements. The subscriptions store only their
// current amount, so MRR at a past instant is the current amounts of the
// subscriptions live then minus the amount changes made since; the
// changes come from the audit log, which records every update of a
// subscription's amount with its before and after (a plan change applied
// by billing/planchange, paid upgrade or downgrade, or a staff edit).
// Expansion and contraction are those changes' positive and negative
// parts in the month; new is the amount a subscription started with,
// churned the amount it ended with. Per currency and exactly, MRR at a
// month's end minus MRR at its start is new + expansion − contraction −
// churned; after conversion the two may differ by the rounding of each
// figure (half a minor unit per currency).
func months(app core.App, r Range, conv *converter, sum *Summary) error {
	b := bounds(r)
	n := len(b) - 1
	if len(b) > maxBounds {
		return fmt.Errorf("%d months: more than %d", n, maxBounds-1)
	}
	first, last, params := spanSQL(b)

	mrr := make([]sums, n+1) // at each bound
	moves := make([][4]sums, n)
	for i := range mrr {
		mrr[i] = sums{}
	}
	for i := range moves {
		moves[i] = [4]sums{{}, {}, {}, {}}
	}
	const newMRR, expansion, contraction, churned = 0, 1, 2, 3

	var spans []struct {
		Currency string `db:"currency"`
		Cycle    string `db:"cycle"`
		First    int    `db:"first"`
		Last     int    `db:"last"`
		Amount   int64  `db:"amount"`
	}
	err := app.DB().NewQuery(`WITH ` + subsCTE + `
		SELECT s.currency AS currency, s.cycle AS cycle, ` + first + ` AS first, ` + last + ` AS last, SUM(s.amount) AS amount
		FROM subs s GROUP BY 1, 2, 3, 4`).Bind(params).All(&spans)
	if err != nil {
		return fmt.Errorf("MRR by month: %w", err)
	}
	for _, sp := range spans {
		for k := max(sp.First, 0); k <= min(sp.Last, n); k++ {
			if err := mrr[k].addMonthly(sp.Currency, sp.Cycle, sp.Amount); err != nil {
				return err
			}
		}
		if i := sp.First - 1; i >= 0 && i < n {
			if err := moves[i][newMRR].addMonthly(sp.Currency, sp.Cycle, sp.Amount); err != nil {
				return err
			}
		}
		if i := sp.Last; i >= 0 && i < n {
			if err := moves[i][churned].addMonthly(sp.Currency, sp.Cycle, sp.Amount); err != nil {
				return err
			}
		}
	}

	var changes []change
	err = app.DB().NewQuery(amountChangesSQL).All(&changes)
	if err != nil {
		return fmt.Errorf("subscription amount changes: %w", err)
	}
	monthOf := func(t string) int { // -1 outside the range
		i, found := slices.BinarySearch(b, t)
		if !found {
			i--
		}
		if i < 0 || i >= n {
			return -1
		}
		return i
	}
	for _, c := range changes {
		if c.Delta == 0 {
			continue
		}
		// What the current amounts overstate at an earlier instant.
		undo := func(s sums) error { return s.addMonthly(c.Currency, c.Cycle, -c.Delta) }
		for k, t := range b {
			if c.liveAt(t) && c.At >= t {
				if err := undo(mrr[k]); err != nil {
					return err
				}
			}
		}
		if i := monthOf(c.Created); i >= 0 && c.At >= c.Created {
			if err := undo(moves[i][newMRR]); err != nil {
				return err
			}
		}
		if i := monthOf(c.Ended); c.Ended != "" && i >= 0 && c.At >= c.Ended {
			if err := undo(moves[i][churned]); err != nil {
				return err
			}
		}
		if i := monthOf(c.At); i >= 0 && c.At >= c.Created && (c.Ended == "" || c.At < c.Ended) {
			kind, delta := expansion, c.Delta
			if delta < 0 {
				kind, delta = contraction, -delta
			}
			if err := moves[i][kind].addMonthly(c.Currency, c.Cycle, delta); err != nil {
				return err
			}
		}
	}

	cust, err := customerCounts(app, b, first, last, params)
	if err != nil {
		return err
	}

	mrrAt := make([]int64, n+1)
	for k := range mrr {
		if mrrAt[k], _, err = conv.convertSums(mrr[k]); err != nil {
			return err
		}
	}
	sum.Months = make([]Month, n)
	for i := range n {
		var v [4]int64
		for kind := range v {
			if v[kind], _, err = conv.convertSums(moves[i][kind]); err != nil {
				return err
			}
		}
		sum.Months[i] = Month{
			Month: b[i][:7], MRR: mrrAt[i+1],
			New: v[newMRR], Expansion: v[expansion], Contraction: v[contraction], Churned: v[churned],
			NetNew:          v[newMRR] + v[expansion] - v[contraction] - v[churned],
			ActiveCustomers: cust[i].AtEnd, Signups: cust[i].Signups,
			CustomerChurnBP: ratioBP(cust[i].Churned, cust[i].AtStart),
			RevenueChurnBP:  ratioBP(v[churned]+v[contraction], mrrAt[i]),
		}
	}
	return nil
}

// customerMonth counts customers in one month: with a live subscription
// at its start and at its end, churned (live at the start, not at the
// end: their last live subscription ended in the month) and signed up.
type customerMonth struct {
	AtStart, AtEnd, Churned, Signups int64
}

// customerCounts finds which bounds each customer is live at without a
// row per customer leaving SQLite: each subscription's bounds are a run of
// bits (first to last), a customer's are the OR of their subscriptions',
// and SQLite, which has no OR aggregate, lists each customer's distinct
// runs; customers with the same list are counted together, leaving a few
// hundred patterns for Go to OR and count.
func customerCounts(app core.App, b []string, first, last string, params dbx.Params) ([]customerMonth, error) {
	n := len(b) - 1
	var patterns []struct {
		Masks string `db:"masks"`
		N     int64  `db:"n"`
	}
	err := app.DB().NewQuery(`WITH ` + subsCTE + `,
		spans AS (SELECT s.customer AS customer, ` + first + ` AS first, ` + last + ` AS last FROM subs s),
		runs AS (SELECT group_concat(DISTINCT (1 << (last + 1)) - (1 << first)) AS masks
			FROM spans WHERE first <= last GROUP BY customer)
		SELECT masks, COUNT(*) AS n FROM runs GROUP BY masks`).Bind(params).All(&patterns)
	if err != nil {
		return nil, fmt.Errorf("active customers: %w", err)
	}
	out := make([]customerMonth, n)
	for _, p := range patterns {
		var live uint64
		for _, m := range strings.Split(p.Masks, ",") {
			v, err := strconv.ParseUint(m, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("active customers: bounds mask %q: %w", m, err)
			}
			live |= v
		}
		for i := range out {
			start, end := live&(1<<i) != 0, live&(1<<(i+1)) != 0
			if start {
				out[i].AtStart += p.N
			}
			if end {
				out[i].AtEnd += p.N
			}
			if start && !end {
				out[i].Churned += p.N
			}
		}
	}

	monthOf := strings.Builder{}
	monthOf.WriteString("CASE")
	for k := 1; k <= n; k++ {
		fmt.Fprintf(&monthOf, " WHEN created < {:t%d} THEN %d", k, k-1)
	}
	monthOf.WriteString(" END")
	var signups []struct {
		I int   `db:"i"`
		N int64 `db:"n"`
	}
	err = app.DB().NewQuery(`SELECT ` + monthOf.String() + ` AS i, COUNT(*) AS n FROM customers
		WHERE created >= {:t0} AND created < {:t` + strconv.Itoa(n) + `} GROUP BY 1`).Bind(params).All(&signups)
	if err != nil {
		return nil, fmt.Errorf("sign-ups: %w", err)
	}
	for _, su := range signups {
		out[su.I].Signups = su.N
	}
	return out, nil
}
