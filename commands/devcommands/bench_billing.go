package devcommands

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/bench"
	"github.com/ezscale/ezscale/internal/config"
)

// benchBillingCommand is `ezscale bench billing`: seed subscriptions due for
// renewal into a throwaway database and time the billing run, twice.
func benchBillingCommand(cfg *config.Config) *cobra.Command {
	var opts bench.BillingOptions
	var keep bool
	cmd := &cobra.Command{
		Use:          "billing",
		Short:        "Time the renewal run over many due subscriptions (in a temporary database)",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			app, dir, closeApp, err := tempApp(cfg, "billing", keep)
			if err != nil {
				return err
			}
			defer closeApp()
			opts.Now = time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
			fmt.Fprintf(out, "Benchmark: %d subscriptions due, %d per customer, in %s\n", opts.Subscriptions, opts.PerCustomer, dir)
			res, err := bench.Billing(app, opts, out)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "\n  first run   %8s  %d invoices (%.0f subscriptions/s), CPU %s\n", res.First.Round(time.Millisecond),
				res.Invoices, float64(opts.Subscriptions)/res.First.Seconds(), res.FirstCPU.Round(time.Millisecond))
			fmt.Fprintf(out, "  second run  %8s  %d invoices, CPU %s\n", res.Second.Round(time.Millisecond), res.SecondRun,
				res.SecondCPU.Round(time.Millisecond))
			fmt.Fprintf(out, "  peak memory %6.0f MB (process, seeding included)\n", res.PeakRSSMB)
			if f := res.Floor; f.Rows > 0 {
				fmt.Fprintf(out, "  floor       %8s  raw SQLite inserting the run's %d rows; first run / floor = %.1fx\n",
					f.Writes.Round(time.Millisecond), f.Rows, res.First.Seconds()/f.Writes.Seconds())
				if f.KeyChecks > 0 {
					fmt.Fprintf(out, "  floor       %8s  %d key checks; second run / key checks = %.1fx\n",
						f.Checks.Round(time.Millisecond), f.KeyChecks, res.Second.Seconds()/f.Checks.Seconds())
				}
			}
			if res.SecondRun != 0 {
				return fmt.Errorf("the second run created %d invoices: renewals are not idempotent", res.SecondRun)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Subscriptions, "subscriptions", 100000, "subscriptions due for renewal")
	cmd.Flags().IntVar(&opts.PerCustomer, "per-customer", 2, "subscriptions per customer (they share an invoice)")
	cmd.Flags().StringVar(&opts.ProfileDir, "profile", "", "write CPU and heap profiles of the runs into this directory")
	cmd.Flags().BoolVar(&opts.Floor, "floor", true, "also time raw SQLite writing the same rows and making the key checks")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary database")
	return cmd
}
