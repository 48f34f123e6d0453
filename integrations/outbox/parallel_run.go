package outbox

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/parallelrun"
)

// heldBackReason is the note a held customer's email keeps: WHMCS writes
// to them during the parallel run, and what this platform wrote then is
// never sent, not even after the cutover.
const heldBackReason = "not sent: WHMCS still serves this customer (parallel run before the cutover)"

// cancelHeld cancels the pending emails of customers WHMCS still serves,
// before a pass claims any, so none reaches them. Staff messages (Discord)
// about them still go out.
func cancelHeld(app core.App, channel string, now time.Time) error {
	if channel != "email" {
		return nil
	}
	var held []string
	err := app.DB().Select("o.id").From(Collection + " o").
		Where(dbx.HashExp{"o.status": StatusPending, "o.channel": channel}).AndWhere(parallelrun.HeldOnly("o.[[customer]]")).
		Limit(500).Column(&held)
	if err != nil || len(held) == 0 {
		return err // a read: a pass writes nothing more when nobody is held
	}
	_, err = app.DB().Update(Collection, dbx.Params{"status": StatusCancelled, "last_error": heldBackReason, "updated": now.Format(types.DefaultDateLayout)},
		dbx.And(dbx.HashExp{"status": StatusPending}, dbx.In("id", anyOf(held)...))).Execute()
	if err != nil {
		return fmt.Errorf("cancel held customers' emails: %w", err)
	}
	return nil
}

func anyOf(ids []string) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
