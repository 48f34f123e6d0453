package commands

import (
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/server"
	"github.com/ezscale/ezscale/jobs"
)

// bandwidthCommand is `ezscale bandwidth run [--now=...]`: the hourly
// bandwidth run on demand, e.g. to check the traffic source or to catch up
// after an outage. The traffic comes from the source the configuration
// names, or dev mode's stand-in (server.BandwidthSource); with none the
// run refuses.
func bandwidthCommand(app core.App, cfg *config.Config) *cobra.Command {
	cmd, _ := jobRunCommand(app, "bandwidth", "Bandwidth accounting jobs",
		"Measure the traffic of every active service's current period so far and queue quota alerts",
		func(out io.Writer, at time.Time) error {
			src, err := server.BandwidthSource(app, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Bandwidth run at %s\n", at.Format(time.RFC3339))
			res, err := jobs.RunBandwidth(app, src, at, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "Measured %d services: %d days changed, %d periods updated, %d alerts queued, %d address-days skipped (an address on two services); the source took %d requests, %d pages.\n",
				res.Services, res.Days, res.Periods, res.Alerts, res.Skipped, res.Source.Requests, res.Source.Pages)
			return nil
		})
	return cmd
}
