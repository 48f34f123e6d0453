package ledgercheck

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/money"
)

// Violation is one broken invariant, named by record.
type Violation struct {
	Rule       string // short id, e.g. "invoice.amount_paid"
	Collection string
	RecordID   string
	Message    string // names the record (number when it has one) and the figures that disagree
}

func (v Violation) String() string {
	return fmt.Sprintf("%s %s/%s: %s", v.Rule, v.Collection, v.RecordID, v.Message)
}

// Report is what a check found.
type Report struct {
	Violations []Violation
	Checked    map[string]int // records examined per collection
}

// OK reports whether no invariant is broken.
func (r *Report) OK() bool { return len(r.Violations) == 0 }

// Run checks every invariant over the whole database.
func Run(app core.App) (*Report, error) {
	return RunAt(app, time.Now().UTC())
}

// RunAt is Run with the rules that compare with the present (a service
// left running past its subscription's end) taken at now: a simulation's
// clock, not the wall's.
func RunAt(app core.App, now time.Time) (*Report, error) {
	db, done, err := snapshot(app)
	if err != nil {
		return nil, err
	}
	defer done()
	c := &checker{db: db, now: now.UTC(), report: &Report{Checked: map[string]int{}}}
	rules := []func() error{
		c.loadSequences, c.invoices, c.creditBalances, c.creditCauses, c.periods, c.periodCredit,
		c.refunds, c.numbers, c.serviceJobs, c.currencies,
	}
	for _, rule := range rules {
		if err := rule(); err != nil {
			return nil, fmt.Errorf("ledger check: %w", err)
		}
	}
	slices.SortStableFunc(c.report.Violations, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Collection, b.Collection), cmp.Compare(a.RecordID, b.RecordID))
	})
	return c.report, nil
}

// snapshot opens a read transaction, so every rule sees the same state of
// the database while writers carry on (SQLite's WAL keeps readers on the
// snapshot they started with). Inside a transaction already, it uses it.
func snapshot(app core.App) (dbx.Builder, func(), error) {
	db, ok := app.ConcurrentDB().(*dbx.DB)
	if !ok {
		return app.DB(), func() {}, nil
	}
	tx, err := db.Begin()
	if err != nil {
		return nil, nil, fmt.Errorf("ledger check: %w", err)
	}
	return tx, func() { _ = tx.Rollback() }, nil
}

// checker runs the rules on one snapshot and collects what they find.
type checker struct {
	db     dbx.Builder
	now    time.Time
	report *Report

	seqs    map[string][]*sequence // number counters per series
	allSeqs []*sequence
	known   map[string]bool // currency codes met, and whether billing/money knows them
}

func (c *checker) add(rule, collection, id, format string, args ...any) {
	c.report.Violations = append(c.report.Violations, Violation{
		Rule: rule, Collection: collection, RecordID: id, Message: fmt.Sprintf(format, args...),
	})
}

// each runs query and calls row for every result row, with scan reading
// its columns in order. Rows are scanned by hand: the big tables have
// hundreds of thousands of rows and reflection would dominate.
func (c *checker) each(query string, params dbx.Params, row func(scan func(dest ...any) error) error) error {
	q := c.db.NewQuery(query)
	if params != nil {
		q.Bind(params)
	}
	rows, err := q.Rows()
	if err != nil {
		return fmt.Errorf("%w in %s", err, firstLine(query))
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// count records how many rows of collection a rule examined; a collection
// examined by several rules counts once, at its largest.
func (c *checker) count(collection string, n int) {
	c.report.Checked[collection] = max(c.report.Checked[collection], n)
}

func firstLine(query string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(query), "\n")
	return line
}

// amount formats minor units of currency for a message.
func amount(minor int64, currency string) string {
	return money.Amount{Minor: minor, Currency: currency}.String()
}

func parseDate(s string) time.Time {
	t, _ := time.Parse(types.DefaultDateLayout, s)
	return t
}
