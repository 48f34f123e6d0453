package bench

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// FloodPath is the request of the flood in issue 16: a public list that
// the "/api/" rate-limit rule refuses once an address exceeds it.
const FloodPath = "/api/collections/services/records"

// FloodOptions shape a flood run.
type FloodOptions struct {
	Clients  int           // concurrent clients, all from 127.0.0.1
	Duration time.Duration // how long the clients send requests
	Path     string        // the request sent, GET
	// Server is the ezscale binary served as a child process (default: this
	// one), so an older build can be measured by the same client.
	Server string
	// Dir is the server's data directory; empty means a temporary one,
	// removed afterwards.
	Dir string
}

// FloodResult is what a flood run measured: what the clients got, and what
// the server kept of it (log rows, log database size, peak memory).
type FloodResult struct {
	Requests        int
	Statuses        map[int]int
	TransportErrors int
	Elapsed         time.Duration
	LogRows         int   // rows of _logs after the server stopped
	AuxBytes        int64 // auxiliary.db with its -wal and -shm files
	PeakRSS         int64 // the server process's VmHWM, in bytes
}

// Print writes the figures of the run.
func (r FloodResult) Print(w io.Writer) {
	fmt.Fprintf(w, "\n  requests     %d in %s: %.0f req/s\n", r.Requests, r.Elapsed.Round(time.Millisecond),
		float64(r.Requests)/r.Elapsed.Seconds())
	for _, status := range slices.Sorted(maps.Keys(r.Statuses)) {
		fmt.Fprintf(w, "  status %d   %d\n", status, r.Statuses[status])
	}
	if r.TransportErrors > 0 {
		fmt.Fprintf(w, "  no answer    %d\n", r.TransportErrors)
	}
	fmt.Fprintf(w, "  log rows     %d\n", r.LogRows)
	fmt.Fprintf(w, "  log db       %.2f MB (auxiliary.db, -wal, -shm)\n", float64(r.AuxBytes)/(1<<20))
	fmt.Fprintf(w, "  peak RSS     %.0f MB (server VmHWM)\n", float64(r.PeakRSS)/(1<<20))
}

// Flood starts opts.Server as `serve` on a loopback port with the rate
// limiter on and production logging (not dev mode), sends GET opts.Path
// from opts.Clients clients of one address for opts.Duration, stops the
// server gracefully (so queued logs are written) and reports what the
// clients got and what the server kept. Linux only: peak memory is read
// from /proc.
func Flood(opts FloodOptions, out io.Writer) (res FloodResult, err error) {
	if opts.Clients <= 0 || opts.Duration <= 0 {
		return FloodResult{}, errors.New("bench: clients and duration must be positive")
	}
	if opts.Path == "" {
		opts.Path = FloodPath
	}
	if opts.Server == "" {
		exe, err := os.Executable()
		if err != nil {
			return FloodResult{}, err
		}
		opts.Server = exe
	}
	dir := opts.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ezscale-flood-")
		if err != nil {
			return FloodResult{}, err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	addr, err := freeLoopbackAddr()
	if err != nil {
		return FloodResult{}, err
	}

	srv, err := startServer(opts.Server, addr, dir)
	if err != nil {
		return FloodResult{}, err
	}
	defer func() {
		srv.kill()
		if err == nil { // its output is kept only to explain a failure
			os.Remove(srv.output.Name())
		}
	}()
	base := "http://" + addr
	if err := waitHealthy(base, 2*time.Minute, srv); err != nil {
		return FloodResult{}, err
	}
	fmt.Fprintf(out, "Server %s (pid %d) on %s, data in %s\n", opts.Server, srv.cmd.Process.Pid, base, dir)
	fmt.Fprintf(out, "%d clients from 127.0.0.1 for %s: GET %s\n", opts.Clients, opts.Duration, opts.Path)

	res = flood(base+opts.Path, opts, srv.cmd.Process.Pid, out)
	res.PeakRSS = procStatusBytes(srv.cmd.Process.Pid, "VmHWM")
	if err := srv.stop(time.Minute); err != nil {
		return res, err
	}
	if res.LogRows, err = countLogRows(filepath.Join(dir, "auxiliary.db")); err != nil {
		return res, err
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(filepath.Join(dir, "auxiliary.db"+suffix)); err == nil {
			res.AuxBytes += fi.Size()
		}
	}
	return res, nil
}

// flood sends the requests and prints the progress each second with the
// server's resident memory.
func flood(url string, opts FloodOptions, pid int, out io.Writer) FloodResult {
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: opts.Clients, DisableCompression: true},
	}
	defer client.CloseIdleConnections()

	var (
		requests, refused, failed atomic.Int64
		mu                        sync.Mutex
		statuses                  = map[int]int{}
		wg                        sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(opts.Duration)
	for range opts.Clients {
		wg.Go(func() {
			mine := map[int]int{}
			for time.Now().Before(deadline) {
				resp, err := client.Get(url)
				requests.Add(1)
				if err != nil {
					failed.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				mine[resp.StatusCode]++
				if resp.StatusCode == http.StatusTooManyRequests {
					refused.Add(1)
				}
			}
			mu.Lock()
			for status, n := range mine {
				statuses[status] += n
			}
			mu.Unlock()
		})
	}

	waitReporting(&wg, requests.Load, func(n, perSecond int64) {
		fmt.Fprintf(out, "  %4.0fs %9d requests %7d req/s %9d refused (429)  server RSS %4d MB\n",
			time.Since(start).Seconds(), n, perSecond, refused.Load(), procStatusBytes(pid, "VmRSS")>>20)
	})
	return FloodResult{
		Requests: int(requests.Load()), Statuses: statuses, TransportErrors: int(failed.Load()),
		Elapsed: time.Since(start),
	}
}

// server is the child process serving the flood.
type server struct {
	cmd    *exec.Cmd
	output *os.File
	exited chan error
}

// startServer runs bin serve on addr with dir as its data directory: not
// in dev mode (which prints every request), rate limits on, a throwaway
// encryption key (nothing sealed outlives the run).
func startServer(bin, addr, dir string) (*server, error) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	cmd := exec.Command(bin, "serve", "--http", addr, "--dir", dir)
	cmd.Env = append(os.Environ(), "EZ_DEV=false", "EZ_RATE_LIMITS=true",
		"EZ_ENCRYPTION_KEY="+base64.StdEncoding.EncodeToString(key), "EZ_PUBLIC_URL=http://"+addr)
	return startProcess("flood-server", cmd)
}

// startProcess starts cmd with its output in a temporary file named after
// name, kept to explain a failure.
func startProcess(name string, cmd *exec.Cmd) (*server, error) {
	output, err := os.Create(filepath.Join(os.TempDir(), "ezscale-"+name+"-"+strconv.Itoa(os.Getpid())+".log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = output, output
	if err := cmd.Start(); err != nil {
		output.Close()
		return nil, err
	}
	s := &server{cmd: cmd, output: output, exited: make(chan error, 1)}
	go func() { s.exited <- cmd.Wait() }()
	return s, nil
}

// stop sends SIGTERM and waits for the server to write its queued logs and
// exit; past wait it is killed.
func (s *server) stop(wait time.Duration) error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		s.exited <- err
		if err != nil {
			return fmt.Errorf("server exited: %w (output in %s)", err, s.output.Name())
		}
		return nil
	case <-time.After(wait):
		s.kill()
		return fmt.Errorf("server did not stop within %s (output in %s)", wait, s.output.Name())
	}
}

// kill ends the server if it still runs.
func (s *server) kill() {
	select {
	case err := <-s.exited:
		s.exited <- err
	default:
		_ = s.cmd.Process.Kill()
	}
	s.output.Close()
}

// waitHealthy polls the health endpoint until the server answers 200.
func waitHealthy(base string, timeout time.Duration, s *server) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/health", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			return fmt.Errorf("server exited before answering: %v (output in %s)", err, s.output.Name())
		case <-ctx.Done():
			return fmt.Errorf("server not healthy within %s (output in %s)", timeout, s.output.Name())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freeLoopbackAddr is a 127.0.0.1 port nothing listens on right now.
func freeLoopbackAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// procStatusBytes reads a memory line (VmRSS, VmHWM) of /proc/<pid>/status;
// 0 when unreadable.
func procStatusBytes(pid int, field string) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// countLogRows counts the rows of _logs in the log database at path.
func countLogRows(path string) (int, error) {
	db, err := core.DefaultDBConnect(path)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.NewQuery("SELECT COUNT(*) FROM _logs").Row(&n)
	return n, err
}
