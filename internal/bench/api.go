// Package bench measures the platform under load on a real database. The
// app is served in-process on a loopback port, so a run needs nothing but
// the data directory and never leaves the machine.
package bench

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// APIOptions shape an API run.
type APIOptions struct {
	Clients   int           // concurrent clients, each with one request in flight
	Duration  time.Duration // how long the clients send requests
	Customers int           // synthetic customers the clients sign in as, in turn
}

// APIResult is what an API run measured.
type APIResult struct {
	Requests, Errors   int
	FirstError         string
	Elapsed            time.Duration
	P50, P90, P99, Max time.Duration
	latencies          []time.Duration // every request's, sorted: runs merge by them
}

// RPS is the number of requests answered per second.
func (r APIResult) RPS() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Print writes the figures of the run.
func (r APIResult) Print(w io.Writer) {
	fmt.Fprintf(w, "\n  requests  %d in %s: %.0f req/s\n", r.Requests, r.Elapsed.Round(time.Millisecond), r.RPS())
	fmt.Fprintf(w, "  latency   p50 %s  p90 %s  p99 %s  max %s\n", ms(r.P50), ms(r.P90), ms(r.P99), ms(r.Max))
	fmt.Fprintf(w, "  errors    %d\n", r.Errors)
	if r.FirstError != "" {
		fmt.Fprintf(w, "  first error: %s\n", r.FirstError)
	}
}

// checkEvery is how often a client checks a response body in full: one
// in checkEvery is decoded and verified to hold the customer's services only.
const checkEvery = 10

// API measures GET ListServicesPath as synthetic customers: latency
// percentiles and requests per second at opts.Clients concurrent clients
// for opts.Duration. First it shows SQLite's plan for the SQL the list rule
// produces and fails if it reads all of services. Every response must be
// 200; a sample is checked to list the customer's own services only.
func API(app core.App, opts APIOptions, out io.Writer) (APIResult, error) {
	if opts.Clients <= 0 || opts.Duration <= 0 || opts.Customers <= 0 {
		return APIResult{}, errors.New("bench: clients, duration and customers must be positive")
	}
	if app.IsDev() {
		return APIResult{}, errors.New("bench: PocketBase is in dev mode (--dev, or a binary under the temp directory, " +
			"which it takes for `go run`) and prints every request and SQL statement, which would be measured too: " +
			"run again with --dev=false")
	}
	handler, err := NewHandler(app)
	if err != nil {
		return APIResult{}, err
	}
	defer withoutRateLimit(app)()
	fmt.Fprintln(out, "The rate limiter is off for this run (in memory only; the settings are unchanged).")
	customers, err := pickCustomers(app, opts.Customers)
	if err != nil {
		return APIResult{}, err
	}

	plans, err := listPlans(app, handler, customers[0])
	if err != nil {
		return APIResult{}, err
	}
	fmt.Fprintln(out, "\nSQLite query plan of the list rule's SQL:")
	for _, p := range plans {
		fmt.Fprintf(out, "  %s\n", p.SQL)
		for _, step := range p.Plan {
			fmt.Fprintf(out, "    -> %s\n", step)
		}
	}
	if err := checkPlans(plans); err != nil {
		return APIResult{}, err
	}

	srv := httptest.NewServer(handler) // 127.0.0.1, random port
	defer srv.Close()
	fmt.Fprintf(out, "\n%d clients as %d customers for %s against %s%s\n",
		opts.Clients, len(customers), opts.Duration, srv.URL, ListServicesPath)
	return run(srv.URL, customers, opts, listAll, out), nil
}

// load is what a load run sends: the request of a customer's n-th turn
// and the check of its body.
type load struct {
	request func(base string, c customer, n int) (*http.Request, error)
	check   func(body []byte, c customer, n int) error
}

// listAll is the request of `ezscale bench api`: the first page of the
// customer's services with its count.
var listAll = load{
	request: func(base string, c customer, _ int) (*http.Request, error) { return listRequest(base, c) },
	check:   func(body []byte, c customer, _ int) error { return checkOwnServices(body, c) },
}

// run sends requests from opts.Clients goroutines until opts.Duration has
// passed, printing the progress each second.
func run(base string, customers []customer, opts APIOptions, l load, out io.Writer) APIResult {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: opts.Clients, DisableCompression: true},
	}
	defer client.CloseIdleConnections()

	var (
		requests, errs atomic.Int64
		firstErr       sync.Once
		res            APIResult
		wg             sync.WaitGroup
	)
	fail := func(err error) {
		errs.Add(1)
		firstErr.Do(func() { res.FirstError = err.Error() })
	}
	latencies := make([][]time.Duration, opts.Clients)
	start := time.Now()
	deadline := start.Add(opts.Duration)
	for i := range opts.Clients {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				c := customers[(i+n*opts.Clients)%len(customers)]
				began := time.Now()
				err := send(client, l, base, c, n)
				latencies[i] = append(latencies[i], time.Since(began))
				requests.Add(1)
				if err != nil {
					fail(err)
				}
			}
		})
	}

	waitReporting(&wg, requests.Load, func(n, perSecond int64) {
		fmt.Fprintf(out, "  %4.0fs %9d requests %7d req/s %5d errors\n",
			time.Since(start).Seconds(), n, perSecond, errs.Load())
	})

	res.Elapsed = time.Since(start)
	res.Requests, res.Errors = int(requests.Load()), int(errs.Load())
	all := slices.Concat(latencies...)
	slices.Sort(all)
	res.P50, res.P90, res.P99 = percentile(all, 50), percentile(all, 90), percentile(all, 99)
	if len(all) > 0 {
		res.Max = all[len(all)-1]
	}
	res.latencies = all
	return res
}

// merge is the result of runs taken together: their requests over their
// summed time, and percentiles of all their latencies.
func merge(runs ...APIResult) APIResult {
	var res APIResult
	for _, r := range runs {
		res.Requests += r.Requests
		res.Errors += r.Errors
		res.Elapsed += r.Elapsed
		if res.FirstError == "" {
			res.FirstError = r.FirstError
		}
		res.latencies = append(res.latencies, r.latencies...)
	}
	slices.Sort(res.latencies)
	res.P50, res.P90, res.P99 = percentile(res.latencies, 50), percentile(res.latencies, 90), percentile(res.latencies, 99)
	if len(res.latencies) > 0 {
		res.Max = res.latencies[len(res.latencies)-1]
	}
	return res
}

// send sends c's n-th request of l; one in checkEvery also has its body
// verified.
func send(client *http.Client, l load, base string, c customer, n int) error {
	req, err := l.request(base, c, n)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	if n%checkEvery != 0 {
		_, err = io.Copy(io.Discard, resp.Body)
		return err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return l.check(body, c, n)
}

// percentile of sorted latencies, by nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[max(0, (len(sorted)*p+99)/100-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
