package commands

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"

	_ "github.com/ezscale/ezscale/pb_migrations"
)

// execute runs the ezscale command line args on the data directory dir and
// answers its output, its progress (stderr) and its error.
func execute(t *testing.T, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: dir, DefaultDev: false})
	cfg := testutil.Config()
	hooks.Register(app, cfg, hooks.Deps{})
	Register(app, cfg)
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()
	var out, progress bytes.Buffer
	app.RootCmd.SetOut(&out)
	app.RootCmd.SetErr(&progress)
	app.RootCmd.SetArgs(args)
	err = app.RootCmd.Execute()
	return out.String(), progress.String(), err
}

// run executes the ezscale command line args on the data directory dir
// and answers its output; an error fails the test.
func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, progress, err := execute(t, dir, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out, progress)
	}
	return out
}

func TestSeedThenBenchAPI(t *testing.T) {
	dir := t.TempDir()
	out := run(t, dir, "seed", "--customers", "3")
	for _, want := range []string{"3/3 customers", "invoices", seed.SyntheticPassword, "database"} {
		if !strings.Contains(out, want) {
			t.Errorf("seed output lacks %q:\n%s", want, out)
		}
	}
	if out := run(t, dir, "seed", "--customers", "2"); !strings.Contains(out, seed.SyntheticEmail(5)) {
		t.Errorf("a second seed does not continue the numbering:\n%s", out)
	}

	out = run(t, dir, "bench", "api", "--clients", "2", "--duration", "200ms", "--customers", "5")
	for _, want := range []string{"rate limiter is off", "idx_services_customer", "req/s", "errors    0"} {
		if !strings.Contains(out, want) {
			t.Errorf("bench output lacks %q:\n%s", want, out)
		}
	}
}
