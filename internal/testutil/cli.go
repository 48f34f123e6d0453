package testutil

import (
	"bytes"
	"testing"

	"github.com/pocketbase/pocketbase"

	"github.com/ezscale/ezscale/hooks"
	"github.com/ezscale/ezscale/internal/config"
)

// Commands adds a set of CLI commands to an app (commands.Register,
// devcommands.Register).
type Commands func(app *pocketbase.PocketBase, cfg *config.Config)

// ExecuteCLI runs the ezscale command line args, with the commands
// register adds, on the data directory dir and answers its output, its
// progress (stderr) and its error.
func ExecuteCLI(t testing.TB, dir string, register []Commands, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	app := pocketbase.NewWithConfig(pocketbase.Config{DefaultDataDir: dir, DefaultDev: false})
	cfg := Config()
	hooks.Register(app, cfg, hooks.Deps{})
	for _, r := range register {
		r(app, cfg)
	}
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

// RunCLI is ExecuteCLI for a command that must succeed: an error fails
// the test.
func RunCLI(t testing.TB, dir string, register []Commands, args ...string) string {
	t.Helper()
	out, progress, err := ExecuteCLI(t, dir, register, args...)
	if err != nil {
		t.Fatalf("%v: %v\n%s%s", args, err, out, progress)
	}
	return out
}
