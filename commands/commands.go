// Package commands adds the platform's own CLI commands to the ezscale
// binary, next to PocketBase's serve, migrate and superuser.
package commands

import (
	"github.com/pocketbase/pocketbase"

	"github.com/ezscale/ezscale/internal/config"
)

// Register adds every platform command to app's root command.
func Register(app *pocketbase.PocketBase, cfg *config.Config) {
}
