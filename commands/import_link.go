package commands

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/integrations/platforms"
	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/config"
)

// importLinkCommand is `ezscale import whmcs link`: imported services tied
// to the servers WHMCS's modules built on the panels (see whmcs.Link).
func importLinkCommand(app core.App, cfg *config.Config) *cobra.Command {
	var dsn, reportPath string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "link",
		Short: "Link imported services to the servers already running on the panels",
		Long: "Looks each imported, live, not yet linked service up on its panel the way the panel's WHMCS module " +
			"identifies it (Pterodactyl: external_id; SynergyCP: billing id; VirtFusion: the server WHMCS recorded, else " +
			"the client's servers by hostname or IP; Enhance: the website of its domain) and records the panel ids, " +
			"so dunning, the status sync, power and panel login reach it. Only configured panels are asked, never " +
			"the dev-mode simulators. It prints every service with what happened and why; it fails when a panel " +
			"did not answer. Running it again links what is new.",
		Example:      "  ezscale import whmcs link --dsn 'user:pass@tcp(db.example.net:3306)/whmcs' --dry-run --report link.json",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			source, err := whmcsDSN(dsn)
			if err != nil {
				return err
			}
			if err := Migrate(app); err != nil {
				return err
			}
			// The panels the configuration names, never a simulator: a
			// dev-mode stand-in knows none of WHMCS's servers.
			drivers, err := platforms.FromConfig(cfg.WithoutStandIns())
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			db, err := openWHMCS(ctx, source)
			if err != nil {
				return err
			}
			defer db.Close()

			rep, err := whmcs.Link(ctx, app, db, whmcs.LinkOptions{DryRun: dryRun, Drivers: drivers, Progress: c.ErrOrStderr()})
			if rep != nil {
				rep.Print(c.OutOrStdout())
				if reportPath != "" {
					if werr := writeJSONFile(reportPath, rep.JSON); werr != nil {
						return errors.Join(err, werr)
					}
				}
			}
			if err != nil {
				return err
			}
			if n := rep.PanelErrors(); n > 0 {
				return fmt.Errorf("WHMCS link incomplete: %d services could not be looked up (panel errors in the report); run it again", n)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dsn, "dsn", "", "the WHMCS database, as a Go MySQL DSN: user:pass@tcp(host:3306)/whmcs")
	f.BoolVar(&dryRun, "dry-run", false, "look every service up and print the report, writing nothing")
	f.StringVar(&reportPath, "report", "", "also write the report as JSON to this file")
	_ = cmd.MarkFlagRequired("dsn")
	return cmd
}

// writeJSONFile writes a report through its JSON method to path.
func writeJSONFile(path string, write func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--report: %w", err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("--report %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--report %s: %w", path, err)
	}
	return nil
}
