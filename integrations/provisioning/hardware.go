package provisioning

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"github.com/ezscale/ezscale/integrations/notify"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/clock"
)

// ErrNoHardware: no free server matches the plan. The queue does not fail
// a create for it: the order waits until staff pick a server by hand
// (HardwarePicker), which re-queues the create with CreateRequest.ServerID.
var ErrNoHardware = errors.New("waiting for staff to assign a server")

// HardwarePicker is a driver whose platform keeps an inventory of servers
// staff may assign to a waiting order by hand (SynergyCP).
type HardwarePicker interface {
	// FreeServers lists the inventory servers not in use at the plan's
	// location, whatever their parts: staff judge what will do.
	FreeServers(ctx context.Context, config map[string]any, options map[string]string) ([]HardwareServer, error)
}

// HardwareServer is one free inventory server, as staff choose it.
type HardwareServer struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"` // the platform's srv_id or nickname
	CPU      string   `json:"cpu"`
	Memory   string   `json:"memory"`
	Disks    []string `json:"disks"`
	Location string   `json:"location"`
}

// WaitingHardware is the job payload mark of a create waiting for staff to
// assign a server.
const WaitingHardware = "hardware"

// hardwareWait is how far a waiting create's run_after is pushed: it never
// runs on its own again, only when staff assign a server (AssignHardware).
const hardwareWait = 100 * 365 * 24 * time.Hour

// WaitingForHardwareSQL is the SQL test that the provisioning_jobs row
// aliased alias waits for hardware.
func WaitingForHardwareSQL(alias string) string {
	return "coalesce(json_extract(" + alias + ".payload, '$.waiting_for'), '') = '" + WaitingHardware + "'"
}

// cancelHardwareWait cancels the create of a terminated service that was
// still waiting for hardware, so it never provisions a server and leaves
// the staff's list.
func cancelHardwareWait(actx context.Context, tx core.App, serviceID string) error {
	job, err := HardwareWaiting(tx, serviceID)
	if err != nil || job == nil {
		return err
	}
	job.SetStatus(JobCancelled)
	job.SetFinishedAt(recordTime(clock.Now(tx)))
	job.SetLastError("cancelled: the service was terminated while waiting for hardware")
	return tx.SaveWithContext(actx, job)
}

// createPayload is the part of a create job's payload the queue reads.
type createPayload struct {
	WaitingFor string `json:"waiting_for,omitempty"`
	ServerID   string `json:"server_id,omitempty"`
}

func readCreatePayload(job *QueuedJob) (map[string]any, createPayload) {
	raw := map[string]any{}
	_ = job.UnmarshalJSONField("payload", &raw)
	var p createPayload
	_ = job.UnmarshalJSONField("payload", &p)
	return raw, p
}

// WaitingFor is what a pending job waits for ("" for nothing: it runs at
// its run_after).
func (j *QueuedJob) WaitingFor() string {
	_, p := readCreatePayload(j)
	return p.WaitingFor
}

// waitForHardware parks a create that found no hardware: pending, its
// attempt given back, run_after far away, marked waiting for hardware,
// and staff told once (the notice's dedupe key is the job's).
func (w *Worker) waitForHardware(actx context.Context, job *QueuedJob, cause error) {
	raw, _ := readCreatePayload(job)
	raw["waiting_for"] = WaitingHardware
	delete(raw, "server_id") // a chosen server found taken is chosen again
	job.SetPayload(raw)
	job.SetStatus(JobPending)
	job.SetAttempts(max(job.Attempts()-1, 0))
	job.SetRunAfter(recordTime(w.Now().Add(hardwareWait)))
	job.SetLastError(cause.Error())
	err := w.App.RunInTransaction(func(tx core.App) error {
		if err := tx.SaveWithContext(actx, job); err != nil {
			return err
		}
		platform := ""
		if svc, err := FindService(tx, job.ServiceID()); err == nil {
			platform = svc.Platform()
		}
		_, err := notify.Staff(actx, tx, notify.Alert{Key: "provisioning_notice", DedupeKey: "job:" + job.Id + ":no_hardware",
			Data: notify.Data{"Action": string(job.Action()), "Service": job.ServiceID(), "Platform": platform,
				"Notice": cause.Error() + ". Assign a free server in the staff console (Queue → Hardware to assign)."}})
		return err
	})
	if err != nil {
		w.App.Logger().Error("provisioning: park a create waiting for hardware", "job", job.Id, "error", err)
	}
}

// HardwareWaiting finds the create job of a service that waits for staff
// to assign hardware, or nil.
func HardwareWaiting(app core.App, serviceID string) (*QueuedJob, error) {
	recs, err := app.FindRecordsByFilter(Collection, "service = {:s} && action = {:a} && status = 'pending'", "-created", 0, 0,
		dbx.Params{"s": serviceID, "a": string(ActionCreate)})
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if j := AsQueuedJob(r); j.WaitingFor() == WaitingHardware {
			return j, nil
		}
	}
	return nil, nil
}

// HardwareWaitingJobs lists every create job waiting for hardware, oldest
// first.
func HardwareWaitingJobs(app core.App) ([]*QueuedJob, error) {
	recs, err := app.FindRecordsByFilter(Collection, "action = {:a} && status = 'pending' && run_after > {:now}", "created", 0, 0,
		dbx.Params{"a": string(ActionCreate), "now": clock.Now(app).UTC().Format(types.DefaultDateLayout)})
	if err != nil {
		return nil, err
	}
	var out []*QueuedJob
	for _, r := range recs {
		if j := AsQueuedJob(r); j.WaitingFor() == WaitingHardware {
			out = append(out, j)
		}
	}
	return out, nil
}

// AssignHardware re-queues the create of a service waiting for hardware
// with the server staff chose. free is the inventory the driver listed
// just before (outside any transaction): the server must be in it. In one
// transaction the job is read again, so of two staff picking at once one
// assigns and the other is refused, and a server already given to another
// waiting order is refused too.
func AssignHardware(ctx context.Context, app core.App, serviceID, serverID string, free []HardwareServer, by audit.Actor) (*QueuedJob, error) {
	serverID = strings.TrimSpace(serverID)
	if serverID == "" {
		return nil, refused(http.StatusBadRequest, "server_id", "choose a server")
	}
	var chosen *HardwareServer
	for i := range free {
		if free[i].ID == serverID {
			chosen = &free[i]
		}
	}
	if chosen == nil {
		return nil, refused(http.StatusBadRequest, "server_id", "server %s is not free at this order's location", serverID)
	}
	var out *QueuedJob
	err := app.RunInTransaction(func(tx core.App) error {
		svc, err := FindServiceForStaff(tx, serviceID)
		if err != nil {
			return err
		}
		job, err := HardwareWaiting(tx, svc.Id)
		if err != nil {
			return err
		}
		if job == nil || AsService(svc).Status() != ServiceProvisioning {
			return refused(http.StatusConflict, "", "this service is not waiting for hardware")
		}
		others, err := tx.FindRecordsByFilter(Collection, "action = {:a} && (status = 'pending' || status = 'running') && id != {:id}", "", 0, 0,
			dbx.Params{"a": string(ActionCreate), "id": job.Id})
		if err != nil {
			return err
		}
		for _, o := range others {
			if _, p := readCreatePayload(AsQueuedJob(o)); p.ServerID == serverID {
				return refused(http.StatusConflict, "server_id", "server %s is already assigned to another order", serverID)
			}
		}
		raw, _ := readCreatePayload(job)
		delete(raw, "waiting_for")
		raw["server_id"] = serverID
		job.SetPayload(raw)
		job.SetRunAfter(recordTime(clock.Now(tx)))
		job.SetRequestedBy("staff: hardware assigned")
		if err := tx.SaveWithContext(audit.WithActor(ctx, by), job); err != nil {
			return err
		}
		out = job
		return audit.Record(tx, by, "service.hardware_assign", svc, fmt.Sprintf("server %s (%s)", chosen.ID, chosen.Name))
	})
	return out, err
}
