package hooks_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/synergycp"
	"github.com/ezscale/ezscale/integrations/virtfusion"
	"github.com/ezscale/ezscale/internal/testutil"
)

// TestPlanOrderOptionsFollowThePlatform: saving a plan puts the names of
// its locations (never their platform ids) and whether its platform takes
// SSH keys in its public order_options; staff's own options stay.
func TestPlanOrderOptionsFollowThePlatform(t *testing.T) {
	vf, err := virtfusion.New(virtfusion.Config{URL: "http://127.0.0.1:1/api/v1", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	scp, err := synergycp.New(synergycp.Config{URL: "http://127.0.0.1:1", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"virtfusion": vf, "synergycp": scp})
	two := []any{map[string]any{"name": "Frankfurt", "id": 3}, map[string]any{"name": "Los Angeles", "id": 7}}
	vpsConfig := map[string]any{"package_id": 1, "os_templates": map[string]any{"debian-12": 12}, "locations": two}
	dediConfig := map[string]any{"hardware": map[string]any{"cpu": "E3", "ram_gb": 32, "disks": []any{"1TB"}},
		"locations": []any{map[string]any{"name": "Los Angeles", "id": "LOC-LA1"}}}

	plan := testutil.Create(t, app, "plans", map[string]any{"name": "VPS", "slug": "vps", "service_type": "vps", "platform": "virtfusion",
		"status": "active", "platform_config": vpsConfig, "order_options": map[string]any{"hostname": true, "os": []string{"debian-12"}, "locations": []string{"Stale"}}})
	expectOrderOptions(t, plan.Get("order_options"), map[string]any{"hostname": true, "os": []any{"debian-12"},
		"locations": []any{"Frankfurt", "Los Angeles"}, "ssh_keys": true})

	// Down to one location: nothing to choose.
	vpsConfig["locations"] = two[:1]
	plan.Set("platform_config", vpsConfig)
	if err := app.Save(plan); err != nil {
		t.Fatal(err)
	}
	expectOrderOptions(t, plan.Get("order_options"), map[string]any{"hostname": true, "os": []any{"debian-12"}, "ssh_keys": true})

	dedi := testutil.Create(t, app, "plans", map[string]any{"name": "Dedi", "slug": "dedi", "service_type": "dedicated", "platform": "synergycp",
		"status": "active", "platform_config": dediConfig, "order_options": map[string]any{"os": []string{"os-debian12"}, "ssh_keys": true}})
	expectOrderOptions(t, dedi.Get("order_options"), map[string]any{"os": []any{"os-debian12"}})
}

func expectOrderOptions(t *testing.T, got any, want map[string]any) {
	t.Helper()
	raw, _ := json.Marshal(got)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	wantRaw, _ := json.Marshal(want)
	var w map[string]any
	_ = json.Unmarshal(wantRaw, &w)
	if !reflect.DeepEqual(m, w) {
		t.Errorf("order_options = %s, want %s", raw, wantRaw)
	}
}
