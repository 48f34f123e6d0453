package bench

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/billing/analytics"
)

func TestAnalyticsBenchmarkReports(t *testing.T) {
	app := seeded(t, 50)
	var out strings.Builder
	res, err := Analytics(app, AnalyticsOptions{Months: 3, Runs: 2}, &out)
	if err != nil {
		t.Fatal(err)
	}
	res.Print(&out)
	if len(res.Summary.Months) != 3 || res.Summary.MRR.Total <= 0 || res.Summary.Revenue.Total <= 0 || res.Median <= 0 {
		t.Errorf("result %+v", res)
	}
	for _, section := range append(analytics.Sections, "total", "later") {
		if !strings.Contains(out.String(), section) {
			t.Errorf("no %q in the output:\n%s", section, out.String())
		}
	}
	if _, err := Analytics(app, AnalyticsOptions{Months: 0}, &out); err == nil {
		t.Error("zero months taken")
	}
	if _, err := Analytics(app, AnalyticsOptions{Months: 1, Currency: "JPY"}, &out); err == nil {
		t.Error("a currency without a rate taken")
	}
}
