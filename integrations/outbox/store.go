package outbox

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
)

// Statuses of a message.
const (
	StatusPending   = "pending"
	StatusSending   = "sending"
	StatusSent      = "sent"
	StatusFailed    = "failed"
	StatusCancelled = "cancelled"
)

// claim takes up to n due messages of a channel: pending → sending,
// attempts + 1, in one statement (its own short transaction), so two
// workers never take the same message.
func claim(app core.App, channel string, n int, now time.Time) ([]string, error) {
	var ids []string
	err := app.DB().NewQuery(`UPDATE {{outbox}} SET status = 'sending', attempts = attempts + 1, updated = {:now}
		WHERE id IN (SELECT id FROM {{outbox}} WHERE status = 'pending' AND channel = {:ch} AND next_attempt_at <= {:now}
			ORDER BY next_attempt_at, created LIMIT {:n})
		RETURNING id`).Bind(dbx.Params{"now": now.Format(types.DefaultDateLayout), "ch": channel, "n": n}).Column(&ids)
	if err != nil {
		return nil, fmt.Errorf("claim %s messages: %w", channel, err)
	}
	return ids, nil
}

// interrupted lists the channel's messages left in sending: by a crash, a
// shutdown during a send, or a send whose outcome was unknown. A channel's
// loop never leaves one there otherwise, so each of these needs settling.
func interrupted(app core.App, channel string) ([]*core.Record, error) {
	return app.FindRecordsByFilter(Collection, "status = 'sending' && channel = {:ch}", "updated", 100, 0, dbx.Params{"ch": channel})
}

// update sets fields of a message that is still in sending, so an outcome
// never overwrites what happened to the row meanwhile.
func update(app core.App, id string, now time.Time, set dbx.Params) error {
	set["updated"] = now.Format(types.DefaultDateLayout)
	res, err := app.DB().Update(Collection, set, dbx.HashExp{"id": id, "status": StatusSending}).Execute()
	if err != nil {
		return fmt.Errorf("outbox %s: record the outcome: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("outbox %s: no longer in sending", id)
	}
	return nil
}

// markSent records a send, with the content rendered for it when the
// message was queued as facts (content nil otherwise).
func markSent(app core.App, id, providerID string, now time.Time, content dbx.Params) error {
	set := dbx.Params{"status": StatusSent, "sent_at": now.Format(types.DefaultDateLayout), "provider_id": providerID, "last_error": ""}
	for k, v := range content {
		set[k] = v
	}
	return update(app, id, now, set)
}

func markFailed(app core.App, id, reason string, now time.Time) error {
	return update(app, id, now, dbx.Params{"status": StatusFailed, "last_error": clip(reason)})
}

func markCancelled(app core.App, id, reason string, now time.Time) error {
	return update(app, id, now, dbx.Params{"status": StatusCancelled, "last_error": clip(reason)})
}

// retryAt puts a message back in the queue until at.
func retryAt(app core.App, id, reason string, at, now time.Time) error {
	return update(app, id, now, dbx.Params{"status": StatusPending, "next_attempt_at": at.Format(types.DefaultDateLayout), "last_error": clip(reason)})
}

// release gives back a claimed message that was not sent (a shutdown, or
// a rate limit the provider named), with the attempt the claim counted:
// neither is the message's fault.
func release(app core.App, id, reason string, at, now time.Time) error {
	set := dbx.Params{"status": StatusPending, "next_attempt_at": at.Format(types.DefaultDateLayout),
		"attempts": dbx.NewExp("MAX(attempts - 1, 0)")}
	if reason != "" {
		set["last_error"] = clip(reason)
	}
	return update(app, id, now, set)
}

// clip keeps an error within the field's limit.
func clip(s string) string {
	if len(s) > 5000 {
		return s[:4997] + "..."
	}
	return s
}
