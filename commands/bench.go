package commands

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/bench"
)

// benchCommand is `ezscale bench`, a group of load measurements on the
// data directory's database.
func benchCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the platform under load on this database",
	}
	cmd.AddCommand(benchAPICommand(app))
	return cmd
}

// benchAPICommand is `ezscale bench api` (see bench.API).
func benchAPICommand(app core.App) *cobra.Command {
	opts := bench.APIOptions{Clients: 50, Duration: 10 * time.Second, Customers: 200}
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Customer list latency and throughput, served in-process on a loopback port",
		Long: "Signs in as --customers synthetic customers (see `ezscale seed`) and lists their services\n" +
			"with --clients concurrent clients for --duration. Fails if the list query scans the table.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := migrate(app); err != nil {
				return err
			}
			res, err := bench.API(app, opts, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			res.Print(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Clients, "clients", opts.Clients, "concurrent clients")
	cmd.Flags().DurationVar(&opts.Duration, "duration", opts.Duration, "how long the clients send requests")
	cmd.Flags().IntVar(&opts.Customers, "customers", opts.Customers, "synthetic customers the clients sign in as")
	return cmd
}
