package commands

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	if out := run(t, dir, "backup", "pb_backup_before_v2.zip"); !strings.Contains(out, "Backup pb_backup_before_v2.zip created.") {
		t.Fatalf("backup: %s", out)
	}
	if st, err := os.Stat(filepath.Join(dir, "backups", "pb_backup_before_v2.zip")); err != nil || st.Size() == 0 {
		t.Fatalf("no backup zip in pb_data/backups: %v", err)
	}
	for _, bad := range []string{"../escape.zip", "Upper.zip", "no-suffix", "a/b.zip"} {
		if _, _, err := execute(t, dir, "backup", bad); err == nil || !strings.Contains(err.Error(), "backup name") {
			t.Errorf("backup %q = %v; want the name refused", bad, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "backups", bad)); err == nil {
			t.Errorf("backup %q was written", bad)
		}
	}
}
