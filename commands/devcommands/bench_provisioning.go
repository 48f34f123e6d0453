package devcommands

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/bench"
	"github.com/ezscale/ezscale/internal/config"
)

// benchProvisioningCommand is `ezscale bench provisioning`: pay many orders
// at once and time the queue building them on the VirtFusion simulator.
func benchProvisioningCommand(cfg *config.Config) *cobra.Command {
	var opts bench.ProvisioningOptions
	cmd := &cobra.Command{
		Use:          "provisioning",
		Short:        "Time the provisioning queue over many paid orders (VirtFusion simulator, temporary database)",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			app, _, closeApp, err := tempApp(cfg, "provisioning", false)
			if err != nil {
				return err
			}
			defer closeApp()
			res, err := bench.Provisioning(app, opts, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "\n  %d orders active in %s with %d workers and %s platform latency (%.0f services/s)\n",
				res.Active, res.Elapsed.Round(time.Millisecond), opts.Workers, opts.Latency, float64(res.Active)/res.Elapsed.Seconds())
			fmt.Fprintf(out, "  simulator: %d servers, %d API calls; jobs run more than once: %d\n", res.Servers, res.PlatformCalls, res.RunTwice)
			if res.Servers != opts.Orders || res.RunTwice != 0 {
				return fmt.Errorf("duplicate work: %d servers for %d orders, %d jobs ran twice", res.Servers, opts.Orders, res.RunTwice)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Orders, "orders", 1000, "orders paid at once")
	cmd.Flags().DurationVar(&opts.Latency, "latency", 20*time.Millisecond, "added to every platform answer")
	cmd.Flags().IntVar(&opts.Workers, "workers", 16, "provisioning workers")
	return cmd
}
