package audit

import (
	"context"
	"fmt"
	"reflect"

	"github.com/pocketbase/pocketbase/core"
)

// Collection is where the entries are stored.
const Collection = "audit_logs"

// redacted stands in for the value of a hidden or password field: the
// entry says that it changed, never what it holds.
const redacted = "[redacted]"

// Change is one field's value before and after.
type Change struct {
	Before any `json:"before,omitempty"`
	After  any `json:"after,omitempty"`
}

// Entry is one audit_logs row.
type Entry struct {
	Actor      Actor
	Action     string
	Collection string
	RecordID   string
	Customer   string
	Changes    map[string]Change
	Message    string

	record *core.Record // the record as saved, when the entry is written with it
}

// ForRecord builds the entry for a create, update or delete of rec.
// For an update only the fields that changed are kept; for a create the
// values set, for a delete the values removed.
func ForRecord(ctx context.Context, app core.App, action string, rec *core.Record) Entry {
	e := Entry{
		Actor:      actorOf(ctx, rec),
		Action:     action,
		Collection: rec.Collection().Name,
		RecordID:   rec.Id,
		Customer:   customerOf(rec),
		Changes:    map[string]Change{},
		record:     rec,
	}
	var original *core.Record
	if action == "update" {
		original = rec.Original()
	}
	if original != nil && original.Id == "" {
		// Created in this process and never reloaded: compare with the row.
		if stored, err := app.FindRecordById(rec.Collection(), rec.Id); err == nil {
			original = stored
		}
	}
	for _, f := range rec.Collection().Fields {
		name := f.GetName()
		if skipField(f) {
			continue
		}
		after := rec.Get(name)
		switch action {
		case "create":
			if isZero(after) {
				continue
			}
			e.Changes[name] = Change{After: present(f, after)}
		case "delete":
			if isZero(after) {
				continue
			}
			e.Changes[name] = Change{Before: present(f, after)}
		default:
			before := original.Get(name)
			if reflect.DeepEqual(before, after) || fmt.Sprint(before) == fmt.Sprint(after) {
				continue
			}
			e.Changes[name] = Change{Before: present(f, before), After: present(f, after)}
		}
	}
	return e
}

// Save writes the entry with app, which may be a transaction so the entry
// commits or rolls back with the change it describes.
func (e Entry) Save(app core.App) error {
	r, err := e.NewRecord(app)
	if err != nil {
		return err
	}
	if err := app.SaveNoValidate(r); err != nil {
		return fmt.Errorf("audit %s %s/%s: %w", e.Action, e.Collection, e.RecordID, err)
	}
	return nil
}

// NewRecord builds the entry's audit_logs record unsaved, for writers that
// store many at once.
func (e Entry) NewRecord(app core.App) (*core.Record, error) {
	col, err := app.FindCachedCollectionByNameOrId(Collection)
	if err != nil {
		return nil, err
	}
	r := core.NewRecord(col)
	r.Set("actor_kind", e.Actor.Kind)
	r.Set("actor_id", e.Actor.ID)
	r.Set("ip", e.Actor.IP)
	r.Set("user_agent", e.Actor.UserAgent)
	r.Set("on_behalf_of", e.Actor.OnBehalfOf)
	r.Set("session", e.Actor.Session)
	r.Set("action", e.Action)
	r.Set("collection", e.Collection)
	r.Set("record_id", e.RecordID)
	r.Set("customer", e.Customer)
	r.Set("message", e.Message)
	if len(e.Changes) > 0 {
		r.Set("changes", e.Changes)
	}
	visible, summary := e.CustomerView()
	r.Set("customer_visible", visible)
	r.Set("summary", summary)
	return r, nil
}

// Record writes an entry for an action that is not a record change, such
// as revealing credentials or a power action.
func Record(app core.App, actor Actor, action string, rec *core.Record, message string) error {
	return Entry{
		Actor:      actor,
		Action:     action,
		Collection: rec.Collection().Name,
		RecordID:   rec.Id,
		Customer:   customerOf(rec),
		Message:    message,
		record:     rec,
	}.Save(app)
}

// customerOf is the customer a record is about: the customer itself, or
// the owner named by its customer field.
func customerOf(rec *core.Record) string {
	if rec.Collection().Name == "customers" {
		return rec.Id
	}
	if rec.Collection().Fields.GetByName("customer") != nil {
		return rec.GetString("customer")
	}
	return ""
}

// skipField leaves out what carries no information about the change:
// timestamps and the auth token key, which rotates with every password change.
func skipField(f core.Field) bool {
	switch f.Type() {
	case core.FieldTypeAutodate:
		return true
	}
	return f.GetName() == core.FieldNameTokenKey || f.GetName() == core.FieldNameId
}

func present(f core.Field, v any) any {
	if f.GetHidden() || f.Type() == core.FieldTypePassword {
		return redacted
	}
	return v
}

func isZero(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Map, reflect.String:
		return rv.Len() == 0
	}
	return rv.IsZero()
}
