package hooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/ezscale/integrations/provisioning"
	"github.com/ezscale/ezscale/integrations/pterodactyl"
	"github.com/ezscale/ezscale/integrations/pterodactyl/pterodactylsim"
	"github.com/ezscale/ezscale/internal/testutil"
)

// A game plan whose egg has a required variable without a default would
// have every create refused by the panel with a 422: staff saving it are
// told which variable, unless the plan's environment supplies it.
func TestGamePlanRefusedForAnEggVariableWithoutDefault(t *testing.T) {
	sim := pterodactylsim.New("ptla_test", "ptlc_test")
	sim.AddEgg(9, "ARK", pterodactylsim.Variable{Name: "Server Map", Env: "SERVER_MAP", Required: true},
		pterodactylsim.Variable{Name: "Admin Password", Env: "ARK_ADMIN_PASSWORD", Default: "changeme", Required: true})
	url, stop := sim.Start()
	t.Cleanup(stop)
	driver, err := pterodactyl.New(pterodactyl.Config{URL: url, AppKey: "ptla_test", HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	app := testutil.NewAppWithPlatforms(t, testutil.Config(), map[string]provisioning.Provisioner{"pterodactyl": driver})
	api := testutil.NewAPI(t, app)
	staff := testutil.Token(t, testutil.Superuser(t, app, "staff@example.com"))

	config := func(eggs map[string]any, env map[string]any) map[string]any {
		return map[string]any{"location_id": 1, "nest_id": 1, "eggs": eggs, "environment": env,
			"limits":         map[string]any{"memory": 4096, "swap": 0, "disk": 20480, "io": 500, "cpu": 200},
			"feature_limits": map[string]any{"databases": 1, "backups": 1}}
	}
	plan := map[string]any{"name": "ARK", "slug": "ark", "service_type": "game_server", "platform": "pterodactyl",
		"status": "active", "platform_config": config(map[string]any{"ark": 9}, nil)}
	res := api.Do(http.MethodPost, "/api/collections/plans/records", staff, plan)
	if res.Status != 400 || !strings.Contains(string(res.Body), "SERVER_MAP") || strings.Contains(string(res.Body), "ARK_ADMIN_PASSWORD") {
		t.Fatalf("egg with a required variable and no default: %d %s, want 400 naming SERVER_MAP only", res.Status, res.Body)
	}
	if n, _ := app.CountRecords("plans"); n != 0 {
		t.Fatalf("%d plans saved after the refusal", n)
	}

	missingEgg := config(map[string]any{"minecraft": 5, "ark": 77}, nil)
	plan["platform_config"] = missingEgg
	if res := api.Do(http.MethodPost, "/api/collections/plans/records", staff, plan); res.Status != 400 || !strings.Contains(string(res.Body), "egg 77 not found") {
		t.Errorf("egg not on the panel: %d %s", res.Status, res.Body)
	}

	plan["platform_config"] = config(map[string]any{"ark": 9, "minecraft": 5}, map[string]any{"SERVER_MAP": "TheIsland"})
	res = api.Do(http.MethodPost, "/api/collections/plans/records", staff, plan)
	if res.Status != 200 {
		t.Fatalf("plan supplying the variable: %d %s", res.Status, res.Body)
	}
	id, _ := res.Object(t)["id"].(string)

	// Clearing the value again is refused on update too, and changes nothing.
	res = api.Do(http.MethodPatch, "/api/collections/plans/records/"+id, staff,
		map[string]any{"platform_config": config(map[string]any{"ark": 9}, map[string]any{"SERVER_MAP": " "})})
	if res.Status != 400 || !strings.Contains(string(res.Body), "SERVER_MAP") {
		t.Errorf("update clearing the variable: %d %s", res.Status, res.Body)
	}
	saved, err := app.FindRecordById("plans", id)
	if err != nil || !strings.Contains(saved.GetString("platform_config"), "TheIsland") {
		t.Errorf("the refused update changed the plan: %v %s", err, saved.GetString("platform_config"))
	}

	// An edit that leaves the config alone does not ask the panel.
	before := sim.Requests()
	if res := api.Do(http.MethodPatch, "/api/collections/plans/records/"+id, staff, map[string]any{"name": "ARK: Survival"}); res.Status != 200 {
		t.Errorf("rename: %d %s", res.Status, res.Body)
	}
	if sim.Requests() != before {
		t.Errorf("a rename called the panel %d times", sim.Requests()-before)
	}

	// A panel that does not answer is no reason to refuse staff's plan.
	sim.FailNext(1, http.StatusBadGateway, 0)
	plan["slug"], plan["platform_config"] = "ark-2", config(map[string]any{"ark": 9}, map[string]any{"SERVER_MAP": "Ragnarok"})
	if res := api.Do(http.MethodPost, "/api/collections/plans/records", staff, plan); res.Status != 200 {
		t.Errorf("panel down: %d %s, want the plan saved", res.Status, res.Body)
	}
}
