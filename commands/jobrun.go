package commands

import (
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// jobRunCommand is `ezscale <group> run [--now=...]`: a scheduled job on
// demand, e.g. to catch up after downtime or to rehearse a date. job does
// the work at the time asked, once the database is migrated. The run
// command is returned too, for flags of the job's own.
func jobRunCommand(app core.App, group, groupShort, runShort string, job func(out io.Writer, at time.Time) error) (cmd, run *cobra.Command) {
	cmd = &cobra.Command{Use: group, Short: groupShort}
	var now string
	run = &cobra.Command{
		Use:          "run",
		Short:        runShort,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(c *cobra.Command, _ []string) error {
			at, err := parseNow(now)
			if err != nil {
				return err
			}
			if err := Migrate(app); err != nil {
				return err
			}
			return job(c.OutOrStdout(), at)
		},
	}
	run.Flags().StringVar(&now, "now", "", "run as if it were this time (2026-12-01 or RFC 3339); default: now")
	cmd.AddCommand(run)
	return cmd, run
}

// parseNow reads a --now flag: empty is the current time.
func parseNow(v string) (time.Time, error) {
	if v == "" {
		return time.Now().UTC(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("--now %q: want 2026-12-01, 2026-12-01T06:00 or RFC 3339", v)
}
