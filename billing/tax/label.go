package tax

import (
	"strings"
	"unicode"
)

// Label says how tax applies to a price in the words every page, PDF and
// email uses, so a customer reads the same thing at checkout and on the
// invoice: "plus 19% VAT" on an exclusive rate, "incl. 19% VAT" on an
// inclusive one, "VAT reverse charged" for an EU business buying across a
// border, "tax exempt" for an exempt buyer, and "" when no tax applies (no
// rate configured for the buyer's place, or tax disabled).
func Label(d Decision) string {
	switch {
	case d.ReverseCharge:
		return "VAT reverse charged"
	case d.Reason == ReasonExempt:
		return "tax exempt"
	case !d.Charge:
		return ""
	case d.Rate.Inclusive:
		return "incl. " + FormatRate(d.Rate.Rate) + " " + Name(d.Rate.Name)
	default:
		return "plus " + FormatRate(d.Rate.Rate) + " " + Name(d.Rate.Name)
	}
}

// Recurring is a recurring price as it will be charged: "then $5.95
// monthly plus 19% VAT", "then €9.00 annually, VAT reverse charged".
// price is the formatted amount of one period and every the cycle's adverb
// (cycle.Every); the tax part is Label's.
func Recurring(price, every string, d Decision) string {
	s := "then " + price + " " + every
	switch l := Label(d); {
	case l == "":
	case d.Charge:
		s += " " + l
	default:
		s += ", " + l
	}
	return s
}

// Name is what a tax is called on a price: the rate's name without the
// percentage staff often write into it ("MwSt 19%" is "MwSt"), since
// Label prints the rate itself. A name that is only a percentage is "tax".
func Name(rateName string) string {
	var words []string
	for _, w := range strings.Fields(strings.ReplaceAll(rateName, " %", "%")) {
		if !isPercentage(w) {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		return "tax"
	}
	return strings.Join(words, " ")
}

// isPercentage is a word such as "19%", "8.875%" or "(20%)".
func isPercentage(w string) bool {
	w = strings.Trim(w, "()")
	num, ok := strings.CutSuffix(w, "%")
	if !ok {
		return false
	}
	for _, r := range num {
		if !unicode.IsDigit(r) && r != '.' && r != ',' {
			return false
		}
	}
	return true
}
