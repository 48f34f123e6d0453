// Package testutil builds the platform's app for tests: the real
// migrations and hooks on a throwaway data directory.
package testutil

import (
	"os"
	"sync"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/integrations/gateways"
	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/internal/config"
	"github.com/ezscale/ezscale/internal/sqlitedb"
	"github.com/ezscale/ezscale/internal/standins"

	_ "github.com/ezscale/ezscale/pb_migrations"
)

var (
	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// Config is the configuration tests run with: not dev mode (so no demo
// data appears by itself), a fixed encryption key, rate limits off unless
// a test turns them on.
func Config() *config.Config {
	cfg, err := config.FromEnv(func(k string) string {
		switch k {
		case "EZ_ENCRYPTION_KEY":
			return "0123456789abcdef0123456789abcdef"
		case "EZ_RATE_LIMITS":
			return "false"
		}
		return ""
	})
	if err != nil {
		panic(err)
	}
	return cfg
}

// NewApp returns a migrated app with every hook registered, on its own copy
// of a data directory. The migrations run once per test binary; each app
// starts from a copy of that migrated directory.
func NewApp(t testing.TB) *tests.TestApp {
	t.Helper()
	return NewAppWith(t, Config())
}

// NewAppWith is NewApp with a configuration of the test's own, e.g. dev mode.
func NewAppWith(t testing.TB, cfg *config.Config) *tests.TestApp {
	t.Helper()
	return NewAppWithPlatforms(t, cfg, nil)
}

// NewAppWithPlatforms also gives the hooks platform drivers, e.g. fakes.
func NewAppWithPlatforms(t testing.TB, cfg *config.Config, platforms map[string]provisioning.Provisioner) *tests.TestApp {
	t.Helper()
	return NewAppWithDeps(t, cfg, hooks.Deps{Platforms: platforms})
}

// NewAppWithDeps registers the hooks with the given outside systems on
// app (a NewMigratedApp); the gateways come from cfg when deps has none.
func NewAppWithDeps(t testing.TB, cfg *config.Config, deps hooks.Deps) *tests.TestApp {
	t.Helper()
	return RegisterHooks(t, NewMigratedApp(t), cfg, deps)
}

// RegisterHooks registers the hooks on app, a NewMigratedApp, for tests
// whose outside systems need the app first (the help desk does). In dev
// mode the stand-ins start first, as in the development build: cfg then
// names their simulators, and the demo data is seeded on serve.
func RegisterHooks(t testing.TB, app *tests.TestApp, cfg *config.Config, deps hooks.Deps) *tests.TestApp {
	t.Helper()
	if cfg.Dev {
		_, stop, err := standins.Start(app, cfg)
		if err != nil {
			t.Fatalf("stand-ins: %v", err)
		}
		t.Cleanup(stop)
	}
	if deps.Gateways == nil {
		gw, err := gateways.FromConfig(cfg)
		if err != nil {
			t.Fatalf("gateways: %v", err)
		}
		deps.Gateways = gw
	}
	hooks.Register(app, cfg, deps)
	if err := hooks.ApplyConfig(app, cfg); err != nil {
		t.Fatalf("apply config: %v", err)
	}
	return app
}

// NewMigratedApp is a migrated app with nothing registered on it, for a
// test that assembles the platform itself (the browser tests do, like
// main.go).
func NewMigratedApp(t testing.TB) *tests.TestApp {
	t.Helper()
	templateOnce.Do(buildTemplate)
	if templateErr != nil {
		t.Fatalf("test data template: %v", templateErr)
	}
	app, err := tests.NewTestAppWithConfig(sqlitedb.Config(core.BaseAppConfig{DataDir: templateDir, EncryptionEnv: "pb_test_env"}))
	if err != nil {
		t.Fatalf("test app: %v", err)
	}
	t.Cleanup(app.Cleanup)
	return app
}

func buildTemplate() {
	dir, err := os.MkdirTemp("", "ezscale-testdata-")
	if err != nil {
		templateErr = err
		return
	}
	app := core.NewBaseApp(sqlitedb.Config(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env"}))
	if err := app.Bootstrap(); err != nil {
		templateErr = err
		return
	}
	defer app.ClearBootstrap()
	if err := app.RunAllMigrations(); err != nil {
		templateErr = err
		return
	}
	templateDir = dir
}
