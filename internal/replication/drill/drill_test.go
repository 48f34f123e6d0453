// Package drill is the disaster-recovery drill of README's runbook, run on
// the real binary: a server replicating to a real S3 server (SeaweedFS)
// takes Stripe payment webhooks while its scheduled renewal run bills; the
// machine is lost mid-run (SIGKILL); `ezscale restore` rebuilds the data
// directory elsewhere, a server starts on it, and every webhook answered
// 200 must be there, with gapless numbers and a clean `ezscale ledger
// check`. It logs RPO, RTO, the replication lag under the webhook load and
// the webhooks' answer times.
package drill

import (
	"bytes"
	"database/sql"
	"fmt"
	"maps"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/pocketbase/pocketbase/core" // the "sqlite" driver, as the server opens it

	"github.com/ezscale/ezscale/integrations/stripe"
	"github.com/ezscale/ezscale/internal/s3test"
)

const (
	webhookSecret = "whsec_drill"
	customers     = "5000" // over 1,000 renewals due today: the run takes two transactions
	senders       = 4      // concurrent deliveries, as the webhook benchmark
	// loadLead is how long the webhooks run before the renewal run starts,
	// pace the least time between one sender's deliveries: 20 a second in
	// all, so the open invoices last past the crash.
	loadLead = 10 * time.Second
	pace     = 200 * time.Millisecond
)

// openInvoice is an invoice a payment webhook pays.
type openInvoice struct {
	id, customer, currency string
	due                    int64
}

func paymentSucceeded(n int, inv openInvoice) []byte {
	return fmt.Appendf(nil, `{"id":"evt_drill_%d","object":"event","type":"payment_intent.succeeded","api_version":"2026-03-25.dahlia","created":%d,
"data":{"object":{"id":"pi_drill_%d","object":"payment_intent","amount":%d,"amount_received":%d,"currency":%q,"status":"succeeded",
"metadata":{"invoice_id":%q,"customer_id":%q}}}}`, n, time.Now().Unix(), n, inv.due, inv.due, strings.ToLower(inv.currency), inv.id, inv.customer)
}

func TestDisasterRecoveryDrill(t *testing.T) {
	s3 := s3test.Start(t)
	s3.CreateBucket(t, "ezdr")
	bin := binary(t)
	const replicaURL = "s3://ezdr/billing"
	storage := map[string]string{"EZ_REPLICA_ENDPOINT": s3.Endpoint(), "EZ_REPLICA_REGION": s3test.Region,
		"EZ_REPLICA_ACCESS_KEY_ID": s3test.AccessKey, "EZ_REPLICA_SECRET_ACCESS_KEY": s3test.SecretKey}
	cli := map[string]string{"EZ_DEV": "1", "EZ_LOG_LEVEL": "warn"}

	// The primary: a seeded business, served with replication, Stripe and
	// the metrics listener.
	primaryDir := filepath.Join(t.TempDir(), "primary")
	began := time.Now()
	run(t, bin, cli, "seed", "--customers", customers, "--dir", primaryDir)
	t.Logf("seeded %s customers in %s", customers, time.Since(began).Round(time.Millisecond))
	primaryDB := readOnly(t, primaryDir)
	var open []openInvoice
	rows, err := primaryDB.Query(`SELECT id, customer, currency, amount_due FROM invoices WHERE status = 'open' AND amount_due > 0`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var inv openInvoice
		if err := rows.Scan(&inv.id, &inv.customer, &inv.currency, &inv.due); err != nil {
			t.Fatal(err)
		}
		open = append(open, inv)
	}
	rows.Close()
	if len(open) < 100 {
		t.Fatalf("the seed left %d open invoices to pay; the drill needs at least 100", len(open))
	}
	// The server's own renewal run (and dunning) is scheduled a minute or
	// two ahead, as staff set the billing time.
	runAt := time.Now().UTC().Add(time.Minute).Truncate(time.Minute).Add(time.Minute)
	setBillingTime(t, primaryDir, runAt)

	primarySettings := map[string]string{"EZ_REPLICA_URL": replicaURL, "EZ_METRICS_ADDR": freeAddr(t),
		"STRIPE_SECRET_KEY": "sk_test_drill", "STRIPE_WEBHOOK_SECRET": webhookSecret, "STRIPE_API_BASE": "http://" + freeAddr(t)}
	maps.Copy(primarySettings, storage)
	primary := serve(t, bin, primaryDir, primarySettings)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if up, ok := primary.gauge("ezscale_replication_up"); ok && up == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replication not up a minute after the server started:\n%s", primary.output())
		}
	}
	invoicesBefore := count(t, primaryDB, `SELECT COUNT(*) FROM invoices`)

	// Load from shortly before the run: payment webhooks from 4 senders,
	// each at most one every pace, and the replication lag sampled from the
	// metrics.
	time.Sleep(time.Until(runAt.Add(-loadLead)))
	var (
		mu        sync.Mutex
		acked     []string        // invoices whose payment was answered 200
		latencies []time.Duration // of those answers
		refused   = map[int]int{} // other answers by status (0: no answer, the crash)
	)
	work := make(chan int, len(open))
	for i := range open {
		work <- i
	}
	close(work)
	crash := make(chan struct{})
	var load sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second}
	for range senders {
		load.Go(func() {
			for i := range work {
				sent := time.Now()
				select {
				case <-crash:
					return
				default:
				}
				body := paymentSucceeded(i, open[i])
				req, _ := http.NewRequest(http.MethodPost, primary.URL+"/api/webhooks/stripe", bytes.NewReader(body))
				req.Header.Set("Stripe-Signature", stripe.SignPayload(webhookSecret, body, time.Now()))
				res, err := client.Do(req)
				status := 0
				if err == nil {
					status = res.StatusCode
					res.Body.Close()
				}
				mu.Lock()
				if status == http.StatusOK {
					acked = append(acked, open[i].id)
					latencies = append(latencies, time.Since(sent))
				} else {
					refused[status]++
				}
				mu.Unlock()
				time.Sleep(pace - time.Since(sent))
			}
		})
	}
	var worstLag float64
	var lagSamples int
	load.Go(func() {
		for {
			select {
			case <-crash:
				return
			case <-time.After(200 * time.Millisecond):
			}
			if lag, ok := primary.gauge("ezscale_replication_lag_seconds"); ok {
				mu.Lock()
				worstLag, lagSamples = max(worstLag, lag), lagSamples+1
				mu.Unlock()
			}
		}
	})

	// The run commits 1,000 customers' invoices a transaction: the machine
	// is lost as soon as the first batch is seen, while the second is being
	// written.
	var firstBatch int
	var firstCommitSeen time.Time
	for deadline := runAt.Add(2 * time.Minute); ; time.Sleep(10 * time.Millisecond) {
		issued := count(t, primaryDB, `SELECT COUNT(*) FROM invoices`) - invoicesBefore
		if issued > 0 {
			firstBatch, firstCommitSeen = issued, time.Now()
			break
		}
		if time.Now().After(deadline) {
			close(crash)
			load.Wait()
			t.Fatalf("the renewal run scheduled at %s issued %d invoices by %s:\n%s", runAt.Format(time.TimeOnly), issued,
				time.Now().UTC().Format(time.TimeOnly), primary.output())
		}
	}
	primary.kill()
	crashed := time.Now()
	close(crash)
	load.Wait()
	mu.Lock()
	ackedNow := slices.Clone(acked)
	mu.Unlock()
	if len(ackedNow) < 50 {
		t.Fatalf("only %d webhooks answered 200 before the crash (others: %v); the drill proves nothing; the server said:\n%s",
			len(ackedNow), refused, primary.output())
	}

	// Elsewhere: restore into an empty directory, serve it.
	restoredDir := filepath.Join(t.TempDir(), "restored")
	restoreStarted := time.Now()
	out := run(t, bin, storage, "restore", "--from", replicaURL, "--dir", restoredDir)
	restoreTook := time.Since(restoreStarted)
	t.Logf("%s", strings.TrimSpace(out))
	restored := serve(t, bin, restoredDir, nil)
	rto := time.Since(crashed)
	restored.stop(t)

	// Nothing acknowledged is lost.
	restoredDB := readOnly(t, restoredDir)
	paidAcked := count(t, restoredDB, `SELECT COUNT(*) FROM invoices WHERE status = 'paid' AND id IN (`+quoted(ackedNow)+`)`)
	if paidAcked != len(ackedNow) {
		t.Errorf("the restored copy has %d of the %d invoices whose payment webhook was answered 200 paid", paidAcked, len(ackedNow))
	}
	// The ledger check passes on the restored copy. Dev mode's simulators
	// refuse the seed's queued server builds (services of customers they
	// never heard of), which the check reports as service.create on the
	// primary too: that rule is the seed's business, not the restore's.
	breaks := ledgerCheck(t, bin, cli, restoredDir)
	for _, v := range breaks {
		if !strings.HasPrefix(v, "service.create ") {
			t.Errorf("ledger check on the restored copy: %s", v)
		}
	}
	t.Logf("ledger check on the restored copy: %d violations (%s); on the primary at the crash: %s",
		len(breaks), rules(breaks), rules(ledgerCheck(t, bin, cli, primaryDir)))

	// What the crash did lose was never acknowledged: the renewal run's
	// newest writes (its rerun below issues them again) and webhooks not yet
	// answered (the gateway redelivers them).
	onPrimary, onReplica := count(t, primaryDB, `SELECT COUNT(*) FROM invoices`), count(t, restoredDB, `SELECT COUNT(*) FROM invoices`)
	restoredDB.Close()

	// The interrupted renewal run, run again on the restored copy, finishes
	// the job without billing anything twice.
	out = run(t, bin, cli, "billing", "run", "--dir", restoredDir)
	for _, v := range ledgerCheck(t, bin, cli, restoredDir) {
		if !strings.HasPrefix(v, "service.create ") {
			t.Errorf("ledger check after the renewal run was finished on the restored copy: %s", v)
		}
	}
	issuedAfter := count(t, readOnly(t, restoredDir), `SELECT COUNT(*) FROM invoices`) - invoicesBefore
	t.Logf("the interrupted run finished on the restored copy: %d renewal invoices in all (%s)", issuedAfter, firstLine(out, "renewals:"))

	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		return latencies[int(p*float64(len(latencies)-1))].Round(time.Millisecond)
	}
	t.Logf("load: %d payment webhooks answered 200 from %d senders (other answers at the crash: %v); answer time p50 %s, p99 %s",
		len(ackedNow), senders, refused, pct(0.5), pct(0.99))
	t.Logf("replication lag under that load: worst %.0f s over %d samples of ezscale_replication_lag_seconds", worstLag, lagSamples)
	t.Logf("the crash came %s after the run's first %d invoices were committed (%s after the run began); the replica held %d of the %d invoices on the primary's disk",
		crashed.Sub(firstCommitSeen).Round(time.Millisecond), firstBatch, firstCommitSeen.Sub(runAt).Round(time.Millisecond), onReplica, onPrimary)
	t.Logf("restore: %s; RTO (machine lost to a restored server answering): %s", restoreTook.Round(time.Millisecond), rto.Round(time.Millisecond))
}

// firstLine is the first line of out that starts with prefix.
func firstLine(out, prefix string) string {
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// setBillingTime schedules the daily billing and dunning run of the
// (stopped) server on dir at the minute of at, as staff do in the console.
func setBillingTime(t *testing.T, dir string, at time.Time) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE settings SET billing_run_time = ?`, at.Format("15:04"))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		t.Fatalf("settings records updated: %d, want 1", n)
	}
}

// ledgerCheck runs `ezscale ledger check` on dir and returns the
// violations it prints, one a line ("rule collection/id: why").
func ledgerCheck(t *testing.T, bin string, settings map[string]string, dir string) []string {
	t.Helper()
	cmd := exec.Command(bin, "ledger", "check", "--dir", dir)
	cmd.Env = env(settings)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	var breaks []string
	for line := range strings.Lines(string(out)) {
		if violation.MatchString(line) {
			breaks = append(breaks, strings.TrimSpace(line))
		}
	}
	if len(breaks) == 0 {
		t.Fatalf("ezscale ledger check --dir %s: %v\n%s", dir, err, tail(out))
	}
	return breaks
}

// violation is a line of the ledger check's report.
var violation = regexp.MustCompile(`^[a-z_]+\.[a-z_.]+ [a-z_]+/[a-z0-9]+: `)

// rules counts violations by rule.
func rules(breaks []string) string {
	n := map[string]int{}
	for _, v := range breaks {
		rule, _, _ := strings.Cut(v, " ")
		n[rule]++
	}
	var parts []string
	for _, rule := range slices.Sorted(maps.Keys(n)) {
		parts = append(parts, fmt.Sprintf("%s %d", rule, n[rule]))
	}
	return strings.Join(parts, ", ")
}
