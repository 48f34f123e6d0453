package commands

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// backupCommand is `ezscale backup [name]`: a PocketBase backup of the data
// directory (the same zip the dashboard and the backup schedule make, into
// the configured backups storage), taken by the deploy script before it
// migrates when the replica cannot be confirmed current. PocketBase copies
// the database with VACUUM INTO, so the running server keeps serving.
func backupCommand(app core.App) *cobra.Command {
	return &cobra.Command{
		Use:          "backup [name]",
		Short:        "Back up the data directory as a PocketBase backup zip (pb_data/backups or the backups storage)",
		Args:         cobra.MaximumNArgs(1),
		SilenceUsage: true,
		RunE: func(c *cobra.Command, args []string) error {
			name := ""
			if len(args) == 1 {
				name = args[0]
			}
			if err := backupName(name); err != nil {
				return err
			}
			if !app.IsBootstrapped() {
				if err := app.Bootstrap(); err != nil {
					return err
				}
			}
			if name == "" {
				name = "pb_backup_" + time.Now().UTC().Format("20060102150405") + ".zip"
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			if err := app.CreateBackup(ctx, name); err != nil {
				return fmt.Errorf("backup %s: %w", name, err)
			}
			fmt.Fprintf(c.OutOrStdout(), "Backup %s created.\n", name)
			return nil
		},
	}
}

// backupNameRe is the name PocketBase's backups API accepts (apis/backup_create.go).
var backupNameRe = regexp.MustCompile(`^[a-z0-9_-]+\.zip$`)

// backupName refuses what PocketBase's backups API refuses: a name that is
// not a plain lower-case .zip file name (no directories, so nothing lands
// outside the backups storage).
func backupName(name string) error {
	if name == "" || (len(name) <= 150 && backupNameRe.MatchString(name)) {
		return nil
	}
	return fmt.Errorf("backup name %q: want lower-case letters, digits, '_' or '-', ending in .zip", name)
}
