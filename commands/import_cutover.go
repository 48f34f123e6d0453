package commands

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/config"
)

// importCutoverCommand is `ezscale import whmcs cutover`: the end of the
// parallel run. Without --confirm it only reports: the final
// reconciliation and the checklist, failing while blockers remain. With
// --confirm it switches WHMCS's customers on (whmcs.Cutover).
func importCutoverCommand(app core.App, cfg *config.Config) *cobra.Command {
	var dsn, productMap, reportPath, by string
	var confirm, force bool
	cmd := &cobra.Command{
		Use:   "cutover",
		Short: "End the parallel run: check, then switch the customers WHMCS still serves on",
		Long: "Prints the final reconciliation (a final import with --dsn, else the report of the last import given with --report) " +
			"and the cutover checklist, and fails while blockers remain unless --force. With --confirm, switches every customer " +
			"the import held on in one transaction: from then on this platform renews, chases, emails and provisions them. " +
			"Running it again after the cutover changes nothing.",
		Example: "  ezscale import whmcs cutover --report whmcs.json\n" +
			"  ezscale import whmcs cutover --dsn 'user:pass@tcp(db:3306)/whmcs' --confirm --by alice",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			out := c.OutOrStdout()
			if dsn != "" && reportPath != "" {
				return errors.New("give either --dsn (a final import) or --report (the last import's report), not both")
			}
			if confirm && strings.TrimSpace(by) == "" {
				return errors.New("--by is empty: name who runs the cutover, for the audit log")
			}
			if err := Migrate(app); err != nil {
				return err
			}
			done, err := whmcs.CutOverAt(app)
			if err != nil {
				return err
			}
			if !done.IsZero() {
				fmt.Fprintf(out, "The cutover from WHMCS was done at %s: nothing to do.\n", done.UTC().Format(time.RFC3339))
				return nil
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()

			var blockers []string
			rep, err := finalReconciliation(ctx, app, cfg, c.ErrOrStderr(), dsn, productMap, reportPath)
			switch {
			case err != nil:
				return err
			case rep == nil:
				fmt.Fprintln(out, "No reconciliation: give --dsn for a final import or --report with the last import's report.")
				blockers = append(blockers, "no final reconciliation")
			default:
				rep.Print(out)
				if verdict := importVerdict(rep); verdict != nil {
					blockers = append(blockers, "the import does not reconcile: "+verdict.Error())
				}
			}

			now := time.Now().UTC()
			check, err := whmcs.Check(app, now)
			if err != nil {
				return err
			}
			check.Print(out)
			if len(check.Unlinked) > 0 {
				blockers = append(blockers, fmt.Sprintf("%d services not linked to their panel", len(check.Unlinked)))
			}
			if len(check.PastRenewals) > 0 {
				blockers = append(blockers, fmt.Sprintf("%d subscriptions with a renewal date already past", len(check.PastRenewals)))
			}
			if len(blockers) > 0 {
				if !force {
					return fmt.Errorf("the cutover is blocked: %s (fix them, or pass --force to go ahead anyway)", strings.Join(blockers, "; "))
				}
				fmt.Fprintf(out, "\nGoing ahead despite: %s (--force).\n", strings.Join(blockers, "; "))
			}
			if !confirm {
				fmt.Fprintln(out, "\nNothing changed. Run again with --confirm --by <name> to switch these customers on.")
				return nil
			}

			res, err := whmcs.Cutover(ctx, app, by, now)
			if err != nil {
				return err
			}
			if res.AlreadyDone {
				fmt.Fprintf(out, "The cutover from WHMCS was done at %s: nothing to do.\n", res.At.Format(time.RFC3339))
				return nil
			}
			printCutover(out, res, check)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dsn, "dsn", "", "run a final import from this WHMCS database first (see import whmcs --dsn)")
	f.StringVar(&productMap, "product-map", "", "the product map of the final import (see import whmcs --product-map)")
	f.StringVar(&reportPath, "report", "", "the JSON report of the last import (import whmcs --report), printed as the final reconciliation")
	f.BoolVar(&confirm, "confirm", false, "switch the held customers on; without it nothing is changed")
	f.BoolVar(&force, "force", false, "go ahead despite blockers")
	f.StringVar(&by, "by", os.Getenv("USER"), "who runs the cutover, recorded in the audit log")
	return cmd
}

// finalReconciliation is the report of a final import (dsn), or of the
// last one (reportPath); nil without either.
func finalReconciliation(ctx context.Context, app core.App, cfg *config.Config, progress io.Writer, dsn, productMap, reportPath string) (*whmcs.Report, error) {
	switch {
	case reportPath != "":
		raw, err := os.ReadFile(reportPath)
		if err != nil {
			return nil, fmt.Errorf("--report: %w", err)
		}
		rep := &whmcs.Report{}
		if err := json.Unmarshal(raw, rep); err != nil || len(rep.Entities) == 0 {
			return nil, fmt.Errorf("--report %s is not an import report (import whmcs --report writes one)", reportPath)
		}
		if rep.DryRun {
			return nil, fmt.Errorf("--report %s is a dry run's: give the report of an import that wrote", reportPath)
		}
		return rep, nil
	case dsn != "":
		opts := whmcs.Options{Progress: progress}
		if productMap != "" {
			m, err := readProductMap(productMap)
			if err != nil {
				return nil, err
			}
			opts.ProductMap = m
		}
		source, err := whmcsDSN(dsn)
		if err != nil {
			return nil, err
		}
		db, err := openWHMCS(ctx, source)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		desk, err := configuredDesk(app, cfg)
		if err != nil {
			return nil, err
		}
		opts.Desk = desk
		return whmcs.Import(ctx, app, db, opts)
	}
	return nil, nil
}

// printCutover says what the cutover did and what happens from now on.
func printCutover(out io.Writer, res whmcs.CutoverResult, check *whmcs.Checklist) {
	fmt.Fprintf(out, "\nCutover from WHMCS done at %s: %d customers switched on.\n", res.At.Format(time.RFC3339), res.Customers)
	fmt.Fprintf(out, "Cancelled, never to be sent: %d emails and %d provisioning jobs written during the parallel run.\n", res.EmailsHeld, res.JobsHeld)
	fmt.Fprintln(out, "From the next runs this platform renews their subscriptions, sends their reminders, chases their "+
		"unpaid invoices (suspension and termination included), bills their bandwidth overage and provisions their services. "+
		"Turn WHMCS's own cron and automation off now.")
	if len(check.DueSoon) == 0 {
		fmt.Fprintln(out, "No open invoice of theirs is due within 7 days.")
		return
	}
	fmt.Fprintf(out, "Open invoices this platform will now chase (due within 7 days or overdue): %d\n", len(check.DueSoon))
	for _, it := range check.DueSoon {
		fmt.Fprintf(out, "  %s (WHMCS %s) %s\n", it.Label, it.WHMCS, it.Detail)
	}
}
