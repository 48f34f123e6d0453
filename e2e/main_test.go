//go:build e2e

// Package e2e tests the customer portal in a real headless Chromium
// (Debian's chromium, driven over the DevTools protocol by chromedp)
// against the whole platform, started in-process on a loopback port the
// way main.go starts it: dev mode with the simulators and the sandbox
// payment method.
package e2e

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	pbpublic "github.com/ezscale/ezscale/pb_public"
)

var (
	// chromiumPath is the browser scripts/chromium.sh found or installed.
	chromiumPath string
	// outputDir holds the screenshots of a run, for people to look at.
	outputDir string
)

func TestMain(m *testing.M) {
	if err := setup(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func setup() error {
	if _, err := fs.Stat(pbpublic.Portal(), "index.html"); err != nil {
		return fmt.Errorf("the portal is not built into the test binary: run `make portal` (make test does)")
	}
	out, err := exec.Command("../scripts/chromium.sh").Output()
	if err != nil {
		return fmt.Errorf("chromium: scripts/chromium.sh: %w", err)
	}
	chromiumPath = strings.TrimSpace(string(out))

	outputDir = os.Getenv("EZ_TEST_OUTPUT")
	if outputDir == "" {
		outputDir = filepath.Join("..", "test-output")
	}
	outputDir = filepath.Join(outputDir, "portal")
	return os.MkdirAll(outputDir, 0o755)
}
