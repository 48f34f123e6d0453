package hooks

import (
	"context"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/fulfilment"
	"github.com/ezscale/ezscale/billing/ledger"
)

// bindInvoices enforces the invoice lifecycle on every save, from the
// dashboard, the portal's routes or a job, and keeps totals in step with
// lines edited by staff.
func bindInvoices(app core.App) {
	inTx := func(e *core.RecordRequestEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			return e.Next()
		})
	}
	// Issuing numbers an invoice: the number and the invoice commit together.
	app.OnRecordCreateRequest(ledger.InvoicesCollection).BindFunc(inTx)
	app.OnRecordUpdateRequest(ledger.InvoicesCollection).BindFunc(inTx)

	app.OnRecordCreate(ledger.InvoicesCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := ledger.PrepareNew(e.App, ledger.AsInvoice(e.Record)); err != nil {
			return err
		}
		return e.Next()
	})
	app.OnRecordUpdate(ledger.InvoicesCollection).BindFunc(func(e *core.RecordEvent) error {
		inv := ledger.AsInvoice(e.Record)
		from, err := ledger.BeforeSave(e.Context, e.App, inv)
		if err != nil {
			return refused(err)
		}
		if err := e.Next(); err != nil {
			return err
		}
		if from != ledger.StatusPaid && inv.Status() == ledger.StatusPaid {
			return onInvoicePaid(e.Context, e.App, inv)
		}
		return nil
	})
	app.OnRecordDelete(ledger.InvoicesCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := ledger.CheckDeletable(ledger.AsInvoice(e.Record)); err != nil {
			return err
		}
		return e.Next()
	})

	app.OnRecordCreate(ledger.ItemsCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := ledger.BeforeItemSave(e.App, e.Record); err != nil {
			return refused(err)
		}
		return e.Next()
	})
	app.OnRecordUpdate(ledger.ItemsCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := ledger.BeforeItemSave(e.App, e.Record); err != nil {
			return refused(err)
		}
		return e.Next()
	})
	app.OnRecordDelete(ledger.ItemsCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := ledger.BeforeItemDelete(e.App, e.Record); err != nil {
			return refused(err)
		}
		return e.Next()
	})

	// A staff edit of a line in the dashboard re-taxes it and updates its invoice.
	staffItemEdit := func(e *core.RecordRequestEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := ledger.StaffEditedItem(tx, e.Record); err != nil {
				return e.BadRequestError("Invalid invoice line.", err)
			}
			if err := e.Next(); err != nil {
				return err
			}
			return ledger.RecomputeAndSave(e.Request.Context(), tx, e.Record.GetString("invoice"))
		})
	}
	app.OnRecordCreateRequest(ledger.ItemsCollection).BindFunc(staffItemEdit)
	app.OnRecordUpdateRequest(ledger.ItemsCollection).BindFunc(staffItemEdit)
	app.OnRecordDeleteRequest(ledger.ItemsCollection).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := e.Next(); err != nil {
				return err
			}
			return ledger.RecomputeAndSave(e.Request.Context(), tx, e.Record.GetString("invoice"))
		})
	})
}

// onInvoicePaid runs in the transaction that marks an invoice paid, by any
// path: it carries out what the invoice paid for.
func onInvoicePaid(ctx context.Context, app core.App, inv *ledger.Invoice) error {
	return fulfilment.InvoicePaid(ctx, app, inv, time.Now().UTC())
}
