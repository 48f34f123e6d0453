package devcommands

import (
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/commands"
	"github.com/ezscale/ezscale/internal/bench"
)

// benchCommand is `ezscale bench`, a group of load measurements on the
// data directory's database.
func benchCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure the platform under load on this database",
	}
	cmd.AddCommand(benchAPICommand(app), benchAnalyticsCommand(app))
	cmd.AddCommand(benchChaosCommand(), benchFloodCommand())
	return cmd
}

// benchAPICommand is `ezscale bench api` (see bench.API).
func benchAPICommand(app core.App) *cobra.Command {
	opts := bench.APIOptions{Clients: 50, Duration: 10 * time.Second, Customers: 200}
	compare := bench.CompareOptions{Rounds: 2}
	var compared bool
	cmd := &cobra.Command{
		Use:   "api",
		Short: "Customer list latency and throughput, served in-process on a loopback port",
		Long: "Signs in as --customers synthetic customers (see `ezscale seed`) and lists their services\n" +
			"with --clients concurrent clients for --duration. Fails if the list query scans the table.\n\n" +
			"With --compare: builds bare PocketBase of the version this binary uses (or takes --bare), serves it\n" +
			"and the platform (--server, default this binary) as child processes on copies of this database, and\n" +
			"runs the same clients against each in turn, --rounds times, for a page of services\n" +
			"(?perPage=20&skipTotal=1) and one service; prints req/s, p50/p99, each server's peak RSS and the\n" +
			"ratios. --profile DIR also saves the platform's CPU profile of its first runs and its heap.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := commands.Migrate(app); err != nil {
				return err
			}
			if compared {
				compare.APIOptions = opts
				res, err := bench.Compare(app, compare, cmd.OutOrStdout())
				if err != nil {
					return err
				}
				res.Print(cmd.OutOrStdout())
				return nil
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
	cmd.Flags().BoolVar(&compared, "compare", false, "compare the served platform with bare PocketBase on copies of this database")
	cmd.Flags().IntVar(&compare.Rounds, "rounds", compare.Rounds, "with --compare: rounds of list and view on each server")
	cmd.Flags().StringVar(&compare.Bare, "bare", "", "with --compare: a bare PocketBase binary (default: build one into a temporary directory)")
	cmd.Flags().StringVar(&compare.Server, "server", "", "with --compare: the ezscale binary to serve (default: this one)")
	cmd.Flags().StringVar(&compare.Profile, "profile", "", "with --compare: save the platform's CPU and heap profiles in this directory")
	return cmd
}

// benchAnalyticsCommand is `ezscale bench analytics` (see bench.Analytics).
func benchAnalyticsCommand(app core.App) *cobra.Command {
	opts := bench.AnalyticsOptions{Months: 12, Runs: 10}
	cmd := &cobra.Command{
		Use:   "analytics",
		Short: "Time the staff analytics report on this database",
		Long: "Computes the report of GET /api/staff/analytics for the last --months months (see `ezscale seed`),\n" +
			"once printing the time of each section, then --runs more times.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := commands.Migrate(app); err != nil {
				return err
			}
			res, err := bench.Analytics(app, opts, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			res.Print(cmd.OutOrStdout())
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Months, "months", opts.Months, "calendar months to today in the range")
	cmd.Flags().StringVar(&opts.Currency, "currency", "", "report currency (default: the base currency)")
	cmd.Flags().IntVar(&opts.Runs, "runs", opts.Runs, "timed runs after the first")
	return cmd
}
