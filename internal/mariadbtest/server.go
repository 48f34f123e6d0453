// Package mariadbtest runs a private MariaDB server for tests that need a
// real one (the WHMCS importer reads a WHMCS database). Debian's server is
// installed and started through scripts/mariadb.sh, in a throwaway
// directory on a free loopback port, so that tests depend on nothing
// started by hand and parallel test packages stay apart.
package mariadbtest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/repo"
)

// Server is a running throwaway server. Its root@127.0.0.1 account has no
// password.
type Server struct {
	Host string
	Port int

	dir    string
	script string
}

// Addr is the server's host:port.
func (s *Server) Addr() string {
	return net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// Start starts a server for one test (or benchmark) and stops and deletes
// it when the test ends. A package whose tests share one server uses
// StartMain from TestMain instead: each start costs about two seconds.
func Start(tb testing.TB) *Server {
	tb.Helper()
	began := time.Now()
	s, err := start()
	if err != nil {
		tb.Fatalf("mariadbtest: %v", err)
	}
	tb.Logf("mariadbtest: MariaDB on %s, started in %s", s.Addr(), time.Since(began).Round(time.Millisecond))
	tb.Cleanup(func() {
		if err := s.stop(); err != nil {
			tb.Errorf("mariadbtest: %v", err)
		}
	})
	return s
}

// StartMain starts a server for a whole test package, from TestMain (no
// testing.TB there). Call stop after m.Run; it reports its own failures on
// stderr since TestMain has nowhere else to put them.
func StartMain() (s *Server, stop func(), err error) {
	s, err = start()
	if err != nil {
		return nil, nil, fmt.Errorf("mariadbtest: %w", err)
	}
	return s, func() {
		if err := s.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "mariadbtest:", err)
		}
	}, nil
}

// Main is a TestMain running the package's tests against one server: use
// receives it before the tests run.
//
// A fuzz worker (go test -fuzz starts the test binary again for each) runs
// only the fuzz target, which reads no database: it starts no server.
func Main(m *testing.M, use func(*Server)) {
	flag.Parse()
	if f := flag.Lookup("test.fuzzworker"); f != nil && f.Value.String() == "true" {
		os.Exit(m.Run())
	}
	s, stop, err := StartMain()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	use(s)
	code := m.Run()
	stop()
	os.Exit(code)
}

// start installs MariaDB when missing, then starts a server in a new
// directory. The script is told the test binary's pid: should the binary
// die before its cleanup runs (a panic, -timeout), the script's watcher
// stops the server and deletes the directory.
func start() (*Server, error) {
	root, err := repo.Root()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", script: scriptPath(root)}

	install := exec.Command("bash", s.script, "install")
	install.Stdout, install.Stderr = os.Stderr, os.Stderr
	if err := install.Run(); err != nil {
		return nil, fmt.Errorf("install MariaDB (%s install): %w", s.script, err)
	}

	if s.dir, err = socketSafeTempDir(); err != nil {
		return nil, fmt.Errorf("make the server's directory: %w", err)
	}
	cmd := exec.Command("bash", s.script, "start", s.dir)
	cmd.Env = append(os.Environ(), "EZ_MARIADB_OWNER="+strconv.Itoa(os.Getpid()))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err == nil {
		s.Port, err = strconv.Atoi(strings.TrimSpace(string(out)))
	}
	if err != nil {
		err = fmt.Errorf("start MariaDB in %s: %w\n%s", s.dir, err, bytes.TrimSpace(stderr.Bytes()))
		return nil, errors.Join(err, s.stop())
	}
	return s, nil
}

// stop shuts the server down and deletes its directory.
func (s *Server) stop() error {
	var err error
	if out, runErr := exec.Command("bash", s.script, "stop", s.dir).CombinedOutput(); runErr != nil {
		err = fmt.Errorf("stop the server in %s: %w\n%s", s.dir, runErr, bytes.TrimSpace(out))
	}
	if rmErr := os.RemoveAll(s.dir); rmErr != nil {
		err = errors.Join(err, fmt.Errorf("delete the server's directory: %w", rmErr))
	}
	return err
}
