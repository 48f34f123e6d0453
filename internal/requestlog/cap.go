package requestlog

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// auxDBFile is PocketBase's log database in the data directory.
const auxDBFile = "auxiliary.db"

// Trim is what holding the log database under its cap did.
type Trim struct {
	Before, After int64 // bytes on disk: the database and its write-ahead log
	Deleted       int64 // log rows deleted, oldest first
}

// LogDBSize is the log database's size on disk: the file and its
// write-ahead log, which under a flood can outgrow the file.
func LogDBSize(app core.App) int64 {
	var size int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(filepath.Join(app.DataDir(), auxDBFile+suffix)); err == nil {
			size += fi.Size()
		}
	}
	return size
}

// TrimLogs holds the log database under maxBytes. Over it, the
// write-ahead log is folded in first; if that is not enough, the oldest
// rows are deleted until the rows left fill about three quarters of the
// cap (room for the logs to come before the next check), and the database
// is vacuumed and its write-ahead log truncated, so the space goes back to
// the disk rather than to SQLite's free list.
func TrimLogs(app core.App, maxBytes int64) (Trim, error) {
	if maxBytes <= 0 {
		return Trim{}, fmt.Errorf("log database cap %d: want a positive number of bytes", maxBytes)
	}
	res := Trim{Before: LogDBSize(app)}
	res.After = res.Before
	if res.Before <= maxBytes {
		return res, nil
	}
	db := app.AuxNonconcurrentDB() // the logger's writer: trimming waits for its batches, never races them
	if err := checkpoint(db); err != nil {
		return res, err
	}
	if res.After = LogDBSize(app); res.After <= maxBytes {
		return res, nil
	}

	var pages struct {
		Count    int64 `db:"page_count"`
		Free     int64 `db:"freelist_count"`
		PageSize int64 `db:"page_size"`
		Rows     int64 `db:"rows"`
	}
	err := db.NewQuery(`SELECT (SELECT page_count FROM pragma_page_count()) AS page_count,
		(SELECT freelist_count FROM pragma_freelist_count()) AS freelist_count,
		(SELECT page_size FROM pragma_page_size()) AS page_size,
		(SELECT COUNT(*) FROM _logs) AS rows`).One(&pages)
	if err != nil {
		return res, fmt.Errorf("log database size: %w", err)
	}
	used := (pages.Count - pages.Free) * pages.PageSize
	target := maxBytes * 3 / 4
	if used > target && pages.Rows > 0 {
		keep := pages.Rows * target / used
		drop, err := db.NewQuery(`DELETE FROM _logs WHERE id IN
			(SELECT id FROM _logs ORDER BY created, id LIMIT {:n})`).Bind(dbx.Params{"n": pages.Rows - keep}).Execute()
		if err != nil {
			return res, fmt.Errorf("delete the oldest logs: %w", err)
		}
		res.Deleted, _ = drop.RowsAffected()
	}
	if err := app.AuxVacuum(); err != nil {
		return res, fmt.Errorf("vacuum the log database: %w", err)
	}
	if err := checkpoint(db); err != nil {
		return res, err
	}
	res.After = LogDBSize(app)
	return res, nil
}

// checkpoint copies the write-ahead log into the database and empties it.
func checkpoint(db dbx.Builder) error {
	if _, err := db.NewQuery("PRAGMA wal_checkpoint(TRUNCATE)").Execute(); err != nil {
		return fmt.Errorf("checkpoint the log database: %w", err)
	}
	return nil
}
