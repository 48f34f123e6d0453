package hooks

import (
	"fmt"
	"net/http"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/integrations/notify"
)

// bindNotifications wires the notices of events that have no domain call
// site of their own (a customer confirming their email, an invoice being
// issued, whichever path saved it), refuses a staff override of an email
// template that would not render (the error says where), and adds
// GET /api/staff/email-templates/{key}/preview for superusers: the template
// as customers would get it, with sample facts.
func bindNotifications(app core.App) {
	// Each notice is queued with e.App after the save: in the transaction of
	// every path that saves these records in one (the ledger's, the
	// verification link's below), so the message commits with its event.
	// What changed is read from the stored row: a record saved twice in one
	// process keeps the original it was loaded with.
	app.OnRecordConfirmVerificationRequest(customers.Collection).BindFunc(func(e *core.RecordConfirmVerificationRequestEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			return e.Next()
		})
	})
	app.OnRecordUpdate(customers.Collection).BindFunc(func(e *core.RecordEvent) error {
		if !e.Record.Verified() {
			return e.Next()
		}
		stored, err := customers.Find(e.App, e.Record.Id)
		if err != nil {
			return err
		}
		if err := e.Next(); err != nil || stored.Verified() {
			return err
		}
		return notify.CustomerVerified(e.Context, e.App, e.Record)
	})
	app.OnRecordUpdate(ledger.InvoicesCollection).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString("status") != ledger.StatusOpen {
			return e.Next()
		}
		stored, err := e.App.FindRecordById(ledger.InvoicesCollection, e.Record.Id)
		if err != nil {
			return err
		}
		if err := e.Next(); err != nil || stored.GetString("status") != ledger.StatusDraft {
			return err
		}
		return notify.InvoiceIssued(e.Context, e.App, ledger.AsInvoice(e.Record))
	})

	check := func(e *core.RecordEvent) error {
		r := e.Record
		if err := notify.Check(r.GetString("key"), notify.Parts{Subject: r.GetString("subject"),
			HTML: r.GetString("body_html"), Text: r.GetString("body_text")}); err != nil {
			return refused(fmt.Errorf("email template %s refused: %w", r.GetString("key"), err))
		}
		return e.Next()
	}
	app.OnRecordCreate(notify.TemplatesCollection).BindFunc(check)
	app.OnRecordUpdate(notify.TemplatesCollection).BindFunc(check)

	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		se.Router.GET("/api/staff/email-templates/{key}/preview", func(e *core.RequestEvent) error {
			key := e.Request.PathValue("key")
			if !notify.IsEmailKey(key) {
				return e.NotFoundError("No email template "+key+".", nil)
			}
			r, err := notify.Preview(e.App, key)
			if err != nil {
				return err
			}
			return e.JSON(http.StatusOK, r)
		}).Bind(apis.RequireSuperuserAuth())
		return se.Next()
	})
}
