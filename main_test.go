package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestProductionBuildCarriesNoDevTools lists what the production binary
// links: no simulator, no dev-mode stand-in, no data generator or
// benchmark may be among it; the development build (-tags dev) has them.
func TestProductionBuildCarriesNoDevTools(t *testing.T) {
	devOnly := func(pkg string) bool {
		for _, suffix := range []string{"sim", "/standins", "/devcommands", "/internal/seed", "/internal/bench",
			"/internal/chaos", "/whmcsgen"} {
			if strings.HasSuffix(pkg, suffix) {
				return true
			}
		}
		return false
	}
	deps := func(tags ...string) []string {
		args := append([]string{"list", "-deps"}, tags...)
		out, err := exec.Command("go", append(args, ".")...).Output()
		if err != nil {
			t.Fatalf("go list: %v", err)
		}
		var own []string
		for _, pkg := range strings.Fields(string(out)) {
			// The image builder and the workflow linter are tools, never the server's.
			tool := strings.HasPrefix(pkg, "github.com/google/go-containerregistry/") ||
				strings.HasPrefix(pkg, "github.com/rhysd/actionlint") ||
				strings.HasSuffix(pkg, "/internal/imagebuild")
			if tool || strings.HasPrefix(pkg, "github.com/ezscale/ezscale/") && devOnly(pkg) {
				own = append(own, pkg)
			}
		}
		return own
	}
	if linked := deps(); len(linked) > 0 {
		t.Errorf("the production build links development packages: %v", linked)
	}
	if linked := deps("-tags", "dev"); len(linked) == 0 {
		t.Error("the development build links no development package: is main_dev.go wired?")
	}
}
