package stripe

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/repo"
)

// stripeMockURL is the base URL of the stripe-mock TestMain started.
var stripeMockURL string

// stripeMockProcAttr is set on Linux so that the kernel kills stripe-mock
// when the test binary dies before its cleanup runs (a panic, -timeout).
var stripeMockProcAttr *syscall.SysProcAttr

// TestMain runs the package's tests against a stripe-mock of its own: CI
// starts from a clean machine, so nothing may depend on one started by
// hand, and free ports keep parallel runs apart.
func TestMain(m *testing.M) {
	flag.Parse()
	if fuzzWorker() {
		// A fuzz worker runs only the fuzz target, which needs no
		// stripe-mock; starting one per worker stalls the fuzzing.
		os.Exit(m.Run())
	}
	url, stop, err := startStripeMock()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stripe-mock:", err)
		os.Exit(1)
	}
	stripeMockURL = url
	code := m.Run()
	stop()
	os.Exit(code)
}

// fuzzWorker says whether this process is one of the workers go test
// -fuzz starts (the test binary again, with -test.fuzzworker).
func fuzzWorker() bool {
	f := flag.Lookup("test.fuzzworker")
	return f != nil && f.Value.String() == "true"
}

// startStripeMock installs bin/stripe-mock through scripts/stripe-mock.sh
// (a no-op when it is current), starts it on loopback ports the system
// picks, and waits until it answers.
func startStripeMock() (url string, stop func(), err error) {
	root, err := repo.Root()
	if err != nil {
		return "", nil, err
	}
	install := exec.Command("bash", filepath.Join(root, "scripts", "stripe-mock.sh"), "install")
	install.Stdout, install.Stderr = os.Stderr, os.Stderr
	if err := install.Run(); err != nil {
		return "", nil, fmt.Errorf("install: %w", err)
	}

	// Both addresses are given: with only one, stripe-mock opens the other
	// protocol on its default port on every interface.
	cmd := exec.Command(filepath.Join(root, "bin", "stripe-mock"),
		"-http-addr", "127.0.0.1:0", "-https-addr", "127.0.0.1:0")
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = stripeMockProcAttr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}

	addr := make(chan string, 1)
	go func() {
		// It prints "Listening for HTTP at address: 127.0.0.1:NNNN" once
		// bound; the rest of its output is drained so it never blocks.
		s := bufio.NewScanner(out)
		for s.Scan() {
			if a, ok := strings.CutPrefix(s.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			stop()
			return "", nil, errors.New("exited before listening")
		}
		url = "http://" + a
	case <-time.After(30 * time.Second):
		stop()
		return "", nil, errors.New("no listening address after 30s")
	}
	if err := waitAnswering(url, 10*time.Second); err != nil {
		stop()
		return "", nil, err
	}
	return url, stop, nil
}

func waitAnswering(url string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		req, err := http.NewRequest(http.MethodGet, url+"/v1/customers/cus_probe", nil)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer sk_test_123")
		res, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("HTTP %d", res.StatusCode)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not answering at %s: %w", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
