// Command ezscale is the EZSCALE billing and automation platform: PocketBase
// extended with the platform's migrations, hooks, jobs, routes and portal.
package main

import (
	"log"
	"net/http"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/commands"
	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/platforms"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/jobs"
	pbpublic "github.com/ezscale/ezscale/pb_public"

	_ "github.com/ezscale/ezscale/pb_migrations"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}

	app := pocketbase.NewWithConfig(pocketbase.Config{
		// Dev mode is EZ_DEV's to decide, not the binary's location (PocketBase
		// takes any binary under the temp dir for `go run` and logs every query).
		DefaultDev: false,
		// Keep as many idle connections as may be open: under load the default
		// 15 makes PocketBase close and reopen connections on every burst.
		DataMaxIdleConns: core.DefaultDataMaxOpenConns,
	})

	// Automigrate writes a Go migration for each dashboard schema edit; it
	// is a dev convenience and its output is reviewed before it is committed.
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangGo,
		Automigrate:  cfg.Dev,
		Dir:          "pb_migrations",
	})

	gw, err := gateways.FromConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer gw.Close()
	platforms, err := platforms.FromConfig(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer platforms.Close()
	hooks.Register(app, cfg, hooks.Deps{Gateways: gw, Platforms: platforms.Drivers})
	jobs.Register(app, cfg, gw, platforms.Drivers)
	commands.Register(app, cfg)

	app.OnServe().Bind(&hook.Handler[*core.ServeEvent]{
		Func: func(e *core.ServeEvent) error {
			if !e.Router.HasRoute(http.MethodGet, "/{path...}") {
				e.Router.GET("/{path...}", apis.Static(pbpublic.FS(), true))
			}
			return e.Next()
		},
		Priority: 999, // after every other route
	})

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
