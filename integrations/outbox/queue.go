// Package outbox queues notifications in the outbox collection, in the
// caller's transaction, so a message exists exactly when the event that
// caused it commits. Delivery (Mailgun, SMTP, Discord) reads the queue.
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// Collection is the queue.
const Collection = "outbox"

// Message is one notification to send.
type Message struct {
	Channel    string // email or discord
	Recipient  string // address or webhook name
	CustomerID string
	Template   string // e.g. payment_failed
	Subject    string
	BodyText   string
	BodyHTML   string // optional; delivery sends both parts when set
	Severity   string // for Discord: info, success, warning, danger
	// Attachments are references resolved at delivery, e.g. an invoice PDF.
	Attachments []map[string]string
	// DedupeKey names the cause, so the same event queues one message.
	DedupeKey string
	// Facts, when set, are what the registered Renderer writes the
	// subject and bodies from at delivery (then left empty here), so a
	// notice queued on a hot write path costs its transaction no rendering.
	Facts json.RawMessage
	// NotBefore holds the message back until then (zero: send at once),
	// so a notice the next moments may make pointless (the Renderer then
	// answers Obsolete) is not sent just before it becomes so.
	NotBefore time.Time
}

// Queue adds m unless a message with its dedupe key exists.
func Queue(ctx context.Context, app core.App, m Message) (*core.Record, error) {
	if m.DedupeKey != "" {
		// "!= ''" repeats the unique index's condition: without it SQLite
		// cannot use that partial index and reads the whole outbox.
		existing := &core.Record{}
		err := app.RecordQuery(Collection).AndWhere(dbx.NewExp("[[dedupe_key]] != '' AND [[dedupe_key]] = {:k}", dbx.Params{"k": m.DedupeKey})).
			Limit(1).One(existing)
		if err == nil {
			return existing, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	col, err := app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, err
	}
	rec := NewRecord(col, m)
	if err := app.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("outbox %s for %s: %w", m.Template, m.Recipient, err)
	}
	return rec, nil
}

// NewRecord is m as an unsaved pending outbox row, for Queue and for jobs
// that write messages in bulk (internal/bulk) with fresh dedupe keys.
func NewRecord(col *core.Collection, m Message) *core.Record {
	rec := core.NewRecord(col)
	rec.Load(map[string]any{
		"channel": m.Channel, "recipient": m.Recipient, "customer": m.CustomerID, "template": m.Template,
		"subject": m.Subject, "body_text": m.BodyText, "body_html": m.BodyHTML, "severity": m.Severity, "status": "pending", "attachments": m.Attachments,
		"next_attempt_at": time.Now().UTC(), "dedupe_key": m.DedupeKey,
	})
	if !m.NotBefore.IsZero() {
		rec.Set("next_attempt_at", m.NotBefore.UTC())
	}
	if len(m.Facts) > 0 {
		rec.Set("facts", m.Facts)
	}
	return rec
}
