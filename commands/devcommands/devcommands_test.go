package devcommands

import (
	"strings"
	"testing"

	"github.com/ezscale/ezscale/commands"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"

	_ "github.com/ezscale/ezscale/pb_migrations"
)

// run executes the ezscale command line of the development build args on
// the data directory dir and answers its output; an error fails the test.
func run(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return testutil.RunCLI(t, dir, []testutil.Commands{commands.Register, Register}, args...)
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
