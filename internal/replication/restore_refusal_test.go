package replication

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRestoreRefuses checks that a bad request is refused before anything
// is read or written: the target directory is left as it was.
func TestRestoreRefuses(t *testing.T) {
	enabled := Config{Bucket: "b", Path: "p", Region: DefaultRegion}
	tests := []struct {
		name     string
		cfg      Config
		req      RestoreRequest
		nonEmpty bool
		want     string
	}{
		{"a non-empty directory", enabled, RestoreRequest{From: "s3://b/p"}, true, "is not empty"},
		{"no directory", enabled, RestoreRequest{From: "s3://b/p"}, false, "needs --dir"},
		{"a malformed replica URL", enabled, RestoreRequest{From: "s3://b"}, false, "a bucket and a path"},
		{"a point in time for a backup", enabled, RestoreRequest{From: "pb_backup_1.zip", At: time.Now()}, false, "one point in time"},
		{"a backup key with a path", enabled, RestoreRequest{From: "../x/pb_backup_1.zip"}, false, "want a replica URL"},
		{"an empty source", enabled, RestoreRequest{}, false, "want a replica URL"},
		{"a backup without storage", Config{}, RestoreRequest{From: "pb_backup_1.zip"}, false, "needs EZ_REPLICA_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "pb_data")
			if tt.name != "no directory" {
				tt.req.Dir = dir
			}
			if tt.nonEmpty {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "data.db"), []byte("live"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := Restore(t.Context(), tt.cfg, tt.req)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Restore() = %v; want an error mentioning %q", err, tt.want)
			}
			if tt.nonEmpty {
				if !errors.Is(err, ErrDirNotEmpty) {
					t.Errorf("Restore() = %v; want ErrDirNotEmpty", err)
				}
				if got, _ := os.ReadFile(filepath.Join(dir, "data.db")); string(got) != "live" {
					t.Errorf("data.db = %q after a refused restore; want it untouched", got)
				}
				return
			}
			if _, statErr := os.Stat(dir); !errors.Is(statErr, os.ErrNotExist) {
				t.Errorf("a refused restore created %s", dir)
			}
		})
	}
}
