package commands

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/replication"
)

// restoreCommand is `ezscale restore`: a data directory rebuilt from the
// replica (to a point in time) or from a PocketBase backup, for the
// failover steps in README's disaster-recovery runbook.
func restoreCommand() *cobra.Command {
	var from, at, dir string
	cmd := &cobra.Command{
		Use:   "restore --from <s3://bucket/path | pb_backup_....zip> [--at <RFC 3339>] --dir <empty pb_data>",
		Short: "Rebuild an empty data directory from the replica (to a point in time) or a backup",
		Long: "--from s3://bucket/path replays the Litestream replica of data.db (EZ_REPLICA_URL's value) up to\n" +
			"--at, or its newest transaction; --from pb_backup_....zip unpacks that PocketBase backup from the\n" +
			"bucket of EZ_REPLICA_URL. The storage's endpoint and keys come from EZ_REPLICA_ENDPOINT,\n" +
			"EZ_REPLICA_REGION, EZ_REPLICA_ACCESS_KEY_ID and EZ_REPLICA_SECRET_ACCESS_KEY. --dir must be empty\n" +
			"or absent: a restore never overwrites data.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			req := replication.RestoreRequest{From: from, Dir: dir}
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return fmt.Errorf("--at %q: want an RFC 3339 time such as 2026-12-07T21:30:00Z", at)
				}
				req.At = t
			}
			cfg, err := replication.FromEnv(os.Getenv)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			began := time.Now()
			if err := replication.Restore(ctx, cfg, req); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "Restored %s into %s in %s. Next: ezscale ledger check --dir %s, then serve.\n",
				from, dir, time.Since(began).Round(time.Millisecond), dir)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the replica's URL (s3://bucket/path) or a backup's key")
	cmd.Flags().StringVar(&at, "at", "", "restore the replica as it was at this time (RFC 3339); default: its newest state")
	cmd.Flags().StringVar(&dir, "dir", "", "the empty data directory to restore into")
	return cmd
}

// RunRestoreIfAsked runs `ezscale restore ...` and exits when args ask for
// it. main calls it before PocketBase starts, because PocketBase's start
// creates the database in --dir, which restore must find empty.
func RunRestoreIfAsked(args []string) {
	if len(args) == 0 || args[0] != "restore" {
		return
	}
	cmd := restoreCommand()
	cmd.SetArgs(args[1:])
	if err := cmd.Execute(); err != nil {
		os.Exit(1)
	}
	os.Exit(0)
}
