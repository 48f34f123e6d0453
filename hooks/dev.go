package hooks

import (
	"os"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/seed"
)

// bindDevMode seeds the demo data on an empty database and prints the demo
// logins when the server starts in dev mode.
func bindDevMode(app core.App, cfg *config.Config) {
	if !cfg.Dev {
		return
	}
	app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		if err := seed.Demo(e.App, os.Stdout, cfg.PublicURL); err != nil {
			return err
		}
		return e.Next()
	})
}
