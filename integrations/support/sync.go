package support

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/integrations/supportpal"
)

// cursorName is the sync's row in sync_cursors.
const cursorName = "supportpal"

// syncOverlap re-reads the last minutes before the cursor: SupportPal's
// clock and ours differ a little, and a ticket updated while the previous
// run paged must not fall between two runs. Re-reading is harmless: the
// mirror writes only what changed and notices are keyed.
const syncOverlap = 5 * time.Minute

// SyncResult counts what a sync did.
type SyncResult struct {
	Seen    int // tickets SupportPal reported changed
	Written int // mirror rows created or updated
	Pages   int
}

// Sync reads every ticket changed since the last successful sync (all of
// them the first time), page by page, into the mirror, queuing a notice for
// each new staff reply and new ticket. The cursor moves only when the whole
// run succeeded, so after an outage the next run catches up; the mirror is
// never emptied by a failure.
func (d *Desk) Sync(ctx context.Context, progress io.Writer) (SyncResult, error) {
	var res SyncResult
	started := d.now().UTC()
	since, err := d.cursor()
	if err != nil {
		return res, err
	}
	f := supportpal.TicketFilter{OrderColumn: "updated_at", OrderDirection: "asc", Limit: refreshPage}
	if !since.IsZero() {
		f.UpdatedAtMin = since.Add(-syncOverlap).Unix()
	}
	var failed []error
	res.Pages, err = d.pages(ctx, f, progress, func(t *supportpal.Ticket) error {
		res.Seen++
		written, err := d.observe(ctx, t, nil, observation{since: since})
		if errors.Is(err, ErrUnavailable) {
			return err // SupportPal went away mid-run: stop, the next run resumes
		}
		if err != nil {
			// One ticket that cannot be mirrored must not stop the others;
			// the run fails at the end so the cursor stays and it is retried.
			failed = append(failed, fmt.Errorf("ticket %d: %w", t.ID, err))
		}
		if written {
			res.Written++
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	if len(failed) > 0 {
		return res, errors.Join(failed...)
	}
	return res, d.saveCursor(started)
}

// cursor is when the last successful sync started; zero before the first.
func (d *Desk) cursor() (time.Time, error) {
	row, err := d.app.FindFirstRecordByFilter("sync_cursors", "name = {:n}", dbx.Params{"n": cursorName})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	return row.GetDateTime("synced_at").Time(), nil
}

func (d *Desk) saveCursor(at time.Time) error {
	row, err := d.app.FindFirstRecordByFilter("sync_cursors", "name = {:n}", dbx.Params{"n": cursorName})
	if errors.Is(err, sql.ErrNoRows) {
		col, cerr := d.app.FindCachedCollectionByNameOrId("sync_cursors")
		if cerr != nil {
			return cerr
		}
		row, err = core.NewRecord(col), nil
		row.Set("name", cursorName)
	}
	if err != nil {
		return err
	}
	row.Set("synced_at", at)
	if err := d.app.Save(row); err != nil {
		return fmt.Errorf("save the support sync cursor: %w", err)
	}
	return nil
}

// parseDBTime reads a date column as SQL returns it; "" is zero.
func parseDBTime(v string) (time.Time, error) {
	dt, err := types.ParseDateTime(v)
	return dt.Time(), err
}
