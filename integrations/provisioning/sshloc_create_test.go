package provisioning_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/integrations/virtfusion/virtfusionsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestCreateBuildsWithTheChosenKeysAndLocation: the worker loads the keys
// the order chose when it builds the server: a key deleted since is
// skipped, another customer's id finds nothing; the server goes to the
// chosen location's hypervisor group.
func TestCreateBuildsWithTheChosenKeysAndLocation(t *testing.T) {
	app := testutil.NewApp(t)
	sim := virtfusionsim.New("vf-token")
	url, stop := sim.Start()
	t.Cleanup(stop)
	driver, err := virtfusion.New(virtfusion.Config{URL: url, Token: "vf-token"})
	if err != nil {
		t.Fatal(err)
	}
	plan := testutil.Create(t, app, "plans", map[string]any{
		"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion", "status": "active",
		"platform_config": map[string]any{"package_id": 1, "os_templates": map[string]any{"debian-12": 12},
			"locations": []any{map[string]any{"name": "Frankfurt", "id": 1}, map[string]any{"name": "Los Angeles", "id": 2}}},
	})
	a := testutil.Customer(t, app, "a@example.com", "USD")
	b := testutil.Customer(t, app, "b@example.com", "USD")
	kept := testutil.Create(t, app, "ssh_keys", map[string]any{"customer": a.Id, "name": "laptop", "public_key": ed25519Key(t, "a@laptop")})
	deleted := testutil.Create(t, app, "ssh_keys", map[string]any{"customer": a.Id, "name": "old", "public_key": ed25519Key(t, "")})
	theirs := testutil.Create(t, app, "ssh_keys", map[string]any{"customer": b.Id, "name": "b", "public_key": ed25519Key(t, "b@desk")})
	svc := testutil.Create(t, app, "services", map[string]any{"customer": a.Id, "plan": plan.Id, "service_type": "vps",
		"platform": "virtfusion", "status": "provisioning", "options": map[string]string{"os": "debian-12", "location": "Los Angeles",
			"ssh_keys": kept.Id + "," + deleted.Id + "," + theirs.Id}})
	if err := app.Delete(deleted); err != nil {
		t.Fatal(err)
	}

	w := &world{app: app, customer: a, plan: plan,
		worker: &provisioning.Worker{App: app, Drivers: map[string]provisioning.Provisioner{"virtfusion": driver}, Workers: 1, BaseDelay: time.Minute}}
	w.enqueue(t, svc, provisioning.ActionCreate)
	w.drain(t)

	svc, err = app.FindRecordById("services", svc.Id)
	if err != nil {
		t.Fatal(err)
	}
	if svc.GetString("status") != "active" {
		t.Fatalf("service is %s, want active", svc.GetString("status"))
	}
	id, _ := strconv.Atoi(svc.GetString("platform_service_id"))
	keys, group, ok := sim.ServerSSHKeys(id)
	if !ok {
		t.Fatalf("no server %d on the simulator", id)
	}
	if len(keys) != 1 || keys[0] != kept.GetString("public_key") {
		t.Errorf("server built with keys %q; want only %q", keys, kept.GetString("public_key"))
	}
	if group != 2 {
		t.Errorf("server in hypervisor group %d, want 2 (Los Angeles)", group)
	}
}
