package provisioning

import (
	"context"
	"encoding/json"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
)

// execute calls the platform for one job and writes the result on the
// service. The platform call happens outside any transaction.
func (w *Worker) execute(ctx context.Context, actx context.Context, job *core.Record) error {
	svc, err := w.App.FindRecordById("services", job.GetString("service"))
	if err != nil {
		return &Error{Permanent: true, Message: "service " + job.GetString("service") + " not found"}
	}
	driver := w.Drivers[svc.GetString("platform")]
	if driver == nil {
		return &Error{Permanent: true, Message: "no driver for platform " + svc.GetString("platform")}
	}
	ref := Ref{ServiceID: svc.Id, PlatformServiceID: svc.GetString("platform_service_id"), PlatformUserID: svc.GetString("platform_user_id")}
	cctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()

	switch job.GetString("action") {
	case ActionCreate:
		return w.create(cctx, actx, driver, svc, job)
	case ActionSuspend:
		err = driver.Suspend(cctx, ref)
	case ActionUnsuspend:
		if err = driver.Unsuspend(cctx, ref); err == nil {
			svc.Set("status", "active")
			svc.Set("suspend_reason", "")
		}
	case ActionTerminate:
		if err = driver.Terminate(cctx, ref); err == nil || err == ErrNotFound {
			err = nil
			svc.Set("status", "terminated")
			svc.Set("terminated_at", w.Now())
		}
	case ActionChangePlan:
		plan, perr := w.App.FindRecordById("plans", svc.GetString("plan"))
		if perr != nil {
			return perr
		}
		err = driver.ChangePlan(cctx, ref, jsonMap(plan, "platform_config"))
	default:
		return &Error{Permanent: true, Message: "unknown action " + job.GetString("action")}
	}
	if err != nil {
		return err
	}
	return w.App.RunInTransaction(func(tx core.App) error {
		if err := tx.SaveWithContext(actx, svc); err != nil {
			return err
		}
		return statusNotice(actx, tx, svc, job)
	})
}

func (w *Worker) create(ctx, actx context.Context, driver Provisioner, svc, job *core.Record) error {
	customer, err := w.App.FindRecordById("customers", svc.GetString("customer"))
	if err != nil {
		return &Error{Permanent: true, Message: "customer of service " + svc.Id + " not found"}
	}
	plan, err := w.App.FindRecordById("plans", svc.GetString("plan"))
	if err != nil {
		return &Error{Permanent: true, Message: "plan of service " + svc.Id + " not found"}
	}
	options := map[string]string{}
	_ = svc.UnmarshalJSONField("options", &options)
	created, err := driver.Create(ctx, CreateRequest{
		ServiceID: svc.Id, Config: jsonMap(plan, "platform_config"), Options: options, Password: NewPassword(),
		Customer: Customer{ID: customer.Id, Email: customer.Email(), Name: customer.GetString("name"),
			PlatformUserID: platformUserID(w.App, customer.Id, svc.GetString("platform"))},
	})
	if err != nil {
		return err
	}
	job.Set("response", map[string]any{"platform_service_id": created.PlatformServiceID, "ips": created.IPs})
	svc.Set("platform_service_id", created.PlatformServiceID)
	svc.Set("platform_user_id", created.PlatformUserID)
	svc.Set("ip_addresses", created.IPs)
	if created.Hostname != "" {
		svc.Set("hostname", created.Hostname)
	}
	if len(created.Credentials) > 0 && w.Box != nil {
		sealed, err := w.Box.Seal(created.Credentials)
		if err != nil {
			return err
		}
		svc.Set("credentials", sealed)
	}
	// The customer watches the service go live: ask the platform for its
	// power state and usage now rather than at the next status sync (which
	// catches up if this call fails).
	ref := Ref{ServiceID: svc.Id, PlatformServiceID: created.PlatformServiceID, PlatformUserID: created.PlatformUserID}
	if st, err := driver.Status(ctx, []Ref{ref}); err == nil {
		if s, ok := st[svc.Id]; ok {
			apply(svc, s)
		}
	}
	svc.Set("status", "active")
	svc.Set("activated_at", w.Now())
	return w.App.RunInTransaction(func(tx core.App) error {
		if err := tx.SaveWithContext(actx, svc); err != nil {
			return err
		}
		// The message names the service; delivery opens the sealed
		// credentials when it sends, so no secret sits in the outbox.
		_, err := notify.Customer(actx, tx, notify.Email{Key: "service_ready", Customer: customer,
			Data: notify.Data{"Service": notify.Data{"ID": svc.Id, "Label": notify.ServiceLabel(svc), "Plan": plan.GetString("name")},
				"Link": notify.ServiceLink(tx, svc.Id)},
			Attachments: []map[string]string{{"kind": "service_credentials", "service": svc.Id}},
			DedupeKey:   "service:" + svc.Id + ":ready"})
		return err
	})
}

// platformUserID is the account a customer already has on a platform, from
// any of their services there: one account per customer, reused.
func platformUserID(app core.App, customerID, platform string) string {
	recs, err := app.FindRecordsByFilter("services", "customer = {:c} && platform = {:p} && platform_user_id != ''", "", 1, 0,
		map[string]any{"c": customerID, "p": platform})
	if err != nil || len(recs) == 0 {
		return ""
	}
	return recs[0].GetString("platform_user_id")
}

func jsonMap(rec *core.Record, field string) map[string]any {
	out := map[string]any{}
	raw, _ := json.Marshal(rec.Get(field))
	_ = json.Unmarshal(raw, &out)
	return out
}
