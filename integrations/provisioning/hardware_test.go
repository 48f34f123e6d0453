package provisioning_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
	"github.com/ezscale/ezscale/internal/audit"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// hardwareWorld is a dedicated order on the SynergyCP simulator whose two
// matching servers are both taken, so its create finds no hardware.
type hardwareWorld struct {
	app    core.App
	sim    *synergycpsim.Simulator
	driver *synergycp.Driver
	worker *provisioning.Worker
	svc    *core.Record
	job    *core.Record
}

func newHardwareWorld(t *testing.T) *hardwareWorld {
	t.Helper()
	app := testutil.NewApp(t)
	if err := seed.DemoCatalog(app); err != nil {
		t.Fatal(err)
	}
	sim := synergycpsim.New("scp-key")
	for _, id := range []int{231, 232} {
		sim.UpdateServer(id, func(s *synergycpsim.Server) { s.Assigned, s.BillingID, s.Active = true, "someone-else", true })
	}
	// Free at the plan's location, but not the plan's parts.
	sim.AddServer(synergycpsim.Server{ID: 300, CPU: "E5-2680", Mem: "mem-64", Disks: []string{"2TB-SSD"}, Group: "LOC-LA1", IP: "203.0.113.40"})
	u, stop := sim.Start()
	t.Cleanup(stop)
	d, err := synergycp.New(synergycp.Config{URL: u, Key: "scp-key", HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	plan, err := app.FindFirstRecordByData("plans", "slug", "dedicated-e3-1270v6")
	if err != nil {
		t.Fatal(err)
	}
	customer := testutil.Customer(t, app, "metal@example.com", "USD")
	svc := testutil.Create(t, app, "services", map[string]any{"customer": customer.Id, "plan": plan.Id, "service_type": "dedicated",
		"platform": "synergycp", "status": "provisioning", "options": map[string]string{"hostname": "metal.example.net", "os": "debian-12"}})
	job, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
		DedupeKey: "create:" + svc.Id, RunAfter: time.Now().UTC().Add(-time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	return &hardwareWorld{app: app, sim: sim, driver: d, svc: svc, job: job,
		worker: &provisioning.Worker{App: app, Drivers: map[string]provisioning.Provisioner{"synergycp": d}, Box: box, Workers: 1, BaseDelay: time.Minute}}
}

// run works every due job; it reports how many ran.
func (h *hardwareWorld) run(t *testing.T) int {
	t.Helper()
	n := 0
	for {
		rec, err := h.worker.Claim("w")
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			return n
		}
		h.worker.Process(context.Background(), rec)
		n++
	}
}

func (h *hardwareWorld) reload(t *testing.T) (*provisioning.QueuedJob, *provisioning.Service) {
	t.Helper()
	job, err := provisioning.FindQueuedJob(h.app, h.job.Id)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := provisioning.FindService(h.app, h.svc.Id)
	if err != nil {
		t.Fatal(err)
	}
	return job, svc
}

func (h *hardwareWorld) notices(t *testing.T) int {
	t.Helper()
	rows, err := h.app.FindAllRecords("outbox", dbx.HashExp{"template": "provisioning_notice"})
	if err != nil {
		t.Fatal(err)
	}
	failed, _ := h.app.FindAllRecords("outbox", dbx.HashExp{"template": "provisioning_failed"})
	if len(failed) != 0 {
		t.Fatalf("a waiting order alerted as failed")
	}
	return len(rows)
}

func (h *hardwareWorld) assign(t *testing.T, serverID string) error {
	t.Helper()
	free, err := h.driver.FreeServers(context.Background(), map[string]any{"hardware": map[string]any{"cpu": "E3-1270v6", "ram_gb": 32,
		"disks": []string{"1TB-SSD", "1TB-SSD"}}, "location_id": "LOC-LA1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = provisioning.AssignHardware(context.Background(), h.app, h.svc.Id, serverID, free, audit.Actor{Kind: audit.KindSuperuser, ID: "staff1"})
	return err
}

func TestNoHardwareWaitsForStaffThenProvisionsTheirPick(t *testing.T) {
	h := newHardwareWorld(t)
	for range 2 { // the second pass finds nothing due
		h.run(t)
	}
	job, svc := h.reload(t)
	if job.Status() != provisioning.JobPending || job.WaitingFor() != provisioning.WaitingHardware || job.Attempts() != 0 ||
		job.RunAfter().Time().Before(time.Now().AddDate(50, 0, 0)) {
		t.Fatalf("waiting job: status=%s waiting=%q attempts=%d run_after=%s", job.Status(), job.WaitingFor(), job.Attempts(), job.RunAfter())
	}
	if svc.Status() != provisioning.ServiceProvisioning {
		t.Fatalf("service %s, want provisioning", svc.Status())
	}
	if n := h.notices(t); n != 1 {
		t.Fatalf("%d staff notices, want 1", n)
	}
	waiting, err := provisioning.HardwareWaitingJobs(h.app)
	if err != nil || len(waiting) != 1 || waiting[0].Id != job.Id {
		t.Fatalf("waiting list: %v %v", waiting, err)
	}

	// Staff pick 300; someone takes it on the panel before the job runs:
	// the order waits again, nothing burnt, staff not told twice.
	if err := h.assign(t, "300"); err != nil {
		t.Fatal(err)
	}
	h.sim.UpdateServer(300, func(s *synergycpsim.Server) { s.Assigned, s.BillingID = true, "walk-in" })
	if h.run(t) != 1 {
		t.Fatal("the assigned job did not run")
	}
	job, _ = h.reload(t)
	if job.WaitingFor() != provisioning.WaitingHardware || job.Attempts() != 0 || h.notices(t) != 1 {
		t.Fatalf("after a taken pick: waiting=%q attempts=%d notices=%d", job.WaitingFor(), job.Attempts(), h.notices(t))
	}

	h.sim.UpdateServer(300, func(s *synergycpsim.Server) { s.Assigned, s.BillingID = false, "" })
	if err := h.assign(t, "300"); err != nil {
		t.Fatal(err)
	}
	h.run(t)
	job, svc = h.reload(t)
	if job.Status() != provisioning.JobSucceeded || svc.Status() != provisioning.ServiceActive || svc.PlatformServiceID() != "300" {
		t.Fatalf("after the pick: job=%s service=%s server=%s (%s)", job.Status(), svc.Status(), svc.PlatformServiceID(), job.LastError())
	}
	if srv, _ := h.sim.Server(300); srv.BillingID != h.svc.Id {
		t.Fatalf("server 300 billed to %q", srv.BillingID)
	}
	ready, err := h.app.FindAllRecords("outbox", dbx.HashExp{"template": "service_ready"})
	if err != nil || len(ready) != 1 {
		t.Fatalf("%d service-ready emails, want 1 (%v)", len(ready), err)
	}
	entries, err := h.app.FindAllRecords("audit_logs", dbx.HashExp{"action": "service.hardware_assign", "record_id": h.svc.Id, "actor_id": "staff1"})
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d assignment audit entries, want 2 (%v)", len(entries), err)
	}
	// Done: no longer waiting.
	var se *provisioning.StaffError
	_, err = provisioning.AssignHardware(context.Background(), h.app, h.svc.Id, "232", []provisioning.HardwareServer{{ID: "232"}},
		audit.Actor{Kind: audit.KindSuperuser, ID: "staff1"})
	if !errors.As(err, &se) || se.Status != http.StatusConflict {
		t.Fatalf("assign to a provisioned service: %v", err)
	}
}

func TestAssignHardwareRefusals(t *testing.T) {
	h := newHardwareWorld(t)
	h.run(t)
	free := []provisioning.HardwareServer{{ID: "300"}}
	by := audit.Actor{Kind: audit.KindSuperuser, ID: "staff1"}
	for _, tc := range []struct {
		name, service, server string
		status                int
	}{
		{"no server", h.svc.Id, " ", http.StatusBadRequest},
		{"server not listed free", h.svc.Id, "231", http.StatusBadRequest},
		{"unknown service", "nosuchservice00", "300", http.StatusNotFound},
	} {
		_, err := provisioning.AssignHardware(context.Background(), h.app, tc.service, tc.server, free, by)
		var se *provisioning.StaffError
		if !errors.As(err, &se) || se.Status != tc.status {
			t.Errorf("%s: %v, want %d", tc.name, err, tc.status)
		}
	}
	if job, _ := h.reload(t); job.WaitingFor() != provisioning.WaitingHardware {
		t.Fatal("a refused assignment changed the job")
	}
}

func TestTwoStaffPickingAtOnceAssignOnce(t *testing.T) {
	h := newHardwareWorld(t)
	h.run(t)
	free := []provisioning.HardwareServer{{ID: "300"}}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = provisioning.AssignHardware(context.Background(), h.app, h.svc.Id, "300", free, audit.Actor{Kind: audit.KindSuperuser, ID: "staff"})
		}()
	}
	wg.Wait()
	ok, conflict := 0, 0
	for _, err := range errs {
		var se *provisioning.StaffError
		switch {
		case err == nil:
			ok++
		case errors.As(err, &se) && se.Status == http.StatusConflict:
			conflict++
		default:
			t.Fatal(err)
		}
	}
	if ok != 1 || conflict != 1 {
		t.Fatalf("ok=%d conflict=%d, want one of each", ok, conflict)
	}
	h.run(t)
	if h.sim.Assigned() != 3 { // 231, 232 and 300, once
		t.Fatalf("assigned=%d", h.sim.Assigned())
	}
}

// Terminating a service whose create waits for hardware is not held up
// behind it: the terminate runs and cancels the create, which never
// provisions a server.
func TestTerminateWhileWaitingForHardware(t *testing.T) {
	h := newHardwareWorld(t)
	h.run(t)
	if _, err := provisioning.Enqueue(context.Background(), h.app, provisioning.Job{ServiceID: h.svc.Id, Action: provisioning.ActionTerminate,
		DedupeKey: "terminate:" + h.svc.Id, RunAfter: time.Now().UTC().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	h.run(t)
	job, svc := h.reload(t)
	if job.Status() != provisioning.JobCancelled || svc.Status() != provisioning.ServiceTerminated {
		t.Fatalf("after terminate: create %s, service %s", job.Status(), svc.Status())
	}
	if waiting, _ := provisioning.HardwareWaitingJobs(h.app); len(waiting) != 0 {
		t.Fatalf("still listed: %d", len(waiting))
	}
	if h.sim.Assigned() != 2 {
		t.Fatalf("assigned=%d", h.sim.Assigned())
	}
}
