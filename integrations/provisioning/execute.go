package provisioning

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/billing/customers"
	"github.com/ezscale/ezscale/integrations/notify"
)

// execute calls the platform for one job and writes the result on the
// service. The platform call happens outside any transaction and may take
// minutes, during which staff or the status sync may change the service:
// the closing transaction reads it again and sets only what the job owns.
func (w *Worker) execute(ctx context.Context, actx context.Context, job *QueuedJob) error {
	svc, err := FindService(w.App, job.ServiceID())
	if err != nil {
		return &Error{Permanent: true, Message: "service " + job.ServiceID() + " not found"}
	}
	driver := w.Drivers[svc.Platform()]
	if driver == nil {
		return &Error{Permanent: true, Message: "no driver for platform " + svc.Platform()}
	}
	ref := svc.Ref()
	cctx, cancel := context.WithTimeout(ctx, w.Timeout)
	defer cancel()
	cctx = WithAttempt(cctx, Attempt{N: job.Attempts(), Max: job.MaxAttempts()})
	cctx, notes := withStaffNotes(cctx)

	// owned sets the job's result on the service as it is now.
	var owned func(current *Service)
	switch job.Action() {
	case ActionCreate:
		return w.create(cctx, actx, driver, svc, job, notes)
	case ActionReinstall:
		return w.reinstall(cctx, actx, driver, svc, job, ref, notes)
	case ActionSuspend:
		err = driver.Suspend(cctx, ref)
	case ActionUnsuspend:
		err = driver.Unsuspend(cctx, ref)
		owned = func(current *Service) {
			// The job lifts a suspension for non-payment (staff's own
			// unsuspend set the status when they queued it); a staff or
			// abuse suspension made meanwhile stays.
			if current.Status() == ServiceSuspended && current.SuspendReason() == SuspendOverdue {
				current.SetStatus(ServiceActive)
				current.SetSuspendReason("")
			}
		}
	case ActionTerminate:
		if err = driver.Terminate(cctx, ref); errors.Is(err, ErrNotFound) {
			err = nil
		}
		owned = func(current *Service) {
			if current.Status() != ServiceTerminated {
				current.SetStatus(ServiceTerminated)
				current.SetTerminatedAt(w.Now())
			}
		}
	case ActionChangePlan:
		plan, perr := w.App.FindRecordById("plans", svc.PlanID())
		if perr != nil {
			return perr
		}
		err = driver.ChangePlan(cctx, ref, jsonMap(plan, "platform_config"))
	default:
		return &Error{Permanent: true, Message: "unknown action " + string(job.Action())}
	}
	if err != nil {
		return err
	}
	return w.App.RunInTransaction(func(tx core.App) error {
		current, err := FindService(tx, svc.Id)
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
		if job.Action() == ActionTerminate {
			if err := cancelHardwareWait(actx, tx, current.Id); err != nil {
				return err
			}
		}
		if job.Action() == ActionUnsuspend && current.Status() == ServiceSuspended && !suspendQueued(tx, current.Id) {
			// Suspended again meanwhile for another reason (staff, abuse)
			// without a suspend of its own queued: the platform has just
			// lifted it, so it is suspended there again.
			if _, err := Enqueue(actx, tx, Job{ServiceID: current.Id, Action: ActionSuspend, DedupeKey: "job:" + job.Id + ":suspend_again",
				RequestedBy: "provisioning: still suspended (" + string(current.SuspendReason()) + ")", RunAfter: w.Now()}); err != nil {
				return err
			}
		}
		if current.Status() != outcome[job.Action()] {
			return nil // changed meanwhile: the job's notice would tell the customer something untrue
		}
		return statusNotice(actx, tx, current, job)
	})
}

// suspendQueued reports whether a suspend of the service waits in the
// queue already (staff's own, queued with their change).
func suspendQueued(app core.App, serviceID string) bool {
	_, err := app.FindFirstRecordByFilter(Collection, "service = {:s} && action = {:a} && (status = 'pending' || status = 'running')",
		dbx.Params{"s": serviceID, "a": string(ActionSuspend)})
	return err == nil
}

// outcome is the status a service has after each action, when nobody
// changed it meanwhile.
var outcome = map[Action]ServiceStatus{
	ActionSuspend: ServiceSuspended, ActionUnsuspend: ServiceActive, ActionTerminate: ServiceTerminated, ActionChangePlan: ServiceActive,
}

// tellStaff alerts staff with each note the driver left about the job.
func tellStaff(actx context.Context, tx core.App, job *QueuedJob, svc *Service, notes *staffNotes) error {
	for i, note := range notes.list() {
		if _, err := notify.Staff(actx, tx, notify.Alert{Key: "provisioning_notice", DedupeKey: "job:" + job.Id + ":notice:" + strconv.Itoa(i),
			Data: notify.Data{"Action": string(job.Action()), "Service": svc.Id, "Platform": svc.Platform(), "Notice": note}}); err != nil {
			return err
		}
	}
	return nil
}

func (w *Worker) create(ctx, actx context.Context, driver Provisioner, svc *Service, job *QueuedJob, notes *staffNotes) error {
	customer, err := customers.Find(w.App, svc.CustomerID())
	if err != nil {
		return &Error{Permanent: true, Message: "customer of service " + svc.Id + " not found"}
	}
	plan, err := w.App.FindRecordById("plans", svc.PlanID())
	if err != nil {
		return &Error{Permanent: true, Message: "plan of service " + svc.Id + " not found"}
	}
	options := map[string]string{}
	_ = svc.UnmarshalJSONField("options", &options)
	keys, err := LoadSSHKeys(w.App, customer.Id, SSHKeyIDs(options["ssh_keys"]))
	if err != nil {
		return err
	}
	_, payload := readCreatePayload(job)
	created, err := driver.Create(ctx, CreateRequest{
		ServiceID: svc.Id, ServerID: payload.ServerID, Config: jsonMap(plan, "platform_config"), Options: options, Password: NewPassword(), SSHKeys: keys,
		Customer: Customer{ID: customer.Id, Email: customer.Email(), Name: customer.Name(),
			PlatformUserID: platformUserID(w.App, customer.Id, svc.Platform())},
	})
	if err != nil {
		return err
	}
	job.SetResponse(map[string]any{"platform_service_id": created.PlatformServiceID, "ips": created.IPs})
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
		current, err := FindService(tx, svc.Id)
		if err != nil {
			return err
		}
		current.SetPlatformServiceID(created.PlatformServiceID)
		current.SetPlatformUserID(created.PlatformUserID)
		current.SetIPAddresses(created.IPs)
		if created.Hostname != "" {
			current.SetHostname(created.Hostname)
		}
		if created.Address != "" {
			current.SetServerAddress(created.Address)
		}
		if sealed != "" {
			current.SetCredentials(sealed)
		}
		if err := tellStaff(actx, tx, job, current, notes); err != nil {
			return err
		}
		if hasLive {
			apply(current, live, false)
		}
		// Only a service still waiting for its server goes live: one staff
		// changed meanwhile keeps their status.
		if current.Status() == ServiceProvisioning {
			current.SetStatus(ServiceActive)
			current.SetActivatedAt(w.Now())
		}
		if err := tx.SaveWithContext(actx, current); err != nil || current.Status() != ServiceActive {
			return err
		}
		// The message says how to reach the service and links to the
		// portal's audited reveal; the login goes by email only where the
		// business opted its platform in.
		_, err = notify.ServiceReady(actx, tx, customer.ProxyRecord(), current.ProxyRecord(), plan.GetString("name"), created.Credentials["panel_url"])
		return err
	})
}

// platformUserID is the account a customer already has on a platform, from
// any of their services there: one account per customer, reused.
func platformUserID(app core.App, customerID, platform string) string {
	recs, err := app.FindRecordsByFilter(ServicesCollection, "customer = {:c} && platform = {:p} && platform_user_id != ''", "", 1, 0,
		map[string]any{"c": customerID, "p": platform})
	if err != nil || len(recs) == 0 {
		return ""
	}
	return AsService(recs[0]).PlatformUserID()
}

func jsonMap(rec *core.Record, field string) map[string]any {
	out := map[string]any{}
	raw, _ := json.Marshal(rec.Get(field))
	_ = json.Unmarshal(raw, &out)
	return out
}
