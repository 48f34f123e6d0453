package replication

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/pocketbase/pocketbase/tools/archive"
	"github.com/pocketbase/pocketbase/tools/filesystem"
)

// RestoreRequest is what `ezscale restore` asks for.
type RestoreRequest struct {
	// From is a replica URL (s3://bucket/path, as EZ_REPLICA_URL) or the key
	// of a PocketBase backup in cfg's bucket (pb_backup_20261207030000.zip).
	From string
	// At, when set, is the point in time to restore the replica to; a backup
	// is one point in time and refuses it.
	At time.Time
	// Dir is the data directory to fill; it must be empty or absent.
	Dir string
}

// ErrDirNotEmpty refuses a restore over existing data.
var ErrDirNotEmpty = errors.New("is not empty: restore fills only an empty (or new) data directory, so that nothing live is overwritten")

// Restore rebuilds req.Dir from the replica or a backup. cfg gives the
// storage's endpoint and keys (its URL is not needed: From names the
// source). Nothing is written to Dir before the request is known to be
// sound.
func Restore(ctx context.Context, cfg Config, req RestoreRequest) error {
	if req.Dir == "" {
		return errors.New("restore needs --dir, the empty data directory to restore into")
	}
	if err := checkEmpty(req.Dir); err != nil {
		return err
	}
	if strings.HasPrefix(req.From, "s3://") {
		bucket, path, err := ParseURL(req.From)
		if err != nil {
			return err
		}
		cfg.Bucket, cfg.Path = bucket, path
		return restoreReplica(ctx, cfg, req)
	}
	if !req.At.IsZero() {
		return errors.New("--at applies to a replica (s3://...); a backup is one point in time")
	}
	if req.From == "" || strings.ContainsAny(req.From, "/\\") || !strings.HasSuffix(req.From, ".zip") {
		return fmt.Errorf("--from %q: want a replica URL (s3://bucket/path) or a backup's key (pb_backup_....zip)", req.From)
	}
	if !cfg.Enabled() {
		return errors.New("restoring a backup needs EZ_REPLICA_URL (its bucket holds the backups) and the storage's keys")
	}
	return restoreBackup(ctx, cfg, req)
}

func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%s %w", dir, ErrDirNotEmpty)
	}
	return nil
}

// restoreReplica replays the replica into Dir/data.db up to req.At (or its
// newest transaction) and checks the result's integrity.
func restoreReplica(ctx context.Context, cfg Config, req RestoreRequest) error {
	client := newClient(cfg, cfg.Path)
	if err := client.Init(ctx); err != nil {
		return fmt.Errorf("reach the replica %s: %w", cfg.URL(), err)
	}
	if err := os.MkdirAll(req.Dir, 0o755); err != nil {
		return err
	}
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = filepath.Join(req.Dir, DBName)
	opt.Timestamp = req.At
	opt.IntegrityCheck = litestream.IntegrityCheckFull
	if err := litestream.NewReplicaWithClient(nil, client).Restore(ctx, opt); err != nil {
		_ = os.Remove(opt.OutputPath)
		return fmt.Errorf("restore %s from %s: %w", DBName, cfg.URL(), err)
	}
	return nil
}

// restoreBackup downloads a PocketBase backup and unpacks it into Dir.
func restoreBackup(ctx context.Context, cfg Config, req RestoreRequest) error {
	fsys, err := filesystem.NewS3(cfg.Bucket, cfg.Region, cfg.Endpoint, cfg.AccessKey, cfg.SecretKey, cfg.Endpoint != "")
	if err != nil {
		return err
	}
	defer fsys.Close()
	fsys.SetContext(ctx)
	src, err := fsys.GetReader(req.From)
	if err != nil {
		return fmt.Errorf("backup %s in bucket %s: %w", req.From, cfg.Bucket, err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp("", "ezscale-backup-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, src); err != nil {
		tmp.Close()
		return fmt.Errorf("download backup %s: %w", req.From, err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := archive.Extract(tmp.Name(), req.Dir); err != nil {
		return fmt.Errorf("unpack backup %s: %w", req.From, err)
	}
	return nil
}
