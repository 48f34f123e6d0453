package provisioning

import (
	"context"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/billing/subscriptions"
	"github.com/ezscale/ezscale/integrations/notify"
)

// suspendReasons say to the customer why staff suspended a service.
var suspendReasons = map[SuspendReason]string{
	SuspendStaff: "suspended by our team; contact support for details",
	SuspendAbuse: "a breach of our acceptable use policy; contact support",
}

// statusNotice tells the customer that the platform has suspended,
// brought back or terminated their service, once per job, in the
// transaction that records it. A suspension for non-payment is announced
// by dunning instead, with the invoice to pay.
func statusNotice(ctx context.Context, tx core.App, svc *Service, job *QueuedJob) error {
	data := notify.Data{"Services": []string{notify.ServiceLabel(svc.ProxyRecord())}}
	var key string
	switch job.Action() {
	case ActionSuspend:
		reason, ok := suspendReasons[svc.SuspendReason()]
		if !ok {
			return nil
		}
		key, data["Reason"], data["Link"] = "service_suspended", reason, notify.ServiceLink(tx, svc.Id)
	case ActionUnsuspend:
		key, data["Link"] = "service_unsuspended", notify.ServiceLink(tx, svc.Id)
	case ActionTerminate:
		key, data["Reason"] = "service_terminated", terminateReason(tx, svc)
	default:
		return nil
	}
	customer, err := customers.Find(tx, svc.CustomerID())
	if err != nil {
		return err
	}
	_, err = notify.Customer(ctx, tx, notify.Email{Key: key, Customer: customer.ProxyRecord(), Data: data,
		DedupeKey: "job:" + job.Id + ":" + key})
	return err
}

// terminateReason says why a service ended, from its subscription.
func terminateReason(tx core.App, svc *Service) string {
	sub, err := subscriptions.Find(tx, svc.SubscriptionID())
	switch {
	case err != nil:
		return "ended by our team"
	case sub.CancelReason() == "non_payment":
		return "its invoice stayed unpaid"
	case sub.Status() == subscriptions.StatusCancelled:
		return "its subscription was cancelled"
	}
	return "ended by our team"
}
