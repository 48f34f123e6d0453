package bench

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/analytics"
	"github.com/ezscale/ezscale/internal/settings"
)

// AnalyticsOptions shape an analytics run.
type AnalyticsOptions struct {
	Months   int    // the range: this many calendar months to today, the last one to date
	Currency string // empty: the base currency
	Runs     int    // timed reports after the first (cold) one
}

// AnalyticsResult is what an analytics run measured.
type AnalyticsResult struct {
	Range     analytics.Range
	First     time.Duration            // the first report, caches cold
	FirstCPU  time.Duration            // CPU time (user + system) of the process during it
	Sections  map[string]time.Duration // of the first report
	Median    time.Duration            // of the later runs
	Max       time.Duration
	MedianCPU time.Duration
	Summary   *analytics.Summary
}

// Print writes the figures of the run.
func (r AnalyticsResult) Print(w io.Writer) {
	fmt.Fprintf(w, "\n  range     %s to %s (%d months) in %s\n", r.Summary.From, r.Summary.To, len(r.Summary.Months), r.Summary.Currency)
	fmt.Fprintf(w, "  first     %s (CPU %s)\n", ms(r.First), ms(r.FirstCPU))
	for _, name := range analytics.Sections {
		fmt.Fprintf(w, "    %-22s %s\n", name, ms(r.Sections[name]))
	}
	fmt.Fprintf(w, "  later     median %s  max %s (CPU median %s)\n", ms(r.Median), ms(r.Max), ms(r.MedianCPU))
	fmt.Fprintf(w, "  figures   MRR %d, revenue %d, %d plans, %d orders (%d paid), outstanding %d (overdue %d)\n",
		r.Summary.MRR.Total, r.Summary.Revenue.Total, len(r.Summary.Plans), r.Summary.Conversion.Orders,
		r.Summary.Conversion.Paid, r.Summary.Receivables.Outstanding, r.Summary.Receivables.Overdue)
}

// Analytics times the staff analytics report (billing/analytics) on the
// data directory's database: once cold, section by section, then
// opts.Runs more times.
func Analytics(app core.App, opts AnalyticsOptions, out io.Writer) (AnalyticsResult, error) {
	var res AnalyticsResult
	if opts.Months <= 0 || opts.Runs < 0 {
		return res, errors.New("bench: months must be positive and runs not negative")
	}
	if app.IsDev() {
		return res, errors.New("bench: PocketBase is in dev mode (--dev) and logs every SQL statement, " +
			"which would be measured too: run again with --dev=false")
	}
	s, err := settings.Load(app)
	if err != nil {
		return res, err
	}
	now := time.Now().UTC()
	today := now.Format(analytics.DateLayout)
	from := time.Date(now.Year(), now.Month()-time.Month(opts.Months-1), 1, 0, 0, 0, 0, time.UTC).Format(analytics.DateLayout)
	p, err := analytics.ParseParams(s, from, today, opts.Currency, now)
	if err != nil {
		return res, err
	}
	res.Range = p.Range

	fmt.Fprintln(out, "Database:")
	for _, c := range []string{"customers", "subscriptions", "orders", "invoices", "payments", "audit_logs"} {
		var n int64
		if err := app.DB().Select("COUNT(*)").From(c).Row(&n); err != nil {
			return res, fmt.Errorf("count %s: %w", c, err)
		}
		fmt.Fprintf(out, "  %-14s %d\n", c, n)
	}

	fmt.Fprintf(out, "\nReport %s to %s in %s, first run:\n", from, today, p.Currency)
	res.Sections = map[string]time.Duration{}
	started, cpu := time.Now(), cpuTime()
	res.Summary, err = analytics.ReportTimed(app, p.Range, p.Currency, func(section string, d time.Duration) {
		res.Sections[section] = d
		fmt.Fprintf(out, "  %-22s %s\n", section, ms(d))
	})
	if err != nil {
		return res, err
	}
	res.First, res.FirstCPU = time.Since(started), cpuTime()-cpu
	fmt.Fprintf(out, "  %-22s %s (CPU %s)\n", "total", ms(res.First), ms(res.FirstCPU))

	if opts.Runs > 0 {
		fmt.Fprintf(out, "\n%d more runs:", opts.Runs)
		took := make([]time.Duration, 0, opts.Runs)
		cpus := make([]time.Duration, 0, opts.Runs)
		for range opts.Runs {
			started, cpu := time.Now(), cpuTime()
			if _, err := analytics.Report(app, p.Range, p.Currency); err != nil {
				return res, err
			}
			took = append(took, time.Since(started))
			cpus = append(cpus, cpuTime()-cpu)
			fmt.Fprintf(out, " %s", ms(took[len(took)-1]))
		}
		fmt.Fprintln(out)
		slices.Sort(took)
		slices.Sort(cpus)
		res.Median, res.Max, res.MedianCPU = took[len(took)/2], took[len(took)-1], cpus[len(cpus)/2]
	}
	return res, nil
}

// cpuTime is the user and system CPU time the process has used: on a busy
// machine it shows the report's own cost when wall time also counts the
// wait for a CPU.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
