package cycle

import (
	"fmt"
	"time"
)

// Period is one billing period, [Start, End). End is exclusive and equal to
// the next period's Start, so that every instant belongs to exactly one
// period and nothing is billed twice.
type Period struct {
	Start, End time.Time
}

// Seconds returns the length of the period in whole seconds, the unit that
// proration divides by.
func (p Period) Seconds() int64 { return int64(p.End.Sub(p.Start) / time.Second) }

// Contains reports whether t is in [Start, End).
func (p Period) Contains(t time.Time) bool { return !t.Before(p.Start) && t.Before(p.End) }

// AddMonthsClamped moves t by months calendar months, keeping its time of day
// and location, and clamps the day to the last day of the target month. It
// exists because time.AddDate normalises instead: Jan 31 plus one month is
// Mar 3 there, which would skip February's bill; here it is Feb 28 (Feb 29 in
// a leap year).
func AddMonthsClamped(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	// time.Date normalises the month into the right year, negative or not;
	// day 1 keeps it from spilling into the month after.
	y, m, _ = time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC).Date()
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	h, mi, s := t.Clock()
	return time.Date(y, m, min(d, last), h, mi, s, t.Nanosecond(), t.Location())
}

// PeriodAt returns the n-th period of a subscription that started at anchor;
// n = 0 is the first period, which starts at anchor. Period n starts n cycle
// lengths after anchor, clamped to the month end and at the anchor's time of
// day.
//
// Every boundary is computed from the anchor, never from the previous
// boundary: chaining Jan 31 → Feb 28 → Mar 28 would lose the month end for
// good after the first short month, whereas from the anchor the starts are
// Jan 31, Feb 28, Mar 31, Apr 30. It also makes any period computable
// directly, without walking the ones before it.
//
// Hourly usage is metered and billed monthly in arrears, so Hourly periods
// are the same calendar months as Monthly ones. Periods are computed in UTC
// whatever the anchor's location, so that they do not stretch or shrink with
// daylight saving time. A negative n extends the schedule before the anchor.
// PeriodAt panics on an invalid cycle, which Parse would have rejected.
func PeriodAt(anchor time.Time, c Cycle, n int) Period {
	step := stepMonths(c)
	anchor = anchor.UTC()
	return Period{
		Start: AddMonthsClamped(anchor, n*step),
		End:   AddMonthsClamped(anchor, (n+1)*step),
	}
}

// PeriodContaining returns the period of the schedule PeriodAt describes that
// contains t, and its index n. A t on a boundary belongs to the period it
// starts. It takes constant time however far t is from anchor: the month
// difference gives the index to within one. A t before anchor gets a
// negative index, which callers billing a subscription should treat as an
// error.
func PeriodContaining(anchor time.Time, c Cycle, t time.Time) (Period, int) {
	step := stepMonths(c)
	anchor, t = anchor.UTC(), t.UTC()
	ay, am, _ := anchor.Date()
	ty, tm, _ := t.Date()
	n := floorDiv((ty-ay)*12+int(tm-am), step)
	// Period n starts in t's month or before it, and period n+1 in a later
	// month, so t is before period n+1. Only period n can start after t,
	// when both are in the same month and t has an earlier day or time.
	if p := PeriodAt(anchor, c, n); !t.Before(p.Start) {
		return p, n
	}
	return PeriodAt(anchor, c, n-1), n - 1
}

// Next returns the period after current: the one that contains current.End,
// since that is where it starts.
func Next(anchor time.Time, c Cycle, current Period) Period {
	p, _ := PeriodContaining(anchor, c, current.End)
	return p
}

// stepMonths returns the number of months between period starts.
func stepMonths(c Cycle) int {
	if c == Hourly {
		return 1
	}
	if !c.Valid() {
		panic(fmt.Sprintf("cycle: %v %q", ErrUnknownCycle, string(c)))
	}
	return c.Months()
}

// floorDiv divides rounding towards negative infinity, so that a t before
// the anchor falls in the period before it rather than in period 0.
func floorDiv(a, b int) int {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}
