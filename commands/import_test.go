package commands

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/ezscale/ezscale/integrations/whmcs"
	"github.com/ezscale/ezscale/internal/mariadbtest"
)

func TestWHMCSDSN(t *testing.T) {
	cases := []struct {
		name, dsn, collation string
		err                  string
	}{
		{"bare", "user:pw@tcp(db.example.net:3306)/whmcs", "", ""},
		{"settings overridden", "user:pw@tcp(db:3306)/whmcs?parseTime=false&loc=Local&charset=latin1&collation=latin1_swedish_ci", "", ""},
		{"a utf8mb4 collation kept", "u@tcp(db)/whmcs?collation=utf8mb4_unicode_ci&timeout=5s", "utf8mb4_unicode_ci", ""},
		{"no database", "user:pw@tcp(db:3306)/", "", "names no database"},
		{"not a DSN", "mysql://user@db/whmcs", "", "--dsn"},
		{"empty", "  ", "", "--dsn is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := whmcsDSN(tc.dsn)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if strings.Contains(err.Error(), "pw") {
					t.Errorf("the error shows the password: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c, err := mysql.ParseDSN(got)
			if err != nil {
				t.Fatalf("%s: %v", got, err)
			}
			if !c.ParseTime || c.Loc.String() != "UTC" || !strings.Contains(got, "charset=utf8mb4") || strings.Contains(got, "latin1") ||
				c.Collation != tc.collation || c.DBName != "whmcs" {
				t.Errorf("%s → %s (collation %q)", tc.dsn, got, c.Collation)
			}
		})
	}
}

func TestReadProductMap(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, json, err string
	}{
		{"valid", `{"12": {"platform": "manual", "service_type": "dedicated"}, "3": {"slug": "vps-small"}}`, ""},
		{"bad JSON", `{"12": {"platform": "manual",}}`, "is not valid"},
		{"misspelt field", `{"12": {"platfrom": "manual"}}`, `unknown field "platfrom"`},
		{"not an id", `{"vps": {"platform": "manual"}}`, `key "vps" is not a WHMCS product id`},
		{"a list", `[{"platform": "manual"}]`, "is not valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".json")
			if err := os.WriteFile(path, []byte(tc.json), 0o600); err != nil {
				t.Fatal(err)
			}
			m, err := readProductMap(path)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), path) {
					t.Errorf("err %v, want %q naming the file", err, tc.err)
				}
				return
			}
			if err != nil || m["12"].Platform != "manual" || m["12"].ServiceType != "dedicated" || m["3"].Slug != "vps-small" {
				t.Errorf("%+v %v", m, err)
			}
		})
	}
	if _, err := readProductMap(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "--product-map") {
		t.Errorf("missing file: %v", err)
	}
}

func TestImportVerdict(t *testing.T) {
	cases := []struct {
		name       string
		reconciled bool
		counts     []*whmcs.Count
		err        []string
	}{
		{"clean", true, []*whmcs.Count{{Entity: "customers", Read: 3, Created: 2, Skipped: 1}}, nil},
		{"sums disagree", false, nil, []string{"do not reconcile"}},
		{"a record failed", true, []*whmcs.Count{{Entity: "customers"}, {Entity: "supportpal_tickets", Read: 2, Failed: 2}},
			[]string{"2 supportpal_tickets"}},
		{"both", false, []*whmcs.Count{{Entity: "invoices", Failed: 1}}, []string{"do not reconcile", "1 invoices"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := importVerdict(&whmcs.Report{Reconciled: tc.reconciled, Entities: tc.counts})
			if (err == nil) != (tc.err == nil) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			for _, want := range tc.err {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err %v lacks %q", err, want)
				}
			}
		})
	}
}

// TestImportWHMCS runs the command against the WHMCS sample on a private
// MariaDB server.
func TestImportWHMCS(t *testing.T) {
	server := mariadbtest.Start(t)
	server.CreateDatabase(t, "whmcs")
	server.LoadSQL(t, "whmcs", mariadbtest.FixturePath("whmcs-sample.sql"))
	// No parseTime, loc or charset: the command adds them.
	dsn := "root@tcp(" + server.Addr() + ")/whmcs"
	dir := t.TempDir()
	reportPath := filepath.Join(dir, "report.json")
	badMap := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(badMap, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}

	refusals := []struct {
		name string
		args []string
		err  string
	}{
		{"no dsn", []string{"import", "whmcs"}, `required flag(s) "dsn" not set`},
		{"bad product map", []string{"import", "whmcs", "--dsn", dsn, "--product-map", badMap}, "--product-map"},
		{"unknown part", []string{"import", "whmcs", "--dsn", dsn, "--only", "customers,widgets"}, `unknown entity "widgets"`},
		{"server down", []string{"import", "whmcs", "--dsn", "root:secret@tcp(127.0.0.1:1)/whmcs"}, `cannot connect to the WHMCS database "whmcs" at tcp 127.0.0.1:1`},
		{"no such database", []string{"import", "whmcs", "--dsn", "root@tcp(" + server.Addr() + ")/nowhere"}, `cannot connect to the WHMCS database "nowhere"`},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := execute(t, t.TempDir(), tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "secret") {
				t.Errorf("err %v, want %q (and no password)", err, tc.err)
			}
		})
	}

	t.Run("dry run", func(t *testing.T) {
		out, progress, err := execute(t, dir, "import", "whmcs", "--dsn", dsn, "--dry-run", "--only", "customers,tickets", "--report", reportPath)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !strings.Contains(out, "WHMCS import (dry run: nothing written)") || !strings.Contains(out, "tickets") ||
			!strings.Contains(progress, "tickets done in") || !strings.Contains(progress, "archive only") {
			t.Errorf("output:\n%s\nprogress:\n%s", out, progress)
		}
		raw, err := os.ReadFile(reportPath)
		if err != nil {
			t.Fatal(err)
		}
		var rep whmcs.Report
		if err := json.Unmarshal(raw, &rep); err != nil || !rep.DryRun || len(rep.Entities) == 0 {
			t.Errorf("report file: %v %s", err, raw)
		}
	})

	t.Run("import, then again", func(t *testing.T) {
		for run := range 2 {
			out, _, err := execute(t, dir, "import", "whmcs", "--dsn", dsn, "--only", "customers,tickets", "--report", reportPath)
			if err != nil {
				t.Fatalf("run %d: %v\n%s", run+1, err, out)
			}
			raw, _ := os.ReadFile(reportPath)
			var rep whmcs.Report
			if err := json.Unmarshal(raw, &rep); err != nil {
				t.Fatal(err)
			}
			for _, c := range rep.Entities {
				if c.Entity == "customers" && (run == 0 && c.Created == 0 || run == 1 && c.Created+c.Updated != 0) {
					t.Errorf("run %d: customers %+v", run+1, c)
				}
			}
		}
	})
}
