package backoffice

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/outbox"
	"github.com/ezscale/ezscale/internal/audit"
)

// QueueActionError is a queue action refused, with the reason to show
// staff; nothing was changed. Missing means the record does not exist.
type QueueActionError struct {
	Reason  string
	Missing bool
}

func (e *QueueActionError) Error() string { return e.Reason }

func queueRefusal(format string, args ...any) error {
	return &QueueActionError{Reason: fmt.Sprintf(format, args...)}
}

// findForQueue loads a record in tx, or a Missing refusal.
func findForQueue(tx core.App, collection, id, what string) (*core.Record, error) {
	rec, err := tx.FindRecordById(collection, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &QueueActionError{Reason: "No such " + what + ".", Missing: true}
	}
	return rec, err
}

// Queue actions on messages and gateway events, as audit_logs actions: the
// outbox and webhook_events are not audited row by row (their status is
// their history), so staff's hand in them is written down here.
const (
	ActionMessageResend  = "outbox.resend"
	ActionMessageDiscard = "outbox.discard"
	ActionEventDismiss   = "webhook.dismiss"
)

// ResendMessage sends a failed or cancelled message again, due now, by the
// outbox's own rules for staff edits (outbox.StaffEdit).
func ResendMessage(app core.App, actor audit.Actor, id string, now time.Time) (*core.Record, error) {
	return editMessage(app, actor, id, outbox.StatusPending, ActionMessageResend, now)
}

// DiscardMessage cancels a failed or pending message: it will not be sent.
func DiscardMessage(app core.App, actor audit.Actor, id string, now time.Time) (*core.Record, error) {
	return editMessage(app, actor, id, outbox.StatusCancelled, ActionMessageDiscard, now)
}

func editMessage(app core.App, actor audit.Actor, id, status, action string, now time.Time) (*core.Record, error) {
	var msg *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if msg, err = findForQueue(tx, outbox.Collection, id, "message"); err != nil {
			return err
		}
		before := msg.Original()
		if before.GetString("status") == status {
			return queueRefusal("This message is %s already.", status)
		}
		msg.Set("status", status)
		if err := outbox.StaffEdit(before, msg, now); err != nil {
			return queueRefusal("%s", err.Error())
		}
		if err := tx.Save(msg); err != nil {
			return err
		}
		return audit.Record(tx, actor, action, msg, fmt.Sprintf("%s message %s to %s: %s → %s",
			msg.GetString("channel"), msg.GetString("template"), msg.GetString("recipient"), before.GetString("status"), status))
	})
	return msg, err
}

// DismissEvent sets aside a gateway event that matched nothing or failed
// and that staff judged needs nothing more (a test event, a payment
// settled by hand): it is kept, as ignored, with its error.
func DismissEvent(app core.App, actor audit.Actor, id string) (*core.Record, error) {
	var ev *core.Record
	err := app.RunInTransaction(func(tx core.App) error {
		var err error
		if ev, err = findForQueue(tx, "webhook_events", id, "webhook event"); err != nil {
			return err
		}
		s := ev.GetString("status")
		if s != "unmatched" && s != "failed" {
			return queueRefusal("Only an unmatched or failed event can be dismissed; this one is %s.", s)
		}
		ev.Set("status", "ignored")
		ev.Set("flagged", false)
		if err := tx.Save(ev); err != nil {
			return err
		}
		return audit.Record(tx, actor, ActionEventDismiss, ev, fmt.Sprintf("%s event %s (%s) dismissed, was %s",
			ev.GetString("gateway"), ev.GetString("event_id"), ev.GetString("type"), s))
	})
	return ev, err
}
