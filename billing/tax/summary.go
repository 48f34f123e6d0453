package tax

import (
	"strconv"
	"strings"
)

// TaxedLine is one invoice line after Compute, with the rate it was taxed at
// (the zero Rate for a line charged no tax).
type TaxedLine struct {
	Rate Rate
	LineTax
}

// SummaryRow is one line of an invoice's tax summary: the net amount taxed
// at a rate and the tax on it. Rate is in thousandths of a percent.
type SummaryRow struct {
	Name string `json:"name"`
	Rate int64  `json:"rate"`
	Net  int64  `json:"net"`
	Tax  int64  `json:"tax"`
}

// Summarize groups lines by rate name and value, in the order each rate
// first appears among lines, so the summary follows the invoice. Each row
// adds up the lines' already rounded amounts and rounds nothing again, so
// the summary's tax always equals the sum of the lines' tax.
func Summarize(lines []TaxedLine) []SummaryRow {
	type key struct {
		name string
		rate int64
	}
	index := make(map[key]int)
	var rows []SummaryRow
	for _, l := range lines {
		k := key{l.Rate.Name, l.Rate.Rate}
		i, seen := index[k]
		if !seen {
			i = len(rows)
			index[k] = i
			rows = append(rows, SummaryRow{Name: k.name, Rate: k.rate})
		}
		rows[i].Net += l.Net
		rows[i].Tax += l.Tax
	}
	return rows
}

// FormatRate formats a rate in thousandths of a percent for invoices, with
// no trailing zeros: 20000 is "20%", 8875 is "8.875%", 5500 is "5.5%".
func FormatRate(rate int64) string {
	sign := ""
	mag := uint64(rate)
	if rate < 0 {
		sign, mag = "-", -mag
	}
	s := sign + strconv.FormatUint(mag/1000, 10)
	if frac := mag % 1000; frac != 0 {
		digits := strconv.FormatUint(frac+1000, 10)[1:] // Zero-padded to three.
		s += "." + strings.TrimRight(digits, "0")
	}
	return s + "%"
}
