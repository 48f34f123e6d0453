// Package fulfilment carries out what a paid invoice paid for: a new
// service is activated and queued for creation, a renewal keeps or brings
// back the service, a plan change is applied. It runs in the transaction
// that marks the invoice paid, whichever path paid it (gateway webhook,
// staff, credit, sandbox), and exactly once, since an invoice becomes paid
// once.
package fulfilment

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/planchange"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// InvoicePaid fulfils inv, which has just become paid, and queues the
// customer's receipt and the staff notice.
func InvoicePaid(ctx context.Context, app core.App, inv *ledger.Invoice, now time.Time) error {
	if err := receipts(ctx, app, inv); err != nil {
		return err
	}
	if inv.GetString("purpose") == ledger.PurposePlanChange {
		return planchange.ApplyPaid(ctx, app, inv)
	}
	items, err := ledger.Items(app, inv.Id)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, it := range items {
		subID := it.GetString("subscription")
		if subID == "" || seen[subID] {
			continue
		}
		seen[subID] = true
		if err := subscriptionPaid(ctx, app, inv, subID, now); err != nil {
			return fmt.Errorf("invoice %s, subscription %s: %w", ledger.Label(inv), subID, err)
		}
	}
	orders, err := app.FindAllRecords("orders", dbx.HashExp{"invoice": inv.Id, "status": "pending"})
	if err != nil {
		return err
	}
	for _, o := range orders {
		o.Set("status", "active")
		if err := saveStatus(ctx, app, o); err != nil {
			return err
		}
	}
	return nil
}

// subscriptionPaid activates a pending subscription and its service, or
// brings back one that was past due and suspended for it. A service stays
// suspended, and its subscription past due, while another invoice billing
// it is overdue: paying this month's invoice does not settle last month's,
// which dunning keeps chasing.
func subscriptionPaid(ctx context.Context, app core.App, inv *ledger.Invoice, subID string, now time.Time) error {
	sub, err := subscriptions.Find(app, subID)
	if err != nil {
		return err
	}
	recs, err := app.FindAllRecords(provisioning.ServicesCollection, dbx.HashExp{"subscription": sub.Id})
	if err != nil {
		return err
	}
	services := make([]*provisioning.Service, len(recs))
	owing := map[string]bool{} // services still billed by an overdue invoice
	for i, rec := range recs {
		services[i] = provisioning.AsService(rec)
		if owing[rec.Id], err = overdueElsewhere(app, inv, rec.Id, now); err != nil {
			return err
		}
	}
	switch st := sub.Status(); {
	case st == subscriptions.StatusPending, st == subscriptions.StatusPastDue && !slices.ContainsFunc(services, func(s *provisioning.Service) bool { return owing[s.Id] }):
		sub.SetStatus(subscriptions.StatusActive)
		if err := saveStatus(ctx, app, sub); err != nil {
			return err
		}
	}
	for _, svc := range services {
		var action provisioning.Action
		switch {
		case svc.Status() == provisioning.ServicePending:
			action = provisioning.ActionCreate
			svc.SetStatus(provisioning.ServiceProvisioning)
		case svc.Status() == provisioning.ServiceSuspended && svc.SuspendReason() == provisioning.SuspendOverdue && !owing[svc.Id]:
			// Only a suspension for non-payment lifts on payment; staff's stay.
			action = provisioning.ActionUnsuspend
		default:
			continue
		}
		if err := saveStatus(ctx, app, svc); err != nil {
			return err
		}
		if _, err := provisioning.Enqueue(ctx, app, provisioning.Job{
			ServiceID: svc.Id, Action: action, DedupeKey: "invoice:" + inv.Id + ":" + string(action) + ":" + svc.Id,
			RequestedBy: "invoice " + ledger.Label(inv), RunAfter: now,
		}); err != nil {
			return err
		}
	}
	return nil
}

// overdueElsewhereSQL counts a service's other overdue invoices, starting
// from the service's own lines (CROSS JOIN fixes that order in SQLite, and
// the empty-service condition lets it use the partial service index): left
// to itself the planner walked every open overdue invoice of every customer
// for each invoice paid, so a renewal run over a database with history grew
// with the square of it.
const overdueElsewhereSQL = `SELECT COUNT(*) AS n FROM invoice_items it CROSS JOIN invoices inv ON inv.id = it.invoice
	WHERE it.service = {:svc} AND it.service != '' AND inv.id != {:paid} AND inv.status = 'open'
		AND inv.due_at != '' AND inv.due_at < {:now} AND inv.amount_due > 0`

// overdueElsewhere reports whether an invoice other than paid, open and
// past its due date, still bills the service.
func overdueElsewhere(app core.App, paid *ledger.Invoice, serviceID string, now time.Time) (bool, error) {
	var row struct {
		N int `db:"n"`
	}
	err := app.DB().NewQuery(overdueElsewhereSQL).
		Bind(dbx.Params{"svc": serviceID, "paid": paid.Id, "now": now.UTC().Format(types.DefaultDateLayout)}).One(&row)
	if err != nil {
		return false, fmt.Errorf("overdue invoices of service %s: %w", serviceID, err)
	}
	return row.N > 0, nil
}

// receipts queues the receipt (with the invoice PDF attached by reference)
// and the staff's Discord notice, once per invoice, both rendered when the
// outbox sends them: this runs inside the payment's write transaction.
func receipts(ctx context.Context, app core.App, inv *ledger.Invoice) error {
	customer, err := app.FindRecordById(customers.Collection, inv.CustomerID())
	if err != nil {
		return err
	}
	facts := notify.InvoiceFacts(inv)
	if _, err := notify.Customer(ctx, app, notify.Email{
		Key: "payment_received", Customer: customer, DedupeKey: "invoice:" + inv.Id + ":receipt",
		Data:             notify.Data{"Invoice": facts, "Amount": facts["Total"], "Link": notify.InvoiceLink(app, inv.Id)},
		Attachments:      []map[string]string{{"kind": "invoice_pdf", "invoice": inv.Id}},
		RenderAtDelivery: true,
	}); err != nil {
		return err
	}
	_, err = notify.Staff(ctx, app, notify.Alert{Key: "invoice_paid", Customer: customer,
		Data: notify.Data{"Invoice": facts}, DedupeKey: "invoice:" + inv.Id + ":paid_notice", RenderAtDelivery: true})
	return err
}

// saveStatus saves a record just loaded in this transaction whose status
// alone was set, to one of its collection's values. Validating it would
// only re-count, row by row, the relations it was stored with; the save's
// hooks (the audit entry among them) still run.
func saveStatus(ctx context.Context, app core.App, rec core.Model) error {
	return app.SaveNoValidateWithContext(ctx, rec)
}
