package provisioning

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/notify"
)

// execute calls the platform for one job and writes the result on the
// service. The platform call happens outside any transaction and may take
// minutes, during which staff or the status sync may change the service:
// the closing transaction reads it again and sets only what the job owns.
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
	cctx = WithAttempt(cctx, Attempt{N: job.GetInt("attempts"), Max: job.GetInt("max_attempts")})
	cctx, notes := withStaffNotes(cctx)

	// owned sets the job's result on the service as it is now.
	var owned func(current *core.Record)
	switch job.GetString("action") {
	case ActionCreate:
		return w.create(cctx, actx, driver, svc, job, notes)
	case ActionReinstall:
		return w.reinstall(cctx, actx, driver, svc, job, ref, notes)
	case ActionSuspend:
		err = driver.Suspend(cctx, ref)
	case ActionUnsuspend:
		err = driver.Unsuspend(cctx, ref)
		owned = func(current *core.Record) {
			// The job lifts a suspension for non-payment (staff's own
			// unsuspend set the status when they queued it); a staff or
			// abuse suspension made meanwhile stays.
			if current.GetString("status") == "suspended" && current.GetString("suspend_reason") == "overdue" {
				current.Set("status", "active")
				current.Set("suspend_reason", "")
			}
		}
	case ActionTerminate:
		if err = driver.Terminate(cctx, ref); errors.Is(err, ErrNotFound) {
			err = nil
		}
		owned = func(current *core.Record) {
			if current.GetString("status") != "terminated" {
				current.Set("status", "terminated")
				current.Set("terminated_at", w.Now())
			}
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
		current, err := tx.FindRecordById("services", svc.Id)
		if err != nil {
			return err
		}
		if owned != nil {
			owned(current)
			if err := tx.SaveWithContext(actx, current); err != nil {
				return err
			}
		}
		if err := tellStaff(actx, tx, job, current, notes); err != nil {
			return err
		}
		if job.GetString("action") == ActionUnsuspend && current.GetString("status") == "suspended" && !suspendQueued(tx, current.Id) {
			// Suspended again meanwhile for another reason (staff, abuse)
			// without a suspend of its own queued: the platform has just
			// lifted it, so it is suspended there again.
			if _, err := Enqueue(actx, tx, Job{ServiceID: current.Id, Action: ActionSuspend, DedupeKey: "job:" + job.Id + ":suspend_again",
				RequestedBy: "provisioning: still suspended (" + current.GetString("suspend_reason") + ")", RunAfter: w.Now()}); err != nil {
				return err
			}
		}
		if current.GetString("status") != outcome[job.GetString("action")] {
			return nil // changed meanwhile: the job's notice would tell the customer something untrue
		}
		return statusNotice(actx, tx, current, job)
	})
}

// suspendQueued reports whether a suspend of the service waits in the
// queue already (staff's own, queued with their change).
func suspendQueued(app core.App, serviceID string) bool {
	_, err := app.FindFirstRecordByFilter(Collection, "service = {:s} && action = {:a} && (status = 'pending' || status = 'running')",
		dbx.Params{"s": serviceID, "a": ActionSuspend})
	return err == nil
}

// outcome is the status a service has after each action, when nobody
// changed it meanwhile.
var outcome = map[string]string{
	ActionSuspend: "suspended", ActionUnsuspend: "active", ActionTerminate: "terminated", ActionChangePlan: "active",
}

// tellStaff alerts staff with each note the driver left about the job.
func tellStaff(actx context.Context, tx core.App, job, svc *core.Record, notes *staffNotes) error {
	for i, note := range notes.list() {
		if _, err := notify.Staff(actx, tx, notify.Alert{Key: "provisioning_notice", DedupeKey: "job:" + job.Id + ":notice:" + strconv.Itoa(i),
			Data: notify.Data{"Action": job.GetString("action"), "Service": svc.Id, "Platform": svc.GetString("platform"), "Notice": note}}); err != nil {
			return err
		}
	}
	return nil
}

func (w *Worker) create(ctx, actx context.Context, driver Provisioner, svc, job *core.Record, notes *staffNotes) error {
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
	keys, err := LoadSSHKeys(w.App, customer.Id, SSHKeyIDs(options["ssh_keys"]))
	if err != nil {
		return err
	}
	created, err := driver.Create(ctx, CreateRequest{
		ServiceID: svc.Id, Config: jsonMap(plan, "platform_config"), Options: options, Password: NewPassword(), SSHKeys: keys,
		Customer: Customer{ID: customer.Id, Email: customer.Email(), Name: customer.GetString("name"),
			PlatformUserID: platformUserID(w.App, customer.Id, svc.GetString("platform"))},
	})
	if err != nil {
		return err
	}
	job.Set("response", map[string]any{"platform_service_id": created.PlatformServiceID, "ips": created.IPs})
	var sealed string
	if len(created.Credentials) > 0 && w.Box != nil {
		if sealed, err = w.Box.Seal(created.Credentials); err != nil {
			return err
		}
	}
	// The customer watches the service go live: ask the platform for its
	// power state and usage now rather than at the next status sync (which
	// catches up if this call fails).
	ref := Ref{ServiceID: svc.Id, PlatformServiceID: created.PlatformServiceID, PlatformUserID: created.PlatformUserID}
	live, hasLive := Status{}, false
	if st, err := driver.Status(ctx, []Ref{ref}); err == nil {
		live, hasLive = st[svc.Id]
	}
	return w.App.RunInTransaction(func(tx core.App) error {
		current, err := tx.FindRecordById("services", svc.Id)
		if err != nil {
			return err
		}
		current.Set("platform_service_id", created.PlatformServiceID)
		current.Set("platform_user_id", created.PlatformUserID)
		current.Set("ip_addresses", created.IPs)
		if created.Hostname != "" {
			current.Set("hostname", created.Hostname)
		}
		if created.Address != "" {
			current.Set("server_address", created.Address)
		}
		if sealed != "" {
			current.Set("credentials", sealed)
		}
		if err := tellStaff(actx, tx, job, current, notes); err != nil {
			return err
		}
		if hasLive {
			apply(current, live, false)
		}
		// Only a service still waiting for its server goes live: one staff
		// changed meanwhile keeps their status.
		if current.GetString("status") == "provisioning" {
			current.Set("status", "active")
			current.Set("activated_at", w.Now())
		}
		if err := tx.SaveWithContext(actx, current); err != nil || current.GetString("status") != "active" {
			return err
		}
		// The message says how to reach the service and links to the
		// portal's audited reveal; the login goes by email only where the
		// business opted its platform in.
		_, err = notify.ServiceReady(actx, tx, customer, current, plan.GetString("name"), created.Credentials["panel_url"])
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
