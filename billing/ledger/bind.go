package ledger

import (
	"context"
	"errors"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/router"

	"github.com/ezscale/ezscale/billing/subscriptions"
)

// Bind registers the invoice's rules on app, for every save whoever makes
// it (the dashboard, a route, a job): the lifecycle of an invoice, lines
// that change only with their invoice, totals kept in step with staff
// edits of lines, an append-only credit ledger, and the OnInvoicePaid event
// once an invoice becomes paid.
func Bind(app core.App) {
	app.OnRecordValidate(subscriptions.Collection).BindFunc(func(e *core.RecordEvent) error {
		if err := CheckSubscriptionCoupon(e.App, e.Record); err != nil {
			return refused(err)
		}
		return e.Next()
	})
	// Issuing numbers an invoice: the number and the invoice commit together.
	app.OnRecordCreateRequest(InvoicesCollection).BindFunc(requestInTransaction)
	app.OnRecordUpdateRequest(InvoicesCollection).BindFunc(func(e *core.RecordRequestEvent) error {
		if err := CheckStaffEdit(e.Record.Original(), e.Record); err != nil {
			return e.BadRequestError(err.Error(), nil)
		}
		return requestInTransaction(e)
	})

	app.OnRecordCreate(InvoicesCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := PrepareNew(e.App, AsInvoice(e.Record)); err != nil {
			return refused(err)
		}
		return e.Next()
	})
	app.OnRecordUpdate(InvoicesCollection).BindFunc(func(e *core.RecordEvent) error {
		inv := AsInvoice(e.Record)
		from, err := BeforeSave(e.Context, e.App, inv)
		if err != nil {
			return refused(err)
		}
		if err := e.Next(); err != nil {
			return err
		}
		if from != StatusPaid && inv.Status() == StatusPaid {
			return OnInvoicePaid(e.App).Trigger(&PaidEvent{App: e.App, Context: e.Context, Invoice: inv},
				func(*PaidEvent) error { return nil })
		}
		return nil
	})
	app.OnRecordDelete(InvoicesCollection).BindFunc(func(e *core.RecordEvent) error {
		if err := CheckDeletable(AsInvoice(e.Record)); err != nil {
			return refused(err)
		}
		return e.Next()
	})

	itemRule := func(check func(core.App, *core.Record) error) func(*core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			if err := check(e.App, e.Record); err != nil {
				return refused(err)
			}
			return e.Next()
		}
	}
	app.OnRecordCreate(ItemsCollection).BindFunc(itemRule(BeforeItemSave))
	app.OnRecordUpdate(ItemsCollection).BindFunc(itemRule(BeforeItemSave))
	app.OnRecordDelete(ItemsCollection).BindFunc(itemRule(BeforeItemDelete))

	// The credit ledger is append-only; staff write manual entries only,
	// checked in the transaction that saves them.
	app.OnRecordCreateRequest(CreditCollection).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := CheckManualCredit(tx, e.Record); err != nil {
				return e.BadRequestError(err.Error(), nil)
			}
			return e.Next()
		})
	})
	appendOnly := func(e *core.RecordRequestEvent) error { return e.ForbiddenError(ErrCreditAppendOnly.Error(), nil) }
	app.OnRecordUpdateRequest(CreditCollection).BindFunc(appendOnly)
	app.OnRecordDeleteRequest(CreditCollection).BindFunc(appendOnly)

	// A staff edit of a line in the dashboard re-taxes it and updates its invoice.
	staffItemEdit := func(e *core.RecordRequestEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := StaffEditedItem(tx, e.Record); err != nil {
				return e.BadRequestError("Invalid invoice line.", err)
			}
			if err := e.Next(); err != nil {
				return err
			}
			return RecomputeAndSave(e.Request.Context(), tx, e.Record.GetString("invoice"))
		})
	}
	app.OnRecordCreateRequest(ItemsCollection).BindFunc(staffItemEdit)
	app.OnRecordUpdateRequest(ItemsCollection).BindFunc(staffItemEdit)
	app.OnRecordDeleteRequest(ItemsCollection).BindFunc(func(e *core.RecordRequestEvent) error {
		return e.App.RunInTransaction(func(tx core.App) error {
			e.App = tx
			if err := e.Next(); err != nil {
				return err
			}
			return RecomputeAndSave(e.Request.Context(), tx, e.Record.GetString("invoice"))
		})
	})
}

// PaidEvent is an invoice that has just become paid, by any path (a
// gateway, staff, credit, issuing at zero), inside the transaction that
// marked it paid: what a handler writes commits or rolls back with it.
type PaidEvent struct {
	hook.Event
	App     core.App
	Context context.Context
	Invoice *Invoice
}

const paidHookKey = "ledger.onInvoicePaid"

// OnInvoicePaid is the hook of app that fires once per invoice, when it
// becomes paid. The ledger does not know what an invoice paid for; the
// packages that do (fulfilment) bind here.
func OnInvoicePaid(app core.App) *hook.Hook[*PaidEvent] {
	return app.Store().GetOrSet(paidHookKey, func() any { return &hook.Hook[*PaidEvent]{} }).(*hook.Hook[*PaidEvent])
}

func requestInTransaction(e *core.RecordRequestEvent) error {
	return e.App.RunInTransaction(func(tx core.App) error {
		e.App = tx
		return e.Next()
	})
}

// refused turns a rule's refusal into a 400 whose message reaches the
// client: PocketBase replaces plain hook errors with a generic "Failed to
// update record.", which tells staff in the dashboard nothing.
func refused(err error) error {
	var apiErr *router.ApiError
	if errors.As(err, &apiErr) {
		return err
	}
	return router.NewBadRequestError(err.Error(), nil)
}
