package analytics

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/ezscale/billing/money"
	"github.com/ezscale/ezscale/internal/settings"
)

// DateLayout is how the report's dates are written and read.
const DateLayout = "2006-01-02"

// MaxYears is the longest range a report covers: five years of daily
// revenue is under 2,000 rows, and longer ranges would only slow it down.
const MaxYears = 5

// Range is the period a report covers, whole UTC days from From to To
// inclusive. Now is the instant receivables are aged at; zero means the
// time of the report.
type Range struct {
	From, To time.Time
	Now      time.Time
}

// end is the instant just after the range.
func (r Range) end() time.Time { return r.To.AddDate(0, 0, 1) }

// ParamError is a refused report parameter, naming the field.
type ParamError struct {
	Field   string
	Message string
}

func (e *ParamError) Error() string { return e.Field + ": " + e.Message }

// Params are a report request's from, to and currency, checked.
type Params struct {
	Range    Range
	Currency string
}

// ParseParams checks a report request. from and to are YYYY-MM-DD; empty
// means the last 12 months: from the first day of the month eleven months
// before now's, to today, so the range is twelve calendar months, the last
// one to date. to must not be before from, and the range is at most
// MaxYears long. currency (any case) must be one the settings can convert
// to; empty means the base currency.
func ParseParams(s *settings.Settings, from, to, currency string, now time.Time) (Params, error) {
	now = now.UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	p := Params{Range: Range{From: time.Date(today.Year(), today.Month()-11, 1, 0, 0, 0, 0, time.UTC), To: today, Now: now}}
	var err error
	if from != "" {
		if p.Range.From, err = time.Parse(DateLayout, from); err != nil {
			return p, &ParamError{"from", fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", from)}
		}
	}
	if to != "" {
		if p.Range.To, err = time.Parse(DateLayout, to); err != nil {
			return p, &ParamError{"to", fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", to)}
		}
	}
	if p.Range.To.Before(p.Range.From) {
		return p, &ParamError{"to", fmt.Sprintf("%s is before from (%s)", p.Range.To.Format(DateLayout), p.Range.From.Format(DateLayout))}
	}
	if !p.Range.To.Before(p.Range.From.AddDate(MaxYears, 0, 0)) {
		return p, &ParamError{"to", fmt.Sprintf("the range is limited to %d years", MaxYears)}
	}

	p.Currency = s.BaseCurrency
	if currency != "" {
		code, err := money.NormalizeCurrency(currency)
		if err != nil {
			return p, &ParamError{"currency", fmt.Sprintf("%q is not an ISO 4217 currency", currency)}
		}
		if err := Convertible(s, code); err != nil {
			return p, &ParamError{"currency", fmt.Sprintf("%s cannot be reported in: the settings have no exchange rate for it (rates: %s)",
				code, strings.Join(rateCodes(s), ", "))}
		}
		p.Currency = code
	}
	return p, nil
}

// rateCodes lists the currencies figures can be converted to.
func rateCodes(s *settings.Settings) []string {
	codes := []string{s.BaseCurrency}
	for c := range s.ExchangeRates {
		if c != s.BaseCurrency {
			codes = append(codes, c)
		}
	}
	slices.Sort(codes[1:])
	return codes
}
