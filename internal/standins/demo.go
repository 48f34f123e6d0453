package standins

import (
	"os"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/seed"
)

// bindDemoData seeds the demo data on an empty database and prints the demo
// logins when the server starts. Start binds it before the server's hooks
// and jobs, so the demo data is there before the scheduler's first run.
func bindDemoData(app core.App, cfg *config.Config) {
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := seed.Demo(e.App, os.Stdout, cfg.PublicURL); err != nil {
			return err
		}
		return e.Next()
	})
}
