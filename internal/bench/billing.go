package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/bulk"
	"github.com/ezscale/ezscale/jobs"
)

// BillingOptions of the renewal benchmark.
type BillingOptions struct {
	Subscriptions int
	// PerCustomer subscriptions share a customer, and so a renewal invoice.
	PerCustomer int
	Now         time.Time
	// ProfileDir, when set, receives CPU profiles of both runs and a heap
	// profile taken after the first (first.cpu, first.heap, rerun.cpu).
	ProfileDir string
	// Floor also times raw SQLite writing the run's rows (see Floor).
	Floor bool
}

// BillingResult is what the benchmark measured.
type BillingResult struct {
	Seeded        time.Duration
	First, Second time.Duration
	Invoices      int
	SecondRun     int // invoices the second run created: must be 0
	// FirstCPU and SecondCPU are the process's CPU time (user and system)
	// during each run: steadier than wall time on a shared machine.
	FirstCPU, SecondCPU time.Duration
	PeakRSSMB           float64 // after the runs, before the floor
	Floor               FloorResult
}

// Billing seeds opts.Subscriptions active monthly subscriptions whose next
// period starts within the lead time of opts.Now, then times the billing
// run twice: the first bills them all, the second must bill nothing.
func Billing(app core.App, opts BillingOptions, out io.Writer) (BillingResult, error) {
	var res BillingResult
	if opts.PerCustomer <= 0 {
		opts.PerCustomer = 2
	}
	started := time.Now()
	if err := seedDueSubscriptions(app, opts, out); err != nil {
		return res, err
	}
	res.Seeded = time.Since(started)
	fmt.Fprintf(out, "seeded %d subscriptions in %s\n", opts.Subscriptions, res.Seeded.Round(time.Millisecond))

	runtime.GC()
	stop, err := startCPUProfile(opts.ProfileDir, "first.cpu")
	if err != nil {
		return res, err
	}
	started, cpu := time.Now(), cpuTime()
	first, err := jobs.RunBilling(app, opts.Now, out)
	if err != nil {
		return res, err
	}
	res.First, res.FirstCPU, res.Invoices = time.Since(started), cpuTime()-cpu, first.Renewals.Invoices
	stop()
	if err := writeHeapProfile(opts.ProfileDir, "first.heap"); err != nil {
		return res, err
	}
	if stop, err = startCPUProfile(opts.ProfileDir, "rerun.cpu"); err != nil {
		return res, err
	}
	started, cpu = time.Now(), cpuTime()
	second, err := jobs.RunBilling(app, opts.Now, out)
	if err != nil {
		return res, err
	}
	res.Second, res.SecondCPU, res.SecondRun = time.Since(started), cpuTime()-cpu, second.Renewals.Invoices
	stop()
	res.PeakRSSMB = peakRSSMB()
	if opts.Floor {
		fmt.Fprintf(out, "floor: raw SQLite inserting the rows the run wrote (%s)\n", strings.Join(FloorTables, ", "))
		if res.Floor, err = Floor(app, opts.Subscriptions*3/2, out); err != nil {
			return res, err
		}
	}
	return res, nil
}

// seedDueSubscriptions writes customers, a plan and subscriptions directly,
// in batches, as the synthetic seed does.
func seedDueSubscriptions(app core.App, opts BillingOptions, out io.Writer) error {
	cols := map[string]*core.Collection{}
	for _, name := range []string{"customers", "plans", "plan_prices", "subscriptions", "services"} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		cols[name] = c
	}
	anchor := opts.Now.AddDate(0, -1, 3) // next period starts in 3 days
	plan := core.NewRecord(cols["plans"])
	plan.Load(map[string]any{"name": "Bench VPS", "slug": fmt.Sprintf("bench-%d", opts.Now.UnixNano()), "service_type": "vps",
		"platform": "virtfusion", "status": "active"})
	if err := app.Save(plan); err != nil {
		return err
	}
	price := core.NewRecord(cols["plan_prices"])
	price.Load(map[string]any{"plan": plan.Id, "currency": "USD", "cycle": "monthly", "amount": 1500, "active": true})
	if err := app.Save(price); err != nil {
		return err
	}
	// Customers log in with a throwaway password; its hash is made once.
	probe := core.NewRecord(cols["customers"])
	probe.SetPassword("bench-password-1234")
	hash := probe.GetString("password:hash")

	const perTx = 5000
	for done := 0; done < opts.Subscriptions; {
		n := min(perTx, opts.Subscriptions-done)
		var customers, subs, services []*core.Record
		var customer *core.Record
		for i := 0; i < n; i++ {
			k := done + i
			if k%opts.PerCustomer == 0 {
				customer = core.NewRecord(cols["customers"])
				customer.SetEmail(fmt.Sprintf("bench%07d@bench.ezscale.test", k/opts.PerCustomer))
				customer.SetRaw("password", hash)
				customer.RefreshTokenKey()
				customer.SetVerified(true)
				customer.Load(map[string]any{"name": fmt.Sprintf("Bench Customer %d", k/opts.PerCustomer), "currency": "USD",
					"status": "active", "country": "US"})
				customers = append(customers, customer)
				bulk.Prepare([]*core.Record{customer}, opts.Now)
			}
			sub := core.NewRecord(cols["subscriptions"])
			sub.Load(map[string]any{"customer": customer.Id, "plan": plan.Id, "plan_price": price.Id, "status": "active",
				"cycle": "monthly", "currency": "USD", "amount": 1500, "anchor_at": anchor, "anchor_day": anchor.Day(),
				"current_period_start": anchor, "current_period_end": anchor.AddDate(0, 1, 0), "billed_until": anchor.AddDate(0, 1, 0)})
			bulk.Prepare([]*core.Record{sub}, opts.Now)
			subs = append(subs, sub)
			svc := core.NewRecord(cols["services"])
			svc.Load(map[string]any{"customer": customer.Id, "subscription": sub.Id, "plan": plan.Id, "service_type": "vps",
				"platform": "virtfusion", "status": "active", "label": fmt.Sprintf("vps%d.bench.test", k)})
			services = append(services, svc)
		}
		bulk.Prepare(services, opts.Now)
		err := app.RunInTransaction(func(tx core.App) error {
			for _, recs := range [][]*core.Record{customers, subs, services} {
				if err := bulk.Insert(tx, recs); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += n
		fmt.Fprintf(out, "seeding: %d/%d subscriptions\n", done, opts.Subscriptions)
	}
	return nil
}

// peakRSSMB is the process's peak resident memory, as the kernel counts it.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// startCPUProfile profiles the CPU into dir/name until stop is called; with
// no dir it does nothing.
func startCPUProfile(dir, name string) (stop func(), err error) {
	if dir == "" {
		return func() {}, nil
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes the allocations so far into dir/name.
func writeHeapProfile(dir, name string) error {
	if dir == "" {
		return nil
	}
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.WriteHeapProfile(f)
}
