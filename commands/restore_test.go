package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRestoreCommandRefuses(t *testing.T) {
	t.Setenv("EZ_REPLICA_URL", "")
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "data.db"), []byte("live"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"a non-empty directory", []string{"--from", "s3://b/p", "--dir", full}, "is not empty"},
		{"a malformed time", []string{"--from", "s3://b/p", "--at", "yesterday", "--dir", t.TempDir()}, "RFC 3339"},
		{"no directory", []string{"--from", "s3://b/p"}, "needs --dir"},
		{"a stray argument", []string{"s3://b/p", "--dir", t.TempDir()}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := restoreCommand()
			cmd.SetArgs(tt.args)
			cmd.SetOut(new(strings.Builder))
			cmd.SetErr(new(strings.Builder))
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("restore %v = %v; want an error mentioning %q", tt.args, err, tt.want)
			}
		})
	}
	if got, _ := os.ReadFile(filepath.Join(full, "data.db")); string(got) != "live" {
		t.Errorf("data.db = %q after refused restores; want it untouched", got)
	}
}
