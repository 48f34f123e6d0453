package mariadbtest

import (
	"bytes"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	// The driver the importer reads WHMCS with; registered as "mysql".
	_ "github.com/go-sql-driver/mysql"
)

// DSN is the github.com/go-sql-driver/mysql DSN of database db ("" for
// none), as root: utf8mb4 so that emoji survive, parseTime and loc=UTC so
// that DATETIME and TIMESTAMP columns (the server runs in UTC) read as
// written and zero dates as the zero time.Time, multiStatements so that a
// test can set up data with one Exec of several statements.
func (s *Server) DSN(db string) string {
	return "root@tcp(" + s.Addr() + ")/" + url.PathEscape(db) +
		"?charset=utf8mb4&parseTime=true&loc=UTC&multiStatements=true"
}

// Open connects to database db ("" for none) and closes the pool when the
// test ends.
func (s *Server) Open(tb testing.TB, db string) *sql.DB {
	tb.Helper()
	pool, err := sql.Open("mysql", s.DSN(db))
	if err == nil {
		err = pool.Ping()
	}
	if err != nil {
		tb.Fatalf("mariadbtest: connect to database %q on %s: %v", db, s.Addr(), err)
	}
	tb.Cleanup(func() { pool.Close() })
	return pool
}

// CreateDatabase creates an empty utf8mb4 database, the character set
// WHMCS dumps (and the fixture) are loaded with.
func (s *Server) CreateDatabase(tb testing.TB, name string) {
	tb.Helper()
	if err := s.createDatabase(name); err != nil {
		tb.Fatalf("mariadbtest: %v", err)
	}
}

func (s *Server) createDatabase(name string) error {
	pool, err := sql.Open("mysql", s.DSN(""))
	if err != nil {
		return err
	}
	defer pool.Close()
	quoted := "`" + strings.ReplaceAll(name, "`", "``") + "`"
	if _, err := pool.Exec("CREATE DATABASE " + quoted + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}

// LoadSQL runs a dump file against database db with the mariadb client,
// which handles what a dump holds (comments, SET statements, its own
// transaction) the way the server's own tools do. Warnings are logged,
// not failed on: whether a dump may cause them is the test's business.
func (s *Server) LoadSQL(tb testing.TB, db, path string) {
	tb.Helper()
	warnings, err := s.loadSQL(db, path)
	if err != nil {
		tb.Fatalf("mariadbtest: %v", err)
	}
	if warnings != "" {
		tb.Logf("mariadbtest: warnings loading %s:\n%s", path, warnings)
	}
}

// loadSQL returns the warnings the statements raised.
func (s *Server) loadSQL(db, path string) (warnings string, err error) {
	dump, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("load into database %q: %w", db, err)
	}
	defer dump.Close()
	client, err := exec.LookPath("mariadb")
	if err != nil {
		return "", fmt.Errorf("load %s: the mariadb client: %w", path, err)
	}
	cmd := exec.Command(client, "--no-defaults", "--default-character-set=utf8mb4",
		"--protocol=tcp", "--host="+s.Host, "--port="+strconv.Itoa(s.Port), "--user=root",
		// Notes (DROP TABLE IF EXISTS of a missing table) are not warnings.
		"--init-command=SET SESSION sql_notes = 0",
		"--batch", "--show-warnings", "--database="+db)
	cmd.Stdin = dump
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("load %s into database %q: %w: %s", path, db, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return strings.TrimSpace(stdout.String()), nil
}
