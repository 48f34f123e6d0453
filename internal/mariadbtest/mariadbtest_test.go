package mariadbtest

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/repo"
	"github.com/go-sql-driver/mysql"
)

// server is the package's shared server, started by TestMain.
var server *Server

func TestMain(m *testing.M) { Main(m, func(s *Server) { server = s }) }

// expected is the part of whmcs-sample.expected.json these tests check.
type expected struct {
	RowCounts map[string]int `json:"row_counts"`
	EmojiRows map[string]int `json:"emoji_rows"`
	ZeroDates map[string]int `json:"zero_dates"`
}

var (
	whmcsOnce sync.Once
	whmcsDB   *sql.DB
	whmcsErr  error
)

// whmcs loads the WHMCS fixture into database "whmcs" once for the package
// and returns a pool on it. Loading it must raise no warning: the fixture
// is clean, so a warning means the server or client setup mangles data.
func whmcs(t *testing.T) *sql.DB {
	t.Helper()
	whmcsOnce.Do(func() {
		if whmcsErr = server.createDatabase("whmcs"); whmcsErr != nil {
			return
		}
		began := time.Now()
		warnings, err := server.loadSQL("whmcs", FixturePath("whmcs-sample.sql"))
		if err != nil {
			whmcsErr = err
			return
		}
		if warnings != "" {
			whmcsErr = fmt.Errorf("loading whmcs-sample.sql raised warnings:\n%s", warnings)
			return
		}
		t.Logf("whmcs-sample.sql loaded in %s", time.Since(began).Round(time.Millisecond))
		whmcsDB, whmcsErr = sql.Open("mysql", server.DSN("whmcs"))
	})
	if whmcsErr != nil {
		t.Fatal(whmcsErr)
	}
	return whmcsDB
}

func readExpected(t *testing.T) expected {
	t.Helper()
	raw, err := os.ReadFile(FixturePath("whmcs-sample.expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(raw, &e); err != nil {
		t.Fatalf("whmcs-sample.expected.json: %v", err)
	}
	if len(e.RowCounts) == 0 || len(e.EmojiRows) == 0 || len(e.ZeroDates) == 0 {
		t.Fatalf("whmcs-sample.expected.json lacks row_counts, emoji_rows or zero_dates")
	}
	return e
}

func TestFixtureRowCounts(t *testing.T) {
	db := whmcs(t)
	want := readExpected(t).RowCounts

	rows, err := db.Query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'whmcs'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(tables)
	wantTables := slices.Sorted(maps.Keys(want))
	if !slices.Equal(tables, wantTables) {
		t.Fatalf("tables = %v, want %v", tables, wantTables)
	}

	for _, table := range wantTables {
		t.Run(table, func(t *testing.T) {
			var n int
			if err := db.QueryRow("SELECT COUNT(*) FROM `" + table + "`").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != want[table] {
				t.Errorf("%s has %d rows, want %d", table, n, want[table])
			}
		})
	}
}

func TestFixtureEmojiRoundTrip(t *testing.T) {
	db := whmcs(t)
	want := readExpected(t).EmojiRows
	dump, err := os.ReadFile(FixturePath("whmcs-sample.sql"))
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		table, query string
	}{
		{"tbltickets", "SELECT id, title, message FROM tbltickets ORDER BY id"},
		{"tblticketreplies", "SELECT id, '', message FROM tblticketreplies ORDER BY id"},
	}
	var title string
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			rows, err := db.Query(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var id int
				var ttl, message string
				if err := rows.Scan(&id, &ttl, &message); err != nil {
					t.Fatal(err)
				}
				if hasEmoji(ttl) && title == "" {
					title = ttl
				}
				if hasEmoji(ttl) || hasEmoji(message) {
					n++
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != want[tt.table] {
				t.Errorf("%d rows of %s have emoji, want %d (lost in a utf8mb3 step?)", n, tt.table, want[tt.table])
			}
		})
	}

	// A title read back is byte for byte what the dump holds, and finds its
	// row when sent back as a parameter.
	if title == "" {
		t.Fatal("no ticket title with an emoji")
	}
	if !strings.Contains(string(dump), "'"+title+"'") {
		t.Errorf("ticket title %q is not in the dump as read back", title)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM tbltickets WHERE title = ?", title).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Errorf("no ticket found by its own title %q", title)
	}
}

// hasEmoji reports a character outside the Basic Multilingual Plane: four
// bytes in UTF-8, which utf8mb3 cannot store.
func hasEmoji(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r > 0xFFFF })
}

func TestFixtureZeroDates(t *testing.T) {
	db := whmcs(t)
	want := readExpected(t).ZeroDates
	for _, column := range []string{"tblclients.datecreated", "tblinvoices.datepaid", "tbltickets.lastreply", "tblhosting.termination_date"} {
		t.Run(column, func(t *testing.T) {
			table, col, _ := strings.Cut(column, ".")
			rows, err := db.Query("SELECT `" + col + "` FROM `" + table + "`")
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var v sql.NullTime
				if err := rows.Scan(&v); err != nil {
					t.Fatal(err)
				}
				if v.Valid && v.Time.IsZero() {
					n++
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != want[column] {
				t.Errorf("%d zero dates in %s, want %d", n, column, want[column])
			}
		})
	}
}

func TestDSN(t *testing.T) {
	s := &Server{Host: "127.0.0.1", Port: 3307}
	tests := []struct{ db, wantDB string }{
		{"", ""},
		{"whmcs", "whmcs"},
		{"odd/name?x", "odd/name?x"},
	}
	for _, tt := range tests {
		t.Run(tt.db, func(t *testing.T) {
			cfg, err := mysql.ParseDSN(s.DSN(tt.db))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.User != "root" || cfg.Net != "tcp" || cfg.Addr != "127.0.0.1:3307" || cfg.DBName != tt.wantDB {
				t.Errorf("user %q net %q addr %q db %q", cfg.User, cfg.Net, cfg.Addr, cfg.DBName)
			}
			if !cfg.ParseTime || cfg.Loc != time.UTC || !cfg.MultiStatements {
				t.Errorf("parseTime %v loc %v multiStatements %v", cfg.ParseTime, cfg.Loc, cfg.MultiStatements)
			}
			if !strings.Contains(s.DSN(tt.db), "charset=utf8mb4&") {
				t.Errorf("DSN %q does not ask for utf8mb4", s.DSN(tt.db))
			}
		})
	}
}

func TestCreateDatabaseErrors(t *testing.T) {
	if err := server.createDatabase("twice"); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, db, wantErr string }{
		{"existing", "twice", "database exists"},
		{"empty name", "", "Incorrect database name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := server.createDatabase(tt.db)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("createDatabase(%q) = %v, want an error with %q", tt.db, err, tt.wantErr)
			}
		})
	}
}

func TestLoadSQL(t *testing.T) {
	if err := server.createDatabase("load"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name, db, path, wantErr, wantWarning string
	}{
		{name: "dump with comments and SET statements", db: "load",
			path: write("ok.sql", "-- a comment\nSET NAMES utf8mb4;\nCREATE TABLE t (s varchar(10));\nINSERT INTO t VALUES ('\U0001F600');\n")},
		{name: "warnings are returned", db: "load",
			path:        write("warn.sql", "SET sql_mode = '';\nCREATE TABLE w (s varchar(2));\nINSERT INTO w VALUES ('too long');\n"),
			wantWarning: "Data truncated"},
		{name: "missing file", db: "load", path: filepath.Join(dir, "none.sql"), wantErr: "no such file"},
		{name: "syntax error", db: "load", path: write("bad.sql", "CREATE TABLE (;\n"), wantErr: "SQL syntax"},
		{name: "unknown database", db: "nowhere", path: write("any.sql", "SELECT 1;\n"), wantErr: "Unknown database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warnings, err := server.loadSQL(tt.db, tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("loadSQL = %v, want an error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tt.wantWarning == "") != (warnings == "") || !strings.Contains(warnings, tt.wantWarning) {
				t.Errorf("warnings %q, want %q", warnings, tt.wantWarning)
			}
		})
	}

	var s string
	if err := server.Open(t, "load").QueryRow("SELECT s FROM t").Scan(&s); err != nil {
		t.Fatal(err)
	}
	if s != "\U0001F600" {
		t.Errorf("read back %q, want an emoji", s)
	}
}

// TestStartIsolated starts two servers at once: each gets its own port and
// data, and cleanup leaves neither the process nor its directory behind.
func TestStartIsolated(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var started []*Server
	t.Run("group", func(t *testing.T) {
		for _, name := range []string{"a", "b"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				s := Start(t)
				mu.Lock()
				started = append(started, s)
				mu.Unlock()
				// Would fail on the second if both shared a server.
				s.CreateDatabase(t, "mine")
				if s.Port == server.Port {
					t.Errorf("started on the shared server's port %d", s.Port)
				}
			})
		}
	})
	if len(started) != 2 || started[0].Port == started[1].Port {
		t.Fatalf("servers %+v, want two on different ports", started)
	}
	for _, s := range started {
		assertGone(t, s, 0)
	}
}

// TestOwnerExitStopsServer checks the safety net for a test binary that
// dies before its cleanup: the script stops the server and deletes its
// directory once the owner process has exited.
func TestOwnerExitStopsServer(t *testing.T) {
	t.Parallel()
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	owner := exec.Command("sleep", "600")
	if err := owner.Start(); err != nil {
		t.Fatal(err)
	}
	dir, err := socketSafeTempDir()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Host: "127.0.0.1", dir: dir, script: scriptPath(root)}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	})
	start := exec.Command("bash", s.script, "start", dir)
	start.Env = append(os.Environ(), "EZ_MARIADB_OWNER="+strconv.Itoa(owner.Process.Pid))
	start.Stderr = os.Stderr
	out, err := start.Output()
	if err != nil {
		t.Fatal(err)
	}
	if s.Port, err = strconv.Atoi(strings.TrimSpace(string(out))); err != nil {
		t.Fatal(err)
	}
	if c, err := net.Dial("tcp", s.Addr()); err != nil {
		t.Fatalf("server not listening: %v", err)
	} else {
		c.Close()
	}

	_ = owner.Process.Kill()
	_ = owner.Wait()
	assertGone(t, s, 10*time.Second)
}

// assertGone waits up to within for the server's port to close and its
// directory to disappear.
func assertGone(t *testing.T, s *Server, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		_, statErr := os.Stat(s.dir)
		c, dialErr := net.DialTimeout("tcp", s.Addr(), time.Second)
		if dialErr == nil {
			c.Close()
		}
		if os.IsNotExist(statErr) && dialErr != nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server in %s still there (directory: %v, port %d open: %v)", s.dir, statErr, s.Port, dialErr == nil)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
