package devcommands

import (
	"os"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/sqlitedb"
)

// tempApp is the platform on a throwaway data directory, migrated and with
// its hooks, for benchmarks that must not touch the real database. close
// removes the directory unless keep is set.
func tempApp(cfg *config.Config, name string, keep bool) (app core.App, dir string, close func(), err error) {
	dir, err = os.MkdirTemp("", "ezscale-bench-"+name+"-")
	if err != nil {
		return nil, "", nil, err
	}
	base := core.NewBaseApp(sqlitedb.Config(core.BaseAppConfig{DataDir: dir}))
	sqlitedb.BindWriterCache(base)
	close = func() {
		_ = base.ClearBootstrap()
		if !keep {
			os.RemoveAll(dir)
		}
	}
	if err := base.Bootstrap(); err != nil {
		close()
		return nil, "", nil, err
	}
	if err := base.RunAllMigrations(); err != nil {
		close()
		return nil, "", nil, err
	}
	hooks.Register(base, cfg, hooks.Deps{})
	return base, dir, close, nil
}
