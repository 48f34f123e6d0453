package commands

import (
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/jobs"
)

// dunningCommand is `ezscale dunning run [--now=...] [--dry-run]`.
func dunningCommand(app core.App, cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{Use: "dunning", Short: "Chasing unpaid invoices"}
	var now string
	var dry bool
	run := &cobra.Command{
		Use:          "run",
		Short:        "Take the dunning steps due now (or at --now); --dry-run lists them without acting",
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
			gw, err := gateways.FromConfig(cfg)
			if err != nil {
				return err
			}
			actions, err := jobs.RunDunning(app, gw, cfg.PublicURL, at, dry, cmd.OutOrStdout())
			fmt.Fprintf(cmd.OutOrStdout(), "%d dunning steps.\n", len(actions))
			return err
		},
	}
	run.Flags().StringVar(&now, "now", "", "run as if it were this time (2026-12-01 or RFC 3339); default: now")
	run.Flags().BoolVar(&dry, "dry-run", false, "list what would be done, change nothing")
	cmd.AddCommand(run)
	return cmd
}
