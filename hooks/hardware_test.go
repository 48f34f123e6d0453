package hooks_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/integrations/synergycp/synergycpsim"
	"github.com/ezscale/ezscale/internal/secrets"
	"github.com/ezscale/ezscale/internal/seed"
	"github.com/ezscale/ezscale/internal/testutil"
)

// hardwareRoutes is a dedicated order waiting for hardware: the plan's
// two matching servers are taken, 300 is free at its location.
type hardwareRoutes struct {
	app               core.App
	api               *testutil.API
	sim               *synergycpsim.Simulator
	worker            *provisioning.Worker
	staff, cus, other string
	svc               *core.Record
}

func newHardwareRoutes(t *testing.T) *hardwareRoutes {
	t.Helper()
	sim := synergycpsim.New("scp-key")
	for _, id := range []int{231, 232} {
		sim.UpdateServer(id, func(s *synergycpsim.Server) { s.Assigned, s.BillingID, s.Active = true, "someone-else", true })
	}
	sim.AddServer(synergycpsim.Server{ID: 300, CPU: "E5-2680", Mem: "mem-64", Disks: []string{"2TB-SSD"}, Group: "LOC-LA1", IP: "203.0.113.40"})
	u, stop := sim.Start()
	t.Cleanup(stop)
	d, err := synergycp.New(synergycp.Config{URL: u, Key: "scp-key", HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	drivers := map[string]provisioning.Provisioner{"synergycp": d}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), drivers)
	if err := seed.DemoCatalog(app); err != nil {
		t.Fatal(err)
	}
	plan, err := app.FindFirstRecordByData("plans", "slug", "dedicated-e3-1270v6")
	if err != nil {
		t.Fatal(err)
	}
	c := testutil.Customer(t, app, "metal@example.com", "USD")
	other := testutil.Customer(t, app, "other@example.com", "USD")
	svc := testutil.Create(t, app, "services", map[string]any{"customer": c.Id, "plan": plan.Id, "service_type": "dedicated",
		"platform": "synergycp", "status": "provisioning", "options": map[string]string{"hostname": "metal.example.net", "os": "debian-12"}})
	if _, err := provisioning.Enqueue(context.Background(), app, provisioning.Job{ServiceID: svc.Id, Action: provisioning.ActionCreate,
		DedupeKey: "create:" + svc.Id, RunAfter: time.Now().UTC().Add(-time.Second)}); err != nil {
		t.Fatal(err)
	}
	box, _ := secrets.New([]byte("0123456789abcdef0123456789abcdef"))
	h := &hardwareRoutes{app: app, api: testutil.NewAPI(t, app), sim: sim, svc: svc,
		worker: &provisioning.Worker{App: app, Drivers: drivers, Box: box, Workers: 1, BaseDelay: time.Minute},
		staff:  testutil.Token(t, testutil.Superuser(t, app, "ops@ezscale.test")), cus: testutil.Token(t, c), other: testutil.Token(t, other)}
	h.run(t)
	return h
}

func (h *hardwareRoutes) run(t *testing.T) {
	t.Helper()
	for {
		rec, err := h.worker.Claim("w")
		if err != nil {
			t.Fatal(err)
		}
		if rec == nil {
			return
		}
		h.worker.Process(context.Background(), rec)
	}
}

func TestHardwareRoutesAreStaffOnly(t *testing.T) {
	h := newHardwareRoutes(t)
	base := "/api/staff/hardware"
	for _, r := range []struct{ method, path string }{
		{http.MethodGet, base}, {http.MethodGet, base + "/" + h.svc.Id + "/servers"}, {http.MethodPost, base + "/" + h.svc.Id + "/assign"},
	} {
		for who, tok := range map[string]string{"anonymous": "", "customer": h.cus} {
			if res := h.api.Do(r.method, r.path, tok, map[string]string{"server_id": "300"}); res.Status != http.StatusUnauthorized && res.Status != http.StatusForbidden {
				t.Errorf("%s %s as %s: %d", r.method, r.path, who, res.Status)
			}
		}
	}
	if h.sim.Assigned() != 2 {
		t.Fatal("a refused request provisioned a server")
	}
}

func TestStaffAssignHardware(t *testing.T) {
	h := newHardwareRoutes(t)
	res := h.api.Do(http.MethodGet, "/api/staff/hardware", h.staff, nil)
	var list struct {
		Items []struct {
			Service, Plan, Reason string
			Hardware              map[string]any
		}
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &list) != nil || len(list.Items) != 1 || list.Items[0].Service != h.svc.Id ||
		list.Items[0].Hardware["location_id"] != "LOC-LA1" || !strings.Contains(list.Items[0].Reason, "no matching server") {
		t.Fatalf("waiting list: %d %s", res.Status, res.Body)
	}
	res = h.api.Do(http.MethodGet, "/api/staff/hardware/"+h.svc.Id+"/servers", h.staff, nil)
	var servers struct{ Servers []provisioning.HardwareServer }
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &servers) != nil || len(servers.Servers) != 1 || servers.Servers[0].ID != "300" ||
		servers.Servers[0].CPU != "E5-2680" {
		t.Fatalf("free servers: %d %s", res.Status, res.Body)
	}

	assign := "/api/staff/hardware/" + h.svc.Id + "/assign"
	for name, tc := range map[string]struct {
		path   string
		body   any
		status int
	}{
		"no server":       {assign, map[string]string{"server_id": ""}, http.StatusBadRequest},
		"taken server":    {assign, map[string]string{"server_id": "231"}, http.StatusBadRequest},
		"unknown field":   {assign, map[string]any{"server_id": "300", "force": true}, http.StatusBadRequest},
		"unknown service": {"/api/staff/hardware/nosuchservice1/assign", map[string]string{"server_id": "300"}, http.StatusNotFound},
	} {
		if res := h.api.Do(http.MethodPost, tc.path, h.staff, tc.body); res.Status != tc.status {
			t.Errorf("%s: %d %s, want %d", name, res.Status, res.Body, tc.status)
		}
	}

	// Two staff pick at once: one assignment, one provision.
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = h.api.Do(http.MethodPost, assign, h.staff, map[string]string{"server_id": "300"}).Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == http.StatusAccepted && statuses[1] == http.StatusConflict) && !(statuses[1] == http.StatusAccepted && statuses[0] == http.StatusConflict) {
		t.Fatalf("two picks: %v, want one 202 and one 409", statuses)
	}
	h.run(t)
	svc, _ := h.app.FindRecordById("services", h.svc.Id)
	if svc.GetString("status") != "active" || svc.GetString("platform_service_id") != "300" || h.sim.Assigned() != 3 {
		t.Fatalf("after the pick: %s on %q, %d assigned", svc.GetString("status"), svc.GetString("platform_service_id"), h.sim.Assigned())
	}
	if res := h.api.Do(http.MethodPost, assign, h.staff, map[string]string{"server_id": "300"}); res.Status != http.StatusConflict {
		t.Errorf("assign to a provisioned service: %d", res.Status)
	}
}

func TestCustomerSeesBeingPrepared(t *testing.T) {
	h := newHardwareRoutes(t)
	path := "/api/services/" + h.svc.Id + "/preparing"
	res := h.api.Do(http.MethodGet, path, h.cus, nil)
	var got struct {
		Preparing     bool      `json:"preparing"`
		EstimateHours int       `json:"estimate_hours"`
		ReadyBy       time.Time `json:"ready_by"`
	}
	if res.Status != http.StatusOK || json.Unmarshal(res.Body, &got) != nil || !got.Preparing || got.EstimateHours != 24 ||
		got.ReadyBy.Before(time.Now().Add(23*time.Hour)) || got.ReadyBy.After(time.Now().Add(25*time.Hour)) {
		t.Fatalf("owner: %d %s", res.Status, res.Body)
	}
	if res := h.api.Do(http.MethodGet, path, h.other, nil); res.Status != http.StatusNotFound {
		t.Errorf("another customer: %d %s", res.Status, res.Body)
	}
	if res := h.api.Do(http.MethodGet, path, "", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous: %d", res.Status)
	}
	if res := h.api.Do(http.MethodPost, "/api/staff/hardware/"+h.svc.Id+"/assign", h.staff, map[string]string{"server_id": "300"}); res.Status != http.StatusAccepted {
		t.Fatalf("assign: %d %s", res.Status, res.Body)
	}
	h.run(t)
	res = h.api.Do(http.MethodGet, path, h.cus, nil)
	if res.Status != http.StatusOK || !strings.Contains(string(res.Body), `"preparing":false`) {
		t.Fatalf("once ready: %d %s", res.Status, res.Body)
	}
}
