package commands

import (
	"testing"

	"github.com/ezscale/ezscale/internal/testutil"

	_ "github.com/ezscale/ezscale/pb_migrations"
)

// execute runs the ezscale command line args on the data directory dir and
// answers its output, its progress (stderr) and its error.
func execute(t *testing.T, dir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return testutil.ExecuteCLI(t, dir, []testutil.Commands{Register}, args...)
}

// run executes the ezscale command line args on the data directory dir
// and answers its output; an error fails the test.
func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return testutil.RunCLI(t, dir, []testutil.Commands{Register}, args...)
}
