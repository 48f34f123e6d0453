package commands

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/version"
)

// versionCommand is `ezscale version`: the release, commit, build date and
// Go version of this binary, so a deploy (or staff) can tell what runs.
func versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:          "version",
		Short:        "Print the release version, commit, build date and Go version of this binary",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		Run: func(c *cobra.Command, _ []string) {
			fmt.Fprintln(c.OutOrStdout(), version.Get())
		},
	}
}

// RunVersionIfAsked prints the version and exits when args ask for it. main
// calls it before the configuration is read: a version check must work on a
// host (or in an image) where EZ_ENCRYPTION_KEY is not set.
func RunVersionIfAsked(args []string) {
	if len(args) != 1 || args[0] != "version" {
		return
	}
	fmt.Fprintln(os.Stdout, version.Get())
	os.Exit(0)
}
