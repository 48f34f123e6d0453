package chaos

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/pocketbase/pocketbase/core"

	_ "github.com/ezscale/ezscale/pb_migrations"

	"github.com/ezscale/ezscale/internal/sqlitedb"
)

// The migrations run once per process into a template data directory; each
// world starts from a copy of it, so a run of hundreds of seeds (and the
// replays of shrinking) does not migrate hundreds of times.
var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

func migratedTemplate() (string, error) {
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ezscale-chaos-template-")
		if err != nil {
			templateErr = err
			return
		}
		app := core.NewBaseApp(sqlitedb.Config(core.BaseAppConfig{DataDir: dir}))
		if err := app.Bootstrap(); err != nil {
			templateErr = err
			return
		}
		defer app.ClearBootstrap()
		if err := app.RunAllMigrations(); err != nil {
			templateErr = fmt.Errorf("migrations: %w", err)
			return
		}
		templateDir = dir
	})
	return templateDir, templateErr
}

// newDataApp is a bootstrapped app on a fresh copy of the migrated template.
func newDataApp() (core.App, func(), error) {
	tpl, err := migratedTemplate()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "ezscale-chaos-")
	if err != nil {
		return nil, nil, err
	}
	if err := copyDir(tpl, dir); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	app := core.NewBaseApp(sqlitedb.Config(core.BaseAppConfig{DataDir: dir}))
	// Torn down as PocketBase's test apps are: the terminate event first, so
	// what the hooks started in the background (the health sweep, power
	// watches) ends before the database closes.
	cleanup := func() {
		_ = app.OnTerminate().Trigger(&core.TerminateEvent{App: app})
		_ = app.ResetBootstrapState()
		os.RemoveAll(dir)
	}
	if err := app.Bootstrap(); err != nil {
		cleanup()
		return nil, nil, err
	}
	return app, cleanup, nil
}

func copyDir(from, to string) error {
	return filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, path)
		if err != nil {
			return err
		}
		target := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := os.Create(target)
		if err != nil {
			return err
		}
		if _, err := io.Copy(dst, src); err != nil {
			dst.Close()
			return err
		}
		return dst.Close()
	})
}
