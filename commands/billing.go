package commands

import (
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/jobs"
)

// billingCommand is `ezscale billing run [--now=...]`: the daily billing
// run on demand, e.g. to catch up after downtime or to rehearse a date.
func billingCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{Use: "billing", Short: "Billing jobs"}
	var now string
	run := &cobra.Command{
		Use:          "run",
		Short:        "Issue renewal invoices due now (or at --now) and void unpaid upgrade invoices",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			at, err := parseNow(now)
			if err != nil {
				return err
			}
			if err := migrate(app); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Billing run at %s\n", at.Format(time.RFC3339))
			res, err := jobs.RunBilling(app, at, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Voided %d unpaid upgrade invoices.\n", res.VoidedUpgrades)
			return nil
		},
	}
	run.Flags().StringVar(&now, "now", "", "run as if it were this time (2026-12-01 or RFC 3339); default: now")
	cmd.AddCommand(run)
	return cmd
}

// parseNow reads a --now flag: empty is the current time.
func parseNow(v string) (time.Time, error) {
	if v == "" {
		return time.Now().UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--now %q: want 2026-12-01, 2026-12-01T06:00 or RFC 3339", v)
}
