// Package version names the build a binary came from: its release version,
// commit and build date, set by the release build with
//
//	go build -ldflags "-X github.com/ezscale/ezscale/internal/version.Version=v1.2.3
//	  -X github.com/ezscale/ezscale/internal/version.Commit=<sha>
//	  -X github.com/ezscale/ezscale/internal/version.Date=<RFC 3339>"
//
// (make release does). A build without them (a plain go build in a checkout)
// still names its commit from the VCS stamp Go records in the binary, so a
// server in front of staff can always be traced to its source.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time with -ldflags -X; empty when the build did not set them.
var (
	// Version is the release's name, e.g. `git describe --always --dirty`.
	Version string
	// Commit is the full commit hash the binary was built from.
	Commit string
	// Date is when the commit was made or the build ran, RFC 3339 in UTC.
	Date string
)

// Info is one binary's build identity.
type Info struct {
	Version   string
	Commit    string
	Date      string
	Modified  bool // built from a work tree with uncommitted changes (VCS stamp only)
	GoVersion string
}

// Get returns the link-time values, each missing one filled from the VCS
// stamp of the build (vcs.revision, vcs.time, vcs.modified).
func Get() Info {
	bi, _ := debug.ReadBuildInfo()
	return resolve(Version, Commit, Date, bi)
}

// resolve is Get on explicit inputs, so the fallback can be tested without
// relinking the test binary.
func resolve(version, commit, date string, bi *debug.BuildInfo) Info {
	info := Info{Version: version, Commit: commit, Date: date, GoVersion: runtime.Version()}
	if bi == nil {
		return info
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if info.Commit == "" {
				info.Commit = s.Value
			}
		case "vcs.time":
			if info.Date == "" {
				info.Date = s.Value
			}
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	if info.Version == "" {
		switch {
		case bi.Main.Version != "" && bi.Main.Version != "(devel)":
			info.Version = bi.Main.Version
		case info.Commit != "":
			info.Version = "dev-" + short(info.Commit)
			if info.Modified {
				info.Version += "-dirty"
			}
		}
	}
	return info
}

// String is what `ezscale version` prints: one line, unknown parts named as such.
func (i Info) String() string {
	return fmt.Sprintf("ezscale %s (commit %s, built %s, %s)",
		orUnknown(i.Version), orUnknown(i.Commit), orUnknown(i.Date), i.GoVersion)
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
