package drill

import (
	"bufio"
	"bytes"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/repo"
)

// binary is the ezscale binary the drill runs: EZ_DRILL_BIN (make dr-drill
// passes bin/ezscale) or one built now.
func binary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("EZ_DRILL_BIN"); bin != "" {
		return bin
	}
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ezscale")
	build := exec.Command("go", "build", "-tags", "dev", "-trimpath", "-o", bin, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build ezscale: %v\n%s", err, out)
	}
	return bin
}

// env is a child's environment: this process's plus the settings given.
func env(settings map[string]string) []string {
	e := os.Environ()
	for k, v := range settings {
		e = append(e, k+"="+v)
	}
	return e
}

// run runs the binary to completion and returns what it printed.
func run(t *testing.T, bin string, settings map[string]string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = env(settings)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ezscale %s: %v\n%s", strings.Join(args, " "), err, tail(out))
	}
	return string(out)
}

// tail is the end of a long output, for failure messages.
func tail(out []byte) []byte {
	if len(out) > 4000 {
		return out[len(out)-4000:]
	}
	return out
}

// freeAddr is a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is a running `ezscale serve`.
type server struct {
	URL     string
	Metrics string // the metrics listener's base URL, when started with one
	cmd     *exec.Cmd
	log     string
	exited  chan struct{}
}

// serve starts `ezscale serve` on dir and waits until it answers its
// health check.
func serve(t *testing.T, bin, dir string, settings map[string]string) *server {
	t.Helper()
	addr := freeAddr(t)
	s := &server{URL: "http://" + addr, log: filepath.Join(t.TempDir(), "serve.log"), exited: make(chan struct{})}
	all := map[string]string{"EZ_DEV": "1", "EZ_PUBLIC_URL": s.URL, "EZ_LOG_LEVEL": "warn", "EZ_RATE_LIMITS": "false"}
	for k, v := range settings {
		all[k] = v
	}
	if all["EZ_METRICS_ADDR"] != "" {
		s.Metrics = "http://" + all["EZ_METRICS_ADDR"]
	}
	logFile, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(bin, "serve", "--http", addr, "--dir", dir)
	s.cmd.Env = env(all)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = s.cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	t.Cleanup(s.kill)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		res, err := http.Get(s.URL + "/api/health")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		select {
		case <-s.exited:
			t.Fatalf("ezscale serve on %s exited while starting:\n%s", dir, s.output())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("ezscale serve on %s did not answer its health check in 2 minutes:\n%s", dir, s.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process at once (SIGKILL): no shutdown hook, no last sync,
// as when the machine is lost.
func (s *server) kill() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.exited
}

// stop shuts the server down as an operator would (SIGTERM).
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(time.Minute):
		t.Errorf("ezscale serve did not stop within a minute of SIGINT")
		s.kill()
	}
}

func (s *server) output() []byte {
	out, _ := os.ReadFile(s.log)
	return tail(out)
}

// gauge reads one unlabelled sample from the server's metrics.
func (s *server) gauge(name string) (float64, bool) {
	res, err := http.Get(s.Metrics + "/metrics")
	if err != nil {
		return 0, false
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, name+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}

// readOnly opens dir's data.db for reading beside the process writing it.
func readOnly(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "data.db")+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// count runs a COUNT query.
func count(t *testing.T, db *sql.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// quoted is ids as a SQL list of string literals (ids are PocketBase's
// [a-z0-9] record ids).
func quoted(ids []string) string {
	var b bytes.Buffer
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "'%s'", id)
	}
	return b.String()
}
