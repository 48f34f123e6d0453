package commands

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/billing/ledgercheck"
)

// ledgerCommand is `ezscale ledger check`: every invariant of the books
// verified over the whole database, each broken one named by record. It
// fails (exit status non-zero) when any is broken.
func ledgerCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{Use: "ledger", Short: "The books"}
	var now string
	check := &cobra.Command{
		Use:   "check",
		Short: "Verify the ledger's invariants over the whole database; fail naming every record that breaks one",
		Long: "Checks invoices against their payments and credit, credit balances, the causes of credit entries,\n" +
			"billed periods and the credit returned for them, refunds, gapless numbering, provisioning of paid\n" +
			"and ended services, and currencies (see billing/ledgercheck). Prints every violation and exits\n" +
			"non-zero when there is one.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			at, err := parseNow(now)
			if err != nil {
				return err
			}
			if err := Migrate(app); err != nil {
				return err
			}
			start := time.Now()
			report, err := ledgercheck.RunAt(app, at)
			if err != nil {
				return err
			}
			out := c.OutOrStdout()
			for _, v := range report.Violations {
				fmt.Fprintln(out, v)
			}
			fmt.Fprintf(out, "\nChecked in %s:\n", time.Since(start).Round(time.Millisecond))
			for _, col := range slices.Sorted(maps.Keys(report.Checked)) {
				fmt.Fprintf(out, "  %-18s %10d\n", col, report.Checked[col])
			}
			if n := len(report.Violations); n > 0 {
				return fmt.Errorf("the ledger breaks its invariants %d times (listed above)", n)
			}
			fmt.Fprintln(out, "No violations.")
			return nil
		},
	}
	check.Flags().StringVar(&now, "now", "", "check as if it were this time (2026-12-01 or RFC 3339); default: now")
	cmd.AddCommand(check)
	return cmd
}
