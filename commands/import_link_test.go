package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/mariadbtest"
)

// TestImportWHMCSLink runs `import whmcs link` after an import with no
// panel configured: every live imported service is listed as such (no
// simulator stands in), in the printed and the JSON report.
func TestImportWHMCSLink(t *testing.T) {
	server := mariadbtest.Start(t)
	server.CreateDatabase(t, "whmcs")
	server.LoadSQL(t, "whmcs", mariadbtest.FixturePath("whmcs-sample.sql"))
	dsn := "root@tcp(" + server.Addr() + ")/whmcs"
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "link.json")

	for name, tc := range map[string]struct {
		args []string
		err  string
	}{
		"no dsn":      {[]string{"import", "whmcs", "link"}, `required flag(s) "dsn" not set`},
		"server down": {[]string{"import", "whmcs", "link", "--dsn", "root:secret@tcp(127.0.0.1:1)/whmcs"}, `cannot connect to the WHMCS database "whmcs"`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := execute(t, t.TempDir(), tc.args...); err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "secret") {
				t.Errorf("err %v, want %q (and no password)", err, tc.err)
			}
		})
	}

	run(t, dir, "import", "whmcs", "--dsn", dsn)
	out := run(t, dir, "import", "whmcs", "link", "--dsn", dsn, "--dry-run", "--report", reportPath)
	if !strings.Contains(out, "DRY RUN") || !strings.Contains(out, "platform_not_configured") {
		t.Errorf("output:\n%s", out)
	}
	raw, err := os.ReadFile(reportPath)
	if err != nil {
		t.Fatal(err)
	}
	var rep whmcs.LinkReport
	if err := json.Unmarshal(raw, &rep); err != nil || !rep.DryRun || len(rep.Services) == 0 {
		t.Fatalf("report file: %v %s", err, raw)
	}
	for _, e := range rep.Services {
		if e.Outcome != whmcs.LinkNotConfigured || e.Platform == "manual" {
			t.Errorf("with no panel configured: %+v", e)
		}
	}
}
