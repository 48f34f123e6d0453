// Package scripts holds the tests of the repository's shell scripts.
package scripts

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
)

// restartScript stands in for `systemctl restart ezscale`: it stops the
// server it started last (its pid in $root/pid) and starts whatever
// current/ezscale is now, in the background.
const restartScript = `#!/bin/sh
root=$1 port=$2
if [ -f "$root/pid" ]; then
  pid=$(cat "$root/pid")
  kill "$pid" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
fi
cd "$root"
nohup "$root/current/ezscale" serve --http "127.0.0.1:$port" --dir "$root/pb_data" >>"$root/server.log" 2>&1 &
echo $! >"$root/pid"
`

// badRelease runs migrations like the good release but dies on serve: a
// release that passes its build and fails its health check.
const badRelease = `#!/bin/sh
case "$1" in
  serve) echo "bad release: cannot start" >&2; exit 3 ;;
  *) exec %q "$@" ;;
esac
`

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestDeployAndRollBack deploys a good release on a temporary host, then a
// release that fails its health check: the script must switch back, restart
// the previous release, which serves again, and exit non-zero.
func TestDeployAndRollBack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the production binary")
	}
	host := t.TempDir()
	root := filepath.Join(host, "srv")
	for _, d := range []string{root, filepath.Join(root, "pb_data")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	good := filepath.Join(host, "ezscale")
	build := exec.Command("go", "build", "-trimpath", "-ldflags",
		"-s -w -X github.com/ezscale/ezscale/internal/version.Version=v1.0.0", "-o", good, "..")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bad := filepath.Join(host, "bad-ezscale")
	restart := filepath.Join(host, "restart.sh")
	if err := os.WriteFile(bad, fmt.Appendf(nil, badRelease, good), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(restart, []byte(restartScript), 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	t.Cleanup(func() {
		if b, err := os.ReadFile(filepath.Join(root, "pid")); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	health := fmt.Sprintf("http://127.0.0.1:%d/api/health", port)
	deploy := func(binary, version string, env ...string) (string, error) {
		cmd := exec.Command("./deploy.sh", binary, version)
		cmd.Env = append(os.Environ(),
			"EZ_ENCRYPTION_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
			"EZ_DEPLOY_ROOT="+root,
			fmt.Sprintf("EZ_DEPLOY_RESTART=%s %s %d", restart, root, port),
			"EZ_DEPLOY_HEALTH_URL="+health,
			"EZ_DEPLOY_TIMEOUT=30")
		cmd.Env = append(cmd.Env, env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	serving := func() (exe string) {
		t.Helper()
		resp, err := http.Get(health)
		if err != nil {
			t.Fatalf("nothing serves %s: %v", health, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("health %d", resp.StatusCode)
		}
		b, err := os.ReadFile(filepath.Join(root, "pid"))
		if err != nil {
			t.Fatal(err)
		}
		exe, err = os.Readlink("/proc/" + strings.TrimSpace(string(b)) + "/exe")
		if err != nil {
			t.Fatal(err)
		}
		return exe
	}
	current := func() string {
		target, err := os.Readlink(filepath.Join(root, "current"))
		if err != nil {
			t.Fatal(err)
		}
		return target
	}

	// Bad input changes nothing.
	for _, tc := range []struct {
		binary, version, want string
		env                   []string
	}{
		{good, "../escape", "version '../escape'", nil},
		{good, "", "version ''", nil},
		{filepath.Join(host, "absent"), "v1", "is not an executable file", nil},
		{good, "v1", "whole numbers", []string{"EZ_DEPLOY_TIMEOUT=soon"}},
	} {
		out, err := deploy(tc.binary, tc.version, tc.env...)
		if err == nil || !strings.Contains(out, tc.want) {
			t.Errorf("deploy %q %q: %v\n%s\nwant a refusal with %q", tc.binary, tc.version, err, out, tc.want)
		}
	}
	if entries, _ := os.ReadDir(root); len(entries) != 1 {
		t.Fatalf("refused deploys left %v in the host", entries)
	}

	// A good first release: migrated, switched, serving.
	out, err := deploy(good, "v1.0.0")
	if err != nil {
		t.Fatalf("deploy v1.0.0: %v\n%s", err, out)
	}
	t.Logf("good deploy:\n%s", out)
	if current() != "releases/v1.0.0" {
		t.Fatalf("current -> %s", current())
	}
	if exe := serving(); exe != filepath.Join(root, "releases", "v1.0.0", "ezscale") {
		t.Fatalf("serving %s", exe)
	}
	if _, err := os.Stat(filepath.Join(root, "pb_data", "data.db")); err != nil {
		t.Fatalf("no migrated database: %v", err)
	}

	// A release failing its health check: backup taken, migrations run,
	// rolled back. (exec.Cmd keeps the last of a repeated variable.)
	out, err = deploy(bad, "v1.1.0", "EZ_DEPLOY_TIMEOUT=5")
	if err == nil {
		t.Fatalf("a release failing health deployed:\n%s", out)
	}
	t.Logf("bad deploy:\n%s", out)
	if !strings.Contains(out, "rolled back: v1.0.0 is serving again") {
		t.Errorf("no rollback reported:\n%s", out)
	}
	if current() != "releases/v1.0.0" {
		t.Errorf("current -> %s after the rollback", current())
	}
	if exe := serving(); exe != filepath.Join(root, "releases", "v1.0.0", "ezscale") {
		t.Errorf("serving %s after the rollback", exe)
	}
	backups, _ := filepath.Glob(filepath.Join(root, "pb_data", "backups", "pb_backup_predeploy_*.zip"))
	if len(backups) != 1 {
		t.Errorf("backups before the second deploy: %v", backups)
	}

	// The same version with another binary is refused.
	if out, err := deploy(good, "v1.1.0"); err == nil || !strings.Contains(out, "already installed with a different binary") {
		t.Errorf("v1.1.0 again with another binary: %v\n%s", err, out)
	}

	// With a metrics address the replica is checked instead of a backup: a
	// replica that is down, trails or cannot be read stops the deploy before
	// anything changes; a current one lets it through.
	var figures atomic.Value
	metrics := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, figures.Load())
	}))
	defer metrics.Close()
	for _, tc := range []struct{ url, figures, want string }{
		{"http://127.0.0.1:" + strconv.Itoa(freePort(t)), "", "cannot read"},
		{metrics.URL, "ezscale_replication_up 0\nezscale_replication_lag_seconds 0\n", "the replica is not up"},
		{metrics.URL, "ezscale_replication_up 1\nezscale_replication_lag_seconds 42.5\n", "trails by 42.5s"},
		{metrics.URL, "ezscale_replication_up 1\n", "no ezscale_replication_lag_seconds"},
	} {
		figures.Store(tc.figures)
		out, err := deploy(good, "v1.2.0", "EZ_DEPLOY_METRICS_URL="+tc.url)
		if err == nil || !strings.Contains(out, tc.want) || current() != "releases/v1.0.0" {
			t.Errorf("replica %q: %v, current %s\n%s\nwant a refusal with %q", tc.figures, err, current(), out, tc.want)
		}
		if _, err := os.Stat(filepath.Join(root, "releases", "v1.2.0")); err == nil {
			t.Errorf("replica %q: a refused deploy installed its release", tc.figures)
		}
	}
	figures.Store("# HELP ezscale_replication_up ...\nezscale_replication_up 1\nezscale_replication_lag_seconds 0.4\n")
	out, err = deploy(good, "v1.2.0", "EZ_DEPLOY_METRICS_URL="+metrics.URL)
	if err != nil || !strings.Contains(out, "replica current (lag 0.4s)") {
		t.Fatalf("deploy with a current replica: %v\n%s", err, out)
	}
	if current() != "releases/v1.2.0" || serving() != filepath.Join(root, "releases", "v1.2.0", "ezscale") {
		t.Errorf("after v1.2.0: current %s", current())
	}
	if again, _ := filepath.Glob(filepath.Join(root, "pb_data", "backups", "*.zip")); len(again) != len(backups) {
		t.Errorf("a backup was taken although the replica was current: %v", again)
	}
}
