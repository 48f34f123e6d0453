// Command ezscale is the EZSCALE billing and automation platform: PocketBase
// extended with the platform's migrations, hooks, jobs, routes and portal.
package main

import (
	"log"
	"os"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/plugins/migratecmd"

	"github.com/ezscale/ezscale/commands"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/server"
	"github.com/ezscale/ezscale/internal/sqlitedb"

	_ "github.com/ezscale/ezscale/pb_migrations"
)

// devCommands adds the development build's commands (main_dev.go); nil in
// the production build, which carries no generator, benchmark or simulator.
var devCommands func(app *pocketbase.PocketBase, cfg *config.Config)

func main() {
	// Restore needs only the storage settings, not the server's: it runs on
	// a machine being set up, before anything else is configured.
	commands.RunRestoreIfAsked(os.Args[1:])
	commands.RunVersionIfAsked(os.Args[1:])
	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}

	app := pocketbase.NewWithConfig(pocketbase.Config{
		// Dev mode is EZ_DEV's to decide, not the binary's location (PocketBase
		// takes any binary under the temp dir for `go run` and logs every query).
		DefaultDev: false,
		// A capped read pool, kept open, with a smaller page cache per
		// connection (see sqlitedb.DBConnect): the default 120 connections of
		// 32 MB each grew the server to 488 MB under load for no throughput.
		DataMaxOpenConns: sqlitedb.DataMaxOpenConns,
		DataMaxIdleConns: sqlitedb.DataMaxOpenConns,
		DBConnect:        sqlitedb.DBConnect,
	})
	sqlitedb.BindWriterCache(app)

	// Automigrate writes a Go migration for each dashboard schema edit; it
	// is a dev convenience and its output is reviewed before it is committed.
	migratecmd.MustRegister(app, app.RootCmd, migratecmd.Config{
		TemplateLang: migratecmd.TemplateLangGo,
		Automigrate:  cfg.Dev,
		Dir:          "pb_migrations",
	})

	var pprofAddr string
	app.RootCmd.PersistentFlags().StringVar(&pprofAddr, "pprof", "",
		"serve Go's profiler on this loopback address while serving (e.g. 127.0.0.1:6060); off when empty")
	server.BindPprof(app, &pprofAddr)

	stop, err := server.Setup(app, cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer stop()
	commands.Register(app, cfg)
	if devCommands != nil {
		devCommands(app, cfg)
	}

	if err := app.Start(); err != nil {
		log.Fatal(err)
	}
}
