package commands

import (
	"errors"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/server"
	"github.com/ezscale/ezscale/jobs"
)

// supportCommand is `ezscale support sync`: the ticket sync on demand, e.g.
// to fill the mirror right after connecting SupportPal. It reads what
// changed since the last successful sync, whatever the date, so it takes
// no --now.
func supportCommand(app core.App, cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{Use: "support", Short: "Help desk (SupportPal) jobs"}
	cmd.AddCommand(&cobra.Command{
		Use:          "sync",
		Short:        "Mirror the SupportPal tickets changed since the last sync and queue reply and new-ticket notices",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := Migrate(app); err != nil {
				return err
			}
			desk, err := server.SupportDesk(app, cfg)
			if err != nil {
				return err
			}
			if desk == nil {
				return errors.New("no help desk: set SUPPORTPAL_URL and SUPPORTPAL_TOKEN")
			}
			out := c.OutOrStdout()
			res, err := jobs.RunSupportSync(desk, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Synced %d changed tickets in %d pages: %d mirror rows written.\n", res.Seen, res.Pages, res.Written)
			return nil
		},
	})
	return cmd
}
