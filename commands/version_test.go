package commands

import (
	"strings"
	"testing"
)

func TestVersionCommand(t *testing.T) {
	if out := run(t, t.TempDir(), "version"); !strings.HasPrefix(out, "ezscale ") || !strings.Contains(out, "(commit ") {
		t.Errorf("version printed %q", out)
	}
}
