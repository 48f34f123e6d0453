package commands

import (
	"encoding/base64"
	"fmt"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/secrets"
)

// secretsCommand is `ezscale secrets rotate --old-key=...`: re-encrypt the
// stored credentials from the old key to EZ_ENCRYPTION_KEY.
func secretsCommand(app core.App, cfg *config.Config) *cobra.Command {
	cmd := &cobra.Command{Use: "secrets", Short: "Stored credentials"}
	var oldKey string
	rotate := &cobra.Command{
		Use:          "rotate",
		Short:        "Re-encrypt stored service credentials from --old-key to EZ_ENCRYPTION_KEY",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			old := []byte(oldKey)
			if len(old) != 32 {
				decoded, err := base64.StdEncoding.DecodeString(oldKey)
				if err != nil {
					return fmt.Errorf("--old-key: want 32 bytes, raw or base64")
				}
				old = decoded
			}
			oldBox, err := secrets.New(old)
			if err != nil {
				return fmt.Errorf("--old-key: %w", err)
			}
			newBox, err := secrets.New(cfg.EncryptionKey)
			if err != nil {
				return fmt.Errorf("EZ_ENCRYPTION_KEY: %w", err)
			}
			if err := Migrate(app); err != nil {
				return err
			}
			n, err := secrets.Rotate(app, oldBox, newBox, cmd.OutOrStdout())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Re-encrypted the credentials of %d services.\n", n)
			return nil
		},
	}
	rotate.Flags().StringVar(&oldKey, "old-key", "", "the key the credentials are sealed with now (32 bytes, raw or base64)")
	rotate.MarkFlagRequired("old-key")
	cmd.AddCommand(rotate)
	return cmd
}
