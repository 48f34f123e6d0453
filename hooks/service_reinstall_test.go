package hooks_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// reinstallSetup is a customer's VPS built on the VirtFusion simulator,
// and another customer.
type reinstallSetup struct {
	app        core.App
	api        *testutil.API
	alice, bob *core.Record
	svc        *core.Record
}

func newReinstallSetup(t *testing.T) *reinstallSetup {
	t.Helper()
	sim := virtfusionsim.New("vf-token")
	u, stop := sim.Start()
	t.Cleanup(stop)
	drv, err := virtfusion.New(virtfusion.Config{URL: u, Token: "vf-token"})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"virtfusion": drv})
	alice := testutil.Customer(t, app, "alice@example.com", "USD")
	config := map[string]any{"package_id": 1, "hypervisor_group_id": 1, "os_templates": map[string]any{"debian-12": 1, "ubuntu-24.04": 2}}
	created, err := drv.Create(context.Background(), provisioning.CreateRequest{ServiceID: "svcreinstall001",
		Customer: provisioning.Customer{ID: alice.Id, Email: alice.Email(), Name: "Alice"}, Config: config,
		Options: map[string]string{"os": "debian-12", "hostname": "web-1.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	plan := testutil.Create(t, app, "plans", map[string]any{"name": "VPS S", "slug": "vps-s", "service_type": "vps",
		"platform": "virtfusion", "status": "active", "platform_config": config})
	svc := testutil.Create(t, app, "services", map[string]any{"id": "svcreinstall001", "customer": alice.Id, "plan": plan.Id,
		"service_type": "vps", "platform": "virtfusion", "status": "active", "label": "web-1", "hostname": "web-1.example.com",
		"options": map[string]any{"os": "debian-12"}, "platform_service_id": created.PlatformServiceID, "platform_user_id": created.PlatformUserID})
	return &reinstallSetup{app: app, api: testutil.NewAPI(t, app), alice: alice, bob: testutil.Customer(t, app, "bob@example.com", "USD"), svc: svc}
}

// nothingQueued checks a refused request changed nothing.
func (s *reinstallSetup) nothingQueued(t *testing.T, what string) {
	t.Helper()
	if n, _ := s.app.CountRecords(provisioning.Collection, dbx.HashExp{"action": provisioning.ActionReinstall}); n != 0 {
		t.Errorf("%s: %d reinstall jobs queued", what, n)
	}
	if svc, _ := s.app.FindRecordById("services", s.svc.Id); svc.GetBool("reinstalling") {
		t.Errorf("%s: the service shows reinstalling", what)
	}
}

func TestReinstallRouteRefusals(t *testing.T) {
	s := newReinstallSetup(t)
	aliceTok, bobTok := testutil.Token(t, s.alice), testutil.Token(t, s.bob)
	base := "/api/services/" + s.svc.Id
	hosting := testutil.Create(t, s.app, "services", map[string]any{"customer": s.alice.Id, "plan": s.svc.GetString("plan"),
		"service_type": "hosting", "platform": "enhance", "status": "active", "domain": "example.org"})

	for name, tc := range map[string]struct {
		method, path, token string
		body                any
		status              int
		errPart             string
	}{
		"options of another":      {http.MethodGet, base + "/reinstall-options", bobTok, nil, 404, ""},
		"reinstall of another":    {http.MethodPost, base + "/reinstall", bobTok, map[string]string{"choice": "2", "confirm": "web-1"}, 404, ""},
		"anonymous":               {http.MethodPost, base + "/reinstall", "", map[string]string{"choice": "2", "confirm": "web-1"}, 401, ""},
		"wrong confirmation":      {http.MethodPost, base + "/reinstall", aliceTok, map[string]string{"choice": "2", "confirm": "web-2"}, 400, "confirm"},
		"no confirmation":         {http.MethodPost, base + "/reinstall", aliceTok, map[string]string{"choice": "2"}, 400, "confirm"},
		"no choice":               {http.MethodPost, base + "/reinstall", aliceTok, map[string]string{"confirm": "web-1"}, 400, "choice"},
		"choice not offered":      {http.MethodPost, base + "/reinstall", aliceTok, map[string]string{"choice": "99", "confirm": "web-1"}, 400, "choice"},
		"unknown field":           {http.MethodPost, base + "/reinstall", aliceTok, map[string]string{"choice": "2", "confirm": "web-1", "os": "x"}, 400, ""},
		"web hosting":             {http.MethodPost, "/api/services/" + hosting.Id + "/reinstall", aliceTok, map[string]string{"choice": "2", "confirm": "example.org"}, 400, "web hosting"},
		"web hosting options":     {http.MethodGet, "/api/services/" + hosting.Id + "/reinstall-options", aliceTok, nil, 400, "web hosting"},
		"unknown service options": {http.MethodGet, "/api/services/nosuchservice00/reinstall-options", aliceTok, nil, 404, ""},
	} {
		res := s.api.Do(tc.method, tc.path, tc.token, tc.body)
		if res.Status != tc.status || !strings.Contains(string(res.Body), tc.errPart) {
			t.Errorf("%s: %d %s, want %d naming %q", name, res.Status, res.Body, tc.status, tc.errPart)
		}
	}
	s.nothingQueued(t, "after the refusals")

	// An account that is not in good standing may not reinstall.
	s.alice.Set("status", "suspended")
	if err := s.app.Save(s.alice); err != nil {
		t.Fatal(err)
	}
	if res := s.api.Do(http.MethodPost, base+"/reinstall", aliceTok, map[string]string{"choice": "2", "confirm": "web-1"}); res.Status != http.StatusForbidden {
		t.Errorf("suspended account: %d %s", res.Status, res.Body)
	}
	s.nothingQueued(t, "suspended account")

	// Nor a service that is not active.
	s.alice.Set("status", "active")
	_ = s.app.Save(s.alice)
	svc, _ := s.app.FindRecordById("services", s.svc.Id)
	svc.Set("status", "suspended")
	_ = s.app.Save(svc)
	if res := s.api.Do(http.MethodPost, base+"/reinstall", aliceTok, map[string]string{"choice": "2", "confirm": "web-1"}); res.Status != http.StatusConflict {
		t.Errorf("suspended service: %d %s", res.Status, res.Body)
	}
	s.nothingQueued(t, "suspended service")

	// Nor one WHMCS still serves.
	svc.Set("status", "active")
	_ = s.app.Save(svc)
	testutil.HoldForWHMCS(t, s.app, s.alice.Id, true)
	if res := s.api.Do(http.MethodPost, base+"/reinstall", aliceTok, map[string]string{"choice": "2", "confirm": "web-1"}); res.Status < 400 {
		t.Errorf("while WHMCS serves the customer: %d %s", res.Status, res.Body)
	}
	s.nothingQueued(t, "WHMCS")
}

func TestReinstallRouteQueuesAndLocksTheService(t *testing.T) {
	s := newReinstallSetup(t)
	aliceTok := testutil.Token(t, s.alice)
	base := "/api/services/" + s.svc.Id

	res := s.api.Do(http.MethodGet, base+"/reinstall-options", aliceTok, nil)
	opts := res.Object(t)
	choices, _ := opts["choices"].([]any)
	if res.Status != 200 || opts["confirm"] != "web-1" || len(choices) != 4 || opts["reinstalling"] != false {
		t.Fatalf("options: %d %s", res.Status, res.Body)
	}

	res = s.api.Do(http.MethodPost, base+"/reinstall", aliceTok, map[string]string{"choice": "2", "confirm": "web-1"})
	if res.Status != http.StatusAccepted {
		t.Fatalf("reinstall: %d %s", res.Status, res.Body)
	}
	job, err := s.app.FindFirstRecordByFilter(provisioning.Collection, "service = {:s} && action = 'reinstall'", dbx.Params{"s": s.svc.Id})
	if err != nil || job.GetString("status") != "pending" {
		t.Fatalf("no reinstall job queued: %v", err)
	}
	var payload map[string]any
	_ = job.UnmarshalJSONField("payload", &payload)
	if payload["choice"] != "2" {
		t.Errorf("job payload %v", payload)
	}
	if svc, _ := s.app.FindRecordById("services", s.svc.Id); !svc.GetBool("reinstalling") {
		t.Error("the service does not show reinstalling")
	}
	if _, err := s.app.FindFirstRecordByFilter("audit_logs", "action = 'service.reinstall' && record_id = {:r}", dbx.Params{"r": s.svc.Id}); err != nil {
		t.Error("the reinstall request is not audited")
	}

	// While it is under way the server takes no power action, panel login
	// or second reinstall.
	for name, tc := range map[string]struct {
		method, path string
		body         any
	}{
		"power":       {http.MethodPost, base + "/power", map[string]string{"action": "restart"}},
		"panel login": {http.MethodGet, base + "/panel-login", nil},
		"reinstall":   {http.MethodPost, base + "/reinstall", map[string]string{"choice": "1", "confirm": "web-1"}},
	} {
		if res := s.api.Do(tc.method, tc.path, aliceTok, tc.body); res.Status != http.StatusConflict {
			t.Errorf("%s while reinstalling: %d %s", name, res.Status, res.Body)
		}
	}
	if res := s.api.Do(http.MethodGet, base+"/reinstall-options", aliceTok, nil); res.Object(t)["reinstalling"] != true {
		t.Errorf("options while reinstalling: %s", res.Body)
	}
}
