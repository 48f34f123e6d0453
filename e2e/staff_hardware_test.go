//go:build e2e

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestStaffAssignHardware: a dedicated order finds no matching server
// (both E3-1270v6 at LOC-LA1 are taken), waits; staff open "Hardware to
// assign", list SynergyCP's free servers and assign one, and the order is
// provisioned on it.
func TestStaffAssignHardware(t *testing.T) {
	sim := synergycpsim.New("e2e-synergycp")
	for _, id := range []int{231, 232} {
		sim.UpdateServer(id, func(s *synergycpsim.Server) { s.Assigned, s.BillingID, s.Active = true, "someone-else", true })
	}
	sim.AddServer(synergycpsim.Server{ID: 300, CPU: "E5-2680", Mem: "mem-64", Disks: []string{"2TB-SSD"}, Group: "LOC-LA1", IP: "203.0.113.40"})
	simURL, stop := sim.Start()
	t.Cleanup(stop)
	pf := servePlatform(t, testutil.NewMigratedApp(t), map[string]string{"SYNERGYCP_URL": simURL, "SYNERGYCP_KEY": "e2e-synergycp"})

	plan, err := pf.App.FindFirstRecordByData("plans", "slug", "dedicated-e3-1270v6")
	if err != nil {
		t.Fatal(err)
	}
	c := testutil.Customer(t, pf.App, "metal@example.com", "USD")
	svc := testutil.Create(t, pf.App, "services", map[string]any{"customer": c.Id, "plan": plan.Id, "service_type": "dedicated",
		"platform": "synergycp", "status": "provisioning", "label": "metal.example.net",
		"options": map[string]string{"hostname": "metal.example.net", "os": "debian-12"}})
	if _, err := provisioning.Enqueue(context.Background(), pf.App, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
		DedupeKey: "create:" + svc.Id, RunAfter: time.Now().UTC().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the order waits for hardware", func() bool {
		job, err := provisioning.HardwareWaiting(pf.App, svc.Id)
		return err == nil && job != nil
	})

	p := newPage(t, pf.URL)
	staffLogin(t, pf, p)
	p.visit("/staff/queue")
	p.waitFor("queue-open-hardware")
	p.clickID("queue-open-hardware")
	p.waitFor("hardware-" + svc.Id)
	p.clickID("hardware-choose-" + svc.Id)
	p.waitFor("hardware-server-300")
	p.screenshot("64-staff-hardware")
	p.clickID("hardware-assign-300")
	p.waitFor("form-success")
	p.waitText("No order waits for hardware")

	waitUntil(t, "the order is provisioned on server 300", func() bool {
		rec, err := pf.App.FindRecordById("services", svc.Id)
		return err == nil && rec.GetString("status") == "active" && rec.GetString("platform_service_id") == "300"
	})
	if srv, _ := sim.Server(300); srv.BillingID != svc.Id {
		t.Errorf("server 300 billed to %q", srv.BillingID)
	}
}

// waitUntil polls cond for up to 20 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting until %s", what)
}
