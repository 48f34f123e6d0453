package devcommands

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/chaos"
)

// benchChaosCommand is `ezscale bench chaos`: the randomized adversarial
// simulation over many seeds, each on its own temporary database.
func benchChaosCommand() *cobra.Command {
	opts := chaos.Options{Seeds: 200, FirstSeed: 1, Steps: 60, Customers: 5, ShrinkRuns: 40}
	cmd := &cobra.Command{
		Use:   "chaos",
		Short: "Randomized adversarial simulation of the platform; prints each broken rule with its shortest steps",
		Long: "Runs --seeds seeds of --steps steps each: customers and staff acting at once through the real routes,\n" +
			"a fake Stripe, the PayPal simulator and a fake platform misbehaving, webhooks duplicated and reordered,\n" +
			"and a fake clock driving renewals and dunning. After every step the ledger check and the money oracle\n" +
			"must hold; a failure is shrunk to the shortest step list that reproduces it.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			opts.Progress = out
			res, err := chaos.Run(opts)
			if err != nil {
				return err
			}
			for _, f := range res.Failures {
				fmt.Fprintln(out)
				f.Report(out)
			}
			res.Summary(out)
			if len(res.Failures) > 0 {
				return fmt.Errorf("%d of %d seeds broke a rule", len(res.Failures), res.Seeds)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Seeds, "seeds", opts.Seeds, "how many seeds")
	cmd.Flags().Uint64Var(&opts.FirstSeed, "first-seed", opts.FirstSeed, "the first seed (to replay one: --first-seed=N --seeds=1)")
	cmd.Flags().IntVar(&opts.Steps, "steps", opts.Steps, "steps per seed")
	cmd.Flags().IntVar(&opts.Customers, "customers", opts.Customers, "customers acting")
	cmd.Flags().IntVar(&opts.ShrinkRuns, "shrink-runs", opts.ShrinkRuns, "replays spent shrinking each failure (0: no shrinking)")
	return cmd
}
