package testutil

import (
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/sqlitedb"
)

// SeededApp is the database a benchmark measures: a copy of the data dir
// EZ_BENCH_DATA (made by `make seed`) when set, else a migrated app with
// EZ_BENCH_CUSTOMERS (default n) synthetic customers seeded into it. Nothing
// is registered on it. Seeding progress goes to progress.
func SeededApp(b *testing.B, n int, progress io.Writer) *tests.TestApp {
	b.Helper()
	if dir := os.Getenv("EZ_BENCH_DATA"); dir != "" {
		app, err := tests.NewTestAppWithConfig(sqlitedb.Config(core.BaseAppConfig{DataDir: dir, EncryptionEnv: "pb_test_env"}))
		if err != nil {
			b.Fatalf("copy of %s: %v", dir, err)
		}
		b.Cleanup(app.Cleanup)
		return app
	}
	if v := os.Getenv("EZ_BENCH_CUSTOMERS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("EZ_BENCH_CUSTOMERS=%q: want a positive number", v)
		}
	}
	app := NewMigratedApp(b)
	if _, err := seed.Synthetic(app, seed.SyntheticOptions{Customers: n, Seed: 1}, progress); err != nil {
		b.Fatal(err)
	}
	return app
}
