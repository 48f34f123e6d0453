package devcommands

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/integrations/whmcs/whmcsgen"
	"github.com/ezscale/ezscale/internal/config"
)

// benchWHMCSDatabase is the database the benchmark creates, and drops
// first, on the server of --dsn.
const benchWHMCSDatabase = "ezbench_whmcs"

// The targets for the large size on this machine.
const (
	whmcsFirstRunTarget  = 60 * time.Second
	whmcsSecondRunTarget = 20 * time.Second
)

// benchWHMCSCommand is `ezscale bench whmcs`: generate a WHMCS database at
// scale on a MariaDB/MySQL server and time its import into a temporary
// app, twice; the second run, over unchanged data, must write nothing.
func benchWHMCSCommand(cfg *config.Config) *cobra.Command {
	var dsn, size, cpuProfile string
	var seed int64
	var keep bool
	cmd := &cobra.Command{
		Use:   "whmcs",
		Short: "Time the WHMCS import over a generated WHMCS database (MariaDB/MySQL server, temporary app)",
		Long: "Creates the database " + benchWHMCSDatabase + " on the server of --dsn (dropping it first), fills it with\n" +
			"a generated WHMCS 8 database of --size, then imports it twice into a temporary data directory,\n" +
			"printing the times, rows per second, peak memory and the import's counts.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sz, ok := map[string]whmcsgen.Size{"large": whmcsgen.Large, "small": whmcsgen.Small}[size]
			if !ok {
				return fmt.Errorf("--size %q: choose large or small", size)
			}
			// Interrupted, it still drops the database and the data directory.
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			return benchWHMCS(ctx, cfg, dsn, sz, seed, keep, cpuProfile, cmd.OutOrStdout(), os.Stderr)
		},
	}
	cmd.Flags().StringVar(&dsn, "dsn", "", "the server, as a go-sql-driver/mysql DSN (user:pass@tcp(host:3306)/); its database is ignored")
	cmd.Flags().StringVar(&size, "size", "large", "large (the issue's figures) or small")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the generated data")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the generated database and the temporary data directory")
	cmd.Flags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the first run to this file, and of the second to FILE.rerun")
	_ = cmd.MarkFlagRequired("dsn")
	return cmd
}

// benchWHMCS generates the database, imports it twice and prints the
// figures. It fails when the second run writes anything or the first one's
// sums do not reconcile.
func benchWHMCS(ctx context.Context, cfg *config.Config, dsn string, size whmcsgen.Size, seed int64, keep bool,
	cpuProfile string, out, progress io.Writer) (err error) {
	server, err := mysql.ParseDSN(dsn)
	if err != nil {
		return fmt.Errorf("--dsn: %w", err)
	}
	admin, err := openMySQL(server, "")
	if err != nil {
		return err
	}
	defer admin.Close()
	for _, stmt := range []string{"DROP DATABASE IF EXISTS " + benchWHMCSDatabase,
		"CREATE DATABASE " + benchWHMCSDatabase + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"} {
		if _, err := admin.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("prepare database %s on %s: %w", benchWHMCSDatabase, server.Addr, err)
		}
	}
	if !keep {
		defer func() {
			if _, dropErr := admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE "+benchWHMCSDatabase); dropErr != nil && err == nil {
				err = fmt.Errorf("drop database %s: %w", benchWHMCSDatabase, dropErr)
			}
		}()
	}
	src, err := openMySQL(server, benchWHMCSDatabase)
	if err != nil {
		return err
	}
	defer src.Close()

	fmt.Fprintf(out, "Benchmark: WHMCS import of %d clients, %d services, %d invoices with %d items, %d transactions, %d tickets\n",
		size.Clients, size.Services, size.Invoices, size.Items, size.Transactions, size.Tickets)
	fmt.Fprintf(progress, "generating %s on %s (seed %d)\n", benchWHMCSDatabase, server.Addr, seed)
	started := time.Now()
	if err := whmcsgen.Generate(ctx, src, size, seed, progress); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	generated := time.Since(started)
	rows, err := countRows(ctx, src)
	if err != nil {
		return err
	}
	fmt.Fprintf(progress, "generated %d rows in %s\n", rows, generated.Round(time.Millisecond))

	app, dir, closeApp, err := tempApp(cfg, "whmcs", keep)
	if err != nil {
		return err
	}
	defer closeApp()
	if keep {
		fmt.Fprintf(out, "data directory: %s (kept), WHMCS database: %s (kept)\n", dir, benchWHMCSDatabase)
	}

	var runs [2]importRun
	for i := range runs {
		profile := cpuProfile
		if profile != "" && i == 1 {
			profile += ".rerun"
		}
		fmt.Fprintf(progress, "\nimport run %d\n", i+1)
		if runs[i], err = timeImport(ctx, app, src, profile, progress); err != nil {
			return fmt.Errorf("import run %d: %w", i+1, err)
		}
	}

	fmt.Fprintf(out, "\n  generation  %9s  %d rows (%.0f rows/s)\n", generated.Round(time.Millisecond), rows,
		float64(rows)/generated.Seconds())
	for i, r := range runs {
		target := []time.Duration{whmcsFirstRunTarget, whmcsSecondRunTarget}[i]
		verdict := "met"
		if r.elapsed > target {
			verdict = "MISSED"
		}
		fmt.Fprintf(out, "  %-10s  %9s  %.0f rows/s  peak heap %.0f MB, Go runtime %.0f MB  (target %s: %s)\n",
			[]string{"first run", "second run"}[i], r.elapsed.Round(time.Millisecond), float64(rows)/r.elapsed.Seconds(),
			mb(int64(r.peakHeap)), mb(int64(r.peakSys)), target, verdict)
	}
	fmt.Fprintf(out, "  process max RSS %.0f MB (generation included)\n", maxRSSMB())
	for i, r := range runs {
		fmt.Fprintf(out, "\n%s run: %d not imported, %d notes, sums reconcile: %v\n",
			[]string{"First", "Second"}[i], len(r.report.NotImported), len(r.report.Notes), r.report.Reconciled)
		printCounts(out, r.report)
	}

	var created, updated int
	for _, c := range runs[1].report.Entities {
		created, updated = created+c.Created, updated+c.Updated
	}
	switch {
	case created+updated > 0:
		return fmt.Errorf("the second run over unchanged data created %d and updated %d records: the import is not idempotent", created, updated)
	case !runs[0].report.Reconciled:
		return fmt.Errorf("the import's sums do not reconcile (run `ezscale import whmcs --dry-run` on the kept database to see which)")
	}
	return nil
}

// importRun is what one timed import measured.
type importRun struct {
	report            *whmcs.Report
	elapsed           time.Duration
	peakHeap, peakSys uint64
}

// timeImport runs one import while sampling the Go runtime's memory every
// 50 ms, and profiles it when profile names a file.
func timeImport(ctx context.Context, app core.App, src *sql.DB, profile string, progress io.Writer) (importRun, error) {
	var run importRun
	runtime.GC()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return run, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return run, err
		}
		defer pprof.StopCPUProfile()
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		ticker := time.NewTicker(50 * time.Millisecond)
		defer ticker.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			run.peakHeap, run.peakSys = max(run.peakHeap, m.HeapAlloc), max(run.peakSys, m.Sys)
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
		}
	}()
	started := time.Now()
	report, err := whmcs.Import(ctx, app, src, whmcs.Options{Progress: progress})
	run.elapsed = time.Since(started)
	close(stop)
	wg.Wait()
	run.report = report
	return run, err
}

// openMySQL opens database db ("" for none) on server the way the importer
// expects to read WHMCS: utf8mb4, DATETIME as time.Time in UTC.
func openMySQL(server *mysql.Config, db string) (*sql.DB, error) {
	cfg := server.Clone()
	cfg.DBName, cfg.ParseTime, cfg.Loc = db, true, time.UTC
	if err := cfg.Apply(mysql.Charset("utf8mb4", "")); err != nil {
		return nil, err
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("--dsn: %w", err)
	}
	pool := sql.OpenDB(connector)
	if err := pool.Ping(); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to %s: %w", cfg.Addr, err)
	}
	return pool, nil
}

// countRows is the number of rows in the generated WHMCS tables.
func countRows(ctx context.Context, db *sql.DB) (int, error) {
	total := 0
	for _, table := range whmcsgen.Tables {
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+table+"`").Scan(&n); err != nil {
			return 0, fmt.Errorf("count %s: %w", table, err)
		}
		total += n
	}
	return total, nil
}

func printCounts(w io.Writer, r *whmcs.Report) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  entity\tread\tcreated\tupdated\tunchanged\tskipped\tfailed\t")
	for _, c := range r.Entities {
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Entity, c.Read, c.Created, c.Updated, c.Unchanged, c.Skipped, c.Failed)
	}
	tw.Flush()
}

// maxRSSMB is the process's peak resident memory, as the kernel counts it.
func maxRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}
