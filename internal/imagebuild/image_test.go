package imagebuild

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/internal/repo"
)

const (
	testVersion = "v9.9.9-test"
	testCommit  = "0123456789abcdef0123456789abcdef01234567"
	testDate    = "2026-12-07T12:05:00Z"
)

// buildRelease builds the production binary as make release does, with
// known version values, into dir.
func buildRelease(t *testing.T, dir string) string {
	t.Helper()
	root, err := repo.Root()
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "ezscale-release")
	pkg := "github.com/ezscale/ezscale/internal/version"
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags",
		"-s -w -X "+pkg+".Version="+testVersion+" -X "+pkg+".Commit="+testCommit+" -X "+pkg+".Date="+testDate,
		"-o", out, ".")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// TestImageFromTheProductionBinary builds the image of a freshly built
// production binary, writes it as a tarball and checks what it holds, read
// back from the file: a non-root user, the server's entrypoint, volume and
// port, every file's owner and mode, the very binary, which runs.
func TestImageFromTheProductionBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the production binary")
	}
	dir := t.TempDir()
	bin := buildRelease(t, dir)
	created, _ := time.Parse(time.RFC3339, testDate)
	img, err := Build(Options{Binary: bin, Version: testVersion, Commit: testCommit, Created: created})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "image.tar")
	if err := WriteTarball(img, "ghcr.io/ezscale/ezscale:"+testVersion, path); err != nil {
		t.Fatal(err)
	}

	want, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	extracted := filepath.Join(dir, "extracted-ezscale")
	var ca []byte
	rep, err := Inspect(path, func(name string, r io.Reader) error {
		b, err := io.ReadAll(r)
		switch name {
		case BinaryPath:
			if err == nil {
				err = os.WriteFile(extracted, b, 0o755)
			}
		case CABundle:
			ca = b
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep)

	c := rep.Config.Config
	if c.User != "65532:65532" || strings.HasPrefix(c.User, "0") || c.User == "" {
		t.Errorf("user %q; want 65532:65532 (not root)", c.User)
	}
	if !slices.Equal(c.Entrypoint, []string{"/ezscale"}) ||
		!slices.Equal(c.Cmd, []string{"serve", "--http=0.0.0.0:8090", "--dir=/pb_data"}) {
		t.Errorf("entrypoint %q cmd %q", c.Entrypoint, c.Cmd)
	}
	if _, ok := c.Volumes["/pb_data"]; !ok || len(c.Volumes) != 1 {
		t.Errorf("volumes %v; want /pb_data", c.Volumes)
	}
	if _, ok := c.ExposedPorts["8090/tcp"]; !ok || len(c.ExposedPorts) != 1 {
		t.Errorf("ports %v; want 8090/tcp", c.ExposedPorts)
	}
	if c.WorkingDir != "/" {
		t.Errorf("working dir %q", c.WorkingDir)
	}
	for k, v := range map[string]string{
		"org.opencontainers.image.version":  testVersion,
		"org.opencontainers.image.revision": testCommit,
		"org.opencontainers.image.created":  testDate,
		"org.opencontainers.image.source":   SourceURL,
	} {
		if c.Labels[k] != v {
			t.Errorf("label %s = %q; want %q", k, c.Labels[k], v)
		}
	}
	if rep.Config.OS != "linux" || rep.Config.Architecture != "amd64" || !rep.Config.Created.Equal(created) {
		t.Errorf("platform %s/%s created %v", rep.Config.OS, rep.Config.Architecture, rep.Config.Created)
	}

	wantFiles := []File{
		{Path: "/etc", Dir: true, Mode: 0o755},
		{Path: "/etc/group", Mode: 0o644, Size: int64(len(groupFile))},
		{Path: "/etc/passwd", Mode: 0o644, Size: int64(len(passwdFile))},
		{Path: "/etc/ssl", Dir: true, Mode: 0o755},
		{Path: "/etc/ssl/certs", Dir: true, Mode: 0o755},
		{Path: "/etc/ssl/certs/ca-certificates.crt", Mode: 0o644, Size: int64(len(ca))},
		{Path: "/ezscale", Mode: 0o755, Size: int64(len(want))},
		{Path: "/pb_data", Dir: true, Mode: 0o750, UID: 65532, GID: 65532},
		{Path: "/tmp", Dir: true, Mode: 0o1777},
	}
	if !slices.Equal(rep.Files, wantFiles) {
		t.Errorf("files:\n got %+v\nwant %+v", rep.Files, wantFiles)
	}
	if !bytes.Contains(ca, []byte("-----BEGIN CERTIFICATE-----")) {
		t.Error("the CA bundle holds no certificate")
	}
	got, err := os.ReadFile(extracted)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("the binary in the layer differs from the one built (%v)", err)
	}
	run := exec.Command(extracted, "version")
	run.Env = []string{} // no EZ_ENCRYPTION_KEY: a version check needs no configuration
	out, err := run.CombinedOutput()
	if err != nil {
		t.Fatalf("extracted binary: version: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "ezscale "+testVersion+" (commit "+testCommit+", built "+testDate) {
		t.Errorf("version printed %q", out)
	}
	if rep.LayerCompressed <= 0 || rep.LayerCompressed >= rep.LayerUncompressed {
		t.Errorf("layer sizes: %d compressed, %d uncompressed", rep.LayerCompressed, rep.LayerUncompressed)
	}

	// Reproducible: the same inputs give the same image, and the tarball
	// holds it (its config, so its ID; the tarball's manifest is rewritten
	// in Docker's format by the loader, so its digest is not compared).
	again, err := Build(Options{Binary: bin, Version: testVersion, Commit: testCommit, Created: created})
	if err != nil {
		t.Fatal(err)
	}
	d1, err1 := img.Digest()
	d2, err2 := again.Digest()
	id, err3 := again.ConfigName()
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if d1 != d2 || id.String() != rep.ID {
		t.Errorf("rebuilt image %s (ID %s); want %s (ID %s)", d2, id, d1, rep.ID)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	notELF := filepath.Join(dir, "script")
	if err := os.WriteFile(notELF, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	elf := filepath.Join(dir, "elf")
	if err := os.WriteFile(elf, []byte("\x7fELF..."), 0o755); err != nil {
		t.Fatal(err)
	}
	noPEM := filepath.Join(dir, "ca.crt")
	if err := os.WriteFile(noPEM, []byte("nothing"), 0o644); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 12, 5, 0, 0, time.UTC)
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"no binary", Options{Version: "v1", Commit: "c", Created: at}, "binary's path is required"},
		{"no labels", Options{Binary: elf, Created: at}, "version and commit are required"},
		{"no time", Options{Binary: elf, Version: "v1", Commit: "c"}, "creation time is required"},
		{"missing binary", Options{Binary: filepath.Join(dir, "absent"), Version: "v1", Commit: "c", Created: at}, "no such file"},
		{"not a linux binary", Options{Binary: notELF, Version: "v1", Commit: "c", Created: at}, "not an ELF executable"},
		{"CA bundle without certificates", Options{Binary: elf, CABundle: noPEM, Version: "v1", Commit: "c", Created: at}, "holds no PEM certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Build(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Build = %v; want an error with %q", err, tc.want)
			}
		})
	}
	if err := WriteTarball(nil, "Not A Tag!", filepath.Join(dir, "x.tar")); err == nil || !strings.Contains(err.Error(), "tag") {
		t.Errorf("bad tag: %v", err)
	}
}
