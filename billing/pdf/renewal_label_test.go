package pdf

import (
	"strings"
	"testing"
	"time"
)

// TestRenderPrintsPeriodAndRenewal: a recurring line prints its period in
// the customers' format (last day served) and how it renews, under its
// description; a one-off line prints neither.
func TestRenderPrintsPeriodAndRenewal(t *testing.T) {
	d := sampleInvoice(1)
	d.Lines[0].PeriodStart = date(2026, time.December, 7)
	d.Lines[0].PeriodEnd = date(2027, time.December, 6)
	d.Lines[0].Renews = "then €59.50 annually plus 19% VAT"
	text, _ := renderText(t, d)
	for _, want := range []string{"7 Dec 2026 – 6 Dec 2027", "then €59.50 annually plus 19% VAT"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF text lacks %q:\n%s", want, text)
		}
	}
}
