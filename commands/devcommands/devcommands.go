// Package devcommands holds the commands of the development build: the
// synthetic data generator and the load measurements (`ezscale seed`,
// `ezscale bench …`). They are only linked into a binary built with the
// dev tag (main_dev.go), so the production server carries neither the
// generators nor the simulators the benchmarks drive.
package devcommands

import (
	"github.com/pocketbase/pocketbase"

	"github.com/ezscale/ezscale/internal/config"
)

// Register adds the development commands to app's root command.
func Register(app *pocketbase.PocketBase, cfg *config.Config) {
	bench := benchCommand(app)
	bench.AddCommand(benchBillingCommand(cfg), benchProvisioningCommand(cfg), benchWHMCSCommand(cfg))
	app.RootCmd.AddCommand(seedCommand(app), bench)
}
