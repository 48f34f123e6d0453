package ledger

import (
	"strings"

	"github.com/ezscale/ezscale/billing/cycle"
)

var cycleNames = map[cycle.Cycle]string{
	cycle.Hourly: "hourly", cycle.Monthly: "monthly", cycle.Quarterly: "quarterly",
	cycle.SemiAnnual: "semi-annual", cycle.Annual: "annual", cycle.Biennial: "2-yearly", cycle.Triennial: "3-yearly",
}

// PeriodDescription is the text of a recurring line, e.g.
// "VPS Start, web1.example.com (monthly)". The period itself is stored on
// the line and printed beside it.
func PeriodDescription(planName, serviceLabel string, c cycle.Cycle) string {
	var b strings.Builder
	b.WriteString(planName)
	if serviceLabel != "" {
		b.WriteString(", ")
		b.WriteString(serviceLabel)
	}
	b.WriteString(" (")
	b.WriteString(cycleNames[c])
	b.WriteString(")")
	return b.String()
}
