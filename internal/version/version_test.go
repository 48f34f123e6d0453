package version

import (
	"runtime/debug"
	"testing"
)

func TestResolve(t *testing.T) {
	stamped := &debug.BuildInfo{
		GoVersion: "go1.27.3",
		Main:      debug.Module{Path: "github.com/ezscale/ezscale", Version: "(devel)"},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-07T12:05:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  string
	}{
		{"link-time values win over the VCS stamp", "v1.4.0", "feedface", "2026-12-08T01:00:00Z", stamped,
			"ezscale v1.4.0 (commit feedface, built 2026-12-08T01:00:00Z, go1.27.3)"},
		{"a plain go build names its commit from the stamp", "", "", "", stamped,
			"ezscale dev-0123456789ab-dirty (commit 0123456789abcdef0123456789abcdef01234567, built 2026-12-07T12:05:00Z, go1.27.3)"},
		{"no stamp and no values", "", "", "", &debug.BuildInfo{GoVersion: "go1.27.3"},
			"ezscale unknown (commit unknown, built unknown, go1.27.3)"},
		{"a module version names the release", "", "", "", &debug.BuildInfo{GoVersion: "go1.27.3",
			Main: debug.Module{Version: "v1.5.0"}}, "ezscale v1.5.0 (commit unknown, built unknown, go1.27.3)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolve(tc.version, tc.commit, tc.date, tc.bi).String(); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
