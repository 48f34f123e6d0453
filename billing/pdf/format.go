package pdf

import (
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/ezscale/billing/cycle"
	"github.com/ezscale/ezscale/billing/money"
)

// symbols are the currencies whose sign every reader knows; the others are
// printed with their code, which is never ambiguous ("$" alone could be
// any of twenty dollars).
var symbols = map[string]string{"EUR": "€", "GBP": "£", "USD": "$"}

// formatMoney prints minor units in cur with thousands grouped and exactly
// the currency's decimals: "€1,234.56", "−£0.05", "1,235 JPY", "1.234 KWD".
// It goes through money.Amount so that no float ever touches the value.
func formatMoney(minor int64, cur money.Currency) string {
	dec := money.Amount{Minor: minor, Currency: cur.Code}.FormatDecimal()
	sign := ""
	if rest, ok := strings.CutPrefix(dec, "-"); ok {
		sign, dec = "−", rest
	}
	whole, frac, hasFrac := strings.Cut(dec, ".")
	num := groupThousands(whole)
	if hasFrac {
		num += "." + frac
	}
	if sym, ok := symbols[cur.Code]; ok {
		return sign + sym + num
	}
	return sign + num + " " + cur.Code
}

// formatQuantity prints a quantity with the same grouping as money.
func formatQuantity(q int64) string {
	s := strconv.FormatInt(q, 10)
	if rest, ok := strings.CutPrefix(s, "-"); ok {
		return "−" + groupThousands(rest)
	}
	return groupThousands(s)
}

// groupThousands puts a comma between each group of three digits.
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// formatPeriod prints a service period whose days first and last are
// both served, as every customer-facing text does (cycle.FormatDays).
func formatPeriod(first, last time.Time) string {
	return cycle.FormatDays(first, last)
}

// FormatMoney is formatMoney for a currency code, for texts outside the
// PDF that must print amounts exactly as it does, such as price labels.
// An unknown currency prints its minor units with the code.
func FormatMoney(minor int64, code string) string {
	cur, err := money.LookupCurrency(code)
	if err != nil {
		return strconv.FormatInt(minor, 10) + " " + code
	}
	return formatMoney(minor, cur)
}

// formatDate prints a date as every customer-facing text does.
func formatDate(t time.Time) string {
	return cycle.FormatDay(t)
}
