package commands

import (
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/jobs"
)

// billingCommand is `ezscale billing run [--now=...]`: the daily billing run.
func billingCommand(app core.App) *cobra.Command {
	cmd, _ := jobRunCommand(app, "billing", "Billing jobs",
		"Issue renewal invoices due now (or at --now) and void unpaid upgrade invoices",
		func(out io.Writer, at time.Time) error {
			fmt.Fprintf(out, "Billing run at %s\n", at.Format(time.RFC3339))
			res, err := jobs.RunBilling(app, at, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Voided %d unpaid upgrade invoices.\n", res.VoidedUpgrades)
			return nil
		})
	return cmd
}
