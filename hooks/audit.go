package hooks

import (
	"errors"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"

	"github.com/ezscale/ezscale/internal/audit"
)

// notAudited are collections whose writes are machine bookkeeping at high
// volume, each with its own history elsewhere: the flow counters, the
// outbox and webhook rows (their status fields are their history), and the
// SupportPal mirror (SupportPal keeps the thread).
var notAudited = map[string]bool{
	audit.Collection:   true,
	"bandwidth_usage":  true,
	"bandwidth_daily":  true,
	"outbox":           true,
	"webhook_events":   true,
	"support_tickets":  true,
	"number_sequences": true,
	// Derived from the services' audited ip_addresses and status changes.
	"service_addresses": true,
}

var errAuditAppendOnly = errors.New("audit entries are append-only: they cannot be changed or deleted")

// bindAudit records every create, update and delete of a business record
// in the same transaction as the change, and keeps audit_logs append-only.
func bindAudit(app core.App) {
	track := func(e *core.RecordRequestEvent) error {
		defer audit.Track(e.Record, audit.FromRequest(e.RequestEvent))()
		return e.Next()
	}
	app.OnRecordCreateRequest().BindFunc(track)
	app.OnRecordUpdateRequest().BindFunc(track)
	app.OnRecordDeleteRequest().BindFunc(track)

	// A signed-in request carries its actor in its context, so what the
	// domain code behind a custom route saves (an order, a payment, a
	// cancellation) is audited as whoever asked — staff impersonating a
	// customer as staff acting for them — not as the platform. A route
	// that acts for someone else (a webhook's gateway) sets its own.
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.Bind(&hook.Handler[*core.RequestEvent]{
			Id:       "ezscaleAuditActor",
			Priority: apis.DefaultLoadAuthTokenMiddlewarePriority + 1,
			Func: func(e *core.RequestEvent) error {
				if e.Auth != nil {
					e.Request = e.Request.WithContext(audit.WithActor(e.Request.Context(), audit.FromRequest(e)))
				}
				return e.Next()
			},
		})
		return se.Next()
	})

	write := func(action string) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			if e.Record.Collection().IsView() || e.Record.Collection().System || notAudited[e.Record.Collection().Name] {
				return e.Next()
			}
			entry := audit.ForRecord(e.Context, e.App, action, e.Record)
			if err := e.Next(); err != nil {
				return err
			}
			if action == "update" && len(entry.Changes) == 0 {
				return nil
			}
			return entry.Save(e.App)
		}
	}
	app.OnRecordCreateExecute().BindFunc(write("create"))
	app.OnRecordUpdateExecute().BindFunc(write("update"))
	app.OnRecordDeleteExecute().BindFunc(write("delete"))

	refuse := func(e *core.RecordEvent) error { return refused(errAuditAppendOnly) }
	app.OnRecordUpdate(audit.Collection).BindFunc(refuse)
	app.OnRecordDelete(audit.Collection).BindFunc(refuse)
	// Entries are written by the platform, never typed in: no API creates.
	app.OnRecordCreateRequest(audit.Collection).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.ForbiddenError("Audit entries are written by the platform only.", nil)
	})
}
