package devcommands

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/commands"
	"github.com/ezscale/ezscale/internal/seed"
)

// seedCommand is `ezscale seed`: synthetic data at scale for benchmarks
// and load tests (see seed.Synthetic).
func seedCommand(app core.App) *cobra.Command {
	var opts seed.SyntheticOptions
	cmd := &cobra.Command{
		Use:   "seed",
		Short: "Fill the database with synthetic customers, services, invoices and payments",
		Long: "Adds --customers synthetic customers with two years of billing history each, numbered after\n" +
			"the ones already there. Rows are written directly, without record hooks (no audit entries).",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := commands.Migrate(app); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Seeding %d customers into %s\n", opts.Customers, app.DataDir())
			res, err := seed.Synthetic(app, opts, out)
			if err != nil {
				return err
			}
			report(out, app.DataDir(), res)
			return nil
		},
	}
	cmd.Flags().IntVar(&opts.Customers, "customers", 0, "number of customers to add (required)")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 1, "random seed; the same seed gives the same data")
	cmd.MarkFlagRequired("customers")
	return cmd
}

func report(out io.Writer, dataDir string, res seed.SyntheticResult) {
	fmt.Fprintln(out)
	for _, col := range slices.Sorted(maps.Keys(res.Rows)) {
		fmt.Fprintf(out, "  %-16s %10d\n", col, res.Rows[col])
	}
	fmt.Fprintf(out, "  %-16s %10d rows in %s (%.0f rows/s)\n", "total", res.TotalRows(),
		res.Elapsed.Round(1e7), float64(res.TotalRows())/res.Elapsed.Seconds())
	db, wal := fileSize(filepath.Join(dataDir, "data.db")), fileSize(filepath.Join(dataDir, "data.db-wal"))
	fmt.Fprintf(out, "  database         %.1f MiB (data.db %.1f MiB + wal %.1f MiB)\n", mb(db+wal), mb(db), mb(wal))
	fmt.Fprintf(out, "\n  Customers %s … %s, password %q\n",
		seed.SyntheticEmail(res.First), seed.SyntheticEmail(res.Last), seed.SyntheticPassword)
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }
