package commands

import (
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/jobs"
)

// dunningCommand is `ezscale dunning run [--now=...] [--dry-run]`.
func dunningCommand(app core.App, cfg *config.Config) *cobra.Command {
	var dry bool
	cmd, run := jobRunCommand(app, "dunning", "Chasing unpaid invoices",
		"Take the dunning steps due now (or at --now); --dry-run lists them without acting",
		func(out io.Writer, at time.Time) error {
			gw, err := gateways.FromConfig(cfg)
			if err != nil {
				return err
			}
			actions, err := jobs.RunDunning(app, gw, cfg.PublicURL, at, dry, out)
			fmt.Fprintf(out, "%d dunning steps.\n", len(actions))
			return err
		})
	run.Flags().BoolVar(&dry, "dry-run", false, "list what would be done, change nothing")
	return cmd
}
