// Package webhooks receives gateway events: each is verified, stored once
// in webhook_events (unique per gateway and event id) and processed in the
// same transaction as its effects, so a replay, or the same delivery
// arriving fifty times at once, is applied once.
package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/audit"
)

// Collection stores every verified event.
const Collection = "webhook_events"

// Event statuses.
const (
	StatusReceived  = "received"
	StatusProcessed = "processed"
	StatusUnmatched = "unmatched" // about something we do not know: flagged for staff
	StatusIgnored   = "ignored"   // a type we do not act on
	StatusFailed    = "failed"    // processing failed: flagged, staff can re-run it
)

// Handler applies one event in tx and says how it went: processed,
// unmatched or ignored. An error rolls its effects back.
type Handler func(ctx context.Context, tx core.App, ev gateway.Event) (status string, err error)

// Outcome is what Receive did with a delivery.
type Outcome struct {
	Event     *core.Record
	Duplicate bool // already stored: nothing was applied again
	Status    string
}

// Actor is who webhook effects are attributed to in the audit log.
func actor(gw string) audit.Actor { return audit.Actor{Kind: audit.KindSystem, ID: "webhook:" + gw} }

// Receive stores and processes a verified event. A processing error is
// stored on the event (status failed, flagged) and returned, so the
// gateway is answered 200 for a stored event, and staff re-run it.
func Receive(app core.App, gw string, ev gateway.Event, handle Handler) (Outcome, error) {
	ctx := audit.WithActor(context.Background(), actor(gw))
	var out Outcome
	err := app.RunInTransaction(func(tx core.App) error {
		existing, err := find(tx, gw, ev.ID)
		if err == nil {
			out = Outcome{Event: existing, Duplicate: true, Status: existing.GetString("status")}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		status, err := handle(ctx, tx, ev)
		if err != nil {
			return err
		}
		if status == StatusUnmatched {
			if err := alertUnmatched(ctx, tx, gw, ev); err != nil {
				return err
			}
		}
		// Stored once, with how it went: the transaction that applies the
		// event also stores it, and the unique index refuses a second.
		rec, err := store(ctx, tx, gw, ev, status, "")
		if err != nil {
			return err
		}
		out = Outcome{Event: rec, Status: status}
		return nil
	})
	if err == nil || out.Duplicate {
		return out, err
	}
	// The effects rolled back; keep the event for staff with the reason.
	var rec *core.Record
	storeErr := app.RunInTransaction(func(tx core.App) error {
		if existing, ferr := find(tx, gw, ev.ID); ferr == nil {
			rec = existing
			return mark(ctx, tx, existing, StatusFailed, err.Error())
		}
		var serr error
		rec, serr = store(ctx, tx, gw, ev, StatusFailed, err.Error())
		return serr
	})
	return Outcome{Event: rec, Status: StatusFailed}, errors.Join(err, storeErr)
}

// Rerun processes a stored event again, for staff, once its cause is fixed.
// An event already processed is not applied twice.
func Rerun(app core.App, id string, handle Handler) (Outcome, error) {
	rec, err := app.FindRecordById(Collection, id)
	if err != nil {
		return Outcome{}, err
	}
	if rec.GetString("status") == StatusProcessed {
		return Outcome{Event: rec, Duplicate: true, Status: StatusProcessed}, nil
	}
	gw := rec.GetString("gateway")
	ev := gateway.Event{ID: rec.GetString("event_id"), Type: rec.GetString("type"), Payload: []byte(rec.GetString("payload"))}
	ctx := audit.WithActor(context.Background(), actor(gw))
	var status string
	err = app.RunInTransaction(func(tx core.App) error {
		fresh, err := tx.FindRecordById(Collection, id)
		if err != nil {
			return err
		}
		if status, err = handle(ctx, tx, ev); err != nil {
			return err
		}
		fresh.Set("attempts", fresh.GetInt("attempts")+1)
		return mark(ctx, tx, fresh, status, "")
	})
	if err != nil {
		rec.Set("attempts", rec.GetInt("attempts")+1)
		if merr := mark(ctx, app, rec, StatusFailed, err.Error()); merr != nil {
			app.Logger().Error("webhooks: mark a rerun event failed", "event", rec.Id, "error", merr, "cause", err)
		}
		return Outcome{Event: rec, Status: StatusFailed}, err
	}
	rec, _ = app.FindRecordById(Collection, id)
	return Outcome{Event: rec, Status: status}, nil
}

// alertUnmatched tells staff about an event that names nothing we know
// (a payment for an unknown invoice, a dispute on an unknown charge), once.
func alertUnmatched(ctx context.Context, tx core.App, gw string, ev gateway.Event) error {
	_, err := notify.Staff(ctx, tx, notify.Alert{Key: "webhook_unmatched", DedupeKey: "webhook:" + gw + ":" + ev.ID + ":unmatched",
		Data: notify.Data{"Gateway": gw, "Event": ev.ID, "Type": ev.Type}})
	return err
}

func find(app core.App, gw, eventID string) (*core.Record, error) {
	return app.FindFirstRecordByFilter(Collection, "gateway = {:g} && event_id = {:e}", dbx.Params{"g": gw, "e": eventID})
}

func store(ctx context.Context, tx core.App, gw string, ev gateway.Event, status, errText string) (*core.Record, error) {
	col, err := tx.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, err
	}
	rec := core.NewRecord(col)
	rec.Load(map[string]any{"gateway": gw, "event_id": ev.ID, "type": ev.Type, "payload": string(ev.Payload), "attempts": 1})
	if err := setStatus(rec, status, errText); err != nil {
		return nil, err
	}
	if err := tx.SaveWithContext(ctx, rec); err != nil {
		return nil, fmt.Errorf("store %s event %s: %w", gw, ev.ID, err)
	}
	return rec, nil
}

func mark(ctx context.Context, app core.App, rec *core.Record, status, errText string) error {
	if err := setStatus(rec, status, errText); err != nil {
		return err
	}
	return app.SaveWithContext(ctx, rec)
}

func setStatus(rec *core.Record, status, errText string) error {
	switch status {
	case StatusReceived, StatusProcessed, StatusIgnored:
	case StatusUnmatched, StatusFailed:
		rec.Set("flagged", true)
	default:
		return fmt.Errorf("unknown webhook status %q", status)
	}
	rec.Set("status", status)
	rec.Set("error", truncate(errText, 5000))
	if status != StatusReceived {
		rec.Set("processed_at", time.Now().UTC())
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
