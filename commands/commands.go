// Package commands adds the platform's own CLI commands to the ezscale
// binary, next to PocketBase's serve, migrate and superuser. The
// development build adds more (commands/devcommands).
package commands

import (
	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/config"
)

// Register adds every platform command to app's root command.
func Register(app *pocketbase.PocketBase, cfg *config.Config) {
	app.RootCmd.AddCommand(billingCommand(app), dunningCommand(app, cfg), secretsCommand(app, cfg))
	app.RootCmd.AddCommand(bandwidthCommand(app, cfg), supportCommand(app, cfg), importCommand(app, cfg))
	app.RootCmd.AddCommand(ledgerCommand(app), backupCommand(app))
	// Listed in help; main runs them before PocketBase starts (RunRestoreIfAsked, RunVersionIfAsked).
	app.RootCmd.AddCommand(restoreCommand(), versionCommand())
}

// Migrate brings the database up to date, as serve does before it starts,
// so a command works on a fresh or an older data directory.
func Migrate(app core.App) error {
	if !app.IsBootstrapped() {
		if err := app.Bootstrap(); err != nil {
			return err
		}
	}
	return app.RunAllMigrations()
}
