package devcommands

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/bench"
)

// benchFloodCommand is `ezscale bench flood` (see bench.Flood).
func benchFloodCommand() *cobra.Command {
	opts := bench.FloodOptions{Clients: 50, Duration: time.Minute, Path: bench.FloodPath}
	cmd := &cobra.Command{
		Use:   "flood",
		Short: "A request flood from one address against a served platform: what it costs in logs and memory",
		Long: "Starts the platform (--server, default this binary) as `serve` on a loopback port and a temporary\n" +
			"data directory (or --data), sends GET --path from --clients clients of one address for --duration\n" +
			"while the rate limiter refuses most of them, stops it, and prints the answers, the log rows written,\n" +
			"the log database's size and the server's peak resident memory.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := bench.Flood(opts, cmd.OutOrStdout())
			res.Print(cmd.OutOrStdout())
			return err
		},
	}
	cmd.Flags().IntVar(&opts.Clients, "clients", opts.Clients, "concurrent clients")
	cmd.Flags().DurationVar(&opts.Duration, "duration", opts.Duration, "how long the clients send requests")
	cmd.Flags().StringVar(&opts.Path, "path", opts.Path, "the request path sent with GET")
	cmd.Flags().StringVar(&opts.Server, "server", "", "the ezscale binary to serve (default: this one)")
	cmd.Flags().StringVar(&opts.Dir, "data", "", "the server's data directory (default: a temporary one, removed after)")
	return cmd
}
