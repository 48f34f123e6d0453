package dunning

import (
	"context"
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/ledger"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/gateway"
	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/integrations/provisioning"
)

// stepper takes the steps of one invoice inside one transaction.
type stepper struct {
	ctx      context.Context
	tx       core.App
	inv      *ledger.Invoice
	customer *customers.Customer
	outcome  *chargeOutcome
	now      time.Time
	portal   string
	charged  bool // this run's charge is reported; later charge steps ride on it
	held     bool // this run's charge is pending: the later steps wait for it
}

func (st *stepper) take(step string) (string, error) {
	switch {
	case step == StepReminder:
		return "reminder queued", st.tell("payment_reminder", step, nil)
	case isCharge(step):
		if st.charged {
			return "covered by this run's charge", nil
		}
		st.charged = true
		return st.reportCharge(step)
	case step == StepOverdue:
		if err := st.setSubscriptions(subscriptions.StatusPastDue); err != nil {
			return "", err
		}
		return "overdue notice queued", st.tell("invoice_overdue", step, nil)
	case step == StepSuspend:
		labels, err := st.suspend()
		if err != nil || len(labels) == 0 {
			return "0 services suspended", err
		}
		reason := "invoice " + ledger.Label(st.inv) + " is unpaid"
		if err := st.tell("service_suspended", step, notify.Data{"Services": labels, "Reason": reason}); err != nil {
			return "", err
		}
		_, err = notify.Staff(st.ctx, st.tx, notify.Alert{Key: "service_suspended", Customer: st.customer.ProxyRecord(),
			Data: notify.Data{"Services": labels, "Reason": "overdue: " + reason}, DedupeKey: "dunning:" + st.inv.Id + ":" + step + ":staff"})
		return fmt.Sprintf("%d services suspended", len(labels)), err
	case step == StepTerminate:
		if st.customer.DunningExempt() {
			return "customer exempt from termination", nil
		}
		n, err := st.terminate()
		return fmt.Sprintf("%d services queued for termination", n), err
	}
	return "", fmt.Errorf("unknown dunning step %q", step)
}

// reportCharge tells the customer, and for a decline staff, what the
// gateway said about this run's charge, recorded before the steps.
func (st *stepper) reportCharge(step string) (string, error) {
	o := st.outcome
	switch {
	case o.paypal:
		return "no card charge: " + o.noCharge, nil
	case o.noCharge != "":
		// Without a charge to report, the customer is asked to pay once.
		return "no charge: " + o.noCharge, st.tell("payment_due", "payment_due", nil)
	case o.result.Status == gateway.StatusPending:
		st.held = true
		return "charge " + o.result.GatewayID + " pending at the gateway", nil
	case o.result.Status == gateway.StatusRequiresAction:
		return "needs the customer to authenticate", st.tell("payment_action_required", step, nil)
	}
	if err := st.tell("payment_failed", step, nil); err != nil {
		return "", err
	}
	_, err := notify.Staff(st.ctx, st.tx, notify.Alert{Key: "payment_failed", Customer: st.customer.ProxyRecord(),
		Data:      notify.Data{"Invoice": notify.InvoiceFacts(st.inv), "Reason": o.result.FailureCode + " " + o.result.FailureMessage},
		DedupeKey: "dunning:" + st.inv.Id + ":payment_failed_notice"})
	return "declined: " + o.result.FailureCode, err
}

// services are the invoice's services, from its lines.
func (st *stepper) services() ([]*provisioning.Service, error) {
	return invoiceServices(st.tx, st.inv.Id)
}

func invoiceServices(app core.App, invoiceID string) ([]*provisioning.Service, error) {
	items, err := ledger.Items(app, invoiceID)
	if err != nil {
		return nil, err
	}
	var ids []any
	for _, it := range items {
		if id := it.GetString("service"); id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	recs, err := app.FindAllRecords(provisioning.ServicesCollection, dbx.In("id", ids...))
	if err != nil {
		return nil, err
	}
	svcs := make([]*provisioning.Service, len(recs))
	for i, rec := range recs {
		svcs[i] = provisioning.AsService(rec)
	}
	return svcs, nil
}

// suspends tells whether the suspension step suspends svc: only a service
// still active is.
func suspends(svc *provisioning.Service) bool { return svc.Status() == provisioning.ServiceActive }

// terminates tells whether the termination step ends svc: one still
// suspended for non-payment, unless staff exempted it or its customer.
func terminates(customer *customers.Customer, svc *provisioning.Service) bool {
	return !customer.DunningExempt() && svc.Status() == provisioning.ServiceSuspended &&
		svc.SuspendReason() == provisioning.SuspendOverdue && !svc.TerminateExempt()
}

func (st *stepper) setSubscriptions(status subscriptions.Status) error {
	svcs, err := st.services()
	if err != nil {
		return err
	}
	for _, svc := range svcs {
		sub, err := subscriptions.Find(st.tx, svc.SubscriptionID())
		if err != nil || sub.Status() != subscriptions.StatusActive {
			continue
		}
		sub.SetStatus(status)
		if err := st.tx.SaveWithContext(st.ctx, sub); err != nil {
			return err
		}
	}
	return nil
}

// suspend suspends the invoice's active services for non-payment, through
// the provisioning queue, and names those it suspended.
func (st *stepper) suspend() ([]string, error) {
	svcs, err := st.services()
	if err != nil {
		return nil, err
	}
	var labels []string
	for _, svc := range svcs {
		if !suspends(svc) {
			continue
		}
		svc.SetStatus(provisioning.ServiceSuspended)
		svc.SetSuspendReason(provisioning.SuspendOverdue)
		svc.SetSuspendedAt(st.now)
		if err := st.tx.SaveWithContext(st.ctx, svc); err != nil {
			return labels, err
		}
		if _, err := provisioning.Enqueue(st.ctx, st.tx, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionSuspend,
			DedupeKey: "dunning:" + st.inv.Id + ":suspend:" + svc.Id, RequestedBy: "dunning", RunAfter: st.now}); err != nil {
			return labels, err
		}
		labels = append(labels, notify.ServiceLabel(svc.ProxyRecord()))
	}
	return labels, nil
}

// terminate queues the termination of services still suspended for
// non-payment, except those staff exempted, and ends their subscriptions.
func (st *stepper) terminate() (int, error) {
	svcs, err := st.services()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, svc := range svcs {
		if !terminates(st.customer, svc) {
			continue
		}
		if _, err := provisioning.Enqueue(st.ctx, st.tx, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionTerminate,
			DedupeKey: "dunning:" + st.inv.Id + ":terminate:" + svc.Id, RequestedBy: "dunning", RunAfter: st.now}); err != nil {
			return n, err
		}
		if sub, err := subscriptions.Find(st.tx, svc.SubscriptionID()); err == nil {
			sub.SetStatus(subscriptions.StatusCancelled)
			sub.SetCancelledAt(st.now)
			sub.SetCancelReason("non_payment")
			if err := st.tx.SaveWithContext(st.ctx, sub); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, nil
}

// tell queues the customer's email for a step, with the invoice and its
// pay link, once per invoice and key.
func (st *stepper) tell(key, dedupe string, extra notify.Data) error {
	data := notify.Data{"Invoice": notify.InvoiceFacts(st.inv), "Link": st.portal + "/billing/invoices/" + st.inv.Id}
	for k, v := range extra {
		data[k] = v
	}
	_, err := notify.Customer(st.ctx, st.tx, notify.Email{Key: key, Customer: st.customer.ProxyRecord(), Data: data,
		DedupeKey: "dunning:" + st.inv.Id + ":" + dedupe})
	return err
}
