package commands

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/internal/mariadbtest"
)

// TestImportCutover runs `import whmcs cutover` after an import of the
// WHMCS sample: it reports and refuses while blockers remain, changes
// nothing without --confirm, switches everyone on with --confirm --force,
// and says it is done when run again.
func TestImportCutover(t *testing.T) {
	server := mariadbtest.Start(t)
	server.CreateDatabase(t, "whmcs")
	server.LoadSQL(t, "whmcs", mariadbtest.FixturePath("whmcs-sample.sql"))
	dsn := "root@tcp(" + server.Addr() + ")/whmcs"
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "report.json")
	dryReport := filepath.Join(dir, "dry.json")
	run(t, dir, "import", "whmcs", "--dsn", dsn, "--report", reportPath)
	run(t, dir, "import", "whmcs", "--dsn", dsn, "--dry-run", "--only", "customers", "--report", dryReport)

	refusals := []struct {
		name string
		args []string
		err  string
	}{
		{"both sources", []string{"--dsn", dsn, "--report", reportPath}, "not both"},
		{"a dry run's report", []string{"--report", dryReport}, "dry run"},
		{"no such report", []string{"--report", filepath.Join(dir, "missing.json")}, "--report"},
		{"nobody named", []string{"--report", reportPath, "--confirm", "--by", " "}, "--by is empty"},
		{"blockers", []string{"--report", reportPath}, "the cutover is blocked"},
		{"no reconciliation", []string{"--confirm", "--by", "alice"}, "no final reconciliation"},
		{"blockers with --confirm", []string{"--report", reportPath, "--confirm", "--by", "alice"}, "services not linked"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := execute(t, dir, append([]string{"import", "whmcs", "cutover"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err %v, want %q\n%s", err, tc.err, out)
			}
			if held := heldCount(t, dir); held == 0 {
				t.Fatalf("a refused cutover switched customers on")
			}
		})
	}

	out := run(t, dir, "import", "whmcs", "cutover", "--report", reportPath, "--force")
	if !strings.Contains(out, "Invoice totals") || !strings.Contains(out, "[BLOCKER] Services not linked") ||
		!strings.Contains(out, "Nothing changed") || heldCount(t, dir) == 0 {
		t.Fatalf("check with --force:\n%s", out)
	}
	held := heldCount(t, dir)
	out = run(t, dir, "import", "whmcs", "cutover", "--report", reportPath, "--confirm", "--force", "--by", "alice")
	if !strings.Contains(out, "customers switched on") || !strings.Contains(out, "Going ahead despite") || heldCount(t, dir) != 0 {
		t.Fatalf("cutover of %d held customers:\n%s", held, out)
	}
	out = run(t, dir, "import", "whmcs", "cutover", "--confirm", "--by", "bob")
	if !strings.Contains(out, "was done at") {
		t.Errorf("second cutover:\n%s", out)
	}
}

// heldCount counts the customers WHMCS still serves in dir's database.
func heldCount(t *testing.T, dir string) int {
	t.Helper()
	app := core.NewBaseApp(core.BaseAppConfig{DataDir: dir})
	if err := app.Bootstrap(); err != nil {
		t.Fatal(err)
	}
	defer app.ResetBootstrapState()
	var n int
	if err := app.DB().NewQuery("SELECT COUNT(*) FROM customers WHERE whmcs_billed = TRUE").Row(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
