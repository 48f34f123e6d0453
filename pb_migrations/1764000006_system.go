package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
)

// The platform's own machinery: the audit trail, the notification outbox,
// stored gateway webhooks and the business settings.
func init() {
	m.Register(func(app core.App) error {
		audit := core.NewBaseCollection("audit_logs")
		// A customer reads the entries about their own account. Rows are
		// append-only: hooks refuse updates and deletes, even by staff.
		audit.ListRule = ownerRule
		audit.ViewRule = ownerRule
		audit.Fields.Add(
			&core.SelectField{Name: "actor_kind", Required: true, MaxSelect: 1,
				Values: []string{"superuser", "customer", "guest", "job", "system"}},
			&core.TextField{Name: "actor_id", Max: 100},
			&core.TextField{Name: "action", Required: true, Max: 100},
			&core.TextField{Name: "collection", Max: 100},
			&core.TextField{Name: "record_id", Max: 100},
			// A plain id, not a relation: a relation would be rewritten when
			// the customer is deleted, and audit rows are never rewritten.
			&core.TextField{Name: "customer", Max: 100},
			&core.JSONField{Name: "changes", MaxSize: 200000, Help: "field: {before, after}; hidden fields redacted"},
			&core.TextField{Name: "message", Max: 2000},
			&core.TextField{Name: "ip", Hidden: true, Max: 64},
			&core.TextField{Name: "user_agent", Hidden: true, Max: 500},
			&core.AutodateField{Name: "created", OnCreate: true},
		)
		audit.AddIndex("idx_audit_logs_record", false, "collection, record_id", "")
		audit.AddIndex("idx_audit_logs_customer", false, "customer", "customer != ''")
		audit.AddIndex("idx_audit_logs_created", false, "created", "")

		outbox := core.NewBaseCollection("outbox")
		if err := addRelations(app, outbox, relationSpec{"customer", "customers", false, false}); err != nil {
			return err
		}
		outbox.Fields.Add(
			&core.SelectField{Name: "channel", Required: true, MaxSelect: 1, Values: []string{"email", "discord"}},
			&core.TextField{Name: "recipient", Max: 500},
			&core.TextField{Name: "template", Required: true, Max: 100},
			&core.TextField{Name: "subject", Max: 500},
			&core.TextField{Name: "body_text", Max: 200000},
			&core.TextField{Name: "body_html", Max: 500000},
			&core.JSONField{Name: "attachments", MaxSize: 10000, Help: `references, e.g. [{"kind":"invoice_pdf","id":"..."}]`},
			&core.SelectField{Name: "severity", MaxSelect: 1, Values: []string{"info", "success", "warning", "danger"}},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"pending", "sending", "sent", "failed", "cancelled"},
				Help:   "set back to pending to send again"},
			countField("attempts"),
			&core.DateField{Name: "next_attempt_at"},
			&core.TextField{Name: "last_error", Max: 5000},
			&core.DateField{Name: "sent_at"},
			&core.TextField{Name: "provider_id", Max: 255},
			&core.TextField{Name: "dedupe_key", Max: 200, Help: "one message per cause"},
		)
		timestamps(outbox)
		outbox.AddIndex("idx_outbox_due", false, "status, next_attempt_at", "")
		outbox.AddIndex("idx_outbox_customer", false, "customer", "customer != ''")
		outbox.AddIndex("idx_outbox_dedupe", true, "dedupe_key", "dedupe_key != ''")

		events := core.NewBaseCollection("webhook_events")
		events.Fields.Add(
			&core.SelectField{Name: "gateway", Required: true, MaxSelect: 1, Values: []string{"stripe", "paypal"}},
			&core.TextField{Name: "event_id", Required: true, Max: 255},
			&core.TextField{Name: "type", Required: true, Max: 255},
			&core.JSONField{Name: "payload", MaxSize: 1 << 20},
			&core.SelectField{Name: "status", Required: true, MaxSelect: 1,
				Values: []string{"received", "processed", "unmatched", "ignored", "failed"}},
			&core.BoolField{Name: "flagged", Help: "needs a look from staff"},
			countField("attempts"),
			&core.TextField{Name: "error", Max: 5000},
			&core.DateField{Name: "processed_at"},
		)
		timestamps(events)
		events.AddIndex("idx_webhook_events_gateway_event", true, "gateway, event_id", "")
		events.AddIndex("idx_webhook_events_status", false, "status", "")

		return saveAll(app, audit, outbox, events)
	}, func(app core.App) error {
		return deleteAll(app, "webhook_events", "outbox", "audit_logs")
	})
}
