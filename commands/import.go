package commands

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/integrations/support"
	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/server"
)

// importCommand is `ezscale import whmcs`: a WHMCS database read directly
// and imported (see integrations/whmcs). It can run again: a re-run
// updates what changed in WHMCS and completes an interrupted run.
func importCommand(app core.App, cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "Import data from another billing system"}
	var dsn, productMap, gatewayMap, reportPath string
	var only []string
	var dryRun bool
	run := &cobra.Command{
		Use:   "whmcs",
		Short: "Import a WHMCS database: catalog, clients, services, invoices, payments, credit and tickets",
		Long: "Reads the WHMCS database at --dsn (it is only read) and imports it, printing a report of what was read, " +
			"written and left out, and whether the money on both sides agrees. It fails when a sum does not reconcile " +
			"or a record failed. Running it again updates instead of duplicating.",
		Example:      "  ezscale import whmcs --dsn 'user:pass@tcp(db.example.net:3306)/whmcs' --dry-run --report whmcs.json",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			opts := whmcs.Options{DryRun: dryRun, Only: only, Progress: c.ErrOrStderr()}
			if productMap != "" {
				m, err := readProductMap(productMap)
				if err != nil {
					return err
				}
				opts.ProductMap = m
			}
			if gatewayMap != "" {
				m, err := readGatewayMap(gatewayMap)
				if err != nil {
					return err
				}
				opts.GatewayMap = m
			}
			source, err := whmcsDSN(dsn)
			if err != nil {
				return err
			}
			if err := Migrate(app); err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			db, err := openWHMCS(ctx, source)
			if err != nil {
				return err
			}
			defer db.Close()
			desk, err := configuredDesk(app, cfg)
			if err != nil {
				return err
			}
			opts.Desk = desk
			if desk != nil {
				fmt.Fprintf(c.ErrOrStderr(), "Tickets go to the archive and to SupportPal at %s.\n", cfg.SupportPal.URL)
			} else {
				fmt.Fprintln(c.ErrOrStderr(), "SUPPORTPAL_URL is not set: tickets go to the archive only.")
			}

			rep, err := whmcs.Import(ctx, app, db, opts)
			if rep != nil {
				rep.Print(c.OutOrStdout())
				if reportPath != "" {
					if werr := writeReport(reportPath, rep); werr != nil {
						return errors.Join(err, werr)
					}
				}
			}
			if err != nil {
				return err
			}
			return importVerdict(rep)
		},
	}
	f := run.Flags()
	f.StringVar(&dsn, "dsn", "", "the WHMCS database, as a Go MySQL DSN: user:pass@tcp(host:3306)/whmcs")
	f.BoolVar(&dryRun, "dry-run", false, "read and map everything and print the report, writing nothing")
	f.StringSliceVar(&only, "only", nil, "import only these parts (comma-separated): "+strings.Join(whmcs.Entities, ", "))
	f.StringVar(&productMap, "product-map", "", `JSON file of per-product overrides: {"12": {"platform": "manual", "service_type": "dedicated"}}`)
	f.StringVar(&gatewayMap, "gateway-map", "", `JSON file naming our gateway for WHMCS payment modules the import does not know: {"gocardless": "manual"}`)
	f.StringVar(&reportPath, "report", "", "also write the report as JSON to this file")
	_ = run.MarkFlagRequired("dsn")
	run.AddCommand(importLinkCommand(app, cfg))
	run.AddCommand(importCutoverCommand(app, cfg))
	cmd.AddCommand(run)
	return cmd
}

// whmcsDSN is the DSN the import connects with: parseTime and loc=UTC,
// which the import's date handling relies on (WHMCS's zero dates become
// the zero time), and utf8mb4, without which emoji in tickets are lost —
// whatever the given DSN says. A collation outside utf8mb4 is dropped.
func whmcsDSN(dsn string) (string, error) {
	if strings.TrimSpace(dsn) == "" {
		return "", errors.New("--dsn is empty: give the WHMCS database as user:pass@tcp(host:3306)/whmcs")
	}
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("--dsn: %w (want user:pass@tcp(host:3306)/whmcs)", err)
	}
	if c.DBName == "" {
		return "", errors.New("--dsn names no database: add /whmcs (the WHMCS database name) after the address")
	}
	c.ParseTime = true
	c.Loc = time.UTC
	collation := c.Collation
	if !strings.HasPrefix(collation, "utf8mb4_") {
		collation = ""
	}
	if err := c.Apply(mysql.Charset("utf8mb4", collation)); err != nil {
		return "", err
	}
	return c.FormatDSN(), nil
}

// openWHMCS connects to the WHMCS database and checks it answers, naming
// where it tried (never the password) when it does not.
func openWHMCS(ctx context.Context, dsn string) (*sql.DB, error) {
	c, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot connect to the WHMCS database %q at %s %s as %q: %w", c.DBName, c.Net, c.Addr, c.User, err)
	}
	return db, nil
}

// configuredDesk is the help desk SUPPORTPAL_URL names, nil without one:
// the dev-mode simulator is no place to carry real tickets to.
func configuredDesk(app core.App, cfg *config.Config) (*support.Desk, error) {
	cfg = cfg.WithoutStandIns()
	if cfg.SupportPal.URL == "" {
		return nil, nil
	}
	return server.SupportDesk(app, cfg)
}

// readProductMap reads a --product-map file: an object keyed by WHMCS
// product id. Unknown keys are refused, so a misspelt "platfrom" is not
// silently ignored.
func readProductMap(path string) (whmcs.ProductMap, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--product-map: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var m whmcs.ProductMap
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf(`--product-map %s is not valid: %w (want {"<WHMCS product id>": {"platform": "...", "service_type": "...", "slug": "..."}})`, path, err)
	}
	for id := range m {
		if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
			return nil, fmt.Errorf("--product-map %s: key %q is not a WHMCS product id", path, id)
		}
	}
	return m, nil
}

// readGatewayMap reads a --gateway-map file: WHMCS payment module → stripe,
// paypal or manual.
func readGatewayMap(path string) (whmcs.GatewayMap, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--gateway-map: %w", err)
	}
	m, err := whmcs.ParseGatewayMap(raw)
	if err != nil {
		return nil, fmt.Errorf("--gateway-map %s: %w", path, err)
	}
	return m, nil
}

// writeReport writes the report as JSON to path.
func writeReport(path string, rep *whmcs.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if err := rep.JSON(f); err != nil {
		f.Close()
		return fmt.Errorf("--report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--report %s: %w", path, err)
	}
	return nil
}

// importVerdict fails an import whose sums do not reconcile or in which a
// record failed, so a script running it stops there.
func importVerdict(rep *whmcs.Report) error {
	var failed []string
	for _, c := range rep.Entities {
		if c.Failed > 0 {
			failed = append(failed, fmt.Sprintf("%d %s", c.Failed, c.Entity))
		}
	}
	var errs []error
	if !rep.Reconciled {
		errs = append(errs, errors.New("the sums do not reconcile (MISMATCH in the report)"))
	}
	if len(failed) > 0 {
		errs = append(errs, fmt.Errorf("records failed: %s (listed under Not imported)", strings.Join(failed, ", ")))
	}
	if len(errs) > 0 {
		return fmt.Errorf("WHMCS import incomplete: %w", errors.Join(errs...))
	}
	return nil
}
