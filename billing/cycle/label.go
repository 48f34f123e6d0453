package cycle

import "time"

// every is how a price of each cycle is said to recur.
var every = map[Cycle]string{
	Hourly: "hourly", Monthly: "monthly", Quarterly: "quarterly", SemiAnnual: "every 6 months",
	Annual: "annually", Biennial: "every 2 years", Triennial: "every 3 years",
}

// Every is the adverb of a recurring price of cycle c: "monthly",
// "every 2 years". An unknown cycle is said as its name.
func (c Cycle) Every() string {
	if s, ok := every[c]; ok {
		return s
	}
	return string(c)
}

// FormatDay prints a calendar day with the month spelled, "7 Dec 2026",
// so that "03/04" cannot be read as either March or April.
func FormatDay(t time.Time) string {
	return t.Format("2 Jan 2006")
}

// FormatDays prints the days first to last, both served: "7 Dec 2026 – 6
// Dec 2027", or one day when they are the same or last is unknown.
func FormatDays(first, last time.Time) string {
	switch {
	case first.IsZero():
		return ""
	case last.IsZero() || FormatDay(first) == FormatDay(last):
		return FormatDay(first)
	}
	return FormatDay(first) + " – " + FormatDay(last)
}

// FormatPeriod prints a stored period [start, end) for customers. Periods
// end where the next begins, but an invoice reader takes "to 7 Dec 2027" to
// include that day, which the next period bills; so the last day printed
// is the day before end, the last day actually served. The portal's
// period() in format.js prints the same text.
func FormatPeriod(start, end time.Time) string {
	if end.IsZero() {
		return FormatDays(start, end)
	}
	return FormatDays(start, end.AddDate(0, 0, -1))
}
